// The API's bodies and answers as zod schemas: the handlers' types and the OpenAPI document come from here.
import { z } from 'zod';
import { FAILURE_CATEGORIES } from '../adapters/outbound-http.ts';
import { Origin } from '../contract/origin.ts';
import { DocumentResult } from '../contract/result.ts';
import { Role } from '../services/keys.ts';
import { WebhookEvent } from '../services/webhooks.ts';
import { DOCUMENT_STATUSES } from '../storage/documents.repository.ts';
import { BUSINESS_UNIT, type DocumentScope, parseScope } from '../storage/scope.ts';

/** A scope as typed: own, unit:<name> or vendors:<tax id>,… */
export const ScopeInput = z
  .string()
  .max(4000)
  .describe(
    'Limits it to some documents: "own" (what it sent), "unit:<name>" or "vendors:<tax id>,<tax id>…"',
  )
  .transform((text, ctx): DocumentScope => {
    const scope = parseScope(text);
    if (typeof scope === 'string') {
      ctx.addIssue({ code: 'custom', message: scope });
      return z.NEVER;
    }
    return scope;
  });
export const ScopeText = z
  .string()
  .nullable()
  .describe('The documents it may see: own, unit:<name>, vendors:<tax id>,…; null: every one');
export const BusinessUnit = z
  .string()
  .regex(BUSINESS_UNIT, 'letters, digits, spaces, ".", "_" or "-", up to 60 characters');

export const ErrorBody = z.object({
  error: z.string().describe('A stable code, e.g. unsupported_type, file_too_large, forbidden'),
  message: z.string().describe('What went wrong, for a person'),
  files: z
    .array(z.object({ fileName: z.string(), error: z.string(), message: z.string() }))
    .optional()
    .describe('Per file, when a request with several files was refused'),
});

export const DocumentStatus = z.enum(DOCUMENT_STATUSES);

export const AcceptedDocument = z.object({
  id: z.string(),
  fileName: z.string(),
  status: DocumentStatus,
  url: z.string().describe('GET this for the status and the result'),
});
export const IntakeAnswer = z.object({ documents: z.array(AcceptedDocument) });

export const IntakeQuery = z.object({
  externalRef: z.string().max(200).optional().describe('Your reference, returned with the result'),
  source: z
    .string()
    .regex(/^[a-z0-9_-]{1,40}$/)
    .optional()
    .describe('Where it came from: api (default), upload, …'),
  filename: z.string().max(255).optional().describe('For a raw body: the file name to keep'),
  businessUnit: BusinessUnit.optional().describe(
    'The business unit the document belongs to (keys scoped to a unit see only its documents)',
  ),
});

export const StatusChange = z.object({
  from: DocumentStatus.nullable(),
  to: DocumentStatus,
  at: z.string(),
  actor: z.string().nullable(),
  reason: z.string().nullable(),
});

export const DocumentSummary = z.object({
  id: z.string(),
  status: DocumentStatus,
  fileName: z.string(),
  mediaType: z.string(),
  sizeBytes: z.number(),
  sha256: z.string(),
  source: z.string().describe('The channel it came in by: api, upload, email or folder'),
  origin: Origin.describe(
    'The channel and its details: for e-mail the inbox, Message-ID, sender, subject and attachment name; for a watched folder the folder and the path',
  ),
  externalRef: z.string().nullable(),
  businessUnit: z.string().nullable(),
  route: z.enum(['auto', 'review']).nullable(),
  documentType: z.string().nullable(),
  vendorName: z.string().nullable(),
  vendorTaxId: z.string().nullable(),
  invoiceNumber: z.string().nullable(),
  totalAmount: z.string().nullable(),
  currency: z.string().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  receivedAt: z.string(),
  processedAt: z.string().nullable(),
  parentId: z.string().nullable().describe("For a part of a split file: the file's document"),
  pageRange: z
    .object({ first: z.number(), last: z.number() })
    .nullable()
    .describe('For a part of a split file: its pages in the file (1-based, inclusive)'),
  url: z.string(),
});

