// Webhook endpoints, their deliveries (the outbox) and every attempt at one.
import { z } from 'zod';
import { FAILURE_CATEGORIES, type FailureCategory } from '../adapters/outbound-http.ts';
import type { Queryable, Row } from './database.ts';
import {
  bool,
  date,
  dateOrNull,
  json,
  num,
  numOrNull,
  oneOf,
  oneOfOrNull,
  someOf,
  str,
  strings,
  strOrNull,
} from './rows.ts';
import { type DocumentScope, formatScope, scopeCondition, storedScope } from './scope.ts';

export const WEBHOOK_EVENTS = [
  'document.processed',
  'document.needs_review',
  'document.approved',
  'document.approval_stage',
  'document.rejected',
  'document.failed',
  'document.split',
] as const;
export const WebhookEvent = z.enum(WEBHOOK_EVENTS);
export type WebhookEvent = z.infer<typeof WebhookEvent>;

export interface Webhook {
  id: string;
  url: string;
  events: WebhookEvent[];
  description: string | null;
  /** Only events of documents in this scope; null: every document's. */
  scope: DocumentScope | null;
  active: boolean;
  createdAt: Date;
}

const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;

export interface Delivery {
  id: string;
  webhookId: string;
  event: WebhookEvent;
  documentId: string | null;
  status: (typeof DELIVERY_STATUSES)[number];
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  /** The last failed attempt's category (refused_target, timeout, http_5xx, …); null once delivered. */
  lastFailure: FailureCategory | null;
  createdAt: Date;
  deliveredAt: Date | null;
}

export interface DeliveryAttempt {
  attempt: number;
  statusCode: number | null;
  error: string | null;
  failure: FailureCategory | null;
  durationMs: number | null;
  at: Date;
}

/** What one attempt needs: the delivery's state and payload, and its endpoint. */
export interface DeliveryTarget {
  status: Delivery['status'];
  payload: unknown;
  attempts: number;
  url: string;
  secret: string;
  active: boolean;
}

const toWebhook = (r: Row): Webhook => ({
  id: str(r, 'id'),
  url: str(r, 'url'),
  events: someOf(r, 'events', WEBHOOK_EVENTS),
  description: strOrNull(r, 'description'),
  scope: storedScope(strOrNull(r, 'scope')) ?? null,
  active: bool(r, 'active'),
  createdAt: date(r, 'created_at'),
});

const toDelivery = (r: Row): Delivery => ({
  id: str(r, 'id'),
  webhookId: str(r, 'webhook_id'),
  event: oneOf(r, 'event', WEBHOOK_EVENTS),
  documentId: strOrNull(r, 'document_id'),
  status: oneOf(r, 'status', DELIVERY_STATUSES),
  attempts: num(r, 'attempts'),
  lastStatusCode: numOrNull(r, 'last_status_code'),
  lastError: strOrNull(r, 'last_error'),
  lastFailure: oneOfOrNull(r, 'last_failure', FAILURE_CATEGORIES),
  createdAt: date(r, 'created_at'),
  deliveredAt: dateOrNull(r, 'delivered_at'),
});

export class WebhooksRepository {
  constructor(private readonly db: Queryable) {}

  async insert(w: {
    id: string;
    url: string;
    events: readonly WebhookEvent[];
    secret: string;
    description: string | null;
    scope: DocumentScope | null;
    createdAt: Date;
  }): Promise<Webhook> {
    const [row] = await this.db.query(
      `insert into webhooks (id, url, events, secret, description, scope, created_at)
       values ($1, $2, $3, $4, $5, $6, $7) returning *`,
      [w.id, w.url, w.events, w.secret, w.description, w.scope && formatScope(w.scope), w.createdAt],
    );
    if (!row) throw new Error('the insert returned no row');
    return toWebhook(row);
  }

  async list(): Promise<Webhook[]> {
    return (await this.db.query('select * from webhooks order by created_at')).map(toWebhook);
  }

  async get(id: string): Promise<Webhook | undefined> {
    const [row] = await this.db.query('select * from webhooks where id = $1', [id]);
    return row && toWebhook(row);
  }

  async remove(id: string): Promise<boolean> {
    return (await this.db.query('delete from webhooks where id = $1 returning id', [id])).length > 0;
  }

  /**
   * Active endpoints listening to any of `events` whose scope holds the document, with the events each
   * listens to. In the transaction that stored the document's result, so its vendor is the one just read.
   */
  async subscribers(
    events: readonly WebhookEvent[],
    documentId: string,
  ): Promise<{ id: string; events: string[] }[]> {
    const rows = await this.db.query(
      'select id, events, scope from webhooks where active and events && $1::text[]',
      [events],
    );
    const out: { id: string; events: string[] }[] = [];
    for (const r of rows) {
      const scope = storedScope(strOrNull(r, 'scope'));
      if (scope) {
        const params: unknown[] = [documentId];
        const where = scopeCondition({ scope }, (v) => `$${params.push(v)}`);
        if (
          (await this.db.query(`select 1 from documents where id = $1 and ${where}`, params)).length === 0
        ) {
          continue;
        }
      }
      out.push({ id: str(r, 'id'), events: strings(r, 'events') });
    }
    return out;
  }

