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

  it('judges by the vendors and purchase-orders files: a changed bank account, a quantity billed beyond receipt', async () => {
    const ubl = join(import.meta.dirname, '../fixtures/einvoice/ubl-invoice.xml');
    await writeFile(
      join(dir, 'vendors.yaml'),
      [
        'vendors:',
        '  - names: [Nordlicht Bürotechnik GmbH]',
        '    taxIds: [DE136695976]',
        '    bankAccounts: ["DE02 1203 0000 0000 2020 51"]',
      ].join('\n'),
    );
    await writeFile(
      join(dir, 'pos.yaml'),
      [
        'purchaseOrders:',
        '  - number: PO-77812',
        '    vendorTaxId: DE136695976',
        '    lines:',
        '      - { description: Laser toner cartridge, quantity: 4, unitPrice: "62.50", received: 4 }',
        '      - { description: Copy paper A4, quantity: 2500, unitPrice: "0.009", received: 2500 }',
        '      - { description: Printed manual, quantity: 3, unitPrice: "12.00", received: 1 }',
      ].join('\n'),
    );
    const { stdout } = await run('node', [
      CLI,
      'process',
      '--json',
      '--no-progress',
      '--vendors',
      join(dir, 'vendors.yaml'),
      '--pos',
      join(dir, 'pos.yaml'),
      ubl,
    ]).catch((e: { stdout: string }) => e);
    const result = DocumentResult.parse(JSON.parse(stdout));
    expect(result.review?.reasons).toEqual(expect.arrayContaining(['bank_details_changed', 'po_mismatch']));
    expect(result.validation.issues.map((i) => i.message)).toContain(
      'Line 3 ("Printed manual "Toner & Care"") bills 3, but only 1 of the 3 ordered on purchase order PO-77812 line 3 were received.',
    );
  });
});
