// Files refused on the way in by a channel with no one to answer at once (an e-mail attachment, a dropped
// file): what, from where and why, so a person can see it and the sender can be told.
import { Origin } from '../contract/origin.ts';
import type { Queryable } from './database.ts';
import { date, num, str } from './rows.ts';

export interface IntakeRefusalRecord {
  id: number;
  source: string;
  origin: Origin | null;
  fileName: string;
  code: string;
  message: string;
  at: Date;
}

export class IntakeRefusalsRepository {
  constructor(private readonly db: Queryable) {}

  async record(r: Omit<IntakeRefusalRecord, 'id' | 'at'>, at: Date): Promise<void> {
    await this.db.query(
      'insert into intake_refusals (source, origin, file_name, code, message, at) values ($1, $2, $3, $4, $5, $6)',
      [r.source, r.origin ? JSON.stringify(r.origin) : null, r.fileName, r.code, r.message, at],
    );
  }

  /** The latest refusals, newest first. */
  async recent(limit: number, source?: string): Promise<IntakeRefusalRecord[]> {
    const rows = await this.db.query(
      `select id, source, origin, file_name, code, message, at from intake_refusals
       ${source ? 'where source = $2' : ''} order by at desc, id desc limit $1`,
      source ? [limit, source] : [limit],
    );
    return rows.map((r) => {
      const origin = r.origin == null ? undefined : Origin.safeParse(r.origin);
      return {
        id: num(r, 'id'),
        source: str(r, 'source'),
        origin: origin?.success ? origin.data : null,
        fileName: str(r, 'file_name'),
        code: str(r, 'code'),
        message: str(r, 'message'),
        at: date(r, 'at'),
      };
    });
  }
}
