// Webhooks to the ERP: endpoints and their events, an outbox of deliveries written with the state change
// that caused them, signed POSTs retried from a queue, and every attempt logged.
import { createHmac, randomBytes } from 'node:crypto';
import { type OutboundGuard, RefusedTarget } from '../adapters/outbound-http.ts';
import type { Clock } from '../storage/clock.ts';
import type { Transaction } from '../storage/repositories.ts';
import type { DocumentScope } from '../storage/scope.ts';
import type {
  Delivery,
  DeliveryAttempt,
  Webhook,
  WebhookEvent,
  WebhooksRepository,
} from '../storage/webhooks.repository.ts';
import { displayName } from './display-name.ts';
import { AppError } from './errors.ts';
import type { EnsureDelivery } from './jobs.ts';

export {
  type Delivery,
  type DeliveryAttempt,
  WEBHOOK_EVENTS,
  type Webhook,
  WebhookEvent,
} from '../storage/webhooks.repository.ts';

/** The header that carries the signature: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
export const SIGNATURE_HEADER = 'retaguarda-signature';

export function signPayload(secret: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

export class WebhookService {
  /** Told each attempt's outcome and each delivery given up on (the Prometheus metrics). */
  observer?: (outcome: 'delivered' | 'attempt_failed' | 'gave_up') => void;

  constructor(
    private readonly webhooks: WebhooksRepository,
    private readonly transaction: Transaction,
    /** The API and the workers both write deliveries, so both queue them. */
    private readonly ensureDelivery: EnsureDelivery,
    private readonly clock: Clock,
    /** Who may be called: checked when an endpoint is registered and again on every attempt. */
    private readonly outbound: OutboundGuard,
    private readonly options: { timeoutMs?: number } = {},
  ) {}

  async register(input: {
    url: string;
    events: WebhookEvent[];
    description?: string | undefined;
    scope?: DocumentScope | undefined;
  }) {
    if (input.scope?.kind === 'own') {
      throw new AppError(
        400,
        'bad_request',
        'A webhook sends no documents, so "own" is no scope for it: use unit:<name> or vendors:<tax id>,…',
      );
    }
    try {
      await this.outbound.checkUrl(input.url);
    } catch (e) {
      if (e instanceof RefusedTarget) {
        throw new AppError(400, 'refused_target', `This webhook URL is refused: ${e.message}.`);
      }
      throw new AppError(400, 'bad_request', 'This webhook URL cannot be read.');
    }
    const secret = `whsec_${randomBytes(24).toString('base64url')}`;
    const webhook = await this.webhooks.insert({
      id: `whk_${randomBytes(8).toString('hex')}`,
      url: input.url,
      events: input.events,
      secret,
      description: input.description === undefined ? null : displayName(input.description),
      scope: input.scope ?? null,
      createdAt: this.clock.now(),
    });
    return { ...webhook, secret };
  }

  async list(): Promise<Webhook[]> {
    return this.webhooks.list();
  }

  async get(id: string): Promise<Webhook | undefined> {
    return this.webhooks.get(id);
  }

  async remove(id: string): Promise<boolean> {
    return this.webhooks.remove(id);
  }

  async deliveries(webhookId: string, limit = 100): Promise<Delivery[]> {
    return this.webhooks.deliveries(webhookId, limit);
  }

  /** Every attempt of each delivery, in order, keyed by delivery id. */
  async attemptsOf(deliveryIds: readonly string[]): Promise<Map<string, DeliveryAttempt[]>> {
    return this.webhooks.attemptsOf(deliveryIds);
  }

  /**
   * Writes one delivery per endpoint that listens to `event`, inside the caller's transaction (the outbox:
   * `tx` is the webhooks repository bound to it), and returns their ids; call `dispatch` with them once the
   * transaction has committed.
   */
  async record(
    tx: WebhooksRepository,
    event: WebhookEvent,
    documentId: string,
    data: unknown,
  ): Promise<string[]> {
    return this.recordAll(tx, documentId, [{ event, data }]);
  }

  /** `record` for several events of one document, with one look-up of the subscribed webhooks. */
  async recordAll(
    tx: WebhooksRepository,
    documentId: string,
    events: readonly { event: WebhookEvent; data: unknown }[],
  ): Promise<string[]> {
    const hooks = await tx.subscribers(
      events.map((e) => e.event),
      documentId,
    );
    const ids: string[] = [];
    if (hooks.length === 0) return ids;
    const now = this.clock.now();
    for (const { event, data } of events) {
      for (const hook of hooks) {
        if (!hook.events.includes(event)) continue;
        const id = `dlv_${randomBytes(10).toString('hex')}`;
        const payload = { id, event, occurredAt: now.toISOString(), data };
        await tx.insertDelivery({ id, webhookId: hook.id, event, documentId, payload, createdAt: now });
        ids.push(id);
      }
    }
    return ids;
  }

  async dispatch(deliveryIds: readonly string[]): Promise<void> {
    // A failure here is repaired by the recovery sweep, which re-enqueues pending deliveries.
    await Promise.all(deliveryIds.map((deliveryId) => this.ensureDelivery({ deliveryId }).catch(() => {})));
  }

  /** Sends the delivery again, whatever happened to it before. */
  async redeliver(webhookId: string, deliveryId: string): Promise<Delivery | undefined> {
    const delivery = await this.webhooks.markPending(webhookId, deliveryId);
    if (!delivery) return undefined;
    // One job per delivery: one waiting out a retry backoff is sent now, a finished one is sent again.
    await this.ensureDelivery({ deliveryId }, { now: true });
    return delivery;
  }

  /**
   * One attempt. Resolves when delivered (or when there is nothing left to deliver); throws when the
   * receiver did not accept it, so the queue retries with backoff.
   */
  async deliver(deliveryId: string): Promise<'delivered' | 'skipped'> {
    const target = await this.webhooks.target(deliveryId);
    if (!target || target.status === 'delivered' || !target.active) return 'skipped';
    const body = JSON.stringify(target.payload);
    const attempt = target.attempts + 1;
    const started = performance.now();
    const outcome = await this.outbound.post(target.url, {
      headers: {
        'content-type': 'application/json',
        'user-agent': 'retaguarda-webhooks',
        [SIGNATURE_HEADER]: signPayload(target.secret, Math.floor(this.clock.now().getTime() / 1000), body),
        'retaguarda-delivery': deliveryId,
      },
      body,
      timeoutMs: this.options.timeoutMs ?? 10_000,
    });
    const statusCode = outcome.statusCode;
    const error = outcome.ok ? null : outcome.message;
    const failure = outcome.ok ? null : outcome.failure;
    const now = this.clock.now();
    const durationMs = Math.round(performance.now() - started);
    await this.transaction(async (tx) => {
      await tx.webhooks.insertAttempt({
        deliveryId,
        attempt,
        statusCode,
        error,
        failure,
        durationMs,
        at: now,
      });
      await tx.webhooks.recordOutcome({ deliveryId, attempt, statusCode, error, failure, at: now });
    });
    this.observer?.(error ? 'attempt_failed' : 'delivered');
    if (error) throw new Error(error);
    return 'delivered';
  }

  /** Called when the queue gives up on a delivery. */
  async markFailed(deliveryId: string): Promise<void> {
    if (await this.webhooks.markFailed(deliveryId)) this.observer?.('gave_up');
  }

  /** Deliveries still pending with no attempt since `olderThan`: their job may have been lost. */
  async stalled(olderThan: Date): Promise<{ id: string; attempts: number }[]> {
    return this.webhooks.stalled(olderThan);
  }
}
