// The figures: /v1/metrics/summary and /daily (review role), Prometheus /metrics (admin, or public with
// METRICS_PUBLIC=true), the queues' own dashboard at /admin/queues (admin) and the /dashboard page.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { createMetrics } from '../../metrics/prometheus.ts';
import { daysOf, summarize } from '../../metrics/summary.ts';
import { AppError } from '../../services/errors.ts';
import { roleAllows } from '../../services/keys.ts';
import type { App } from '../app.ts';
import type { ApiDeps } from '../deps.ts';
import { sendError } from '../errors.ts';

const RangeQuery = z
  .object({
    from: z.coerce
      .date()
      .optional()
      .describe('Start of the range (ISO 8601, inclusive); default: 7 days before `to`'),
    to: z.coerce.date().optional().describe('End of the range (ISO 8601, exclusive); default: now'),
  })
  .refine((q) => !q.from || !q.to || q.from < q.to, { message: '`from` must be before `to`' });

const Rate = z.number().nullable();
const Counts = z.record(z.string(), z.number());
export const SummarySchema = z.object({
  from: z.string(),
  to: z.string(),
  received: z.number(),
  processed: z.number(),
  autoApproved: z.number(),
  straightThroughRate: Rate,
  exceptions: z.object({ count: z.number(), rate: Rate, byReason: Counts }),
  failures: z.object({ count: z.number(), byReason: Counts }),
  resolution: z.object({
    count: z.number(),
    meanSeconds: Rate,
    medianSeconds: Rate,
    p90Seconds: Rate,
    seconds: z.array(z.number()),
  }),
  sla: z.object({
    breaches: z.number(),
    open: z.object({ overdue: z.number(), atRisk: z.number(), onTime: z.number() }),
  }),
  rework: z.object({
    count: z.number(),
    rate: Rate,
    reopened: z.number(),
    correctedAfterApproval: z.number(),
    resubmitted: z.number(),
  }),
  firstPassAccuracy: z.object({
    overall: Rate,
    reviewed: z.number(),
    unchanged: z.number(),
    fields: z.array(
      z.object({ field: z.string(), reviewed: z.number(), unchanged: z.number(), accuracy: Rate }),
    ),
  }),
  throughput: z.object({
    perHour: z.number(),
    byHour: z.array(z.object({ hour: z.string(), processed: z.number() })),
  }),
  bySource: Counts,
  approvals: z.object({
    stages: z.array(
      z.object({
        name: z.string(),
        pending: z.number(),
        overdue: z.number(),
        approved: z.number(),
        rejected: z.number(),
        slaBreaches: z.number(),
        meanSeconds: Rate,
        medianSeconds: Rate,
      }),
    ),
  }),
  byChannel: z
    .record(
      z.string(),
      z.object({
        received: z.number(),
        processed: z.number(),
        autoApproved: z.number(),
        straightThroughRate: Rate,
      }),
    )
    .describe('api, upload, email and folder, always present: received, processed, straight through'),
});
const QueueDepths = z.record(z.string(), z.record(z.string(), z.number()));

const MAX_DAYS = 366;
const nodeRequire = createRequire(import.meta.url);
const CHART_JS = join(dirname(nodeRequire.resolve('chart.js')), 'chart.umd.min.js');
const PAGE_DIR = join(import.meta.dirname, '..', '..', 'web', 'dashboard');
const PAGE_FILES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'dashboard.js': 'text/javascript; charset=utf-8',
  'dashboard.css': 'text/css; charset=utf-8',
};
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

function rangeOf(q: { from?: Date | undefined; to?: Date | undefined }, now: Date) {
  const to = q.to ?? now;
  return { from: q.from ?? new Date(to.getTime() - 7 * 86_400_000), to };
}

/** 401/403 for routes registered by other plugins (bull-board), which carry no `config.role` (nor `unscoped`). */
async function requireAdmin(request: FastifyRequest, reply: FastifyReply) {
  if (!request.principal) {
    return sendError(reply, new AppError(401, 'unauthorized', 'An admin API key or session is required.'));
  }
  if (!roleAllows(request.principal.role, 'admin')) {
    return sendError(
      reply,
      new AppError(
        403,
        'forbidden',
        `This needs the admin role; ${request.principal.name} has the ${request.principal.role} role.`,
      ),
    );
  }
  // The board shows and moves the jobs of every document.
  if (request.principal.scope) {
    return sendError(
      reply,
      new AppError(
        403,
        'forbidden',
        `The queue board spans every document; ${request.principal.name} is limited to some.`,
      ),
    );
  }
}

