// People who sign in on the web pages (the password as an scrypt hash), and who a principal id names.
import type { Queryable, Row } from './database.ts';
import { ROLES, type Role } from './roles.ts';
import { dateOrNull, numOrNull, oneOf, str, strings, strOrNull } from './rows.ts';
import { type DocumentScope, formatScope, storedScope } from './scope.ts';

export interface UserRecord {
  id: string;
  email: string;
  name: string;
  role: Role;
  passwordHash: string;
  disabledAt: Date | null;
  /** The documents they may see; undefined: every one. */
  scope: DocumentScope | undefined;
  /** The second factor: its secret once confirmed (with the time), one being enrolled, recovery codes. */
  totp: {
    secret: string | null;
    pendingSecret: string | null;
    enabledAt: Date | null;
    recoveryHashes: string[];
    lastStep: number | null;
  };
  /** Away until this time, with who approves in their name meanwhile. */
  awayUntil: Date | null;
  delegateId: string | null;
}

const toUser = (row: Row): UserRecord => ({
  id: str(row, 'id'),
  email: str(row, 'email'),
  name: str(row, 'name'),
  role: oneOf(row, 'role', ROLES),
  passwordHash: str(row, 'password_hash'),
  disabledAt: dateOrNull(row, 'disabled_at'),
  scope: storedScope(strOrNull(row, 'scope')),
  totp: {
    secret: strOrNull(row, 'totp_secret'),
    pendingSecret: strOrNull(row, 'totp_pending_secret'),
    enabledAt: dateOrNull(row, 'totp_enabled_at'),
    recoveryHashes: row.totp_recovery_hashes == null ? [] : strings(row, 'totp_recovery_hashes'),
    lastStep: numOrNull(row, 'totp_last_step'),
  },
  awayUntil: dateOrNull(row, 'away_until'),
  delegateId: strOrNull(row, 'delegate_id'),
});

export class UsersRepository {
  constructor(private readonly db: Queryable) {}

  async exists(email: string): Promise<boolean> {
    return (await this.db.query('select id from users where email = $1', [email])).length > 0;
  }

  async insert(u: {
    id: string;
    email: string;
    name: string;
    role: Role;
    passwordHash: string;
    scope: DocumentScope | undefined;
    createdAt: Date;
  }): Promise<void> {
    await this.db.query(
      `insert into users (id, email, name, role, password_hash, scope, created_at)
       values ($1, $2, $3, $4, $5, $6, $7)`,
      [u.id, u.email, u.name, u.role, u.passwordHash, u.scope ? formatScope(u.scope) : null, u.createdAt],
    );
  }

  async findByEmail(email: string): Promise<UserRecord | undefined> {
    const [row] = await this.db.query('select * from users where email = $1', [email]);
    return row && toUser(row);
  }

  async findById(id: string): Promise<UserRecord | undefined> {
    const [row] = await this.db.query('select * from users where id = $1', [id]);
    return row && toUser(row);
  }

  /** A secret being enrolled: it signs nobody in until a code from it is confirmed. */
  async setPendingTotp(id: string, secret: string): Promise<void> {
    await this.db.query('update users set totp_pending_secret = $2 where id = $1', [id, secret]);
  }

  /** The pending secret becomes the second factor, with its recovery codes (hashed) and the step used. */
  async enableTotp(id: string, recoveryHashes: readonly string[], step: number, at: Date): Promise<boolean> {
    const rows = await this.db.query(
      `update users set totp_secret = totp_pending_secret, totp_pending_secret = null, totp_enabled_at = $4,
         totp_recovery_hashes = $2, totp_last_step = $3
       where id = $1 and totp_pending_secret is not null returning id`,
      [id, recoveryHashes, step, at],
    );
    return rows.length > 0;
  }

  /** Takes a time step as used; false when it (or a later one) was used already: a code works once. */
  async useTotpStep(id: string, step: number): Promise<boolean> {
    const rows = await this.db.query(
      `update users set totp_last_step = $2 where id = $1 and (totp_last_step is null or totp_last_step < $2)
       returning id`,
      [id, step],
    );
    return rows.length > 0;
  }

  /** Spends a recovery code; false when the user has no such unused code. */
  async useRecoveryCode(id: string, hash: string): Promise<boolean> {
    const rows = await this.db.query(
      `update users set totp_recovery_hashes = array_remove(totp_recovery_hashes, $2)
       where id = $1 and $2 = any(totp_recovery_hashes) returning id`,
      [id, hash],
    );
    return rows.length > 0;
  }

  /** Removes the second factor of a user found by id or email; returns its id, or undefined. */
  async resetTotp(idOrEmail: string): Promise<string | undefined> {
    const [row] = await this.db.query(
      `update users set totp_secret = null, totp_pending_secret = null, totp_enabled_at = null,
         totp_recovery_hashes = null, totp_last_step = null
       where id = $1 or email = $1 returning id`,
      [idOrEmail],
    );
    return row && str(row, 'id');
  }

  /** Disables an active user found by id or email; returns its id, or undefined when there was none. */
  async disable(idOrEmail: string, at: Date): Promise<string | undefined> {
    const [row] = await this.db.query(
      `update users set disabled_at = $2 where (id = $1 or email = $1) and disabled_at is null returning id`,
      [idOrEmail, at],
    );
    return row && str(row, 'id');
  }

  async findByIdOrEmail(idOrEmail: string): Promise<UserRecord | undefined> {
    const [row] = await this.db.query('select * from users where id = $1 or email = $1', [idOrEmail]);
    return row && toUser(row);
  }

  /** Away until `until` with `delegateId` approving meanwhile; both null: back. */
  async setAway(id: string, until: Date | null, delegateId: string | null): Promise<void> {
    await this.db.query('update users set away_until = $2, delegate_id = $3 where id = $1', [
      id,
      until,
      delegateId,
    ]);
  }

  /** The active users away at `now` who named `delegateId` as their delegate. */
  async delegatorsOf(delegateId: string, now: Date): Promise<UserRecord[]> {
    const rows = await this.db.query(
      `select * from users where delegate_id = $1 and away_until > $2 and disabled_at is null order by id`,
      [delegateId, now],
    );
    return rows.map(toUser);
  }

  /** A user, or an API key not revoked, by id: who a principal id names. */
  async person(id: string): Promise<{ id: string; name: string } | undefined> {
    const [row] = await this.db.query(
      `select id, name from users where id = $1
       union all select id, name from api_keys where id = $1 and revoked_at is null`,
      [id],
    );
    return row && { id: str(row, 'id'), name: str(row, 'name') };
  }
}
