// Web sessions as stored: a hash of the cookie's random id, whose principal it is, and when it ends.
import type { Queryable } from './database.ts';
import { ROLES, type Role } from './roles.ts';
import { oneOf, str, strOrNull } from './rows.ts';
import { type DocumentScope, formatScope, storedScope } from './scope.ts';

export interface SessionPrincipal {
  id: string;
  name: string;
  role: Role;
  scope?: DocumentScope | undefined;
}

export class SessionsRepository {
  constructor(private readonly db: Queryable) {}

  async deleteExpired(now: Date): Promise<void> {
    await this.db.query('delete from sessions where expires_at <= $1', [now]);
  }

  async insert(s: {
    idHash: string;
    principal: SessionPrincipal;
    createdAt: Date;
    expiresAt: Date;
  }): Promise<void> {
    await this.db.query(
      `insert into sessions (id_hash, principal_id, principal_name, role, scope, created_at, expires_at)
       values ($1, $2, $3, $4, $5, $6, $7)`,
      [
        s.idHash,
        s.principal.id,
        s.principal.name,
        s.principal.role,
        s.principal.scope ? formatScope(s.principal.scope) : null,
        s.createdAt,
        s.expiresAt,
      ],
    );
  }

  /** The session's principal while it lasts and its key is not revoked, nor its user disabled. */
  async principalOf(idHash: string, now: Date): Promise<SessionPrincipal | undefined> {
    const [row] = await this.db.query(
      `select principal_id, principal_name, role, scope from sessions s where id_hash = $1 and expires_at > $2
       and not exists (select 1 from api_keys k where k.id = s.principal_id and k.revoked_at is not null)
       and not exists (select 1 from users u where u.id = s.principal_id and u.disabled_at is not null)`,
      [idHash, now],
    );
    return (
      row && {
        id: str(row, 'principal_id'),
        name: str(row, 'principal_name'),
        role: oneOf(row, 'role', ROLES),
        scope: storedScope(strOrNull(row, 'scope')),
      }
    );
  }

  async delete(idHash: string): Promise<void> {
    await this.db.query('delete from sessions where id_hash = $1', [idHash]);
  }

  async deleteOf(principalId: string): Promise<void> {
    await this.db.query('delete from sessions where principal_id = $1', [principalId]);
  }
}
