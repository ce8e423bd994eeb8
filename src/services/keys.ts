// API keys: random, shown once, stored as a sha256 (they carry 192 bits, so a slow hash buys nothing).
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { type ApiKeyInfo, ApiKeysRepository } from '../storage/api-keys.repository.ts';
import type { Clock } from '../storage/clock.ts';
import type { Queryable } from '../storage/database.ts';
import { ROLES } from '../storage/roles.ts';
import type { DocumentScope, ScopeFilter } from '../storage/scope.ts';
import { displayName } from './display-name.ts';

export type { ApiKeyInfo };

export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

/** admin can do what approver can, approver what review can, review what ingest can. */
const RANK: Record<Role, number> = { ingest: 1, review: 2, approver: 3, admin: 4 };
export const roleAllows = (held: Role, needed: Role) => RANK[held] >= RANK[needed];

export interface Principal {
  id: string;
  name: string;
  role: Role;
  kind: 'key' | 'session';
  /** The documents it may see; absent: every one. */
  scope?: DocumentScope | undefined;
}

/** The filter a repository needs to keep a principal to its scope; undefined when it sees everything. */
export function scopeOf(principal: Principal): ScopeFilter | undefined {
  return principal.scope && { scope: principal.scope, principalId: principal.id };
}

export const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');

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

  private readonly keys: ApiKeysRepository;

  constructor(
    /** The repository; a database is taken too, for tools that have only that (the CLI, the benchmarks). */
    keys: ApiKeysRepository | Queryable,
    private readonly clock: Clock,
  ) {
    this.keys = keys instanceof ApiKeysRepository ? keys : new ApiKeysRepository(keys);
  }

  async create(role: Role, name?: string, scope?: DocumentScope): Promise<{ key: string; info: ApiKeyInfo }> {
    const key = `rtg_${role}_${randomBytes(24).toString('base64url')}`;
    const info = await this.keys.insert({
      id: `key_${randomBytes(6).toString('hex')}`,
      name: (name === undefined ? '' : displayName(name)) || `${role} key`,
      role,
      keyHash: hashSecret(key),
      prefix: key.slice(0, 14),
      scope: scope ?? null,
      createdAt: this.clock.now(),
    });
    return { key, info };
  }

  /** Keys not revoked. */
  async count(): Promise<number> {
    return this.keys.countActive();
  }

  async list(): Promise<ApiKeyInfo[]> {
    return this.keys.list();
  }

  async revoke(id: string): Promise<boolean> {
    const revoked = await this.keys.revoke(id, this.clock.now());
    for (const [hash, entry] of this.verified) if (entry.principal.id === id) this.verified.delete(hash);
    this.revocations++;
    return revoked;
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
    const found = await this.keys.findByHash(hash);
    if (!found) return 'unknown';
    if (found.revokedAt) return 'revoked';
    // last_used_at is for people auditing keys; a minute's precision is plenty and saves writes.
    const now = this.clock.now();
    const last = found.lastUsedAt;
    if (!last || now.getTime() - last.getTime() > 60_000) await this.keys.touch(found.id, now);
    const principal: Principal = {
      id: found.id,
      name: found.name,
      role: found.role,
      kind: 'key',
      scope: found.scope ?? undefined,
    };
    if (this.revocations !== revocationsBefore) return principal;
    if (this.verified.size >= KEY_CACHE_SIZE) this.verified.clear();
    this.verified.set(hash, { principal, until: t + KEY_CACHE_MS });
    return principal;
  }
}
