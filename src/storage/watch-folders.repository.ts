// Watched folders added through the API (beside WATCH_DIR from the environment): where, for which business
// unit, and whether they are watched now.
import { randomBytes } from 'node:crypto';
import type { Queryable, Row } from './database.ts';
import { bool, date, str, strOrNull } from './rows.ts';

export interface WatchFolderRecord {
  id: string;
  path: string;
  businessUnit: string | null;
  enabled: boolean;
  createdAt: Date;
}

export type WatchFolderChange = Partial<Pick<WatchFolderRecord, 'path' | 'businessUnit' | 'enabled'>>;

const COLUMNS = 'id, path, business_unit, enabled, created_at';

const toRecord = (r: Row): WatchFolderRecord => ({
  id: str(r, 'id'),
  path: str(r, 'path'),
  businessUnit: strOrNull(r, 'business_unit'),
  enabled: bool(r, 'enabled'),
  createdAt: date(r, 'created_at'),
});

export class WatchFoldersRepository {
  constructor(private readonly db: Queryable) {}

  /** Returns undefined when the path is watched already. */
  async create(
    folder: { path: string; businessUnit: string | null; enabled: boolean },
    at: Date,
  ): Promise<WatchFolderRecord | undefined> {
    const [row] = await this.db.query(
      `insert into watch_folders (id, path, business_unit, enabled, created_at) values ($1, $2, $3, $4, $5)
       on conflict (path) do nothing returning ${COLUMNS}`,
      [`wf_${randomBytes(8).toString('hex')}`, folder.path, folder.businessUnit, folder.enabled, at],
    );
    return row ? toRecord(row) : undefined;
  }

  async list(): Promise<WatchFolderRecord[]> {
    return (await this.db.query(`select ${COLUMNS} from watch_folders order by path`)).map(toRecord);
  }

  async find(id: string): Promise<WatchFolderRecord | undefined> {
    const [row] = await this.db.query(`select ${COLUMNS} from watch_folders where id = $1`, [id]);
    return row ? toRecord(row) : undefined;
  }

  /** Undefined when there is no such folder; throws on a path another folder has (unique). */
  async update(id: string, change: WatchFolderChange): Promise<WatchFolderRecord | undefined> {
    const [row] = await this.db.query(
      `update watch_folders set
         path = case when $2::boolean then $3 else path end,
         business_unit = case when $4::boolean then $5 else business_unit end,
         enabled = coalesce($6, enabled)
       where id = $1 returning ${COLUMNS}`,
      [
        id,
        change.path !== undefined,
        change.path ?? null,
        change.businessUnit !== undefined,
        change.businessUnit ?? null,
        change.enabled ?? null,
      ],
    );
    return row ? toRecord(row) : undefined;
  }

  async remove(id: string): Promise<boolean> {
    return (await this.db.query('delete from watch_folders where id = $1 returning id', [id])).length > 0;
  }
}
