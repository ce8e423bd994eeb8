// Starts the real service for a test: a fresh PostgreSQL database (or PGlite), a queue prefix and a data
// folder of its own, on a free port; `stop` removes all three.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { Resolver } from '../../src/adapters/outbound-http.ts';
import { loadEnv, type ServiceConfig } from '../../src/config/env.ts';
import { type Role, type RunningService, startService } from '../../src/server/run.ts';
import type { Clock } from '../../src/storage/clock.ts';

export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A new, empty PostgreSQL database; returns its URL and a function that drops it. */
export async function freshPostgres(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `rtg_test_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/** Deletes every Redis key under a queue prefix. */
export async function dropQueuePrefix(prefix: string): Promise<void> {
  const r = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await r.del(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}

export interface TestService {
  config: ServiceConfig;
  service: RunningService;
  url: string;
  adminKey: string;
  /** An API key of the role. */
  key(role: 'ingest' | 'review' | 'admin'): Promise<string>;
  /** fetch against the service with a key. */
  request(path: string, init?: RequestInit & { key?: string }): Promise<Response>;
  /** Polls a document until it leaves received/processing. */
  waitForFinal(id: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

export interface TestServiceOptions {
  role?: Role;
  /** 'postgres' (default) or 'pglite'. */
  database?: 'postgres' | 'pglite';
  env?: Record<string, string>;
  clock?: Clock;
  /** How webhook host names resolve (DNS simulated); the system's DNS when absent. */
  resolveHost?: Resolver;
}

export async function startTestService(options: TestServiceOptions = {}): Promise<TestService> {
  const dataDir = mkdtempSync(join(tmpdir(), 'rtg-test-'));
  const prefix = `rtgtest${randomBytes(4).toString('hex')}`;
  const database = options.database === 'pglite' ? undefined : await freshPostgres();
  const config = loadEnv({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'warn',
    START_REDIS: 'false',
    RECOVERY_GRACE_SECONDS: '2',
    RECOVERY_INTERVAL_SECONDS: '2',
    // Webhook receivers in the tests listen on 127.0.0.1; every other private address stays refused.
    WEBHOOK_ALLOW_CIDRS: '127.0.0.1/32',
    // No spare reading process beside each test service's readers: the suite starts many services on 2 cores.
    // The spare is tested with the pool (tests/unit/reading-pool.test.ts) and measured by bench:soak.
    READER_SPARES: '0',
    ...(database ? { DATABASE_URL: database.url } : {}),
    ...options.env,
  });
  const service = await startService(options.role ?? 'serve', config, {
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.resolveHost ? { resolveHost: options.resolveHost } : {}),
  });
  const { key: adminKey } = await service.ctx.keys.create('admin', 'test admin');
  const url = service.url ?? '';
  const request = (path: string, init: RequestInit & { key?: string } = {}) => {
    const headers = new Headers(init.headers);
    if (init.key !== '' && !headers.has('authorization'))
      headers.set('authorization', `Bearer ${init.key ?? adminKey}`);
    return fetch(`${url}${path}`, { ...init, headers });
  };
  return {
    config,
    service,
    url,
    adminKey,
    key: async (role) => (await service.ctx.keys.create(role, `test ${role}`)).key,
    request,
    async waitForFinal(id, timeoutMs = 120_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const doc = (await (await request(`/v1/documents/${id}`)).json()) as Record<string, unknown>;
        if (doc.status !== 'received' && doc.status !== 'processing') return doc;
        if (Date.now() > until)
          throw new Error(`document ${id} still ${String(doc.status)} after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 150));
      }
    },
    async stop() {
      await service.stop();
      await dropQueuePrefix(prefix);
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A multipart body with the given files (and fields). */
export function formWith(
  files: { name: string; bytes: Uint8Array; type?: string }[],
  fields: Record<string, string> = {},
): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  for (const f of files)
    form.append(
      'file',
      new Blob([Buffer.from(f.bytes)], { type: f.type ?? 'application/octet-stream' }),
      f.name,
    );
  return form;
}
