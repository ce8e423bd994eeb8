// /v1/documents: the list, each document's status and result, its original file and its page images.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../services/errors.ts';
import { scopeOf } from '../../services/keys.ts';
import type { DocumentRecord } from '../../storage/documents.repository.ts';
import type { ApiDeps } from '../deps.ts';
import { principalOf } from '../plugins/auth.ts';
import {
  DocumentDetail,
  DocumentPage,
  type DocumentSummary,
  ErrorBody,
  IdParams,
  ListQuery,
  PageParams,
} from '../schemas.ts';

export function documentUrl(id: string): string {
  return `/v1/documents/${id}`;
}

export function toSummary(d: DocumentRecord): z.infer<typeof DocumentSummary> {
  return {
    id: d.id,
    status: d.status,
    fileName: d.fileName,
    mediaType: d.mediaType,
    sizeBytes: d.sizeBytes,
    sha256: d.sha256,
    source: d.source,
    origin: d.origin,
    externalRef: d.externalRef,
    businessUnit: d.businessUnit,
    route: d.route,
    documentType: d.documentType,
    vendorName: d.vendorName,
    vendorTaxId: d.vendorTaxId,
    invoiceNumber: d.invoiceNumber,
    totalAmount: d.totalAmount,
    currency: d.currency,
    error: d.errorCode ? { code: d.errorCode, message: d.errorMessage ?? '' } : null,
    receivedAt: d.receivedAt.toISOString(),
    processedAt: d.processedAt?.toISOString() ?? null,
    parentId: d.parentId,
    pageRange: d.pageFirst !== null && d.pageLast !== null ? { first: d.pageFirst, last: d.pageLast } : null,
    url: documentUrl(d.id),
  };
}

export async function documentDetail(
  ctx: Pick<ApiDeps, 'repos'>,
  d: DocumentRecord,
): Promise<z.infer<typeof DocumentDetail>> {
  const [latest, events, item, chain] = await Promise.all([
    ctx.repos.documents.latestResult(d.id),
    ctx.repos.documents.events(d.id),
    ctx.repos.reviewItems.summaryOf(d.id),
    d.status === 'awaiting_approval' ? ctx.repos.approvals.chain(d.id) : [],
  ]);
  const waiting = chain.find((s) => s.decision === null);
  const pages = latest?.result.pages ?? 0;
  return {
    ...toSummary(d),
    result: latest?.result ?? null,
    resultVersion: latest?.version ?? null,
    issues: (latest?.result.validation.issues ?? []).map((i) => ({ ...i, field: i.field ?? null })),
    review: item ? { ...item, slaDeadline: item.slaDeadline.toISOString() } : null,
    approval: waiting
      ? {
          stage: waiting.name,
          position: waiting.position,
          of: chain.length,
          role: waiting.role,
          slaDeadline: waiting.slaDeadline?.toISOString() ?? null,
        }
      : null,
    history: events.map((e) => ({
      from: e.fromStatus,
      to: e.toStatus,
      at: e.at.toISOString(),
      actor: e.actor,
      reason: e.reason,
    })),
    links: {
      file: `${documentUrl(d.id)}/file`,
      pages: Array.from({ length: pages }, (_, i) => `${documentUrl(d.id)}/pages/${i + 1}`),
    },
  };
}

const cursorOf = (d: DocumentRecord) =>
  Buffer.from(JSON.stringify([d.receivedAt.toISOString(), d.id])).toString('base64url');

/** A cursor: the last document's received_at (ISO) and id. */
const Cursor = z.tuple([z.string(), z.string()]);

function parseCursor(cursor: string): { receivedAt: Date; id: string } | undefined {
  try {
    const parsed = Cursor.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (!parsed.success) return undefined;
    const [at, id] = parsed.data;
    const receivedAt = new Date(at);
    if (Number.isNaN(receivedAt.getTime())) return undefined;
    return { receivedAt, id };
  } catch {
    return undefined;
  }
}

