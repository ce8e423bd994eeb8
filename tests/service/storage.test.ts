// The storage layer on both engines it runs on: one table of cases, run against PGlite (in memory) and
// against a fresh PostgreSQL database, so the two cannot drift apart.
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocumentResult } from '../../src/contract/result.ts';
import { ManualClock } from '../../src/storage/clock.ts';
import { type Database, migrate, openDatabase } from '../../src/storage/database.ts';
import { DocumentsRepository } from '../../src/storage/documents.repository.ts';
import { freshPostgres } from '../support/service.ts';

const MIGRATIONS = readdirSync(new URL('../../src/storage/migrations/', import.meta.url))
  .filter((f) => f.endsWith('.sql'))
  .sort();

interface Env {
  db: Database;
  clock: ManualClock;
  docs: DocumentsRepository;
}

let seq = 0;
/** A source name of its own per case, so list filters see only that case's documents. */
const sourceOf = () => `case${++seq}`;

function resultWith(vendor: string, total: string, invoiceNumber = 'INV-1'): DocumentResult {
  const field = (value: string) => ({ value, confidence: 0.95, page: 1, bbox: [1, 2, 3, 4] });
  return {
    id: 'doc_x',
    file: 'x.pdf',
    sha256: 'a'.repeat(64),
    documentType: 'invoice',
    language: 'en',
    pages: 1,
    fields: {
      vendorName: field(vendor),
      vendorTaxId: field('12-3456789'),
      invoiceNumber: field(invoiceNumber),
      totalAmount: field(total),
      currency: field('USD'),
    },
    lineItems: [],
    validation: { issues: [] },
    route: 'auto',
    timings: { loadMs: 1, ocrMs: 0, extractMs: 1, validateMs: 1 },
  } as unknown as DocumentResult;
}

const newDoc = (source: string, sha = 'b'.repeat(64), submittedBy: string | null = null) => ({
  sha256: sha,
  fileName: 'invoice.pdf',
  mediaType: 'application/pdf',
  sizeBytes: 1234,
  source,
  submittedBy,
});

