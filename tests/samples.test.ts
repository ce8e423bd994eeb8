// Every sample in samples/ has a valid expected JSON whose arithmetic adds up, valid tax IDs, and the
// page count its file really has.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PDFDocument } from 'pdf-lib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { arithmeticProblems, listSamples, loadExpected } from '../scripts/sample-spec.ts';
import { isValidTaxId } from '../scripts/samples/tax-ids.ts';

const SAMPLES_DIR = resolve(import.meta.dirname, '..', 'samples');
const samples = listSamples(SAMPLES_DIR);

async function pageCount(path: string): Promise<number> {
  const bytes = readFileSync(path);
  if (path.endsWith('.pdf')) return (await PDFDocument.load(bytes, { updateMetadata: false })).getPageCount();
  return (await sharp(bytes).metadata()).pages ?? 1;
}

describe('samples', () => {
  it('has the whole set: invoices and receipts in en, pt and es', () => {
    const expected = samples.map((s) => loadExpected(s.expectedPath));
    expect(samples.length).toBeGreaterThanOrEqual(16);
    for (const language of ['en', 'pt', 'es'] as const) {
      for (const documentType of ['invoice', 'receipt'] as const) {
        expect(expected.some((e) => e.language === language && e.documentType === documentType)).toBe(true);
      }
    }
  });

  describe.each(samples)('$file', ({ file, path, expectedPath }) => {
    const expected = loadExpected(expectedPath);

    it('names its own file', () => {
      expect(expected.file).toBe(file);
    });

    it('adds up: qty × unit price, lines to subtotal, subtotal + tax to total', () => {
      expect(arithmeticProblems(expected)).toEqual([]);
    });

    it('prints valid tax IDs', () => {
      for (const taxId of [expected.fields.vendorTaxId, expected.fields.customerTaxId]) {
        if (taxId !== undefined) expect(isValidTaxId(taxId), taxId).toBe(true);
      }
    });

    it('has the page count it claims', async () => {
      expect(await pageCount(path)).toBe(expected.pages);
    });
  });
});

describe('arithmeticProblems', () => {
  const base = loadExpected(join(SAMPLES_DIR, 'invoice-pt-digital.expected.json'));

  it('reports a total that does not match subtotal + tax', () => {
    const wrong = { ...base, fields: { ...base.fields, totalAmount: '1.00' } };
    expect(arithmeticProblems(wrong)).not.toEqual([]);
  });

  it('reports a line whose amount is not quantity × unit price', () => {
    const [first, ...rest] = base.lineItems;
    const wrong = { ...base, lineItems: [{ ...first!, amount: '0.01' }, ...rest] };
    expect(arithmeticProblems(wrong).length).toBeGreaterThan(0);
  });
});
