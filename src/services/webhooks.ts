// Webhooks to the ERP: endpoints and their events, an outbox of deliveries written with the state change
// that caused them, signed POSTs retried from a queue, and every attempt logged.
import { createHmac, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../storage/clock.ts';
import type { Database, Queryable } from '../storage/database.ts';

export const WEBHOOK_EVENTS = [
  'document.processed',
  'document.needs_review',
  'document.approved',
  'document.rejected',
  'document.failed',
] as const;
export const WebhookEvent = z.enum(WEBHOOK_EVENTS);
export type WebhookEvent = z.infer<typeof WebhookEvent>;

/** The header that carries the signature: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
export const SIGNATURE_HEADER = 'retaguarda-signature';

export function signPayload(secret: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

export interface Webhook {
  id: string;
  url: string;
  events: WebhookEvent[];
  description: string | null;
  active: boolean;
  createdAt: Date;
}

export interface Delivery {
  id: string;
  webhookId: string;
  event: WebhookEvent;
  documentId: string | null;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
}

export interface DeliveryAttempt {
  attempt: number;
  statusCode: number | null;
  error: string | null;
  durationMs: number | null;
  at: Date;
}

/** What the deliveries queue needs from the queues: an enqueue. */
export type EnqueueDelivery = (deliveryId: string, options?: { now?: boolean }) => Promise<void>;

const toWebhook = (r: Record<string, unknown>): Webhook => ({
  id: r.id as string,
  url: r.url as string,
  events: r.events as WebhookEvent[],
  description: (r.description as string | null) ?? null,
  active: r.active as boolean,
  createdAt: r.created_at as Date,
});

const toDelivery = (r: Record<string, unknown>): Delivery => ({
  id: r.id as string,
  webhookId: r.webhook_id as string,
  event: r.event as WebhookEvent,
  documentId: (r.document_id as string | null) ?? null,
  status: r.status as Delivery['status'],
  attempts: Number(r.attempts),
  lastStatusCode: (r.last_status_code as number | null) ?? null,
  lastError: (r.last_error as string | null) ?? null,
  createdAt: r.created_at as Date,
  deliveredAt: (r.delivered_at as Date | null) ?? null,
});

export class WebhookService {
  /** Set once the queues exist (the API and the workers both write deliveries). */
  enqueue: EnqueueDelivery = async () => {};
  /** Told each attempt's outcome and each delivery given up on (the Prometheus metrics). */
  observer?: (outcome: 'delivered' | 'attempt_failed' | 'gave_up') => void;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly options: { timeoutMs?: number } = {},
  ) {}

  async register(input: { url: string; events: WebhookEvent[]; description?: string | undefined }) {
    const id = `whk_${randomBytes(8).toString('hex')}`;
    const secret = `whsec_${randomBytes(24).toString('base64url')}`;
    const [row] = await this.db.query(
      `insert into webhooks (id, url, events, secret, description, created_at) values ($1, $2, $3, $4, $5, $6)
       returning *`,
      [id, input.url, input.events, secret, input.description ?? null, this.clock.now()],
    );
    return { ...toWebhook(row!), secret };
  }

  async list(): Promise<Webhook[]> {
    return (await this.db.query('select * from webhooks order by created_at')).map(toWebhook);
  }

  async get(id: string): Promise<Webhook | undefined> {
    const [row] = await this.db.query('select * from webhooks where id = $1', [id]);
    return row ? toWebhook(row) : undefined;
  }

  async remove(id: string): Promise<boolean> {
    return (await this.db.query('delete from webhooks where id = $1 returning id', [id])).length > 0;
  }

  async deliveries(webhookId: string, limit = 100): Promise<Delivery[]> {
    return (
      await this.db.query(
        'select * from webhook_deliveries where webhook_id = $1 order by created_at desc, id desc limit $2',
        [webhookId, limit],
      )
    ).map(toDelivery);
  }

  /** Every attempt of each delivery, in order, keyed by delivery id. */
  async attemptsOf(deliveryIds: readonly string[]): Promise<Map<string, DeliveryAttempt[]>> {
    const out = new Map<string, DeliveryAttempt[]>(deliveryIds.map((id) => [id, []]));
    if (deliveryIds.length === 0) return out;
    const rows = await this.db.query(
      `select delivery_id, attempt, status_code, error, duration_ms, at from webhook_attempts
       where delivery_id = any($1::text[]) order by id`,
      [deliveryIds],
    );
    for (const r of rows) {
      out.get(r.delivery_id as string)?.push({
        attempt: Number(r.attempt),
        statusCode: (r.status_code as number | null) ?? null,
        error: (r.error as string | null) ?? null,
        durationMs: (r.duration_ms as number | null) ?? null,
        at: r.at as Date,
      });
    }
    return out;
  }

  async attempts(deliveryId: string) {
    return this.db.query(
      'select attempt, status_code, error, duration_ms, at from webhook_attempts where delivery_id = $1 order by id',
      [deliveryId],
    );
  }

  /**
   * Writes one delivery per endpoint that listens to `event`, inside the caller's transaction (the outbox),
   * and returns their ids; call `dispatch` with them once the transaction has committed.
   */
  async record(tx: Queryable, event: WebhookEvent, documentId: string, data: unknown): Promise<string[]> {
    return this.recordAll(tx, documentId, [{ event, data }]);
  }

  /** `record` for several events of one document, with one look-up of the subscribed webhooks. */
  async recordAll(
    tx: Queryable,
    documentId: string,
    events: readonly { event: WebhookEvent; data: unknown }[],
  ): Promise<string[]> {
    const hooks = await tx.query<{ id: string; events: string[] }>(
      'select id, events from webhooks where active and events && $1::text[]',
      [events.map((e) => e.event)],
    );
    const ids: string[] = [];
    if (hooks.length === 0) return ids;
    const now = this.clock.now();
    for (const { event, data } of events) {
      for (const hook of hooks) {
        if (!hook.events.includes(event)) continue;
        const id = `dlv_${randomBytes(10).toString('hex')}`;
        const payload = { id, event, occurredAt: now.toISOString(), data };
        await tx.query(
          `insert into webhook_deliveries (id, webhook_id, event, document_id, payload, status, created_at)
           values ($1, $2, $3, $4, $5, 'pending', $6)`,
          [id, hook.id, event, documentId, JSON.stringify(payload), now],
        );
        ids.push(id);
      }
    }
    return ids;
  }

  async dispatch(deliveryIds: readonly string[]): Promise<void> {
    // A failure here is repaired by the recovery sweep, which re-enqueues pending deliveries.
    await Promise.all(deliveryIds.map((id) => this.enqueue(id).catch(() => {})));
  }

  /** Sends the delivery again, whatever happened to it before. */
  async redeliver(webhookId: string, deliveryId: string): Promise<Delivery | undefined> {
    const [row] = await this.db.query(
      `update webhook_deliveries set status = 'pending', last_error = null
       where id = $1 and webhook_id = $2 returning *`,
      [deliveryId, webhookId],
    );
    if (!row) return undefined;
    // One job per delivery: one waiting out a retry backoff is sent now, a finished one is sent again.
    await this.enqueue(deliveryId, { now: true });
    return toDelivery(row);
  }

  /**
   * One attempt. Resolves when delivered (or when there is nothing left to deliver); throws when the
   * receiver did not accept it, so the queue retries with backoff.
   */
  async deliver(deliveryId: string): Promise<'delivered' | 'skipped'> {
    const [row] = await this.db.query(
      `select d.id, d.status, d.payload, d.attempts, w.url, w.secret, w.active
       from webhook_deliveries d join webhooks w on w.id = d.webhook_id where d.id = $1`,
      [deliveryId],
    );
    if (!row || row.status === 'delivered' || !row.active) return 'skipped';
    const body = JSON.stringify(row.payload);
    const attempt = Number(row.attempts) + 1;
    const started = performance.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      const response = await fetch(row.url as string, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'retaguarda-webhooks',
          [SIGNATURE_HEADER]: signPayload(
            row.secret as string,
            Math.floor(this.clock.now().getTime() / 1000),
            body,
          ),
          'retaguarda-delivery': deliveryId,
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
      statusCode = response.status;
      await response.body?.cancel().catch(() => {});
      if (!response.ok) error = `the endpoint answered ${response.status}`;
    } catch (e) {
      error =
        (e as Error).name === 'TimeoutError' ? 'no answer in time' : `not reached: ${(e as Error).message}`;
    }
    const now = this.clock.now();
    await this.db.transaction(async (tx) => {
      await tx.query(
        `insert into webhook_attempts (delivery_id, attempt, status_code, error, duration_ms, at)
         values ($1, $2, $3, $4, $5, $6)`,
        [deliveryId, attempt, statusCode, error, Math.round(performance.now() - started), now],
      );
      await tx.query(
        `update webhook_deliveries set attempts = $2, last_status_code = $3, last_error = $4,
           status = case when $4::text is null then 'delivered' else status end,
           delivered_at = case when $4::text is null then $5::timestamptz else delivered_at end
         where id = $1`,
        [deliveryId, attempt, statusCode, error, now],
      );
    });
    this.observer?.(error ? 'attempt_failed' : 'delivered');
    if (error) throw new Error(error);
    return 'delivered';
  }

  /** Called when the queue gives up on a delivery. */
  async markFailed(deliveryId: string): Promise<void> {
    const rows = await this.db.query(
      `update webhook_deliveries set status = 'failed' where id = $1 and status = 'pending' returning id`,
      [deliveryId],
    );
    if (rows.length) this.observer?.('gave_up');
  }

  /** Deliveries still pending with no attempt since `olderThan`: their job may have been lost. */
  async stalled(olderThan: Date): Promise<{ id: string; attempts: number }[]> {
    return this.db.query(
      `select d.id, d.attempts from webhook_deliveries d
       where d.status = 'pending' and d.created_at < $1
         and coalesce((select max(at) from webhook_attempts a where a.delivery_id = d.id), d.created_at) < $1
       limit 500`,
      [olderThan],
    );
  }
}
