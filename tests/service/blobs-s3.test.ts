// Originals in an S3-compatible store: s3rver started by the test (in this process, on a free port), the real
// service on PostgreSQL and Redis; the store goes down for a while and comes back.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBlobsMigrate } from '../../src/cli/blobs.ts';
import { createBlobStore } from '../../src/storage/blobs.ts';
import { formWith, startTestService, type TestService } from '../support/service.ts';

const sample = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../../samples/${name}`, import.meta.url)));

describe('S3-compatible blob store', () => {
  const storeDir = mkdtempSync(join(tmpdir(), 'rtg-s3-'));
  let s3: S3rver;
  let port = 0;
  let svc: TestService;

  const startStore = async () => {
    s3 = new S3rver({
      address: '127.0.0.1',
      port,
      directory: storeDir,
      silent: true,
      configureBuckets: [{ name: 'retaguarda', configs: [] }],
    });
    const { port: bound } = await s3.run();
    port = bound;
  };
  const upload = (name: string) =>
    svc.request('/v1/documents', { method: 'POST', body: formWith([{ name, bytes: sample(name) }]) });

  beforeAll(async () => {
    await startStore();
    svc = await startTestService({
      env: {
        BLOB_STORE: 's3://retaguarda/originals',
        S3_ENDPOINT: `http://127.0.0.1:${port}`,
        S3_ACCESS_KEY_ID: 'S3RVER',
        S3_SECRET_ACCESS_KEY: 'S3RVER',
      },
    });
  });
  afterAll(async () => {
    await svc?.stop();
    await s3?.close().catch(() => {});
    rmSync(storeDir, { recursive: true, force: true });
  });

  it('keeps the original in the bucket and reads it from there', async () => {
    const res = await upload('invoice-en-digital.pdf');
    expect(res.status).toBe(202);
    const { documents } = (await res.json()) as { documents: { id: string }[] };
    const doc = await svc.waitForFinal(documents[0]?.id ?? '');
    expect(doc.status).toBe('auto_approved');
    expect(await svc.service.ctx.blobs.has(String(doc.sha256))).toBe(true);
    const file = await svc.request(`/v1/documents/${doc.id}/file`);
    expect(Buffer.from(await file.arrayBuffer()).equals(Buffer.from(sample('invoice-en-digital.pdf')))).toBe(
      true,
    );
  });

  it('answers 503 and stores nothing while the store is down, and takes the same upload once it is back', async () => {
    await s3.close();
    const before = (await (await svc.request('/v1/documents?limit=200')).json()) as { documents: unknown[] };
    const refused = await upload('invoice-es-digital.pdf');
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: string }).error).toBe('storage_unavailable');
    const during = (await (await svc.request('/v1/documents?limit=200')).json()) as { documents: unknown[] };
    expect(during.documents).toHaveLength(before.documents.length);

    await startStore();
    const accepted = await upload('invoice-es-digital.pdf');
    expect(accepted.status).toBe(202);
    const { documents } = (await accepted.json()) as { documents: { id: string }[] };
    expect((await svc.waitForFinal(documents[0]?.id ?? '')).status).toBe('auto_approved');
  });

  it('blobs migrate copies a local folder into the bucket, once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rtg-migrate-'));
    const local = createBlobStore(join(dataDir, 'blobs'));
    const sha = await local.put(sample('invoice-pt-digital.pdf'));
    const saved = { ...process.env };
    Object.assign(process.env, {
      DATA_DIR: dataDir,
      S3_ENDPOINT: `http://127.0.0.1:${port}`,
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
    });
    try {
      expect(await svc.service.ctx.blobs.has(sha)).toBe(false);
      expect(await runBlobsMigrate({ from: 'local', to: 's3://retaguarda/originals' })).toBe(0);
      expect(await svc.service.ctx.blobs.has(sha)).toBe(true);
      expect(await runBlobsMigrate({ from: 'local', to: 's3://retaguarda/originals' })).toBe(0);
    } finally {
      process.env = saved;
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
