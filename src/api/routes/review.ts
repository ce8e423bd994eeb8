// /v1/review: the queue, claims, corrections, decisions; /v1/documents/:id/audit. One line of logic per route.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { EInvoiceSyntax, FieldSource, LearnedFrom, LineItem, PageRange } from '../../contract/result.ts';
import type { App } from '../app.ts';
import type { ApiDeps } from '../deps.ts';
import { principalOf } from '../plugins/auth.ts';
import { DocumentDetail, ErrorBody, IdParams } from '../schemas.ts';
import { documentDetail } from './documents.ts';

const Person = z.object({ id: z.string(), name: z.string() });
const SlaState = z.enum(['overdue', 'at_risk', 'on_time']);
const Item = z.object({
  documentId: z.string(),
  fileName: z.string(),
  vendorName: z.string().nullable(),
  totalAmount: z.string().nullable(),
  currency: z.string().nullable(),
  reasons: z.array(z.string()),
  priority: z.number(),
  slaDeadline: z.string(),
  slaState: SlaState,
  ageSeconds: z.number(),
  assignee: Person.nullable(),
  claimedUntil: z.string().nullable(),
});
/** The earlier document an issue is about (a duplicate's original). */
const RelatedDocument = z
  .string()
  .optional()
  .describe("The earlier document the issue is about: a duplicate's original");
const Issue = z.object({
  code: z.string(),
  field: z.string().nullable(),
  severity: z.string(),
  message: z.string(),
  documentId: RelatedDocument,
});
const QueueQuery = z.object({
  reason: z.string().max(60).optional().describe('Only items with this reason code, e.g. total_mismatch'),
  vendor: z.string().max(200).optional().describe("Part of the vendor's name"),
  sla: SlaState.optional(),
  assignee: z.string().max(60).optional().describe('me, none, or a principal id'),
  minAgeHours: z.coerce.number().min(0).optional(),
  sort: z.enum(['sla', 'priority', 'amount']).default('sla'),
});
const FieldsBody = z.object({ fields: z.record(z.string(), z.string().max(2000).nullable()) });
const FieldsAnswer = z.object({
  fields: z.array(z.object({ name: z.string(), value: z.string().nullable(), error: z.string().optional() })),
  issues: z.array(Issue),
  route: z.enum(['auto', 'review']),
});
const Cell = z.string().max(60).nullable().optional();
const LinesBody = z.object({
  lines: z
    .array(
      z.object({
        from: z
          .number()
          .int()
          .positive()
          .nullable()
          .optional()
          .describe("The line's number (1-based) in the current result; absent for a line added"),
        description: z.string().max(500),
        quantity: Cell,
        unitPrice: Cell,
        amount: Cell,
        taxRate: Cell,
      }),
    )
    .max(500)
    .describe('Every line, in order: a line left out is deleted'),
});
const LinesAnswer = z.object({
  lines: z.array(
    z.object({
      line: z.number(),
      description: z.string(),
      quantity: z.string().nullable(),
      unitPrice: z.string().nullable(),
      amount: z.string().nullable(),
      taxRate: z.string().nullable(),
      errors: z.record(z.string(), z.string()).optional(),
    }),
  ),
  issues: z.array(Issue),
  route: z.enum(['auto', 'review']),
});
const ItemDetail = z.object({
  document: DocumentDetail,
  item: Item,
  fields: z.array(
    z.object({
      name: z.string(),
      label: z.string(),
      /** The field catalogue's kind (amount, date, taxId, …): the page picks its input by it. */
      kind: z.string(),
      value: z.string().nullable(),
      confidence: z.number().nullable(),
      page: z.number().nullable(),
      bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]).nullable(),
      /** Read from an XML: the element's path, where a page would show the box. */
      source: FieldSource.nullable(),
      /** Chosen by vendor memory: the reviews it was learned from ("learned from 2 corrections (Ana, 3 Dec)"). */
      learned: LearnedFrom.nullable(),
      issues: z.array(
        z.object({
          code: z.string(),
          severity: z.string(),
          message: z.string(),
          documentId: RelatedDocument,
        }),
      ),
    }),
  ),
  issues: z.array(Issue),
  pages: z.array(
    z.object({
      number: z.number(),
      url: z.string(),
      width: z.number().nullable(),
      height: z.number().nullable(),
    }),
  ),
  lineItems: z.array(LineItem),
  /** The account to pay, masked; with the vendor master's accounts (masked) when the document shows another. */
  bankAccount: z
    .object({
      masked: z.string(),
      confidence: z.number(),
      page: z.number(),
      bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]).nullable(),
      onFile: z.array(z.string()).nullable(),
      issues: z.array(z.object({ code: z.string(), severity: z.string(), message: z.string() })),
    })
    .nullable(),
  /** Present for e-invoices: the syntax, and the file inside the PDF the XML came from. */
  einvoice: z.object({ syntax: EInvoiceSyntax, attachment: z.string().nullable() }).nullable(),
});
const Claim = z.object({ assignee: Person, claimedUntil: z.string() });
const Refusal = ErrorBody.extend({
  holder: Person.optional(),
  issues: z.array(Issue).optional(),
  field: z.string().optional(),
});
const refusals = { 400: Refusal, 404: Refusal, 409: Refusal, 422: Refusal };
const DocParams = z.object({ documentId: IdParams.shape.id });

