// /v1/approvals: the approvers' queue, one document's chain, a stage approved or rejected; /v1/session/away and
// /v1/users/:id/away: a person away and their delegate. One line of logic per route.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { LineItem } from '../../contract/result.ts';
import { ROLES } from '../../storage/roles.ts';
import type { App } from '../app.ts';
import type { ApiDeps } from '../deps.ts';
import { principalOf } from '../plugins/auth.ts';
import { DocumentDetail, ErrorBody, IdParams } from '../schemas.ts';
import { documentDetail } from './documents.ts';

const Person = z.object({ id: z.string(), name: z.string() });
const Stage = z.object({
  name: z.string(),
  position: z.number().describe('From 1'),
  of: z.number().describe("How many stages the document's chain has"),
  role: z.enum(ROLES).describe('The least role that may approve it'),
  matched: z.string().describe('Why the stage applies, e.g. "total 12,400.00 USD over 10,000.00"'),
  slaHours: z.number(),
  enteredAt: z.string().nullable().describe('When the document reached it; null for a stage still ahead'),
  slaDeadline: z.string().nullable(),
  slaState: z.enum(['overdue', 'at_risk', 'on_time']).nullable().describe('For the stage waiting now'),
  decision: z.enum(['approved', 'rejected']).nullable(),
  decidedBy: Person.nullable(),
  onBehalfOf: Person.nullable().describe('A delegate decided: the person away it was for'),
  decidedAt: z.string().nullable(),
  reason: z.string().nullable(),
});
const QueueItem = z.object({
  documentId: z.string(),
  fileName: z.string(),
  vendorName: z.string().nullable(),
  totalAmount: z.string().nullable(),
  currency: z.string().nullable(),
  stage: Stage,
  actingFor: Person.nullable().describe(
    'You may approve it only as the delegate of this person, who is away',
  ),
});
const Refusal = ErrorBody;
const refusals = { 400: Refusal, 403: Refusal, 404: Refusal, 409: Refusal };
const Away = z.object({ awayUntil: z.string().nullable(), delegate: Person.nullable() });
const AwayBody = z.object({
  until: z.iso.datetime({ offset: true }).nullable().describe('Away until this time; null: back'),
  delegate: z.string().min(1).max(200).nullable().optional().describe("A user's email or id, or a key id"),
});

export function approvalRoutes(ctx: Pick<ApiDeps, 'review' | 'repos'>): FastifyPluginAsyncZod {
  const { approvals } = ctx.review;
  // A delegate may hold no more than the review role: what lets them act is the person away.
  const config = { role: 'review' as const };
  return async (app) => {
    app.get(
      '/v1/approvals',
      {
        config,
        schema: {
          tags: ['approvals'],
          summary:
            'Documents waiting at a stage you may approve (or approve for someone away); soonest deadline first',
          response: { 200: z.object({ items: z.array(QueueItem) }) },
        },
      },
      async (request) => ({ items: await approvals.queue(principalOf(request)) }),
    );

    app.get(
      '/v1/approvals/:id',
      {
        config,
        schema: {
          tags: ['approvals'],
          summary:
            "A document's approval stages, the one it waits at, and whether you may approve it (and why not)",
          params: IdParams,
          response: {
            200: z.object({
              document: DocumentDetail,
              stages: z.array(Stage),
              current: Stage.nullable(),
              actingFor: Person.nullable(),
              refusal: z
                .string()
                .nullable()
                .describe('Why you may not approve the current stage; null: you may'),
              fields: z.array(
                z.object({ name: z.string(), label: z.string(), value: z.string().nullable() }),
              ),
              pages: z.array(z.object({ number: z.number(), url: z.string() })),
              lineItems: z.array(LineItem),
            }),
            404: Refusal,
            409: Refusal,
          },
        },
      },
      async (request) => {
        const d = await approvals.detail(request.params.id, principalOf(request));
        return { ...d, document: await documentDetail(ctx, d.document) };
      },
    );

    app.post(
      '/v1/approvals/:id/approve',
      {
        config,
        schema: {
          tags: ['approvals'],
          summary: 'Approve the stage the document waits at; the last stage approves the document',
          params: IdParams,
          body: z.object({ comment: z.string().max(1000).optional() }).optional(),
          response: {
            200: z.object({ status: z.enum(['approved', 'awaiting_approval']), next: Stage.nullable() }),
            ...refusals,
          },
        },
      },
      async (request) => approvals.approve(request.params.id, principalOf(request), request.body?.comment),
    );

    app.post(
      '/v1/approvals/:id/reject',
      {
        config,
        schema: {
          tags: ['approvals'],
          summary: 'Reject the document at the stage it waits at, with a reason',
          params: IdParams,
          body: z.object({ reason: z.string().max(1000).optional() }).optional(),
          response: { 200: z.object({ status: z.literal('rejected') }), ...refusals },
        },
      },
      async (request) => approvals.reject(request.params.id, principalOf(request), request.body?.reason),
    );

    app.get(
      '/v1/session/away',
      {
        config: { role: 'ingest' },
        schema: {
          tags: ['approvals'],
          summary: 'Whether you are marked away, and your delegate',
          response: { 200: Away, 404: Refusal },
        },
      },
      async (request) => approvals.away(principalOf(request).id),
    );

    app.put(
      '/v1/session/away',
      {
        config: { role: 'ingest' },
        schema: {
          tags: ['approvals'],
          summary:
            'Mark yourself away until a time, naming who approves for you meanwhile (until null: back)',
          body: AwayBody,
          response: { 200: Away, ...refusals },
        },
      },
      async (request) =>
        approvals.setAway(principalOf(request).id, {
          until: request.body.until,
          delegate: request.body.delegate ?? null,
        }),
    );

    app.put(
      '/v1/users/:id/away',
      {
        config: { role: 'admin', unscoped: true },
        schema: {
          tags: ['approvals'],
          summary: 'Mark a user away (or back), naming their delegate',
          params: z.object({ id: z.string().min(1).max(200) }),
          body: AwayBody,
          response: { 200: Away, ...refusals },
        },
      },
      async (request) => {
        const user = await ctx.review.approvals.userId(request.params.id);
        return approvals.setAway(user, {
          until: request.body.until,
          delegate: request.body.delegate ?? null,
        });
      },
    );
  };
}

/** For extensions.ts. */
export async function registerApprovals(app: App, ctx: ApiDeps): Promise<void> {
  await app.register(approvalRoutes(ctx));
}
