// Reviewers and their web sessions: users with scrypt-hashed passwords, sessions stored as a hash of a random id.
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../storage/clock.ts';
import type { DocumentScope } from '../storage/scope.ts';
import type { SessionsRepository } from '../storage/sessions.repository.ts';
import type { UsersRepository } from '../storage/users.repository.ts';
import { displayName } from './display-name.ts';
import { AppError } from './errors.ts';
import { type Principal, type Role, roleAllows } from './keys.ts';
import { requireStrongPassword } from './password-policy.ts';
import type { SignInThrottle } from './sign-in-throttle.ts';
import { newRecoveryCodes, newTotpSecret, recoveryHash, totpQrSvg, totpStepOf, totpUri } from './totp.ts';

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
  scope: DocumentScope | undefined;
  createdAt: Date;
}

/** Refused: a user with that email exists already. */
export class UserExists extends AppError {
  constructor(email: string) {
    super(409, 'user_exists', `A user with the email ${email} exists already.`);
  }
}

const wrongPassword = () => new AppError(401, 'unauthorized', 'The email or the password is wrong.');

/** Who may add a second factor: people who review or administer (an ingest account sees no review data). */
const TOTP_ROLES: Role = 'review';

export class UserService {
  constructor(
    private readonly users: UsersRepository,
    private readonly sessions: SessionsRepository,
    private readonly clock: Clock,
    /** Failed sign-ins per account; absent in tools that never sign anyone in (the CLI). */
    private readonly throttle?: SignInThrottle,
  ) {}

  async create(input: {
    email: string;
    name: string;
    role: Role;
    password: string;
    scope?: DocumentScope | undefined;
  }): Promise<UserInfo> {
    const email = input.email.trim().toLowerCase();
    await requireStrongPassword(input.password, [email, ...email.split(/[@.]/), input.name]);
    if (await this.users.exists(email)) throw new UserExists(email);
    const id = `usr_${randomBytes(6).toString('hex')}`;
    const now = this.clock.now();
    const name = displayName(input.name) || email;
    await this.users.insert({
      id,
      email,
      name,
      role: input.role,
      passwordHash: await hashPassword(input.password),
      scope: input.scope,
      createdAt: now,
    });
    return { id, email, name, role: input.role, scope: input.scope, createdAt: now };
  }

  /** Disables a user (by id or email) and ends their sessions; false when there is no such active user. */
  async disable(idOrEmail: string): Promise<boolean> {
    const id = await this.users.disable(idOrEmail.trim().toLowerCase(), this.clock.now());
    if (id === undefined) return false;
    await this.sessions.deleteOf(id);
    return true;
  }

  /**
   * Signs a person in: the account must not be throttled, the password must match, and a user with a second
   * factor must give a current code (or an unused recovery code). Failures count against the account.
   */
  async signIn(input: { email: string; password: string; code?: string | undefined }): Promise<Principal> {
    const account = input.email.trim().toLowerCase();
    await this.throttle?.check(account);
    const user = await this.users.findByEmail(account);
    if (!user) {
      // Spend the same time as a real check, so timing does not tell which emails exist.
      await hashPassword(input.password);
      await this.throttle?.fail(account);
      throw wrongPassword();
    }
    if (!(await verifyPassword(input.password, user.passwordHash)) || user.disabledAt) {
      await this.throttle?.fail(account);
      throw wrongPassword();
    }
    if (user.totp.enabledAt && user.totp.secret) {
      const code = input.code?.trim();
      if (!code) {
        throw new AppError(
          401,
          'totp_required',
          'Enter the 6-digit code from your authenticator app, or one of your recovery codes.',
        );
      }
      if (!(await this.secondFactorHolds(user.id, user.totp.secret, code))) {
        await this.throttle?.fail(account);
        throw new AppError(401, 'totp_invalid', 'This code is wrong, out of date or used already.');
      }
    }
    await this.throttle?.succeed(account);
    return { id: user.id, name: user.name, role: user.role, kind: 'session', scope: user.scope };
  }

  /** A current code not used before, or an unused recovery code (which is spent). */
  private async secondFactorHolds(userId: string, secret: string, code: string): Promise<boolean> {
    const step = totpStepOf(secret, code, this.clock.now());
    if (step !== undefined) return this.users.useTotpStep(userId, step);
    return this.users.useRecoveryCode(userId, recoveryHash(code));
  }

  /** Starts enrolling a second factor: a new secret, its otpauth:// URI and that URI as a QR code (SVG). */
  async startTotp(principal: Principal): Promise<{ secret: string; otpauthUri: string; qrSvg: string }> {
    const user = await this.personOf(principal);
    if (user.totp.enabledAt) {
      throw new AppError(
        409,
        'totp_enabled',
        'A second factor is set up already; an admin can reset it (retaguarda users totp-reset).',
      );
    }
    const secret = newTotpSecret();
    await this.users.setPendingTotp(user.id, secret);
    const otpauthUri = totpUri(secret, user.email);
    return { secret, otpauthUri, qrSvg: await totpQrSvg(otpauthUri) };
  }

  /** Confirms enrolment with a code from the app; returns the recovery codes, shown this once. */
  async confirmTotp(principal: Principal, code: string): Promise<{ recoveryCodes: string[] }> {
    const user = await this.personOf(principal);
    const pending = user.totp.pendingSecret;
    if (!pending) {
      throw new AppError(409, 'totp_not_started', 'Start with POST /v1/session/totp to get a secret first.');
    }
    const step = totpStepOf(pending, code.trim(), this.clock.now());
    if (step === undefined) {
      throw new AppError(
        400,
        'totp_invalid',
        'This code does not match: check the app and the clock, and try again.',
      );
    }
    const { codes, hashes } = newRecoveryCodes();
    if (!(await this.users.enableTotp(user.id, hashes, step, this.clock.now()))) {
      throw new AppError(409, 'totp_not_started', 'Start with POST /v1/session/totp to get a secret first.');
    }
    return { recoveryCodes: codes };
  }

  /** An admin's reset: the user signs in with the password alone until they enrol again. */
  async resetTotp(idOrEmail: string): Promise<boolean> {
    return (await this.users.resetTotp(idOrEmail.trim().toLowerCase())) !== undefined;
  }

  /** The user behind a session signed in with a password, in a role that may have a second factor. */
  private async personOf(principal: Principal) {
    const user = principal.kind === 'session' ? await this.users.findById(principal.id) : undefined;
    if (!user || user.disabledAt) {
      throw new AppError(
        403,
        'forbidden',
        'A second factor belongs to a person: sign in with your email and password first.',
      );
    }
    if (!roleAllows(user.role, TOTP_ROLES)) {
      throw new AppError(403, 'forbidden', 'A second factor is for review and admin accounts.');
    }
    return user;
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
