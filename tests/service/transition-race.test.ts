// A status change that waits for another transaction on the same document judges the document as that
// transaction left it (PostgreSQL, where the two really run at once).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ManualClock } from '../../src/storage/clock.ts';
import { type Database, migrate, openDatabase } from '../../src/storage/database.ts';
import { DocumentsRepository } from '../../src/storage/documents.repository.ts';
import { freshPostgres } from '../support/service.ts';

let db: Database;
let drop: () => Promise<void>;
let docs: DocumentsRepository;
beforeAll(async () => {
  const pg = await freshPostgres();
  drop = pg.drop;
  db = await openDatabase({ url: pg.url, poolSize: 4 });
  await migrate(db);
  docs = new DocumentsRepository(db, new ManualClock());
});
afterAll(async () => {
  await db?.close();
  await drop?.();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('moves a document that another transaction put in an allowed state and round while it waited', async () => {
  const doc = await docs.create({
    sha256: 'a'.repeat(64),
    fileName: 'a.pdf',
    mediaType: 'application/pdf',
    sizeBytes: 1,
    source: 'api',
  });
  expect(await docs.transition(doc.id, ['received'], 'needs_review')).toBe(true);
  let release!: () => void;
  const held = new Promise<void>((r) => {
    release = r;
  });
  // A reviewer sends it back for re-reading: round 2, received; the transaction is still open.
  const sendBack = db.transaction(async (tx) => {
    await tx.query(`update documents set status = 'received', processing_round = 2 where id = $1`, [doc.id]);
    await held;
  });
  await sleep(100);
  // The worker for round 2 starts while that is not committed yet: it waits for the row.
  const start = docs.transition(doc.id, ['received'], 'processing', { round: 2, actor: 'worker' });
  await sleep(300);
  release();
  await sendBack;
  expect(await start).toBe(true);
  const events = await docs.events(doc.id);
  expect(events.at(-1)).toMatchObject({ fromStatus: 'received', toStatus: 'processing' });
  // And a wrong from-state is still refused.
  expect(await docs.transition(doc.id, ['received'], 'failed')).toBe(false);
});
