// The reading processes' budget, as a document would meet it: over its time or memory it fails with
// `processing_limit` and a sentence naming the limit, the process is replaced and the next document is read;
// a process left heavy by a document is recycled, and its memory given back.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReadingPool, type ReadingPool, type TaskReport } from '../../src/reading/reading-pool.ts';
import { hostileCases } from '../support/hostile-inputs.ts';

const DIGITAL = join(import.meta.dirname, '../../samples/invoice-en-digital.pdf');
let dir: string;
const hostile = new Map(hostileCases().map((c) => [c.file, c]));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rtg-pool-'));
  for (const file of ['operator-bomb.pdf', 'inflation-bomb.pdf'])
    await writeFile(join(dir, file), hostile.get(file)!.bytes());
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function pool(
  options: Partial<Parameters<typeof createReadingPool>[0]>,
  reports: TaskReport[] = [],
): ReadingPool {
  return createReadingPool({
    languages: ['eng'],
    ocrPoolSize: 1,
    concurrency: 1,
    secondLook: false,
    onReport: (r) => reports.push(r),
    ...options,
  });
}

describe('the reading budget', () => {
  it('stops a document over its time, says so, and reads the next one in a new process', async () => {
    const reports: TaskReport[] = [];
    // The pre-scan's operator limit raised, so that only the clock holds the bomb.
    const p = pool({ budget: { secondsPerPage: 2 }, limits: { maxOperatorsPerPage: 100_000_000 } }, reports);
    try {
      const t = performance.now();
      const { result: r } = await p.read({
        path: join(dir, 'operator-bomb.pdf'),
        file: 'operator-bomb.pdf',
        id: 'doc_bomb',
      });
      expect(performance.now() - t).toBeLessThan(5000 + 15_000); // its 2 s, after the process starts
      expect(r).toMatchObject({ id: 'doc_bomb', error: { code: 'processing_limit' } });
      expect('error' in r && r.error.message).toMatch(/longer than its time limit \(2 s for 1 page/);
      expect(reports.at(-1)?.overBudget).toBe('time');
      const { result: next } = await p.read({ path: DIGITAL, file: 'invoice.pdf' });
      expect('error' in next ? next.error : next.documentType).toBe('invoice');
    } finally {
      await p.close();
    }
  }, 60_000);

  it('stops a document over its memory, says so, and reads the next one', async () => {
    const reports: TaskReport[] = [];
    // The stream ceiling raised to 2 GB, so that the 1 GiB inflation runs into the memory limit instead.
    const p = pool({ budget: { memoryMb: 700 }, limits: { maxStreamBytes: 2 * 1024 * 1048576 } }, reports);
    try {
      const { result: r } = await p.read({
        path: join(dir, 'inflation-bomb.pdf'),
        file: 'inflation-bomb.pdf',
      });
      expect('error' in r && r.error).toMatchObject({ code: 'processing_limit' });
      expect('error' in r && r.error.message).toMatch(/more memory than its limit \(700 MB\)/);
      expect(reports.at(-1)?.overBudget).toBe('memory');
      expect(reports.at(-1)?.peakRssMb).toBeLessThan(700 + 400);
      const { result: next } = await p.read({ path: DIGITAL, file: 'invoice.pdf' });
      expect('error' in next ? next.error : next.documentType).toBe('invoice');
    } finally {
      await p.close();
    }
  }, 60_000);

  it('replaces a process after its number of documents, and one left above its memory mark after each', async () => {
    const counted = pool({ budget: { recycleAfterDocuments: 2, recycleAboveMb: 0 } });
    const heavy = pool({ budget: { recycleAfterDocuments: 0, recycleAboveMb: 64 } });
    try {
      const read = async (p: ReadingPool) => {
        const { result: r } = await p.read({ path: DIGITAL, file: 'invoice.pdf' });
        expect('error' in r ? r.error : r.documentType).toBe('invoice');
      };
      await read(counted);
      const first = counted.pids();
      await read(counted);
      await read(counted);
      expect(counted.pids()).not.toEqual(first);
      // Every reading process holds more than 64 MB once pdf.js is loaded: each document gets a fresh one.
      await read(heavy);
      const before = heavy.pids();
      await read(heavy);
      expect(heavy.pids()).not.toEqual(before);
    } finally {
      await Promise.all([counted.close(), heavy.close()]);
    }
  }, 120_000);

  it('reads a document whose process is killed under it in the waiting spare at once, and keeps a spare', async () => {
    const p = pool({ spares: 1 });
    try {
      await p.read({ path: DIGITAL, file: 'invoice.pdf' });
      const waitForSpare = async () => {
        for (let i = 0; i < 300 && p.pids().length < 2; i++) await new Promise((r) => setTimeout(r, 100));
      };
      await waitForSpare();
      const [spare, working] = p.pids();
      const reading = p.read({ path: DIGITAL, file: 'invoice.pdf' });
      process.kill(working!, 'SIGKILL');
      const { result: r } = await reading;
      expect('error' in r ? r.error : r.documentType).toBe('invoice');
      // The spare took the killed process's place, and a new spare waits in its own.
      await waitForSpare();
      const after = p.pids();
      expect(after.at(-1)).toBe(spare);
      expect(after).toHaveLength(2);
      expect(after).not.toContain(working);
      // A spare that dies while waiting is replaced too.
      process.kill(after[0]!, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 300));
      await waitForSpare();
      expect(p.pids()).toHaveLength(2);
      expect(p.pids()).not.toContain(after[0]);
    } finally {
      await p.close();
    }
  }, 120_000);
});
