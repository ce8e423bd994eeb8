// Reviewers and their web sessions: users with scrypt-hashed passwords, sessions stored as a hash of a random id.
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { Principal, Role } from '../services/keys.ts';
import type { Clock } from '../storage/clock.ts';
import type { Queryable } from '../storage/database.ts';

export const SESSION_COOKIE = 'rtg_session';
export const SESSION_HOURS = 12;

const KEY_LENGTH = 64;
const COST = { N: 16384, r: 8, p: 1 };

function scryptAsync(password: string, salt: Buffer, N: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, KEY_LENGTH, { N, r, p, maxmem: 64 * 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/** `scrypt$N$r$p$<salt b64>$<hash b64>`: the cost travels with the hash, so it can be raised later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, COST.N, COST.r, COST.p);
  return `scrypt$${COST.N}$${COST.r}$${COST.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const key = await scryptAsync(password, Buffer.from(salt, 'base64'), Number(n), Number(r), Number(p));
  return key.length === expected.length && timingSafeEqual(key, expected);
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export interface UserInfo {
  id: string;
  email: string;
  name: string;
  role: Role;
  createdAt: Date;
}

export class UserExists extends Error {}

export class UserService {
  constructor(
    private readonly db: Queryable,
    private readonly clock: Clock,
  ) {}

  async create(input: { email: string; name: string; role: Role; password: string }): Promise<UserInfo> {
    const email = input.email.trim().toLowerCase();
    const [existing] = await this.db.query('select id from users where email = $1', [email]);
    if (existing) throw new UserExists(`A user with the email ${email} exists already.`);
    const id = `usr_${randomBytes(6).toString('hex')}`;
    const now = this.clock.now();
    await this.db.query(
      'insert into users (id, email, name, role, password_hash, created_at) values ($1, $2, $3, $4, $5, $6)',
      [id, email, input.name.trim(), input.role, await hashPassword(input.password), now],
    );
    return { id, email, name: input.name.trim(), role: input.role, createdAt: now };
  }

  /** Disables a user (by id or email) and ends their sessions; false when there is no such active user. */
  async disable(idOrEmail: string): Promise<boolean> {
    const key = idOrEmail.trim().toLowerCase();
    const rows = await this.db.query<{ id: string }>(
      `update users set disabled_at = $2 where (id = $1 or email = $1) and disabled_at is null returning id`,
      [key, this.clock.now()],
    );
    if (rows.length === 0) return false;
    await this.db.query('delete from sessions where principal_id = $1', [rows[0]!.id]);
    return true;
  }

  /** The user's principal when the password matches; undefined otherwise (unknown email or wrong password). */
  async authenticate(email: string, password: string): Promise<Principal | undefined> {
    const [row] = await this.db.query('select * from users where email = $1', [email.trim().toLowerCase()]);
    if (!row) {
      // Spend the same time as a real check, so timing does not tell which emails exist.
      await hashPassword(password);
      return undefined;
    }
    if (!(await verifyPassword(password, row.password_hash as string))) return undefined;
    if (row.disabled_at) return undefined;
    return { id: row.id as string, name: row.name as string, role: row.role as Role, kind: 'session' };
  }
}

export class SessionService {
  constructor(
    private readonly db: Queryable,
    private readonly clock: Clock,
  ) {}

  /** Starts a session; returns the cookie value (shown once) and when it expires. */
  async start(principal: Principal): Promise<{ id: string; expiresAt: Date }> {
    const id = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + SESSION_HOURS * 3_600_000);
    await this.db.query('delete from sessions where expires_at <= $1', [now]);
    await this.db.query(
      `insert into sessions (id_hash, principal_id, principal_name, role, created_at, expires_at)
       values ($1, $2, $3, $4, $5, $6)`,
      [sha256(id), principal.id, principal.name, principal.role, now, expiresAt],
    );
    return { id, expiresAt };
  }

  async principalOf(id: string): Promise<Principal | undefined> {
    const [row] = await this.db.query(
      `select principal_id, principal_name, role from sessions s where id_hash = $1 and expires_at > $2
       and not exists (select 1 from api_keys k where k.id = s.principal_id and k.revoked_at is not null)
       and not exists (select 1 from users u where u.id = s.principal_id and u.disabled_at is not null)`,
      [sha256(id), this.clock.now()],
    );
    if (!row) return undefined;
    return {
      id: row.principal_id as string,
      name: row.principal_name as string,
      role: row.role as Role,
      kind: 'session',
    };
  }

  async end(id: string): Promise<void> {
    await this.db.query('delete from sessions where id_hash = $1', [sha256(id)]);
  }
}
