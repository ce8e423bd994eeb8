// The trail of master data: every change to a vendor, purchase order or goods receipt, append-only.
import type { Queryable } from './database.ts';
import { date, json, num, oneOf, str, strOrNull } from './rows.ts';

export const MASTER_DATA_ENTITIES = ['vendor', 'purchase_order', 'goods_receipt'] as const;
export type MasterDataEntity = (typeof MASTER_DATA_ENTITIES)[number];

export interface MasterDataEvent {
  id: number;
  entity: MasterDataEntity;
  entityId: string;
  actor: string;
  actorName: string | null;
  action: string;
  before: unknown;
  after: unknown;
  at: Date;
}

export class MasterDataEventsRepository {
  constructor(private readonly db: Queryable) {}

  async append(e: Omit<MasterDataEvent, 'id'>): Promise<void> {
    await this.db.query(
      `insert into master_data_events (entity, entity_id, actor, actor_name, action, before, after, at)
       values ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        e.entity,
        e.entityId,
        e.actor,
        e.actorName,
        e.action,
        e.before == null ? null : JSON.stringify(e.before),
        e.after == null ? null : JSON.stringify(e.after),
        e.at,
      ],
    );
  }

  /** One record's changes, oldest first. */
  async trail(entity: MasterDataEntity, entityId: string): Promise<MasterDataEvent[]> {
    const rows = await this.db.query(
      `select id, entity, entity_id, actor, actor_name, action, before, after, at from master_data_events
       where entity = $1 and entity_id = $2 order by id`,
      [entity, entityId],
    );
    return rows.map((r) => ({
      id: num(r, 'id'),
      entity: oneOf(r, 'entity', MASTER_DATA_ENTITIES),
      entityId: str(r, 'entity_id'),
      actor: str(r, 'actor'),
      actorName: strOrNull(r, 'actor_name'),
      action: str(r, 'action'),
      before: json(r, 'before'),
      after: json(r, 'after'),
      at: date(r, 'at'),
    }));
  }
}