  async deliveries(webhookId: string, limit: number): Promise<Delivery[]> {
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
      `select delivery_id, attempt, status_code, error, failure, duration_ms, at from webhook_attempts
       where delivery_id = any($1::text[]) order by id`,
      [deliveryIds],
    );
    for (const r of rows) {
      out.get(str(r, 'delivery_id'))?.push({
        attempt: num(r, 'attempt'),
        statusCode: numOrNull(r, 'status_code'),
        error: strOrNull(r, 'error'),
        failure: oneOfOrNull(r, 'failure', FAILURE_CATEGORIES),
        durationMs: numOrNull(r, 'duration_ms'),
        at: date(r, 'at'),
      });
    }
    return out;
  }

  async insertDelivery(d: {
    id: string;
    webhookId: string;
    event: WebhookEvent;
    documentId: string;
    payload: unknown;
    createdAt: Date;
  }): Promise<void> {
    await this.db.query(
      `insert into webhook_deliveries (id, webhook_id, event, document_id, payload, status, created_at)
       values ($1, $2, $3, $4, $5, 'pending', $6)`,
      [d.id, d.webhookId, d.event, d.documentId, JSON.stringify(d.payload), d.createdAt],
    );
  }

  /** Puts a delivery of this endpoint back to pending; undefined when there is no such delivery. */
  async markPending(webhookId: string, deliveryId: string): Promise<Delivery | undefined> {
    const [row] = await this.db.query(
      `update webhook_deliveries set status = 'pending', last_error = null, last_failure = null
       where id = $1 and webhook_id = $2 returning *`,
      [deliveryId, webhookId],
    );
    return row && toDelivery(row);
  }

  async target(deliveryId: string): Promise<DeliveryTarget | undefined> {
    const [row] = await this.db.query(
      `select d.id, d.status, d.payload, d.attempts, w.url, w.secret, w.active
       from webhook_deliveries d join webhooks w on w.id = d.webhook_id where d.id = $1`,
      [deliveryId],
    );
    return (
      row && {
        status: oneOf(row, 'status', DELIVERY_STATUSES),
        payload: json(row, 'payload'),
        attempts: num(row, 'attempts'),
        url: str(row, 'url'),
        secret: str(row, 'secret'),
        active: bool(row, 'active'),
      }
    );
  }

  async insertAttempt(a: {
    deliveryId: string;
    attempt: number;
    statusCode: number | null;
    error: string | null;
    failure: FailureCategory | null;
    durationMs: number;
    at: Date;
  }): Promise<void> {
    await this.db.query(
      `insert into webhook_attempts (delivery_id, attempt, status_code, error, failure, duration_ms, at)
       values ($1, $2, $3, $4, $5, $6, $7)`,
      [a.deliveryId, a.attempt, a.statusCode, a.error, a.failure, a.durationMs, a.at],
    );
  }

  /** The delivery after an attempt: delivered when it had no error, still pending (to retry) otherwise. */
  async recordOutcome(a: {
    deliveryId: string;
    attempt: number;
    statusCode: number | null;
    error: string | null;
    failure: FailureCategory | null;
    at: Date;
  }): Promise<void> {
    await this.db.query(
      `update webhook_deliveries set attempts = $2, last_status_code = $3, last_error = $4, last_failure = $6,
         status = case when $4::text is null then 'delivered' else status end,
         delivered_at = case when $4::text is null then $5::timestamptz else delivered_at end
       where id = $1`,
      [a.deliveryId, a.attempt, a.statusCode, a.error, a.at, a.failure],
    );
  }

  /** Pending → failed; false when it was not pending. */
  async markFailed(deliveryId: string): Promise<boolean> {
    const rows = await this.db.query(
      `update webhook_deliveries set status = 'failed' where id = $1 and status = 'pending' returning id`,
      [deliveryId],
    );
    return rows.length > 0;
  }

  /** Deliveries still pending with no attempt since `olderThan`: their job may have been lost. */
  async stalled(olderThan: Date): Promise<{ id: string; attempts: number }[]> {
    const rows = await this.db.query(
      `select d.id, d.attempts from webhook_deliveries d
       where d.status = 'pending' and d.created_at < $1
         and coalesce((select max(at) from webhook_attempts a where a.delivery_id = d.id), d.created_at) < $1
       limit 500`,
      [olderThan],
    );
    return rows.map((r) => ({ id: str(r, 'id'), attempts: num(r, 'attempts') }));
  }
}
