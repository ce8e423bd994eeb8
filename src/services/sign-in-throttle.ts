// Password guessing against one account, from however many addresses: after N failures within a window the
// account's sign-in answers 429 until the oldest of them leaves the window. Counted in the database, so every
// API replica sees the same count; a successful sign-in starts the count again.
import type { Clock } from '../storage/clock.ts';
import type { SignInFailuresRepository } from '../storage/sign-in-failures.repository.ts';
import { AppError } from './errors.ts';

export interface ThrottleSettings {
  maxFailures: number;
  windowMinutes: number;
}

export class SignInThrottle {
  constructor(
    private readonly failures: SignInFailuresRepository,
    private readonly clock: Clock,
    private readonly settings: ThrottleSettings,
  ) {}

  private get windowMs(): number {
    return this.settings.windowMinutes * 60_000;
  }

  /** Throws 429 (with Retry-After) while the account has had too many failures in the window. */
  async check(account: string): Promise<void> {
    const now = this.clock.now();
    const { count, oldest } = await this.failures.since(account, new Date(now.getTime() - this.windowMs));
    if (count < this.settings.maxFailures) return;
    const wait = Math.max(
      1,
      Math.ceil(((oldest?.getTime() ?? now.getTime()) + this.windowMs - now.getTime()) / 1000),
    );
    throw new AppError(
      429,
      'rate_limited',
      `Too many sign-in attempts for this account: ${count} failed in ${this.settings.windowMinutes} minutes; retry in ${wait} s.`,
      {},
      { 'retry-after': String(wait) },
    );
  }

  async fail(account: string): Promise<void> {
    const now = this.clock.now();
    await this.failures.record(account, now, new Date(now.getTime() - this.windowMs));
  }

  async succeed(account: string): Promise<void> {
    await this.failures.clear(account);
  }
}
