// /v1/exports: results for the ERP's batch import, as CSV or JSON.
import { stringify } from 'csv-stringify/sync';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { EXPORTED_FIELDS, type FieldName } from '../../contract/fields.ts';
import { describeOrigin } from '../../contract/origin.ts';
import { scopeOf } from '../../services/keys.ts';
import type { DocumentStatus } from '../../storage/documents.repository.ts';
import type { ApiDeps } from '../deps.ts';
import { principalOf } from '../plugins/auth.ts';

const COLUMNS = [
  'documentId',
  'externalRef',
  'status',
  'fileName',
  'channel',
  'origin',
  'parentId',
  'firstPage',
  'lastPage',
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

export function exportRoutes(ctx: Pick<ApiDeps, 'repos'>): FastifyPluginAsyncZod {
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
        const rows = await ctx.repos.documents.exportRows({
          statuses,
          from: q.from,
          to: q.to,
          limit: q.limit,
          scope: scopeOf(principalOf(request)),
        });
        const records = rows.map((row) => {
          const f = (name: FieldName) => row.result?.fields[name]?.value ?? null;
          return {
            documentId: row.id,
            externalRef: row.externalRef,
            status: row.status,
            fileName: row.fileName,
            channel: row.origin.channel,
            origin: q.format === 'json' ? row.origin : describeOrigin(row.origin),
            // A part of a split file: the file's document and the part's pages in it.
            parentId: row.result?.parentId ?? null,
            firstPage: row.result?.pageRange?.first ?? null,
            lastPage: row.result?.pageRange?.last ?? null,
            documentType: row.result?.documentType ?? null,
            ...Object.fromEntries(EXPORTED_FIELDS.map((name) => [name, f(name)])),
            resultVersion: row.version,
            decidedAt: row.decidedAt.toISOString(),
            lineItems: row.result?.lineItems ?? [],
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
