// Failed sign-ins per account, in the database so every API replica counts the same ones.
import type { Queryable } from './database.ts';
import { dateOrNull, num } from './rows.ts';

export class SignInFailuresRepository {
  constructor(private readonly db: Queryable) {}

  /** How many failures the account has had since `since`, and when the oldest of them was. */
  async since(account: string, since: Date): Promise<{ count: number; oldest: Date | null }> {
    const [row] = await this.db.query(
      `select count(*)::int as n, min(at) as oldest from sign_in_failures where account = $1 and at >= $2`,
      [account, since],
    );
    return row ? { count: num(row, 'n'), oldest: dateOrNull(row, 'oldest') } : { count: 0, oldest: null };
  }

  /** Records one failure, and forgets those older than `forgetBefore` (of every account). */
  async record(account: string, at: Date, forgetBefore: Date): Promise<void> {
    await this.db.query(
      `with gone as (delete from sign_in_failures where at < $3)
       insert into sign_in_failures (account, at) values ($1, $2)`,
      [account, at, forgetBefore],
    );
  }

  async clear(account: string): Promise<void> {
    await this.db.query('delete from sign_in_failures where account = $1', [account]);
  }
}
