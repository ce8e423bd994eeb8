// Golden test: every sample in samples/ read through the real pipeline (pdf.js, sharp, tesseract.js) and
// compared with its expected JSON.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listSamples, loadExpected } from '../../scripts/sample-spec.ts';
import { type DocumentFailure, Extraction } from '../../src/contract/result.ts';
import { type FieldScore, scoreFields, scoreLineItems } from '../../src/evaluation/score.ts';
import { createReader, type DocumentReader } from '../../src/reading/read-document.ts';

const SAMPLES = join(import.meta.dirname, '../../samples');
const samples = listSamples(SAMPLES);
let reader: DocumentReader;
const results = new Map<string, Extraction | DocumentFailure>();

beforeAll(async () => {
  reader = createReader();
  // Concurrently, as `retaguarda process` does: OCR pages share the pool.
  await Promise.all(
    samples.map(async (s) =>
      results.set(s.file, await reader.read({ bytes: await readFile(s.path), file: s.file })),
    ),
  );
}, 600_000);

afterAll(async () => {
  await reader.close();
});

describe('samples', () => {
  const allScores: FieldScore[] = [];

  it.each(samples.map((s) => [s.file, s] as const))('%s: type, language and pages', (_file, s) => {
    const expected = loadExpected(s.expectedPath);
    const result = Extraction.parse(results.get(s.file));
    expect({ documentType: result.documentType, language: result.language, pages: result.pages }).toEqual({
      documentType: expected.documentType,
      language: expected.language,
      pages: expected.pages,
    });
    const scores = [
      ...scoreFields(expected.fields, result.fields),
      ...scoreLineItems(expected.lineItems, result.lineItems),
    ];
    allScores.push(...scores.map((x) => ({ ...x, field: `${s.file}: ${x.field}` })));
    // Every field that was found has a box on a real page.
    for (const field of Object.values(result.fields)) {
      if (!field) continue;
      expect(field.page).toBeLessThanOrEqual(result.pages);
      expect(field.bbox[2]).toBeGreaterThan(field.bbox[0]);
      expect(field.bbox[3]).toBeGreaterThan(field.bbox[1]);
    }
  });

  // The goal is 98%; the pipeline reads 98.8% today (650/658; the misses are single OCR character slips). It
  // read 99.1% with every page in all three languages at once: reading each page in its own language traded two
  // slips on the samples (an English receipt's "3.95" read "3:99", "FPS50" read "FPSSO") for six more right
  // totals in a hundred real receipts and half their OCR time. This guards what is reached.
  const REACHED = 0.985;

  it(`reads at least ${REACHED * 100}% of the expected fields and line-item cells right (goal 98%)`, () => {
    const right = allScores.filter((x) => x.ok).length;
    const misses = allScores
      .filter((x) => !x.ok)
      .map((x) => `${x.field}: expected ${x.expected}, got ${x.got}`);
    expect(allScores.length).toBeGreaterThan(100);
    expect(right / allScores.length, misses.join('\n')).toBeGreaterThanOrEqual(REACHED);
  });

  it('digital PDFs are read from their text layer, every field right', () => {
    for (const s of samples.filter((x) => x.file.includes('digital'))) {
      const result = Extraction.parse(results.get(s.file));
      const misses = scoreFields(loadExpected(s.expectedPath).fields, result.fields).filter((x) => !x.ok);
      expect(misses, s.file).toEqual([]);
      expect(result.timings.ocrMs, s.file).toBe(0);
    }
  });
});
