// Verified API keys are remembered for a few seconds (one database query less per request): a revoke
// through the admin API still takes effect at once, one made elsewhere (the CLI, another replica) within
// KEY_CACHE_MS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY_CACHE_MS, KeyService } from '../../src/services/keys.ts';
import { systemClock } from '../../src/storage/clock.ts';
import { openDatabase } from '../../src/storage/database.ts';
import { startTestService, type TestService } from '../support/service.ts';

describe('API key cache', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService();
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('a key revoked by another process is refused within KEY_CACHE_MS, with the revoked message', async () => {
    const created = await svc.request('/v1/keys', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'ingest', name: 'ERP' }),
    });
    const { id, key } = (await created.json()) as { id: string; key: string };
    expect((await svc.request('/v1/documents?limit=1', { key })).status).toBe(200);

    // What `retaguarda keys revoke` does: its own connection, its own KeyService.
    const db = await openDatabase({ url: svc.config.DATABASE_URL, poolSize: 1 });
    try {
      expect(await new KeyService(db, systemClock).revoke(id)).toBe(true);
    } finally {
      await db.close();
    }
    const revokedAt = performance.now();
    let status = 200;
    let message = '';
    while (status === 200 && performance.now() - revokedAt < KEY_CACHE_MS + 2_000) {
      const res = await svc.request('/v1/documents?limit=1', { key });
      status = res.status;
      message = status === 401 ? ((await res.json()) as { message: string }).message : '';
      if (status === 200) await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toBe(401);
    expect(message).toMatch(/revoked/);
    expect(performance.now() - revokedAt).toBeLessThan(KEY_CACHE_MS + 1_000);
  });

  it('a key revoked through the admin API is refused on the very next request', async () => {
    const created = await svc.request('/v1/keys', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'ingest', name: 'ERP 2' }),
    });
    const { id, key } = (await created.json()) as { id: string; key: string };
    for (let i = 0; i < 3; i++)
      expect((await svc.request('/v1/documents?limit=1', { key })).status).toBe(200);
    expect((await svc.request(`/v1/keys/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await svc.request('/v1/documents?limit=1', { key })).status).toBe(401);
  });
});
