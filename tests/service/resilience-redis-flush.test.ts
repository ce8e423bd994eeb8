// Redis holds queues only: documents accepted while no worker ran, whose jobs were then wiped by FLUSHALL, are
// found in PostgreSQL and read once the service starts again. A redis-server of the test's own takes the FLUSHALL.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEnv, type ServiceConfig } from '../../src/config/env.ts';
import { type RunningService, startService } from '../../src/server/run.ts';
import { expectedFields, type PrivateRedis, sample, startPrivateRedis } from '../support/processes.ts';
import { formWith, freshPostgres } from '../support/service.ts';

const SAMPLES = [
  'invoice-en-digital.pdf',
  'invoice-pt-digital.pdf',
  'invoice-es-digital.pdf',
  'receipt-en-digital.pdf',
  'invoice-en-eu-digital.pdf',
];

describe('FLUSHALL on Redis, then a restart', () => {
  let redis: PrivateRedis;
  let database: Awaited<ReturnType<typeof freshPostgres>>;
  let dataDir: string;
  let config: ServiceConfig;
  const running: RunningService[] = [];

  beforeAll(async () => {
    redis = await startPrivateRedis();
    database = await freshPostgres();
    dataDir = mkdtempSync(join(tmpdir(), 'rtg-flush-'));
    config = loadEnv({
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      QUEUE_PREFIX: `rtgflush${randomBytes(4).toString('hex')}`,
      LOG_LEVEL: 'silent',
      START_REDIS: 'false',
      // The periodic sweep is slow here on purpose: what the test shows is the sweep at start-up.
      RECOVERY_GRACE_SECONDS: '30',
      RECOVERY_INTERVAL_SECONDS: '600',
    });
  });
  afterAll(async () => {
    for (const s of running) await s.stop();
    await database?.drop();
    await redis?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(role: 'api' | 'serve') {
    const service = await startService(role, config);
    running.push(service);
    const { key } = await service.ctx.keys.create('admin', `flush test ${role}`);
    const request = (path: string, init: RequestInit = {}) =>
      fetch(`${service.url}${path}`, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${key}` },
      });
    return { service, request };
  }

  it('loses no document: every one is read after the restart', async () => {
    const api = await start('api');
    const ids: string[] = [];
    for (const name of SAMPLES) {
      const res = await api.request('/v1/documents', {
        method: 'POST',
        body: formWith([{ name, bytes: sample(name) }]),
      });
      expect(res.status).toBe(202);
      ids.push(((await res.json()) as { documents: { id: string }[] }).documents[0]!.id);
    }
    const r = redis.client();
    try {
      // The jobs were there (no worker ran to take them) …
      const jobKeys = await r.keys(`${config.QUEUE_PREFIX}:process-document:doc_*`);
      expect(jobKeys.length).toBeGreaterThanOrEqual(SAMPLES.length);
      await api.service.stop();
      // … and now they are gone.
      await r.flushall();
      expect(await r.dbsize()).toBe(0);
    } finally {
      r.disconnect();
    }

    const restartedAt = Date.now();
    const serve = await start('serve');
    const finals: Record<string, unknown>[] = [];
    for (const id of ids) {
      const until = Date.now() + 90_000;
      for (;;) {
        const doc = (await (await serve.request(`/v1/documents/${id}`)).json()) as Record<string, unknown>;
        if (doc.status !== 'received' && doc.status !== 'processing') {
          finals.push(doc);
          break;
        }
        if (Date.now() > until) throw new Error(`${id} still ${String(doc.status)} after the restart`);
        await new Promise((res) => setTimeout(res, 150));
      }
    }
    const tookMs = Date.now() - restartedAt;
    expect(finals.map((d) => d.fileName)).toEqual(SAMPLES);
    for (const [i, doc] of finals.entries()) {
      expect(['auto_approved', 'needs_review'], `${SAMPLES[i]}`).toContain(doc.status);
      const result = doc.result as { fields: Record<string, { value: string } | null> };
      expect(result.fields.totalAmount?.value, `${SAMPLES[i]}`).toBe(expectedFields(SAMPLES[i]!).totalAmount);
      expect((doc.history as { to: string }[]).map((h) => h.to)).toEqual([
        'received',
        'processing',
        doc.status,
      ]);
    }
    // Nothing else was created on the way: the listing holds exactly these documents.
    const list = (await (await serve.request('/v1/documents?limit=100')).json()) as {
      documents: { id: string }[];
    };
    expect(list.documents.map((d) => d.id).sort()).toEqual([...ids].sort());
    console.info(`after FLUSHALL and a restart, ${ids.length} documents were read in ${tookMs} ms`);
  }, 180_000);
});
