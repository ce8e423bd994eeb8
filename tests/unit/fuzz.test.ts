// Property-based fuzzing of the entry points a file goes through (fast-check, bounded in runs and time): PDFs,
// e-invoice XML and images, mutated at random from real samples. Whatever the bytes, each is read or refused with
// a known code; nothing throws another kind of error, crashes a reading process or runs past its budget.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createImageDecoder } from '../../src/adapters/image.ts';
import { checkPdfCost } from '../../src/adapters/pdf-budget.ts';
import { ErrorCode } from '../../src/contract/result.ts';
import { DocumentError } from '../../src/pipeline/errors.ts';
import { DEFAULT_LIMITS } from '../../src/pipeline/ports.ts';
import { createReader } from '../../src/reading/read-document.ts';
import { createReadingPool } from '../../src/reading/reading-pool.ts';

const ROOT = join(import.meta.dirname, '../..');
const sample = (file: string) => readFileSync(join(ROOT, file));
const SEED = Number(process.env.FUZZ_SEED ?? 20261203);

/** A file mutated: bytes overwritten, a run cut out, a run repeated, or cut short. */
function mutated(original: Buffer) {
  const at = fc.nat({ max: original.length - 1 });
  const edit = fc.oneof(
    fc.record({
      kind: fc.constant('set' as const),
      at,
      bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
    }),
    fc.record({ kind: fc.constant('cut' as const), at, length: fc.integer({ min: 1, max: 512 }) }),
    fc.record({
      kind: fc.constant('repeat' as const),
      at,
      length: fc.integer({ min: 1, max: 64 }),
      times: fc.integer({ min: 2, max: 200 }),
    }),
    fc.record({ kind: fc.constant('truncate' as const), at }),
  );
  return fc.array(edit, { minLength: 1, maxLength: 4 }).map((edits) => {
    let b = Buffer.from(original);
    for (const e of edits) {
      const i = Math.min(e.at, b.length);
      if (e.kind === 'set')
        b = Buffer.concat([b.subarray(0, i), Buffer.from(e.bytes), b.subarray(i + e.bytes.length)]);
      else if (e.kind === 'cut') b = Buffer.concat([b.subarray(0, i), b.subarray(i + e.length)]);
      else if (e.kind === 'repeat') {
        const run = b.subarray(i, i + e.length);
        b = Buffer.concat([b.subarray(0, i), ...Array.from({ length: e.times }, () => run), b.subarray(i)]);
      } else b = b.subarray(0, i);
    }
    return b;
  });
}

const KNOWN = new Set<string>(ErrorCode.options);

const reader = createReader({ languages: ['eng'], ocrPoolSize: 1, secondLook: false });
afterAll(() => reader.close());

describe('fuzzing the entry points', () => {
  it('the PDF pre-scan answers every mutated PDF quickly, with nothing but its own refusal', () => {
    const pdfs = ['samples/invoice-en-multipage.pdf', 'samples/invoice-pt-digital.pdf'].map(sample);
    fc.assert(
      fc.property(fc.constantFrom(...pdfs).chain(mutated), (bytes) => {
        const t = performance.now();
        try {
          checkPdfCost(bytes, DEFAULT_LIMITS);
        } catch (e) {
          expect(e).toBeInstanceOf(DocumentError);
          expect((e as DocumentError).code).toBe('processing_limit');
        }
        expect(performance.now() - t).toBeLessThan(1000);
      }),
      { numRuns: 300, seed: SEED },
    );
  });

  it('e-invoice XML: every mutation is read or refused with a known code', async () => {
    const xmls = ['ubl-invoice.xml', 'cii-xrechnung.xml', 'facturae-3.2.2.xml'].map((f) =>
      sample(`tests/fixtures/einvoice/${f}`),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...xmls).chain(mutated), async (bytes) => {
        const r = await reader.read({ bytes, file: 'fuzz.xml' });
        if ('error' in r) expect(KNOWN.has(r.error.code), r.error.code).toBe(true);
        else expect(r.pages).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: 150, seed: SEED, interruptAfterTimeLimit: 20_000 },
    );
  }, 60_000);

  it('images: every mutation decodes or is refused with a DocumentError', async () => {
    const decoder = createImageDecoder();
    const images = ['samples/receipt-pt-lowres.jpg', 'samples/invoice-pt-scan-2p.tiff'].map(sample);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...images).chain(mutated), async (bytes) => {
        const pages = await decoder.decode(bytes, DEFAULT_LIMITS).catch((e: unknown) => {
          expect(e).toBeInstanceOf(DocumentError);
          return [];
        });
        expect(pages.length).toBeLessThanOrEqual(DEFAULT_LIMITS.maxPages);
      }),
      { numRuns: 120, seed: SEED, interruptAfterTimeLimit: 20_000 },
    );
  }, 60_000);

  it('whole readings of mutated PDFs in a reading process end within their budget, read or with a known code', async () => {
    const { mkdtemp, rm, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(join(tmpdir(), 'rtg-fuzz-'));
    const pool = createReadingPool({
      languages: ['eng'],
      ocrPoolSize: 1,
      concurrency: 1,
      secondLook: false,
      budget: { secondsPerPage: 5 },
    });
    let n = 0;
    try {
      const pdfs = ['samples/invoice-en-digital.pdf', 'samples/receipt-es-digital.pdf'].map(sample);
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...pdfs).chain(mutated), async (bytes) => {
          const path = join(dir, `${n++}.pdf`);
          await writeFile(path, bytes);
          const t = performance.now();
          const { result: r } = await pool.read({ path, file: 'fuzz.pdf' });
          if ('error' in r) expect(KNOWN.has(r.error.code), r.error.code).toBe(true);
          expect(performance.now() - t).toBeLessThan(5000 * DEFAULT_LIMITS.maxPages + 10_000);
        }),
        { numRuns: 25, seed: SEED, interruptAfterTimeLimit: 40_000 },
      );
    } finally {
      await pool.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