const CASES: [string, (e: Env) => Promise<void>][] = [
  [
    'migrations are recorded once; a second run applies nothing',
    async ({ db }) => {
      expect(await migrate(db)).toEqual([]);
      const rows = await db.query<{ name: string }>('select name from schema_migrations order by name');
      expect(rows.map((r) => r.name)).toEqual(MIGRATIONS);
    },
  ],
  [
    'create and get: the record as stored, with its first event',
    async ({ docs, clock }) => {
      const source = sourceOf();
      const created = await docs.create({ ...newDoc(source), externalRef: 'ERP-9', submittedBy: 'key_a' });
      expect(created.id).toMatch(/^doc_[a-z0-9]{20}$/);
      const got = await docs.get(created.id);
      expect(got).toMatchObject({
        status: 'received',
        sizeBytes: 1234,
        processingRound: 1,
        externalRef: 'ERP-9',
        submittedBy: 'key_a',
        totalAmount: null,
      });
      expect(got!.receivedAt).toBeInstanceOf(Date);
      expect(got!.receivedAt.getTime()).toBe(clock.now().getTime());
      expect(await docs.get('doc_doesnotexist000000')).toBeUndefined();
      const events = await docs.events(created.id);
      expect(events).toEqual([
        { fromStatus: null, toStatus: 'received', actor: 'key_a', reason: null, at: expect.any(Date) },
      ]);
    },
  ],
  [
    'list filters by status, vendor (name part or tax ID), time and sender',
    async ({ docs, clock }) => {
      const source = sourceOf();
      const t0 = clock.now();
      const a = await docs.create(newDoc(source, 'c'.repeat(64), 'key_a'));
      clock.advance(60_000);
      const b = await docs.create(newDoc(source, 'd'.repeat(64), 'key_b'));
      clock.advance(60_000);
      const c = await docs.create(newDoc(source, 'e'.repeat(64), 'key_a'));
      await docs.saveResult(a.id, resultWith('Papelaria Central Ltda.', '10.00'), 'extraction', null, {
        vendorKey: 'tax:11222333000181',
      });
      await docs.saveResult(b.id, resultWith('Acme Supplies Inc.', '20.00'), 'extraction', null, {});
      expect(await docs.transition(b.id, ['received'], 'processing')).toBe(true);
      const ids = async (f: Partial<Parameters<DocumentsRepository['list']>[0]>) =>
        (await docs.list({ source, limit: 50, ...f })).map((d) => d.id);
      expect(await ids({})).toEqual([c.id, b.id, a.id]);
      expect(await ids({ status: ['processing'] })).toEqual([b.id]);
      expect(await ids({ status: ['received', 'processing'] })).toEqual([c.id, b.id, a.id]);
      expect(await ids({ vendor: 'central' })).toEqual([a.id]);
      expect(await ids({ vendor: 'ACME' })).toEqual([b.id]);
      expect(await ids({ vendor: '11.222.333/0001-81' })).toEqual([a.id]);
      expect(await ids({ from: new Date(t0.getTime() + 60_000) })).toEqual([c.id, b.id]);
      expect(await ids({ to: new Date(t0.getTime() + 60_000) })).toEqual([a.id]);
      expect(await ids({ submittedBy: 'key_a' })).toEqual([c.id, a.id]);
    },
  ],
  [
    'list pages with a cursor: newest first, ties broken by id, no gaps and no duplicates',
    async ({ docs, clock }) => {
      const source = sourceOf();
      const made: string[] = [];
      for (let i = 0; i < 7; i++) {
        // Pairs share a received_at: the id must break the tie.
        if (i % 2 === 0) clock.advance(1000);
        made.push((await docs.create(newDoc(source))).id);
      }
      const seen: string[] = [];
      let before: { receivedAt: Date; id: string } | undefined;
      for (let pages = 0; pages < 10; pages++) {
        const page = await docs.list({ source, limit: 2, before });
        if (page.length === 0) break;
        seen.push(...page.map((d) => d.id));
        const last = page[page.length - 1]!;
        before = { receivedAt: last.receivedAt, id: last.id };
      }
      const expected = [...made].sort().reverse();
      expect(seen).toEqual(expected);
      expect(new Set(seen).size).toBe(7);
    },
  ],
  [
    'transition moves only from an expected state and records from and to',
    async ({ docs }) => {
      const d = await docs.create(newDoc(sourceOf()));
      expect(await docs.transition(d.id, ['processing'], 'auto_approved')).toBe(false);
      expect((await docs.get(d.id))!.status).toBe('received');
      expect(await docs.transition(d.id, ['received'], 'processing', { actor: 'worker' })).toBe(true);
      // The wrong round is refused too.
      expect(await docs.transition(d.id, ['processing'], 'needs_review', { round: 2 })).toBe(false);
      expect(
        await docs.transition(d.id, ['processing'], 'failed', {
          reason: 'corrupt',
          round: 1,
          set: { errorCode: 'corrupt_file', errorMessage: 'The PDF is damaged.' },
        }),
      ).toBe(true);
      const got = await docs.get(d.id);
      expect(got).toMatchObject({ status: 'failed', errorCode: 'corrupt_file' });
      expect(await docs.transition('doc_nosuchdocument0000', ['received'], 'processing')).toBe(false);
      const events = (await docs.events(d.id)).map((e) => [e.fromStatus, e.toStatus, e.actor, e.reason]);
      expect(events).toEqual([
        [null, 'received', null, null],
        ['received', 'processing', 'worker', null],
        ['processing', 'failed', null, 'corrupt'],
      ]);
    },
  ],
  [
    'saveResult keeps every version and copies the filter fields from the latest',
    async ({ docs }) => {
      const d = await docs.create(newDoc(sourceOf()));
      expect(await docs.saveResult(d.id, resultWith('Acme', '100.10'), 'extraction', null, {})).toBe(1);
      expect(await docs.saveResult(d.id, resultWith('Acme Corp', '100.20'), 'correction', 'ana', {})).toBe(2);
      const latest = await docs.latestResult(d.id);
      expect(latest!.version).toBe(2);
      expect(latest!.result.fields.totalAmount!.value).toBe('100.20');
      expect((await docs.firstResult(d.id))!.fields.totalAmount!.value).toBe('100.10');
      expect(await docs.get(d.id)).toMatchObject({
        vendorName: 'Acme Corp',
        totalAmount: '100.20',
        currency: 'USD',
        route: 'auto',
        documentType: 'invoice',
      });
    },
  ],
  [
    'history finds documents already read with the same bytes or vendor and number, not failed or unread ones',
    async ({ docs, clock }) => {
      const source = sourceOf();
      const sha = 'f'.repeat(60) + String(seq).padStart(4, '0');
      const read = (id: string, to: 'auto_approved' | 'needs_review') =>
        docs.transition(id, ['received'], to, {
          set: { processedAt: clock.now(), firstReadAt: clock.now() },
        });
      clock.advance(1000);
      const first = await docs.create(newDoc(source, sha));
      await read(first.id, 'auto_approved');
      clock.advance(1000);
      const failed = await docs.create(newDoc(source, sha));
      await docs.transition(failed.id, ['received'], 'failed');
      const unread = await docs.create(newDoc(source, sha));
      clock.advance(1000);
      const sameNumber = await docs.create(newDoc(source, '9'.repeat(64)));
      await docs.saveResult(sameNumber.id, resultWith('V', '1.00'), 'extraction', null, {
        vendorKey: `vk${seq}`,
        invoiceNumberKey: 'N1',
      });
      await read(sameNumber.id, 'needs_review');
      clock.advance(1000);
      const later = await docs.create(newDoc(source, sha));
      const seenBy = async (id: string, vendorKey?: string, number?: string, readBefore?: Date | null) =>
        (await docs.history(id, sha, vendorKey, number, readBefore)).map((h) => h.id);
      expect(await seenBy(later.id)).toEqual([first.id]);
      expect(await seenBy(later.id, `vk${seq}`, 'N1')).toEqual([first.id, sameNumber.id]);
      expect(await seenBy(unread.id)).toEqual([first.id]);
      // In the order readings finished: a document read later counts, unless only earlier ones are asked for.
      const firstReadAt = (await docs.get(first.id))!.firstReadAt;
      expect(await seenBy(first.id, `vk${seq}`, 'N1')).toEqual([sameNumber.id]);
      expect(await seenBy(first.id, `vk${seq}`, 'N1', firstReadAt)).toEqual([]);
      const [entry] = await docs.history(later.id, sha);
      expect(entry).toMatchObject({ id: first.id, file: 'invoice.pdf', sha256: sha });
    },
  ],
  [
    'unfinished lists received and processing documents untouched for a while',
    async ({ docs, clock }) => {
      clock.advance(3600_000);
      const stale = await docs.create(newDoc(sourceOf()));
      const done = await docs.create(newDoc(sourceOf()));
      await docs.transition(done.id, ['received'], 'auto_approved');
      clock.advance(120_000);
      const fresh = await docs.create(newDoc(sourceOf()));
      const ids = (await docs.unfinished(new Date(clock.now().getTime() - 60_000))).map((d) => d.id);
      expect(ids).toContain(stale.id);
      expect(ids).not.toContain(done.id);
      expect(ids).not.toContain(fresh.id);
    },
  ],
  [
    'audit events are append-only: update and delete are refused',
    async ({ db }) => {
      const [row] = await db.query<{ id: number }>(
        `insert into audit_events (document_id, actor, action, field, before, after)
         values ('doc_a', 'ana', 'correct', 'totalAmount', '"1.00"', '"2.00"') returning id`,
      );
      expect(typeof row!.id).toBe('number');
      await expect(
        db.query('update audit_events set actor = $1 where id = $2', ['eve', row!.id]),
      ).rejects.toThrow(/audit events cannot be changed or deleted/);
      await expect(db.query('delete from audit_events where id = $1', [row!.id])).rejects.toThrow(
        /audit events cannot be changed or deleted/,
      );
      const [after] = await db.query('select actor from audit_events where id = $1', [row!.id]);
      expect(after!.actor).toBe('ana');
    },
  ],
  [
    'int8 comes back as a number and numeric as exact text, on both engines',
    async ({ db }) => {
      const [r] = await db.query(
        `select count(*) as n, 9007199254740991::int8 as big, 1234567890123.10::numeric as money,
           0.1::numeric + 0.2::numeric as sum, 42::int4 as small`,
      );
      expect(r).toEqual({ n: 1, big: 9007199254740991, money: '1234567890123.10', sum: '0.3', small: 42 });
    },
  ],
  [
    'a transaction that throws leaves nothing behind',
    async ({ db, docs }) => {
      const source = sourceOf();
      await expect(
        db.transaction(async (tx) => {
          await tx.query(
            `insert into documents (id, sha256, file_name, media_type, size_bytes, source, status)
             values ('doc_rolledback000000000', 'x', 'x.pdf', 'application/pdf', 1, $1, 'received')`,
            [source],
          );
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await docs.list({ source, limit: 5 })).toEqual([]);
    },
  ],
];

const ENGINES = [
  {
    name: 'PGlite',
    open: async () => ({ db: await openDatabase({}), drop: async () => {} }),
  },
  {
    name: 'PostgreSQL',
    open: async () => {
      const pg = await freshPostgres();
      try {
        return { db: await openDatabase({ url: pg.url, poolSize: 3 }), drop: pg.drop };
      } catch (e) {
        await pg.drop();
        throw e;
      }
    },
  },
];

describe.each(ENGINES)('storage on $name', ({ open }) => {
  let env: Env;
  let drop: () => Promise<void> = async () => {};
  beforeAll(async () => {
    const opened = await open();
    drop = opened.drop;
    const clock = new ManualClock();
    env = { db: opened.db, clock, docs: new DocumentsRepository(opened.db, clock) };
    expect(await migrate(env.db)).toEqual(MIGRATIONS);
  });
  afterAll(async () => {
    await env?.db.close();
    await drop();
  });

  it.each(CASES)('%s', async (_name, run) => {
    await run(env);
  });
});
