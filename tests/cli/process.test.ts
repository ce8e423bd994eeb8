// `retaguarda process` as a user runs it: folders, the readable summary and NDJSON.
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DocumentResult } from '../../src/contract/result.ts';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, '../../bin/retaguarda.js');
const SAMPLES = join(import.meta.dirname, '../../samples');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'retaguarda-cli-'));
  await copyFile(join(SAMPLES, 'invoice-pt-digital.pdf'), join(dir, 'b-fatura.pdf'));
  await copyFile(join(SAMPLES, 'invoice-es-digital.pdf'), join(dir, 'a-factura.PDF'));
  await writeFile(join(dir, 'notes.json'), '{}');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('retaguarda process', () => {
  it('reads the documents of a folder in name order as NDJSON, skipping files that are not documents', async () => {
    const { stdout } = await run('node', [CLI, 'process', '--json', '--no-progress', dir]);
    const results = stdout
      .trim()
      .split('\n')
      .map((l) => DocumentResult.parse(JSON.parse(l)));
    expect(results.map((r) => r.file)).toEqual([join(dir, 'a-factura.PDF'), join(dir, 'b-fatura.pdf')]);
    expect(results.map((r) => [r.language, r.fields.currency?.value])).toEqual([
      ['es', 'EUR'],
      ['pt', 'BRL'],
    ]);
    expect(results[1]!.fields.totalAmount?.value).toBe('837.80');
  });

  it('prints a readable summary without --json', async () => {
    const { stdout, stderr } = await run('node', [CLI, 'process', join(dir, 'b-fatura.pdf')]);
    expect(stdout).toContain(join(dir, 'b-fatura.pdf'));
    expect(stdout).toMatch(/invoice · pt · 1 page/);
    expect(stdout).toMatch(/totalAmount\s+837\.80/);
    expect(stdout).toMatch(/vendorTaxId\s+11\.222\.333\/0001-81/);
    expect(stdout).toMatch(/line items \(5\)/);
    // One file: no progress bar.
    expect(stderr).not.toMatch(/documents/);
  });
});
