// The PDF pre-scan: bombs are refused before pdf.js sees them, in a fraction of a second, with a sentence naming
// the limit; every real document in the repository passes, untouched.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPdfReader } from '../../src/adapters/pdf.ts';
import { checkPdfCost, countOperators } from '../../src/adapters/pdf-budget.ts';
import { DocumentError } from '../../src/pipeline/errors.ts';
import { DEFAULT_LIMITS } from '../../src/pipeline/ports.ts';
import { hostileCases, onePagePdf, pdfOf, streamOf } from '../support/hostile-inputs.ts';

const ROOT = join(import.meta.dirname, '../..');
const hostile = new Map(hostileCases().map((c) => [c.file, c]));

function refusal(bytes: Uint8Array, limits = DEFAULT_LIMITS): DocumentError | undefined {
  try {
    checkPdfCost(bytes, limits);
    return undefined;
  } catch (e) {
    if (e instanceof DocumentError) return e;
    throw e;
  }
}

describe('the PDF pre-scan', () => {
  it.each([
    ['operator-bomb.pdf', /more than 250,000 drawing operators/],
    ['operator-bomb-split.pdf', /more than 250,000 drawing operators/],
    ['inflation-bomb.pdf', /inflates to more than 64 MB/],
    ['truncated-bomb.pdf', /more than 250,000 drawing operators/],
  ])('refuses %s within a second, naming the limit', (file, message) => {
    const bytes = hostile.get(file)!.bytes();
    const t = performance.now();
    const error = refusal(bytes);
    expect(performance.now() - t).toBeLessThan(1000);
    expect(error?.code).toBe('processing_limit');
    expect(error?.message).toMatch(message);
  });

  it('lets every sample and fixture PDF through', () => {
    const pdfs = [
      ...readdirSync(join(ROOT, 'samples'))
        .filter((f) => f.endsWith('.pdf'))
        .map((f) => join(ROOT, 'samples', f)),
      ...['digital-invoice.pdf', 'scanned-invoice.pdf'].map((f) => join(ROOT, 'tests/fixtures', f)),
    ];
    expect(pdfs.length).toBeGreaterThan(10);
    for (const file of pdfs) expect(refusal(readFileSync(file)), file).toBeUndefined();
  });

  it('follows the limits it is given', () => {
    const page = onePagePdf(Buffer.from('1 1 m 2 2 l S '.repeat(1000)));
    expect(refusal(page)).toBeUndefined();
    expect(refusal(page, { ...DEFAULT_LIMITS, maxOperatorsPerPage: 2000 })?.message).toMatch(/2,000 drawing/);
    const big = onePagePdf(Buffer.alloc(3 * 1048576, 0x20));
    expect(refusal(big)).toBeUndefined();
    expect(refusal(big, { ...DEFAULT_LIMITS, maxStreamBytes: 1048576 })?.message).toMatch(/more than 1 MB/);
  });

  it('leaves image streams to their pixel limit, which pdf.js checks before decoding', () => {
    const pixels = Buffer.alloc(3000 * 3000 * 3, 0xff);
    const image = streamOf(
      '/Type /XObject /Subtype /Image /Width 3000 /Height 3000 /BitsPerComponent 8',
      pixels,
    );
    const pdf = pdfOf([
      '<< /Type /Catalog /Pages 2 0 R >>',
      '<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 595 842] >>',
      '<< /Type /Page /Parent 2 0 R /Resources << /XObject << /Im1 4 0 R >> >> >>',
      image,
    ]);
    expect(refusal(pdf, { ...DEFAULT_LIMITS, maxStreamBytes: 1048576 })).toBeUndefined();
  });

  it('counts operators, not the numbers, names, strings and inline image data between them', () => {
    expect(countOperators(Buffer.from('BT /F1 12 Tf (a (nested) Tj string) Tj ET'))).toBe(4);
    expect(countOperators(Buffer.from('q 1 0 0 1 0 0 cm BI /W 2 /H 2 ID \x00m\x01l EI Q'))).toBe(4);
    expect(countOperators(Buffer.from('[<414243> 12 (x)] TJ % a comment with words\n true false null'))).toBe(
      1,
    );
  });

  it('answers through the PDF reader, before pdf.js parses the file', async () => {
    const reader = createPdfReader();
    const t = performance.now();
    const error = await reader.open(hostile.get('operator-bomb.pdf')!.bytes(), DEFAULT_LIMITS).then(
      () => undefined,
      (e: unknown) => e as DocumentError,
    );
    expect(error?.code).toBe('processing_limit');
    expect(performance.now() - t).toBeLessThan(2000);
  });
});