export function reviewRoutes(ctx: Pick<ApiDeps, 'review' | 'repos'>): FastifyPluginAsyncZod {
  const { review } = ctx;
  const config = { role: 'review' as const };
  return async (app) => {
    app.get(
      '/v1/review/items',
      {
        config,
        schema: {
          tags: ['review'],
          summary: 'Open review items: overdue first, then the nearest deadline (or by priority or amount)',
          querystring: QueueQuery,
          response: { 200: z.object({ items: z.array(Item) }) },
        },
      },
      async (request) => ({ items: await review.queue.list(request.query, principalOf(request)) }),
    );

    app.get(
      '/v1/review/items/:id',
      {
        config,
        schema: {
          tags: ['review'],
          summary:
            'One item with its document, every field (boxes, issues), the pages, line items and bank account',
          params: IdParams,
          response: { 200: ItemDetail, 404: Refusal, 409: Refusal },
        },
      },
      async (request) => {
        const d = await review.queue.detail(request.params.id);
        return {
          document: await documentDetail(ctx, d.doc),
          item: d.item,
          fields: d.fields,
          issues: d.issues,
          pages: d.pages,
          lineItems: d.lineItems,
          bankAccount: d.bankAccount,
          einvoice: d.einvoice,
        };
      },
    );

    app.post(
      '/v1/review/items/:id/claim',
      {
        config,
        schema: {
          tags: ['review'],
          summary: 'Claim (or renew the claim on) an item',
          params: IdParams,
          response: { 200: Claim, ...refusals },
        },
      },
      async (request) => review.claims.claim(request.params.id, principalOf(request)),
    );

    app.post(
      '/v1/review/items/:id/release',
      { config, schema: { tags: ['review'], summary: 'Give an item back to the queue', params: IdParams } },
      async (request, reply) => {
        await review.claims.release(request.params.id, principalOf(request));
        return reply.code(204).send();
      },
    );

    app.post(
      '/v1/review/items/:id/reassign',
      {
        config: { role: 'admin' },
        schema: {
          tags: ['review'],
          summary: 'Give an item to another reviewer (a user or key id)',
          params: IdParams,
          body: z.object({ to: z.string().min(1).max(100) }),
          response: { 200: Claim, ...refusals },
        },
      },
      async (request) => review.claims.reassign(request.params.id, principalOf(request), request.body.to),
    );

    app.post(
      '/v1/review/items/:id/validate',
      {
        config,
        schema: {
          tags: ['review'],
          summary: 'Dry run of corrections: each value checked, the rules re-run; nothing stored',
          params: IdParams,
          body: FieldsBody,
          response: { 200: FieldsAnswer, ...refusals },
        },
      },
      async (request) =>
        review.corrections.validate(request.params.id, request.body.fields, principalOf(request)),
    );

    app.patch(
      '/v1/review/items/:id/fields',
      {
        config,
        schema: {
          tags: ['review'],
          summary:
            'Store corrections (needs the claim): a new result version, audit events, vendor corrections',
          params: IdParams,
          body: FieldsBody,
          response: { 200: FieldsAnswer, ...refusals },
        },
      },
      async (request) =>
        review.corrections.correct(request.params.id, principalOf(request), request.body.fields),
    );

    app.post(
      '/v1/review/items/:id/lines/validate',
      {
        config,
        schema: {
          tags: ['review'],
          summary: 'Dry run of line items: each cell checked, the rules re-run; nothing stored',
          params: IdParams,
          body: LinesBody,
          response: { 200: LinesAnswer, ...refusals },
        },
      },
      async (request) => review.lines.validate(request.params.id, request.body.lines, principalOf(request)),
    );

    app.put(
      '/v1/review/items/:id/lines',
      {
        config,
        schema: {
          tags: ['review'],
          summary:
            'Store the line items (needs the claim): a new result version, one audit event per changed cell',
          params: IdParams,
          body: LinesBody,
          response: { 200: LinesAnswer, ...refusals },
        },
      },
      async (request) => review.lines.correct(request.params.id, principalOf(request), request.body.lines),
    );

    app.post(
      '/v1/review/items/:id/approve',
      {
        config,
        schema: {
          tags: ['review'],
          summary:
            'Approve (needs the claim); over an error only with an overrideReason of 10+ characters. ' +
            'With approval stages that apply, the document goes on to awaiting_approval',
          params: IdParams,
          body: z.object({ overrideReason: z.string().max(1000).optional() }).optional(),
          response: { 200: z.object({ status: z.enum(['approved', 'awaiting_approval']) }), ...refusals },
        },
      },
      async (request) =>
        review.decisions.approve(request.params.id, principalOf(request), request.body?.overrideReason),
    );

    app.post(
      '/v1/review/items/:id/reject',
      {
        config,
        schema: {
          tags: ['review'],
          summary: 'Reject with a reason (needs the claim)',
          params: IdParams,
          body: z.object({ reason: z.string().max(1000).optional() }).optional(),
          response: { 200: z.object({ status: z.literal('rejected') }), ...refusals },
        },
      },
      async (request) =>
        review.decisions.reject(request.params.id, principalOf(request), request.body?.reason),
    );

    app.post(
      '/v1/review/items/:id/reprocess',
      {
        config,
        schema: {
          tags: ['review'],
          summary: 'Send the document back through the pipeline (a new processing round)',
          params: IdParams,
          body: z.object({ reason: z.string().max(1000).optional() }).optional(),
          response: {
            202: z.object({ status: z.literal('received'), processingRound: z.number() }),
            ...refusals,
          },
        },
      },
      async (request, reply) => {
        const out = await review.decisions.reprocess(
          request.params.id,
          principalOf(request),
          request.body?.reason,
        );
        return reply.code(202).send(out);
      },
    );

    app.post(
      '/v1/review/documents/:documentId/reopen',
      {
        config,
        schema: {
          tags: ['review'],
          summary: 'Rework: an approved document back to needs_review, with a review item',
          params: DocParams,
          body: z.object({ reason: z.string().max(1000).optional() }).optional(),
          response: { 200: z.object({ status: z.literal('needs_review') }), ...refusals },
        },
      },
      async (request) =>
        review.decisions.reopen(request.params.documentId, principalOf(request), request.body?.reason),
    );

    app.put(
      '/v1/review/documents/:documentId/cuts',
      {
        config,
        schema: {
          tags: ['review'],
          summary: 'Move, add or remove the cuts of a split file: every page in one part, in order',
          params: DocParams,
          body: z.object({
            parts: z
              .array(PageRange)
              .min(1)
              .max(50)
              .describe("Each document's first and last page of the file"),
            resultVersion: z
              .number()
              .int()
              .positive()
              .describe("The version of the file's result the cuts were moved on"),
          }),
          response: {
            200: z.object({
              parts: z.array(
                PageRange.extend({
                  pages: z.array(z.number()),
                  documentId: z.string(),
                  changed: z.boolean(),
                }),
              ),
              superseded: z.array(z.string()),
              resultVersion: z.number(),
            }),
            ...refusals,
          },
        },
      },
      async (request) =>
        review.cuts.cut(
          request.params.documentId,
          request.body.parts,
          request.body.resultVersion,
          principalOf(request),
        ),
    );

    app.get(
      '/v1/documents/:id/audit',
      {
        config,
        schema: {
          tags: ['review'],
          summary: 'The audit trail of a document, in order (append-only)',
          params: IdParams,
          response: {
            200: z.object({
              events: z.array(
                z.object({
                  id: z.number(),
                  at: z.string(),
                  actor: Person,
                  action: z.string(),
                  field: z.string().nullable(),
                  before: z.unknown(),
                  after: z.unknown(),
                  reason: z.string().nullable(),
                  onBehalfOf: Person.nullable().describe('A delegate acted: the person away it was for'),
                }),
              ),
            }),
            404: Refusal,
          },
        },
      },
      async (request) => ({ events: await review.audit.events(request.params.id) }),
    );
  };
}

/** For extensions.ts. */
export async function registerReview(app: App, ctx: ApiDeps): Promise<void> {
  await app.register(reviewRoutes(ctx));
}
