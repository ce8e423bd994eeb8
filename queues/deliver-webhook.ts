// The deliver-webhook processor: one signed POST per attempt; the queue's backoff spaces the retries.
import type { AppContext } from '../src/server/context.ts';
import type { JobPayload } from './registry.ts';

export function deliverWebhook(ctx: AppContext) {
  return async (payload: JobPayload<'deliver-webhook'>) => ctx.webhooks.deliver(payload.deliveryId);
}

export function deliverWebhookGaveUp(ctx: AppContext) {
  return async (payload: JobPayload<'deliver-webhook'>) => ctx.webhooks.markFailed(payload.deliveryId);
}
