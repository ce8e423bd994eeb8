// The database adapter: one small interface over PostgreSQL (pg) and PGlite (PostgreSQL in WASM).
import { mkdirSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

export type Row = Record<string, unknown>;

export interface Queryable {
  /** Runs one statement with `$1`-style parameters and returns its rows. */
  query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
}

export interface Database extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Resolves when the database answers (readiness checks). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** True for the database itself, false for one transaction's handle. */
export function isDatabase(q: Queryable): q is Database {
  return 'transaction' in q && typeof q.transaction === 'function';
}

// int8 (counts, bigserial) as numbers, numeric kept as text (money stays exact).
pg.types.setTypeParser(20, (v) => Number(v));

class PostgresDatabase implements Database {
  readonly kind = 'postgres';
  constructor(private readonly pool: pg.Pool) {}

  async query<T extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return (await this.pool.query<T>(sql, [...params])).rows;
  }

  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('begin');
      const tx: Queryable = {
        query: async <R extends Row>(sql: string, params: readonly unknown[] = []) =>
          (await client.query<R>(sql, [...params])).rows,
      };
      const out = await work(tx);
      await client.query('commit');
      return out;
    } catch (e) {
      await client.query('rollback').catch(() => {});
      throw e;
    } finally {
      client.release();
    }
  }

  async ping(): Promise<void> {
    await this.query('select 1');
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

class PgliteDatabase implements Database {
  readonly kind = 'pglite';
  constructor(private readonly db: PGlite) {}

  async query<T extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return (await this.db.query<T>(sql, [...params])).rows.map(normalisePgliteRow);
  }

  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.db.transaction(async (t) =>
      work({
        query: async <R extends Row>(sql: string, params: readonly unknown[] = []) =>
          (await t.query<R>(sql, [...params])).rows.map(normalisePgliteRow),
      }),
    );
  }

  async ping(): Promise<void> {
    await this.query('select 1');
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}

/** PGlite hands int8 back as BigInt; pg (configured above) as a number. Make them agree. */
function normalisePgliteRow<T extends Row>(row: T): T {
  const r: Row = row;
  for (const key of Object.keys(r)) if (typeof r[key] === 'bigint') r[key] = Number(r[key]);
  return row;
}

export interface DatabaseOptions {
  /** postgres://… ; absent: PGlite in `pgliteDir` (or in memory when that is absent too). */
  url?: string | undefined;
  pgliteDir?: string | undefined;
  poolSize?: number;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.url) {
    const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10 });
    // An idle client losing its server must not crash the process; the next query reports it.
    pool.on('error', () => {});
    const db = new PostgresDatabase(pool);
    await db.ping();
    return db;
  }
  if (options.pgliteDir) mkdirSync(options.pgliteDir, { recursive: true });
  const lite = await PGlite.create(options.pgliteDir ?? 'memory://');
  return new PgliteDatabase(lite);
}

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);
/** Any constant: serialises migrations when several processes start against one PostgreSQL. */
const MIGRATION_LOCK = 774_201;

/** Applies the SQL files of `migrations/` not applied yet, in name order, each in its own transaction. */
export async function migrate(db: Database): Promise<string[]> {
  const files = (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql')).sort();
  const applied: string[] = [];
  const run = async (tx: Queryable) => {
    await tx.query(
      'create table if not exists schema_migrations (name text primary key, applied_at timestamptz not null default now())',
    );
    const done = new Set(
      (await tx.query<{ name: string }>('select name from schema_migrations')).map((r) => r.name),
    );
    for (const file of files) {
      if (done.has(file)) continue;
      const sql = await readFile(new URL(file, MIGRATIONS_DIR), 'utf8');
      for (const statement of splitStatements(sql)) await tx.query(statement);
      await tx.query('insert into schema_migrations (name) values ($1)', [file]);
      applied.push(file);
    }
  };
  await db.transaction(async (tx) => {
    if (db.kind === 'postgres') await tx.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await run(tx);
  });
  return applied;
}

/** Splits a migration on `;` at line ends, keeping `$$ … $$` bodies (functions) whole. */
export function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let current = '';
  let inDollar = false;
  for (const line of sql.split('\n')) {
    if (/^\s*--/.test(line) && !inDollar) continue;
    current += `${line}\n`;
    const dollars = line.match(/\$\$/g)?.length ?? 0;
    if (dollars % 2 === 1) inDollar = !inDollar;
    if (!inDollar && /;\s*$/.test(line)) {
      const s = current.trim().replace(/;$/, '').trim();
      if (s) out.push(s);
      current = '';
    }
  }
  const rest = current.trim().replace(/;$/, '').trim();
  if (rest) out.push(rest);
  return out;
}
