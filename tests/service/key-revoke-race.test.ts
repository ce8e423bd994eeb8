// A key revoked while a check of it is still waiting on the database is not cached as valid.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { KeyService } from '../../src/services/keys.ts';
import { systemClock } from '../../src/storage/clock.ts';
import { type Database, migrate, openDatabase } from '../../src/storage/database.ts';

let db: Database;
beforeAll(async () => {
  db = await openDatabase({});
  await migrate(db);
});
afterAll(async () => {
  await db?.close();
});

it('refuses a key revoked during its first check', async () => {
  // The check's last_used_at write is slow (a busy database): the revoke lands in that gap.
  const slow: Database = Object.create(db);
  slow.query = async (sql, params) => {
    if (sql.startsWith('update api_keys set last_used_at')) await new Promise((r) => setTimeout(r, 200));
    return db.query(sql, params);
  };
  const keys = new KeyService(slow, systemClock);
  const { key, info } = await keys.create('ingest', 'leaving');
  const checking = keys.verify(key);
  await new Promise((r) => setTimeout(r, 50));
  expect(await keys.revoke(info.id)).toBe(true);
  await checking;
  expect(await keys.verify(key)).toBe('revoked');
});
