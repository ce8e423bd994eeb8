// API keys: random, shown once, stored as a sha256 (they carry 192 bits, so a slow hash buys nothing).
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../storage/clock.ts';
import type { Database } from '../storage/database.ts';

export const Role = z.enum(['ingest', 'review', 'admin']);
export type Role = z.infer<typeof Role>;

/** admin can do what review can, review what ingest can. */
const RANK: Record<Role, number> = { ingest: 1, review: 2, admin: 3 };
export const roleAllows = (held: Role, needed: Role) => RANK[held] >= RANK[needed];

export interface Principal {
  id: string;
  name: string;
  role: Role;
  kind: 'key' | 'session';
}

export interface ApiKeyInfo {
  id: string;
  name: string;
  role: Role;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');

const toInfo = (r: Record<string, unknown>): ApiKeyInfo => ({
  id: r.id as string,
  name: r.name as string,
  role: r.role as Role,
  prefix: r.key_prefix as string,
  createdAt: r.created_at as Date,
  lastUsedAt: (r.last_used_at as Date | null) ?? null,
  revokedAt: (r.revoked_at as Date | null) ?? null,
});

/**
 * How long a verified key is trusted without asking the database again. A revoke through this process
 * (the admin API) takes effect at once; one made elsewhere (the CLI, another API replica) within this.
 */
export const KEY_CACHE_MS = 5_000;
const KEY_CACHE_SIZE = 1_000;

export class KeyService {
  /** Verified keys by hash; saves a database round trip on every request of a busy sender. */
  private readonly verified = new Map<string, { principal: Principal; until: number }>();
  /** Bumped by every revoke: a check that started before one does not cache what it read. */
  private revocations = 0;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  async create(role: Role, name?: string): Promise<{ key: string; info: ApiKeyInfo }> {
    const key = `rtg_${role}_${randomBytes(24).toString('base64url')}`;
    const id = `key_${randomBytes(6).toString('hex')}`;
    const [row] = await this.db.query(
      `insert into api_keys (id, name, role, key_hash, key_prefix, created_at) values ($1, $2, $3, $4, $5, $6)
       returning *`,
      [id, name ?? `${role} key`, role, hashSecret(key), key.slice(0, 14), this.clock.now()],
    );
    return { key, info: toInfo(row!) };
  }

  async count(): Promise<number> {
    const [row] = await this.db.query<{ n: number }>(
      'select count(*)::int as n from api_keys where revoked_at is null',
    );
    return row!.n;
  }

  async list(): Promise<ApiKeyInfo[]> {
    return (await this.db.query('select * from api_keys order by created_at')).map(toInfo);
  }

  async revoke(id: string): Promise<boolean> {
    const rows = await this.db.query(
      'update api_keys set revoked_at = $2 where id = $1 and revoked_at is null returning id',
      [id, this.clock.now()],
    );
    for (const [hash, entry] of this.verified) if (entry.principal.id === id) this.verified.delete(hash);
    this.revocations++;
    return rows.length > 0;
  }

  /** The principal of a key, or why it is refused. */
  async verify(key: string): Promise<Principal | 'unknown' | 'revoked'> {
    const hash = hashSecret(key);
    // Monotonic time, not the service clock: tests drive that one, and the cache must expire regardless.
    const t = performance.now();
    const cached = this.verified.get(hash);
    if (cached && cached.until > t) return { ...cached.principal };
    // A revoke while this check waits on the database must not be undone by caching what it read before.
    const revocationsBefore = this.revocations;
    const [row] = await this.db.query('select * from api_keys where key_hash = $1', [hash]);
    if (!row) return 'unknown';
    if (row.revoked_at) return 'revoked';
    // last_used_at is for people auditing keys; a minute's precision is plenty and saves writes.
    const now = this.clock.now();
    const last = row.last_used_at as Date | null;
    if (!last || now.getTime() - last.getTime() > 60_000) {
      await this.db.query('update api_keys set last_used_at = $2 where id = $1', [row.id, now]);
    }
    const principal: Principal = {
      id: row.id as string,
      name: row.name as string,
      role: row.role as Role,
      kind: 'key',
    };
    if (this.revocations !== revocationsBefore) return principal;
    if (this.verified.size >= KEY_CACHE_SIZE) this.verified.clear();
    this.verified.set(hash, { principal, until: t + KEY_CACHE_MS });
    return principal;
  }
}
