// `retaguarda process --memory` as a user runs it: a memory file exported after one correction names the vendor
// of the layout's next document.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GeneratedInvoice, generateInvoices } from '../../scripts/invoices/generate.ts';
import type { Fields } from '../../src/contract/result.ts';
import { learnFromReview } from '../../src/pipeline/extract/memory/learn.ts';
import { VendorMemory } from '../../src/pipeline/extract/memory/memory.ts';
import { createReader } from '../../src/reading/read-document.ts';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, '../../bin/retaguarda.js');
let dir: string;
let docs: GeneratedInvoice[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'retaguarda-memory-'));
  // An issuer whose layout (the summary first) the reader misreads the vendor of.
  docs = (await generateInvoices({ seed: 9199, count: 2, delivery: 'digital', vendors: 1 })).documents;
  const reader = createReader({ secondLook: false, ocrPoolSize: 1 });
  const { result, layout } = await reader.readWithLayout({ bytes: docs[0]!.bytes, file: 'first.pdf' });
  await reader.close();
  if ('error' in result || !layout) throw new Error('the first invoice could not be read');
  const truth = docs[0]!.truth.fields;
  const fields: Fields = {
    ...result.fields,
    vendorName: { value: truth.vendorName!, confidence: 1, page: 1, bbox: [0, 0, 0, 0] },
  };
  const memory = new VendorMemory();
  const learned = learnFromReview(memory, {
    documentId: 'doc_first',
    layout,
    fields,
    corrected: ['vendorName'],
    vendorKey: 'name:the issuer',
    source: { actor: 'usr_ana', actorName: 'Ana', at: '2026-12-03T10:00:00.000Z', how: 'correction' },
  });
  memory.put(learned.layout);
  await writeFile(join(dir, 'memory.json'), JSON.stringify(memory.toFile()));
  await writeFile(join(dir, 'second.pdf'), docs[1]!.bytes);
  await writeFile(join(dir, 'bad.json'), '{"layouts": 3}');
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('retaguarda process --memory', () => {
  it('reads the next invoice of the layout with the vendor a reviewer gave', async () => {
    const read = async (...extra: string[]) => {
      const { stdout } = await run('node', [
        CLI,
        'process',
        '--json',
        '--no-progress',
        ...extra,
        join(dir, 'second.pdf'),
      ]);
      return JSON.parse(stdout);
    };
    const vendor = docs[1]!.truth.fields.vendorName;
    expect((await read()).fields.vendorName?.value).not.toBe(vendor);
    const withMemory = await read('--memory', join(dir, 'memory.json'));
    expect(withMemory.fields.vendorName.value).toBe(vendor);
    expect(withMemory.fields.vendorName.learned).toMatchObject({ corrections: 1, lastBy: 'Ana' });
  });

  it('refuses a file that is not a memory file before reading anything', async () => {
    const failed = await run('node', [
      CLI,
      'process',
      '--memory',
      join(dir, 'bad.json'),
      join(dir, 'second.pdf'),
    ]).catch((e: { code: number; stderr: string }) => e);
    expect(failed).toMatchObject({ code: 2 });
    expect((failed as { stderr: string }).stderr).toContain('not a vendor memory file');
  });
});
