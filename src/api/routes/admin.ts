// Admin endpoints: API keys and webhooks (with their deliveries and redelivery).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../services/errors.ts';
import type { ApiKeyInfo } from '../../services/keys.ts';
import type { Delivery, Webhook } from '../../services/webhooks.ts';
import { formatScope } from '../../storage/scope.ts';
import type { ApiDeps } from '../deps.ts';
import { DeliveryBody, ErrorBody, KeyBody, KeyInput, WebhookBody, WebhookInput } from '../schemas.ts';

const iso = (d: Date | null) => d?.toISOString() ?? null;
const keyBody = (k: ApiKeyInfo) => ({
  ...k,
  scope: k.scope && formatScope(k.scope),
  createdAt: k.createdAt.toISOString(),
  lastUsedAt: iso(k.lastUsedAt),
  revokedAt: iso(k.revokedAt),
});
const noWebhook = () => new AppError(404, 'not_found', 'No webhook with this id.');
const webhookBody = (w: Webhook) => ({
  ...w,
  scope: w.scope && formatScope(w.scope),
  createdAt: w.createdAt.toISOString(),
});
const deliveryBody = (d: Delivery) => ({
  ...d,
  createdAt: d.createdAt.toISOString(),
  deliveredAt: iso(d.deliveredAt),
});

export function adminRoutes(ctx: Pick<ApiDeps, 'keys' | 'webhooks'>): FastifyPluginAsyncZod {
  return async (app) => {
    // Keys and webhooks reach every document: a scoped admin manages none of them.
    const admin = { role: 'admin' as const, unscoped: true };

    app.post(
      '/v1/keys',
      {
        config: admin,
        schema: {
          tags: ['admin'],
          summary: 'Create an API key (the key is in this answer only)',
          body: KeyInput,
          response: { 201: KeyBody.extend({ key: z.string() }) },
        },
      },
      async (request, reply) => {
        const { key, info } = await ctx.keys.create(request.body.role, request.body.name, request.body.scope);
        return reply.code(201).send({ ...keyBody(info), key });
      },
    );

    app.get(
      '/v1/keys',
      {
        config: admin,
        schema: {
          tags: ['admin'],
          summary: 'API keys (never the keys themselves)',
          response: { 200: z.object({ keys: z.array(KeyBody) }) },
        },
      },
      async () => ({
        keys: (await ctx.keys.list()).map(keyBody),
      }),
    );

    app.delete(
      '/v1/keys/:id',
      {
        config: admin,
        schema: {
          tags: ['admin'],
          summary: 'Revoke an API key',
          params: z.object({ id: z.string() }),
          response: { 204: z.null(), 404: ErrorBody },
        },
      },
      async (request, reply) => {
        if (!(await ctx.keys.revoke(request.params.id))) {
          throw new AppError(404, 'not_found', 'No active key with this id.');
        }
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/v1/webhooks',
      {
        config: admin,
        schema: {
          tags: ['webhooks'],
          summary: 'Register a webhook endpoint; the signing secret is in this answer only',
          description:
            'Each delivery is a POST with a JSON body and the header `Retaguarda-Signature: t=<unix seconds>,v1=<hex>`, ' +
            'where v1 is HMAC-SHA256(secret, "<t>.<body>"). Answer 2xx to accept; anything else is retried with backoff.',
          body: WebhookInput,
          response: { 201: WebhookBody.extend({ secret: z.string() }) },
        },
      },
      async (request, reply) => {
        const created = await ctx.webhooks.register(request.body);
        return reply.code(201).send({ ...webhookBody(created), secret: created.secret });
      },
    );

    app.get(
      '/v1/webhooks',
      {
        config: admin,
        schema: {
          tags: ['webhooks'],
          summary: 'Webhook endpoints',
          response: { 200: z.object({ webhooks: z.array(WebhookBody) }) },
        },
      },
      async () => ({
        webhooks: (await ctx.webhooks.list()).map(webhookBody),
      }),
    );

    app.delete(
      '/v1/webhooks/:id',
      {
        config: admin,
        schema: {
          tags: ['webhooks'],
          summary: 'Remove a webhook endpoint',
          params: z.object({ id: z.string() }),
          response: { 204: z.null(), 404: ErrorBody },
        },
      },
      async (request, reply) => {
        if (!(await ctx.webhooks.remove(request.params.id))) throw noWebhook();
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/v1/webhooks/:id/deliveries',
      {
        config: admin,
        schema: {
          tags: ['webhooks'],
          summary: 'The latest deliveries to an endpoint, with their attempts',
          params: z.object({ id: z.string() }),
          response: { 200: z.object({ deliveries: z.array(DeliveryBody) }), 404: ErrorBody },
        },
      },
      async (request) => {
        if (!(await ctx.webhooks.get(request.params.id))) throw noWebhook();
        const deliveries = await ctx.webhooks.deliveries(request.params.id);
        const attempts = await ctx.webhooks.attemptsOf(deliveries.map((d) => d.id));
        return {
          deliveries: deliveries.map((d) => ({
            ...deliveryBody(d),
            attemptLog: (attempts.get(d.id) ?? []).map((a) => ({ ...a, at: a.at.toISOString() })),
          })),
        };
      },
    );

    app.post(
      '/v1/webhooks/:id/deliveries/:deliveryId/redeliver',
      {
        config: admin,
        schema: {
          tags: ['webhooks'],
          summary: 'Send a delivery again',
          params: z.object({ id: z.string(), deliveryId: z.string() }),
          response: { 202: DeliveryBody, 404: ErrorBody },
        },
      },
      async (request, reply) => {
        const d = await ctx.webhooks.redeliver(request.params.id, request.params.deliveryId);
        if (!d) throw new AppError(404, 'not_found', 'No such delivery for this webhook.');
        return reply.code(202).send(deliveryBody(d));
      },
    );
  };
}