export function documentRoutes(ctx: Pick<ApiDeps, 'repos' | 'blobs' | 'pageImages'>): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/v1/documents',
      {
        config: { role: 'ingest' },
        schema: {
          tags: ['documents'],
          summary: 'List documents, newest first',
          querystring: ListQuery,
          response: { 200: DocumentPage, 400: ErrorBody },
        },
      },
      async (request) => {
        const q = request.query;
        const before = q.cursor ? parseCursor(q.cursor) : undefined;
        if (q.cursor && !before)
          throw new AppError(400, 'bad_cursor', 'This cursor is not one the API gave.');
        const rows = await ctx.repos.documents.list({
          status: q.status,
          from: q.from,
          to: q.to,
          vendor: q.vendor,
          source: q.source,
          businessUnit: q.businessUnit,
          submittedBy: q.mine === 'true' ? principalOf(request).id : undefined,
          scope: scopeOf(principalOf(request)),
          before,
          limit: q.limit + 1,
        });
        const page = rows.slice(0, q.limit);
        const last = page.at(-1);
        return {
          documents: page.map(toSummary),
          nextCursor: rows.length > q.limit && last ? cursorOf(last) : null,
        };
      },
    );

    app.get(
      '/v1/documents/:id',
      {
        config: { role: 'ingest' },
        schema: {
          tags: ['documents'],
          summary: 'A document: status, result, issues, route and history',
          params: IdParams,
          response: { 200: DocumentDetail, 404: ErrorBody },
        },
      },
      async (request) => {
        const doc = await ctx.repos.documents.get(request.params.id);
        if (!doc) throw notFound();
        return documentDetail(ctx, doc);
      },
    );

    app.get(
      '/v1/documents/:id/file',
      {
        config: { role: 'ingest' },
        schema: {
          tags: ['documents'],
          summary: 'The original file, as an attachment',
          params: IdParams,
        },
      },
      async (request, reply) => {
        const doc = await ctx.repos.documents.get(request.params.id);
        if (!doc) throw notFound();
        const bytes = await ctx.blobs.get(doc.sha256);
        const ascii = doc.fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
        return reply
          .header('content-type', doc.mediaType)
          .header(
            'content-disposition',
            `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(doc.fileName)}`,
          )
          .header('x-content-type-options', 'nosniff')
          .header('content-security-policy', "default-src 'none'; sandbox")
          .send(bytes);
      },
    );

    app.get(
      '/v1/documents/:id/pages/:n',
      {
        config: { role: 'ingest' },
        schema: {
          tags: ['documents'],
          summary: 'A page as a PNG image rendered by the service, upright as the boxes are',
          params: PageParams,
          querystring: z.object({ width: z.coerce.number().int().min(100).max(3000).default(1400) }),
        },
      },
      async (request, reply) => {
        const doc = await ctx.repos.documents.get(request.params.id);
        if (!doc) throw notFound();
        // A part of a split file shows its own pages of the file: its page 1 is the file's page `pageFirst`.
        const partPages =
          doc.pageFirst !== null && doc.pageLast !== null ? doc.pageLast - doc.pageFirst + 1 : undefined;
        if (partPages !== undefined && request.params.n > partPages) {
          throw new AppError(404, 'not_found', `This document has ${partPages} pages.`);
        }
        const page = doc.pageFirst !== null ? doc.pageFirst + request.params.n - 1 : request.params.n;
        // Drawn the way the reading turned the page, so the image is in the boxes' upright frame.
        const latest = await ctx.repos.documents.latestResult(doc.id);
        const rotation = latest?.result.pageSizes?.[request.params.n - 1]?.rotation ?? 0;
        const out = await ctx.pageImages.page(doc.sha256, page, request.query.width, rotation);
        // No such page, or a format without pages (structured XML): 404; a file that cannot be drawn: 422.
        if ('error' in out) {
          throw new AppError(
            out.code === 'not_found' || out.code === 'no_pages' ? 404 : 422,
            out.code,
            out.error,
          );
        }
        // A page of the same bytes drawn at the same width never changes: the browser may keep it.
        reply.header('etag', out.etag).header('cache-control', 'private, max-age=86400, immutable');
        if (request.headers['if-none-match'] === out.etag) return reply.code(304).send();
        return reply
          .header('content-type', 'image/png')
          .header('x-content-type-options', 'nosniff')
          .header('x-page-width', String(out.width))
          .header('x-page-height', String(out.height))
          .send(Buffer.from(out.png));
      },
    );
  };
}

const notFound = () => new AppError(404, 'not_found', 'No document with this id.');
