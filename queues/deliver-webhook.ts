// The deliver-webhook processor: one signed POST per attempt; the queue's backoff spaces the retries.
import type { WebhookService } from '../src/services/webhooks.ts';
import type { JobPayload } from './registry.ts';

export interface DeliverWebhookDeps {
  webhooks: Pick<WebhookService, 'deliver' | 'markFailed'>;
}

export function deliverWebhook({ webhooks }: DeliverWebhookDeps) {
  return async (payload: JobPayload<'deliver-webhook'>) => webhooks.deliver(payload.deliveryId);
}

export function deliverWebhookGaveUp({ webhooks }: DeliverWebhookDeps) {
  return async (payload: JobPayload<'deliver-webhook'>) => webhooks.markFailed(payload.deliveryId);
}
