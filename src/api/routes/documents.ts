// /v1/documents: intake (multipart or a raw body), status and result, the original file and page images.
import type { MultipartFile } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../services/errors.ts';
import { type IncomingFile, IntakeRefusal, IntakeService } from '../../services/intake.ts';
import type { DocumentRecord } from '../../storage/documents.repository.ts';
import type { ApiDeps } from '../deps.ts';
import { principalOf } from '../plugins/auth.ts';
import {
  DocumentDetail,
  DocumentPage,
  type DocumentSummary,
  ErrorBody,
  IdParams,
  IntakeAnswer,
  IntakeQuery,
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
    externalRef: d.externalRef,
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
    url: documentUrl(d.id),
  };
}

export async function documentDetail(
  ctx: Pick<ApiDeps, 'repos'>,
  d: DocumentRecord,
): Promise<z.infer<typeof DocumentDetail>> {
  const [latest, events, item] = await Promise.all([
    ctx.repos.documents.latestResult(d.id),
    ctx.repos.documents.events(d.id),
    ctx.repos.reviewItems.summaryOf(d.id),
  ]);
  const pages = latest?.result.pages ?? 0;
  return {
    ...toSummary(d),
    result: latest?.result ?? null,
    resultVersion: latest?.version ?? null,
    issues: (latest?.result.validation.issues ?? []).map((i) => ({ ...i, field: i.field ?? null })),
    review: item ? { ...item, slaDeadline: item.slaDeadline.toISOString() } : null,
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

const RAW_TYPES = [
  'application/pdf',
  'application/octet-stream',
  'application/xml',
  'text/xml',
  'image/jpeg',
  'image/png',
  'image/tiff',
  'image/webp',
  'image/svg+xml',
  'image/gif',
  'application/zip',
];

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

// Built once: zod compiles a schema on its first use, so a schema made per request costs a compile each time.
const MultipartMeta = IntakeQuery.pick({ externalRef: true, source: true });

/** The files of a request and its metadata, from multipart parts or from a raw body. */
async function incomingFiles(
  request: FastifyRequest,
  ctx: Pick<ApiDeps, 'config'>,
  query: z.infer<typeof IntakeQuery>,
): Promise<{ files: IncomingFile[]; meta: { externalRef?: string; source?: string } }> {
  const meta: { externalRef?: string; source?: string } = {};
  if (query.externalRef) meta.externalRef = query.externalRef;
  if (query.source) meta.source = query.source;
  if (!request.isMultipart()) {
    const body = request.body;
    if (!Buffer.isBuffer(body)) {
      throw new IntakeRefusal(
        415,
        'unsupported_media_type',
        'Send the files as multipart/form-data (field "file", once per file) or one file as the raw body with its Content-Type.',
      );
    }
    return { files: [{ fileName: safeName(query.filename), bytes: body }], meta };
  }
  const files: IncomingFile[] = [];
  for await (const part of request.parts({
    limits: {
      fileSize: ctx.config.MAX_UPLOAD_BYTES,
      files: ctx.config.MAX_FILES_PER_REQUEST,
      fields: 20,
    },
  })) {
    if (part.type === 'file') {
      files.push({ fileName: safeName((part as MultipartFile).filename), bytes: await part.toBuffer() });
    } else if (part.fieldname === 'externalRef' || part.fieldname === 'source') {
      const value = String(part.value ?? '').trim();
      if (value) meta[part.fieldname] = value;
    }
  }
  const parsed = MultipartMeta.safeParse(meta);
  if (!parsed.success) {
    throw new IntakeRefusal(
      400,
      'bad_metadata',
      `Bad metadata: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return { files, meta };
}

/** A display name only (the blob is stored by its hash): no folders, no control characters, not too long. */
function safeName(name: string | undefined): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? '';
  const clean = base
    .replace(/[\p{Cc}]/gu, '')
    .trim()
    .slice(0, 255);
  return clean || 'document';
}

export function documentRoutes(
  ctx: Pick<ApiDeps, 'config' | 'repos' | 'intake' | 'blobs' | 'reading' | 'queueStatus'>,
): FastifyPluginAsyncZod {
  return async (app) => {
    // A raw body (one file) is read whole, up to the upload limit; its type is sniffed, never trusted.
    app.addContentTypeParser(
      RAW_TYPES,
      { parseAs: 'buffer', bodyLimit: ctx.config.MAX_UPLOAD_BYTES },
      (_req, body, done) => done(null, body),
    );

    app.post(
      '/v1/documents',
      {
        config: {
          role: 'ingest',
          ...(ctx.config.RATE_LIMIT_PER_MINUTE > 0
            ? {
                rateLimit: {
                  max: ctx.config.RATE_LIMIT_PER_MINUTE,
                  timeWindow: '1 minute',
                  keyGenerator: (req: FastifyRequest) => req.principal?.id ?? req.ip,
                },
              }
            : {}),
        },
        bodyLimit: ctx.config.MAX_UPLOAD_BYTES,
        schema: {
          tags: ['documents'],
          summary: 'Send one or many documents',
          description:
            'multipart/form-data with one "file" part per document (and optional "externalRef" and "source" fields), ' +
            'or one document as the raw body with its Content-Type (metadata in the query). The type is read from ' +
            'the bytes. An Idempotency-Key header makes a retried request return the first answer.',
          querystring: IntakeQuery,
          headers: z.object({ 'idempotency-key': z.string().min(1).max(200).optional() }),
          response: {
            202: IntakeAnswer,
            400: ErrorBody,
            401: ErrorBody,
            403: ErrorBody,
            409: ErrorBody,
            413: ErrorBody,
            415: ErrorBody,
            422: ErrorBody,
            429: ErrorBody,
            503: ErrorBody,
          },
        },
      },
      async (request, reply) => {
        const principal = principalOf(request);
        if (!ctx.queueStatus.ready()) {
          throw new AppError(
            503,
            'queue_unavailable',
            'The job queue (Redis) is not reachable; nothing was stored. Retry in a moment.',
          );
        }
        const { files, meta } = await incomingFiles(request, ctx, request.query);
        if (files.length === 0) {
          throw new AppError(400, 'no_file', 'The request holds no file: send at least one "file" part.');
        }
        const intakeMeta = {
          source: meta.source ?? 'api',
          externalRef: meta.externalRef,
          submittedBy: principal.id,
        };
        const idempotencyKey = request.headers['idempotency-key'];
        if (idempotencyKey) {
          const verdict = await ctx.intake.reserve(
            principal.id,
            idempotencyKey,
            IntakeService.fingerprint(files, intakeMeta),
          );
          if (verdict === 'conflict') {
            throw new AppError(
              422,
              'idempotency_key_reused',
              'This Idempotency-Key was used before with a different request; use a new key for a new request.',
            );
          }
          if (verdict === 'in_progress') {
            throw new AppError(
              409,
              'idempotency_key_in_progress',
              'The first request with this Idempotency-Key is still being handled; retry in a moment.',
            );
          }
          if (verdict !== 'reserved') {
            // Only an accepted request stores its answer (below), so a replay is that 202 again.
            reply.header('idempotent-replayed', 'true');
            return reply.code(202).send(IntakeAnswer.parse(verdict.response));
          }
        }
        try {
          // Every file is checked before any is stored: a request is accepted or refused whole.
          const refusals: { fileName: string; error: string; message: string; status: number }[] = [];
          const checked: { file: IncomingFile; mediaType: string }[] = [];
          for (const file of files) {
            try {
              checked.push({ file, mediaType: await ctx.intake.check(file) });
            } catch (e) {
              if (!(e instanceof IntakeRefusal)) throw e;
              refusals.push({
                fileName: file.fileName,
                error: e.code,
                message: e.message,
                status: e.statusCode,
              });
            }
          }
          const [first] = refusals;
          if (first) {
            throw new IntakeRefusal(
              first.status,
              first.error,
              refusals.length === 1
                ? first.message
                : `${refusals.length} of ${files.length} files were refused; nothing was stored.`,
              undefined,
              { files: refusals.map(({ status: _s, ...r }) => r) },
            );
          }
          const created = await ctx.intake.accept(checked, intakeMeta, request.log);
          const answer = {
            documents: created.map((d) => ({
              id: d.id,
              fileName: d.fileName,
              status: d.status,
              url: documentUrl(d.id),
            })),
          };
          if (idempotencyKey) await ctx.intake.complete(principal.id, idempotencyKey, 202, answer);
          return reply.code(202).send(answer);
        } catch (e) {
          if (idempotencyKey) await ctx.intake.release(principal.id, idempotencyKey);
          throw e;
        }
      },
    );

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
          submittedBy: q.mine === 'true' ? principalOf(request).id : undefined,
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
          summary: 'A page as a PNG image rendered by the service',
          params: PageParams,
          querystring: z.object({ width: z.coerce.number().int().min(100).max(3000).default(1400) }),
        },
      },
      async (request, reply) => {
        const doc = await ctx.repos.documents.get(request.params.id);
        if (!doc) throw notFound();
        const out = await ctx.reading.render({
          path: ctx.blobs.pathOf(doc.sha256),
          page: request.params.n,
          maxWidth: request.query.width,
        });
        // No such page, or a format without pages (structured XML): 404; a file that cannot be drawn: 422.
        if ('error' in out) {
          throw new AppError(
            out.code === 'not_found' || out.code === 'no_pages' ? 404 : 422,
            out.code,
            out.error,
          );
        }
        return reply
          .header('content-type', 'image/png')
          .header('cache-control', 'private, max-age=3600')
          .header('x-content-type-options', 'nosniff')
          .header('x-page-width', String(out.width))
          .header('x-page-height', String(out.height))
          .send(Buffer.from(out.png));
      },
    );
  };
}

const notFound = () => new AppError(404, 'not_found', 'No document with this id.');
