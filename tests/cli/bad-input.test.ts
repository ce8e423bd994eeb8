// Every kind of bad input a user can hand `retaguarda process` gets its own code and message; none crashes
// the run, and the other documents of the batch are still read.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DocumentFailure, DocumentResult } from '../../src/contract/result.ts';
import { type BadInputCase, badInputCases, writeGeneratedBadInputs } from '../support/bad-inputs.ts';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, '../../bin/retaguarda.js');
const BAD = join(import.meta.dirname, '../fixtures/bad');
let dir: string;

async function processFiles(files: string[], extra: string[] = []) {
  try {
    const { stdout, stderr } = await run('node', [CLI, 'process', '--json', ...extra, ...files], {
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

const lines = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as DocumentResult | DocumentFailure);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'retaguarda-bad-'));
  await writeGeneratedBadInputs(dir);
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('retaguarda process on bad input', () => {
  const cases: BadInputCase[] = [
    ...badInputCases(() => dir),
    ['a missing file', () => join(dir, 'nope.pdf'), ['not_found']],
  ];

  // One run over every bad file: each still gets its own line, in argument order.
  let batch: { code: number; results: (DocumentResult | DocumentFailure)[] };
  beforeAll(async () => {
    const { code, stdout } = await processFiles(cases.map(([, file]) => file()));
    batch = { code, results: lines(stdout) };
  }, 180_000);

  it('exits non-zero with one line per file', () => {
    expect(batch.code).toBe(1);
    expect(batch.results.map((r) => r.file)).toEqual(cases.map(([, file]) => file()));
  });

  it.each(cases.map((c, i) => [c[0], i, c[2]] as const))(
    '%s gets its own error code and a readable message',
    (_name, i, codes) => {
      const failure = DocumentFailure.parse(batch.results[i]);
      expect(codes).toContain(failure.error.code);
      expect(failure.error.message.length).toBeGreaterThan(10);
    },
  );

  it('a corrupt JPEG neither crashes nor hangs the run, and the next file is still read', async () => {
    const { stdout } = await processFiles([join(dir, 'corrupt.jpg'), join(BAD, 'empty.pdf')]);
    const results = lines(stdout);
    expect(results).toHaveLength(2);
    expect(results[0]!.file).toBe(join(dir, 'corrupt.jpg'));
    // Either refused with a reason, or read as the (blank) picture it still decodes to.
    if ('error' in results[0]!) expect(results[0].error.code).toBe('corrupt_file');
    else expect(DocumentResult.parse(results[0]).pages).toBe(1);
    expect(results[1]).toMatchObject({ error: { code: 'empty_file' } });
  });

  it('a batch with one bad file reads the others, keeps argument order and exits non-zero', async () => {
    const good = join(import.meta.dirname, '../fixtures/digital-invoice.pdf');
    const { code, stdout, stderr } = await processFiles([good, join(BAD, 'encrypted.pdf'), good]);
    expect(code).toBe(1);
    const results = lines(stdout);
    expect(results.map((r) => ('error' in r ? r.error.code : r.documentType))).toEqual([
      'invoice',
      'encrypted_pdf',
      'invoice',
    ]);
    expect(DocumentResult.parse(results[0]).file).toBe(good);
    // More than one file: a progress bar on stderr.
    expect(stderr).toMatch(/3\/3 documents/);
    expect((await readFile(good)).length).toBeGreaterThan(0);
  });
});
