// Reviewers and their web sessions: users with scrypt-hashed passwords, sessions stored as a hash of a random id.
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../storage/clock.ts';
import type { SessionsRepository } from '../storage/sessions.repository.ts';
import type { UsersRepository } from '../storage/users.repository.ts';
import { AppError } from './errors.ts';
import type { Principal, Role } from './keys.ts';

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

/** Refused: a user with that email exists already. */
export class UserExists extends AppError {
  constructor(email: string) {
    super(409, 'user_exists', `A user with the email ${email} exists already.`);
  }
}

export class UserService {
  constructor(
    private readonly users: UsersRepository,
    private readonly sessions: SessionsRepository,
    private readonly clock: Clock,
  ) {}

  async create(input: { email: string; name: string; role: Role; password: string }): Promise<UserInfo> {
    const email = input.email.trim().toLowerCase();
    if (await this.users.exists(email)) throw new UserExists(email);
    const id = `usr_${randomBytes(6).toString('hex')}`;
    const now = this.clock.now();
    await this.users.insert({
      id,
      email,
      name: input.name.trim(),
      role: input.role,
      passwordHash: await hashPassword(input.password),
      createdAt: now,
    });
    return { id, email, name: input.name.trim(), role: input.role, createdAt: now };
  }

  /** Disables a user (by id or email) and ends their sessions; false when there is no such active user. */
  async disable(idOrEmail: string): Promise<boolean> {
    const id = await this.users.disable(idOrEmail.trim().toLowerCase(), this.clock.now());
    if (id === undefined) return false;
    await this.sessions.deleteOf(id);
    return true;
  }

  /** The user's principal when the password matches; undefined otherwise (unknown email or wrong password). */
  async authenticate(email: string, password: string): Promise<Principal | undefined> {
    const user = await this.users.findByEmail(email.trim().toLowerCase());
    if (!user) {
      // Spend the same time as a real check, so timing does not tell which emails exist.
      await hashPassword(password);
      return undefined;
    }
    if (!(await verifyPassword(password, user.passwordHash))) return undefined;
    if (user.disabledAt) return undefined;
    return { id: user.id, name: user.name, role: user.role, kind: 'session' };
  }
}

export class SessionService {
  constructor(
    private readonly sessions: SessionsRepository,
    private readonly clock: Clock,
  ) {}

  /** Starts a session; returns the cookie value (shown once) and when it expires. */
  async start(principal: Principal): Promise<{ id: string; expiresAt: Date }> {
    const id = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + SESSION_HOURS * 3_600_000);
    await this.sessions.deleteExpired(now);
    await this.sessions.insert({ idHash: sha256(id), principal, createdAt: now, expiresAt });
    return { id, expiresAt };
  }

  async principalOf(id: string): Promise<Principal | undefined> {
    const found = await this.sessions.principalOf(sha256(id), this.clock.now());
    return found && { ...found, kind: 'session' };
  }

  async end(id: string): Promise<void> {
    await this.sessions.delete(sha256(id));
  }
}