export async function metricsRoutes(app: App, ctx: ApiDeps): Promise<void> {
  const registry = createMetrics({
    processing: ctx.processing,
    webhooks: ctx.webhooks,
    figures: ctx.repos.figures,
    clock: ctx.clock,
    queueDepths: () => ctx.queueStatus.depths(),
  });

  app.get(
    '/v1/metrics/summary',
    {
      // The figures count every document: not for a key or user limited to some.
      config: { role: 'review', unscoped: true },
      schema: {
        tags: ['metrics'],
        summary: 'The back office figures over a range',
        description: 'Definitions of every figure: docs/figures.md ("The back-office figures").',
        querystring: RangeQuery,
        response: { 200: SummarySchema.extend({ queues: QueueDepths }) },
      },
    },
    async (request) => {
      const summary = await summarize(
        ctx.repos.figures,
        rangeOf(request.query, ctx.clock.now()),
        ctx.clock.now(),
      );
      return { ...summary, queues: await ctx.queueStatus.depths() };
    },
  );

  app.get(
    '/v1/metrics/daily',
    {
      // The figures count every document: not for a key or user limited to some.
      config: { role: 'review', unscoped: true },
      schema: {
        tags: ['metrics'],
        summary: 'The same figures per UTC day of the range',
        querystring: RangeQuery,
        response: {
          200: z.object({ days: z.array(SummarySchema.extend({ date: z.string() })) }),
          400: z.object({ error: z.string(), message: z.string() }),
        },
      },
    },
    async (request) => {
      const now = ctx.clock.now();
      const days = daysOf(rangeOf(request.query, now));
      if (days.length > MAX_DAYS)
        throw new AppError(400, 'bad_request', `At most ${MAX_DAYS} days per request.`);
      const out = [];
      for (const day of days) {
        out.push({
          date: day.from.toISOString().slice(0, 10),
          ...(await summarize(ctx.repos.figures, day, now)),
        });
      }
      return { days: out };
    },
  );

  app.get(
    '/metrics',
    { config: ctx.config.METRICS_PUBLIC ? {} : { role: 'admin', unscoped: true }, schema: { hide: true } },
    async (_request, reply) => {
      const body = await registry.metrics();
      return reply.type(registry.contentType).send(body);
    },
  );

  // bull-board: its routes are its own, so an encapsulated hook checks the role.
  await app.register(async (board) => {
    board.addHook('onRequest', requireAdmin);
    const serverAdapter = new FastifyAdapter();
    serverAdapter.setBasePath('/admin/queues');
    createBullBoard({
      queues: ctx.queueStatus.board.map((q) => new BullMQAdapter(q)),
      serverAdapter: serverAdapter as never,
      options: { uiConfig: { boardTitle: 'Retaguarda queues' } },
    });
    await board.register(serverAdapter.registerPlugin() as never, { prefix: '/admin/queues' });
  });

  // The dashboard page: plain HTML and an ES module, chart.js from node_modules, a strict CSP. The page is
  // public (it holds no data); the figures it fetches need a session (or a key).
  const sendPage = (file: string, reply: FastifyReply) =>
    reply
      .header('content-security-policy', CSP)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'no-cache')
      .type(PAGE_FILES[file]!)
      .send(readFileSync(join(PAGE_DIR, file)));
  app.get('/dashboard', { schema: { hide: true } }, (_request, reply) => sendPage('index.html', reply));
  app.get<{ Params: { file: string } }>('/dashboard/:file', { schema: { hide: true } }, (request, reply) => {
    const { file } = request.params;
    if (file === 'chart.umd.min.js') {
      return reply
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'public, max-age=86400')
        .type('text/javascript; charset=utf-8')
        .send(readFileSync(CHART_JS));
    }
    if (!Object.hasOwn(PAGE_FILES, file) || file === 'index.html')
      throw new AppError(404, 'not_found', 'No such file.');
    return sendPage(file, reply);
  });
}
