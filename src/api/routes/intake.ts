// POST /v1/documents: the API's door for documents, as multipart parts or one raw body. The files are
// handed to the intake service whole; their type is read from the bytes there, never from these headers.
import type { MultipartFile } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { displayName } from '../../services/display-name.ts';
import { AppError } from '../../services/errors.ts';
import { type IncomingFile, IntakeRefusal } from '../../services/intake.ts';
import type { Principal } from '../../services/keys.ts';
import type { DocumentRecord } from '../../storage/documents.repository.ts';
import type { ApiDeps } from '../deps.ts';
import { principalOf } from '../plugins/auth.ts';
import { ErrorBody, IntakeAnswer, IntakeQuery } from '../schemas.ts';
import { documentUrl } from './documents.ts';

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

// Built once: zod compiles a schema on its first use, so a schema made per request costs a compile each time.
const MultipartMeta = IntakeQuery.pick({ externalRef: true, source: true, businessUnit: true });
type Meta = { externalRef?: string; source?: string; businessUnit?: string };

/** The files of a request and its metadata, from multipart parts or from a raw body. */
async function incomingFiles(
  request: FastifyRequest,
  ctx: Pick<ApiDeps, 'config'>,
  query: z.infer<typeof IntakeQuery>,
): Promise<{ files: IncomingFile[]; meta: Meta }> {
  const meta: Meta = {};
  if (query.externalRef) meta.externalRef = query.externalRef;
  if (query.source) meta.source = query.source;
  if (query.businessUnit) meta.businessUnit = query.businessUnit;
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
    } else if (
      part.fieldname === 'externalRef' ||
      part.fieldname === 'source' ||
      part.fieldname === 'businessUnit'
    ) {
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

/** A display name only (the blob is stored by its hash): no folders, no control or direction marks, not too long. */
function safeName(name: string | undefined): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? '';
  return displayName(base).slice(0, 255) || 'document';
}

/** A key scoped to a business unit sends its documents to that unit, and to no other. */
function businessUnitOf(principal: Principal, given: string | undefined): string | undefined {
  const scope = principal.scope;
  if (scope?.kind !== 'unit') return given;
  if (given !== undefined && given !== scope.unit) {
    throw new IntakeRefusal(
      403,
      'forbidden',
      `${principal.name} sends documents of the business unit "${scope.unit}" only, not "${given}".`,
    );
  }
  return scope.unit;
}

/** The 202 answer: each document's id, name, status and where to follow it. */
function answerOf(documents: DocumentRecord[]): z.infer<typeof IntakeAnswer> {
  return {
    documents: documents.map((d) => ({
      id: d.id,
      fileName: d.fileName,
      status: d.status,
      url: documentUrl(d.id),
    })),
  };
}

export function intakeRoutes(ctx: Pick<ApiDeps, 'config' | 'intake' | 'queueStatus'>): FastifyPluginAsyncZod {
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
            'multipart/form-data with one "file" part per document (and optional "externalRef", "source" and ' +
            '"businessUnit" fields), ' +
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
        const principal = principalOf(request);
        const outcome = await ctx.intake.submit(
          {
            files,
            meta: {
              source: meta.source ?? 'api',
              externalRef: meta.externalRef,
              businessUnit: businessUnitOf(principal, meta.businessUnit),
              submittedBy: principal.id,
            },
            idempotencyKey: request.headers['idempotency-key'],
          },
          answerOf,
          request.log,
        );
        if (outcome.replayed) {
          reply.header('idempotent-replayed', 'true');
          return reply.code(202).send(IntakeAnswer.parse(outcome.response));
        }
        return reply.code(202).send(answerOf(outcome.documents));
      },
    );
  };
}
