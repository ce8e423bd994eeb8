// The audit trail: every reviewer action on a document, append-only (the table refuses updates and deletes).
import type { Queryable } from './database.ts';
import { date, json, num, str, strOrNull } from './rows.ts';

export interface AuditEvent {
  id: number;
  at: Date;
  actor: string;
  actorName: string | null;
  action: string;
  field: string | null;
  before: unknown;
  after: unknown;
  reason: string | null;
  /** The person a delegate acted for. */
  onBehalfOf: { id: string; name: string } | null;
}

export interface NewAuditEvent {
  documentId: string;
  actor: { id: string; name: string };
  action: string;
  field?: string | undefined;
  /** Stored as JSON; undefined stores nothing. */
  before?: unknown;
  after?: unknown;
  reason?: string | null | undefined;
  /** A delegate acting for someone away: that person. */
  onBehalfOf?: { id: string; name: string } | undefined;
  at: Date;
}

export class AuditRepository {
  constructor(private readonly db: Queryable) {}

  async append(event: NewAuditEvent): Promise<void> {
    await this.db.query(
      `insert into audit_events (document_id, actor, actor_name, action, field, before, after, reason, at,
         on_behalf_of, on_behalf_of_name)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        event.documentId,
        event.actor.id,
        event.actor.name,
        event.action,
        event.field ?? null,
        event.before === undefined ? null : JSON.stringify(event.before),
        event.after === undefined ? null : JSON.stringify(event.after),
        event.reason ?? null,
        event.at,
        event.onBehalfOf?.id ?? null,
        event.onBehalfOf?.name ?? null,
      ],
    );
  }

  /** A document's events, in the order they happened. */
  async trail(documentId: string): Promise<AuditEvent[]> {
    const rows = await this.db.query(
      `select id, at, actor, actor_name, action, field, before, after, reason, on_behalf_of, on_behalf_of_name
       from audit_events where document_id = $1 order by id`,
      [documentId],
    );
    return rows.map((r) => ({
      id: num(r, 'id'),
      at: date(r, 'at'),
      actor: str(r, 'actor'),
      actorName: strOrNull(r, 'actor_name'),
      action: str(r, 'action'),
      field: strOrNull(r, 'field'),
      before: json(r, 'before'),
      after: json(r, 'after'),
      reason: strOrNull(r, 'reason'),
      onBehalfOf: r.on_behalf_of
        ? { id: str(r, 'on_behalf_of'), name: strOrNull(r, 'on_behalf_of_name') ?? str(r, 'on_behalf_of') }
        : null,
    }));
  }
}
