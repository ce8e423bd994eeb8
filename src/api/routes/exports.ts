// /v1/exports: results for the ERP's batch import, as CSV or JSON.
import { stringify } from 'csv-stringify/sync';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { EXPORTED_FIELDS } from '../../contract/fields.ts';
import type { AppContext } from '../../server/context.ts';
import type { DocumentStatus } from '../../storage/documents.ts';

const COLUMNS = [
  'documentId',
  'externalRef',
  'status',
  'fileName',
  'documentType',
  ...EXPORTED_FIELDS,
  'resultVersion',
  'decidedAt',
];

const ExportQuery = z.object({
  status: z
    .enum(['approved', 'auto_approved', 'needs_review', 'rejected', 'failed'])
    .default('approved')
    .describe('approved: everything cleared for the ERP (approved by a reviewer or straight through)'),
  format: z.enum(['csv', 'json']).default('csv'),
  from: z.coerce.date().optional().describe('Decided (or processed) at or after'),
  to: z.coerce.date().optional().describe('Decided (or processed) before'),
  limit: z.coerce.number().int().min(1).max(100_000).default(10_000),
});

export function exportRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/v1/exports',
      {
        config: { role: 'ingest' },
        schema: {
          tags: ['exports'],
          summary: "Results for the ERP's batch import",
          description: 'One row per document with the latest result (corrections included), oldest first.',
          querystring: ExportQuery,
        },
      },
      async (request, reply) => {
        const q = request.query;
        const statuses: DocumentStatus[] =
          q.status === 'approved' ? ['approved', 'auto_approved'] : [q.status];
        const params: unknown[] = [statuses];
        const where = ['d.status = any($1::text[])'];
        const at = 'coalesce(d.decided_at, d.processed_at, d.received_at)';
        if (q.from) where.push(`${at} >= $${params.push(q.from)}`);
        if (q.to) where.push(`${at} < $${params.push(q.to)}`);
        const rows = await ctx.db.query(
          `select d.id, d.external_ref, d.status, d.file_name, ${at} as decided_at, r.version, r.result
           from documents d
           left join lateral (select version, result from document_results where document_id = d.id
                              order by version desc limit 1) r on true
           where ${where.join(' and ')} order by ${at}, d.id limit $${params.push(q.limit)}`,
          params,
        );
        const records = rows.map((row) => {
          const result = row.result as {
            documentType?: string;
            fields?: Record<string, { value: string } | null>;
          } | null;
          const f = (name: string) => result?.fields?.[name]?.value ?? null;
          return {
            documentId: row.id as string,
            externalRef: (row.external_ref as string | null) ?? null,
            status: row.status as string,
            fileName: row.file_name as string,
            documentType: result?.documentType ?? null,
            ...Object.fromEntries(EXPORTED_FIELDS.map((name) => [name, f(name)])),
            resultVersion: (row.version as number | null) ?? null,
            decidedAt: (row.decided_at as Date).toISOString(),
            lineItems: (result as { lineItems?: unknown[] } | null)?.lineItems ?? [],
          };
        });
        if (q.format === 'json') return reply.send({ documents: records });
        // escape_formulas: vendor names and numbers come from whoever sent the document; a cell starting with
        // = + - @ must not run as a formula when the export is opened in a spreadsheet.
        const csv = stringify(records, { header: true, columns: COLUMNS, escape_formulas: true });
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="retaguarda-${q.status}.csv"`)
          .send(csv);
      },
    );
  };
}
