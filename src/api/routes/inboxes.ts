// /v1/inboxes: the mailboxes documents are taken from (admin only; passwords go in, never out), and
// /v1/intake-refusals: what a channel with no one to answer at once refused, and why.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { InboxRules, InboxSettings } from '../../contract/inbox.ts';
import { Origin } from '../../contract/origin.ts';
import { AppError } from '../../services/errors.ts';
import type { InboxService, InboxView } from '../../services/inboxes.ts';
import type { IntakeRefusalsRepository } from '../../storage/intake-refusals.repository.ts';
import { ErrorBody } from '../schemas.ts';

const InboxBody = InboxSettings.omit({ password: true }).extend({
  id: z.string(),
  rules: InboxRules,
  enabled: z.boolean(),
  createdAt: z.string(),
  lastCheckedAt: z.string().nullable().describe('When its folder was last read through'),
  lastError: z
    .string()
    .nullable()
    .describe('Why the last attempt to read it failed (wrong password, host away…)'),
});

const inboxBody = (i: InboxView): z.infer<typeof InboxBody> => ({
  ...i,
  createdAt: i.createdAt.toISOString(),
  lastCheckedAt: i.lastCheckedAt?.toISOString() ?? null,
});

const RefusalBody = z.object({
  source: z.string(),
  origin: Origin,
  fileName: z.string(),
  error: z.string(),
  message: z.string(),
  at: z.string(),
});

export function inboxRoutes(ctx: {
  inboxes: InboxService;
  repos: { intakeRefusals: Pick<IntakeRefusalsRepository, 'recent'> };
}): FastifyPluginAsyncZod {
  return async (app) => {
    const admin = { role: 'admin' as const, unscoped: true };
    app.post(
      '/v1/inboxes',
      {
        config: admin,
        schema: {
          tags: ['channels'],
          summary: 'Add an inbox to take documents from (the password is stored encrypted)',
          body: InboxSettings,
          response: { 201: InboxBody, 409: ErrorBody },
        },
      },
      async (request, reply) => reply.code(201).send(inboxBody(await ctx.inboxes.add(request.body))),
    );
    app.get(
      '/v1/inboxes',
      {
        config: admin,
        schema: {
          tags: ['channels'],
          summary: 'The inboxes, with when each was last read and its last error (never the password)',
          response: { 200: z.object({ inboxes: z.array(InboxBody) }) },
        },
      },
      async () => ({ inboxes: (await ctx.inboxes.list()).map(inboxBody) }),
    );
    app.delete(
      '/v1/inboxes/:id',
      {
        config: admin,
        schema: {
          tags: ['channels'],
          summary: 'Stop taking documents from an inbox (its documents stay)',
          params: z.object({ id: z.string().describe('The id or the name') }),
          response: { 204: z.null(), 404: ErrorBody },
        },
      },
      async (request, reply) => {
        if (!(await ctx.inboxes.remove(request.params.id))) {
          throw new AppError(404, 'not_found', 'No inbox with this id or name.');
        }
        return reply.code(204).send(null);
      },
    );
    app.get(
      '/v1/intake-refusals',
      {
        config: { role: 'ingest' as const, unscoped: true },
        schema: {
          tags: ['channels'],
          summary: 'Attachments and dropped files refused on the way in, newest first, with the reason',
          querystring: z.object({
            source: z.enum(['email', 'folder']).optional(),
            limit: z.coerce.number().int().min(1).max(200).default(50),
          }),
          response: { 200: z.object({ refusals: z.array(RefusalBody) }) },
        },
      },
      async (request) => ({
        refusals: (await ctx.repos.intakeRefusals.recent(request.query.limit, request.query.source)).map(
          (r) => ({
            source: r.source,
            origin: r.origin ?? { channel: r.source },
            fileName: r.fileName,
            error: r.code,
            message: r.message,
            at: r.at.toISOString(),
          }),
        ),
      }),
    );
  };
}