export const DocumentDetail = DocumentSummary.extend({
  result: DocumentResult.nullable().describe('The result contract; null until the document is read'),
  resultVersion: z.number().nullable().describe('1 is the extraction; later versions are corrections'),
  issues: z.array(
    z.object({ code: z.string(), field: z.string().nullable(), severity: z.string(), message: z.string() }),
  ),
  review: z
    .object({
      reasons: z.array(z.string()),
      priority: z.number(),
      slaDeadline: z.string(),
      assignee: z.string().nullable(),
      decision: z.string().nullable(),
    })
    .nullable(),
  approval: z
    .object({
      stage: z.string(),
      position: z.number(),
      of: z.number(),
      role: z.string(),
      slaDeadline: z.string().nullable(),
    })
    .nullable()
    .describe(
      'The approval stage the document waits at (status awaiting_approval); details at /v1/approvals/:id',
    ),
  history: z.array(StatusChange),
  links: z.object({ file: z.string(), pages: z.array(z.string()) }),
});

export const ListQuery = z.object({
  status: z
    .string()
    .optional()
    .describe(
      'One status or several joined with commas: received, processing, auto_approved, needs_review, …',
    )
    .transform((s, ctx) => {
      if (!s) return undefined;
      const parts = s.split(',').map((p) => p.trim());
      for (const p of parts) {
        if (!DocumentStatus.safeParse(p).success) {
          ctx.addIssue({ code: 'custom', message: `unknown status "${p}"` });
          return z.NEVER;
        }
      }
      return parts as z.infer<typeof DocumentStatus>[];
    }),
  from: z.coerce.date().optional().describe('Received at or after (ISO 8601)'),
  to: z.coerce.date().optional().describe('Received before (ISO 8601)'),
  vendor: z.string().max(200).optional().describe("Part of the vendor's name, or its tax ID"),
  source: z.string().max(40).optional(),
  businessUnit: z.string().max(60).optional().describe('Only documents of this business unit'),
  mine: z.enum(['true', 'false']).optional().describe('Only documents sent by the caller'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().optional().describe('nextCursor of the previous page'),
});

export const DocumentPage = z.object({
  documents: z.array(DocumentSummary),
  nextCursor: z.string().nullable(),
});

export const IdParams = z.object({ id: z.string().regex(/^doc_[a-z0-9]+$/, 'not a document id') });
export const PageParams = IdParams.extend({ n: z.coerce.number().int().min(1).max(10_000) });

export const WebhookInput = z.object({
  url: z.url({ protocol: /^https?$/ }),
  events: z.array(WebhookEvent).min(1),
  description: z.string().max(200).optional(),
  scope: ScopeInput.optional().describe(
    'Only events of documents of a business unit ("unit:<name>") or of vendors ("vendors:<tax id>,…")',
  ),
});
export const WebhookBody = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(WebhookEvent),
  description: z.string().nullable(),
  scope: ScopeText,
  active: z.boolean(),
  createdAt: z.string(),
});
export const DeliveryBody = z.object({
  id: z.string(),
  event: WebhookEvent,
  documentId: z.string().nullable(),
  status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number(),
  lastStatusCode: z.number().nullable(),
  lastError: z.string().nullable(),
  lastFailure: z
    .enum(FAILURE_CATEGORIES)
    .nullable()
    .describe(
      'Why the last attempt failed: refused_target, dns_failed, connection_refused, timeout, tls_error, http_4xx, …',
    ),
  createdAt: z.string(),
  deliveredAt: z.string().nullable(),
  /** Each try with the endpoint's answer, oldest first (in the deliveries list). */
  attemptLog: z
    .array(
      z.object({
        attempt: z.number(),
        statusCode: z.number().nullable(),
        error: z.string().nullable(),
        failure: z.enum(FAILURE_CATEGORIES).nullable(),
        durationMs: z.number().nullable(),
        at: z.string(),
      }),
    )
    .optional(),
});

export const KeyInput = z.object({
  role: Role,
  name: z.string().min(1).max(100).optional(),
  scope: ScopeInput.optional(),
});
export const KeyBody = z.object({
  id: z.string(),
  name: z.string(),
  role: Role,
  prefix: z.string(),
  scope: ScopeText,
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
