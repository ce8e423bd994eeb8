// API keys as stored: a sha256 of the key, its first characters to recognise it, its role and its history.
import type { Queryable, Row } from './database.ts';
import { ROLES, type Role } from './roles.ts';
import { date, dateOrNull, num, oneOf, str, strOrNull } from './rows.ts';
import { type DocumentScope, formatScope, storedScope } from './scope.ts';

export interface ApiKeyInfo {
  id: string;
  name: string;
  role: Role;
  prefix: string;
  /** The documents it may see; null: every one. */
  scope: DocumentScope | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const toInfo = (r: Row): ApiKeyInfo => ({
  id: str(r, 'id'),
  name: str(r, 'name'),
  role: oneOf(r, 'role', ROLES),
  prefix: str(r, 'key_prefix'),
  scope: storedScope(strOrNull(r, 'scope')) ?? null,
  createdAt: date(r, 'created_at'),
  lastUsedAt: dateOrNull(r, 'last_used_at'),
  revokedAt: dateOrNull(r, 'revoked_at'),
});

export class ApiKeysRepository {
  constructor(private readonly db: Queryable) {}

  async insert(k: {
    id: string;
    name: string;
    role: Role;
    keyHash: string;
    prefix: string;
    scope: DocumentScope | null;
    createdAt: Date;
  }): Promise<ApiKeyInfo> {
    const [row] = await this.db.query(
      `insert into api_keys (id, name, role, key_hash, key_prefix, scope, created_at)
       values ($1, $2, $3, $4, $5, $6, $7) returning *`,
      [k.id, k.name, k.role, k.keyHash, k.prefix, k.scope && formatScope(k.scope), k.createdAt],
    );
    if (!row) throw new Error('the insert returned no row');
    return toInfo(row);
  }

  async countActive(): Promise<number> {
    const [row] = await this.db.query('select count(*)::int as n from api_keys where revoked_at is null');
    return row ? num(row, 'n') : 0;
  }

  async list(): Promise<ApiKeyInfo[]> {
    return (await this.db.query('select * from api_keys order by created_at')).map(toInfo);
  }

  /** False when there is no such key or it was revoked already. */
  async revoke(id: string, at: Date): Promise<boolean> {
    const rows = await this.db.query(
      'update api_keys set revoked_at = $2 where id = $1 and revoked_at is null returning id',
      [id, at],
    );
    return rows.length > 0;
  }

  async findByHash(keyHash: string): Promise<ApiKeyInfo | undefined> {
    const [row] = await this.db.query('select * from api_keys where key_hash = $1', [keyHash]);
    return row && toInfo(row);
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.db.query('update api_keys set last_used_at = $2 where id = $1', [id, at]);
  }
}
