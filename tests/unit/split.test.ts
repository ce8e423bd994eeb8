// Splitting a batch into its documents: generated invoices merged into one PDF, read by the real reader (text
// layer and codes), cut by the splitter where a person would cut them.
import { PDFDocument } from 'pdf-lib';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import {
  buildBatch,
  damagePage,
  damageTiffFrame,
  scrambleContentStream,
  separatorSheetPdf,
  tiffOf,
} from '../../scripts/invoices/batches.ts';
import type { Layout } from '../../src/pipeline/layout.ts';
import { partsFromCuts, planSplit } from '../../src/pipeline/split.ts';
import { createReader, isFailure } from '../../src/reading/read-document.ts';
import { pageUnreadable, splitUncertain } from '../../src/rules/codes.ts';
import type { RuleDocument } from '../../src/rules/context.ts';

const reader = createReader({ secondLook: false });
afterAll(() => reader.close());

async function read(bytes: Uint8Array) {
  const { result, layout } = await reader.readWithLayout({ bytes, file: 'batch.pdf' });
  if (isFailure(result) || !layout) throw new Error('unreadable batch');
  return { layout, codes: result.codes ?? [] };
}
const ranges = (parts: { first: number; last: number }[]) => parts.map((p) => [p.first, p.last]);
/** The whole reading of a file the reader must not refuse. */
async function readOk(bytes: Uint8Array, file = 'batch.pdf') {
  const { result, layout } = await reader.readWithLayout({ bytes, file });
  if (isFailure(result)) throw new Error(result.error.message);
  return { result, layout };
}

describe('splitting a batch', () => {
  it('cuts a merged file of invoices where each invoice begins, from their content alone', async () => {
    const batch = await buildBatch({ seed: 5, index: 1, kind: 'digital', separators: false, documents: 5 });
    const { layout, codes } = await read(batch.bytes);
    const plan = planSplit(layout, codes);
    expect(ranges(plan.parts)).toEqual(ranges(batch.parts));
    expect(plan.separators).toEqual([]);
  });

  it('cuts at separator sheets and drops them', async () => {
    const batch = await buildBatch({ seed: 5, index: 2, kind: 'digital', separators: true, documents: 4 });
    const { layout, codes } = await read(batch.bytes);
    const plan = planSplit(layout, codes);
    expect(plan.separators).toEqual(batch.separatorPages);
    expect(ranges(plan.parts)).toEqual(ranges(batch.parts));
    expect(plan.uncertain).toBe(false);
    expect(codes.filter((c) => c.kind === 'separator').map((c) => c.page)).toEqual(batch.separatorPages);
  });

  it('treats a separator sheet whose code cannot be read as a page, and holds such a cut for a person', async () => {
    const batch = await buildBatch({ seed: 5, index: 3, kind: 'digital', separators: false, documents: 2 });
    const doc = await PDFDocument.load(batch.bytes);
    const sheet = await separatorSheetPdf('RETAGUARDA-SPLIT');
    const [page] = await doc.copyPages(sheet, [0]);
    doc.insertPage(batch.parts[1]!.first - 1, page!);
    const { layout, codes } = await read(await doc.save());
    const unreadable = codes.filter((c) => c.kind === 'separator').map((c) => c.page);
    // The sheet's code unreadable (torn, smudged): the reader found none on it.
    const plan = planSplit(
      layout,
      codes.filter((c) => !unreadable.includes(c.page)),
    );
    expect(plan.separators).toEqual([]);
    expect(plan.parts.flatMap((p) => p.pages)).toContain(batch.parts[1]!.first);
  });

  it('splits around a page that could not be read', () => {
    const text = (s: string) => [
      { text: s, bbox: [40, 40, 300, 52] as [number, number, number, number], words: [] },
    ];
    const page = (n: number, lines: ReturnType<typeof text>) => ({
      number: n,
      width: 595,
      height: 842,
      source: 'text-layer' as const,
      rotation: 0,
      lines: lines.map((l) => ({
        ...l,
        words: l.text
          .split(' ')
          .map((w) => ({ text: w, bbox: l.bbox, confidence: 1, source: 'text-layer' as const })),
      })),
    });
    const layout: Layout = {
      pages: [
        page(1, text('INVOICE No. A-100 Page 1 of 1')),
        page(2, []),
        page(3, text('INVOICE No. B-200 Page 1 of 1')),
      ],
    };
    const plan = planSplit(layout, [], { unreadable: [2] });
    expect(ranges(plan.parts)).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    expect(plan.uncertain).toBe(true);
  });

  it('reads a batch with a damaged page around it: the page is flagged, the other documents are read', async () => {
    const batch = await buildBatch({ seed: 5, index: 1, kind: 'digital', separators: false, documents: 3 });
    const bytes = await damagePage(batch.bytes, 2);
    const { result } = await readOk(bytes);
    expect(result.unreadablePages).toEqual([2]);
    const parts = result.split!.parts;
    expect(ranges(parts)).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    expect(parts[1]!.reading!.unreadablePages).toEqual([1]);
    expect(parts[0]!.reading!.fields.invoiceNumber?.value).toBeTruthy();
    expect(parts[2]!.reading!.fields.invoiceNumber?.value).toBeTruthy();
    expect(result.split!.uncertain).toBe(true);
  });

  it('flags a page whose content stream is damaged rather than taking it for a blank page', async () => {
    const batch = await buildBatch({ seed: 5, index: 1, kind: 'digital', separators: false, documents: 3 });
    const bytes = await scrambleContentStream(batch.bytes, 2);
    const { result } = await readOk(bytes);
    expect(result.unreadablePages).toEqual([2]);
    expect(result.split!.blank).toEqual([]);
    expect(result.split!.parts.map((p) => p.pages)).toContainEqual([2]);
  });

  it('does not take a page with print on it for a blank page when OCR reads no words there', async () => {
    const page = (marks: string) =>
      sharp(
        Buffer.from(
          `<svg xmlns="http://www.w3.org/2000/svg" width="1240" height="1754"><rect width="100%" height="100%" fill="white"/>${marks}</svg>`,
        ),
      )
        .png()
        .toBuffer();
    // A stamp or a picture: print, but no words.
    const stamp = await reader.read({
      bytes: await page('<circle cx="400" cy="500" r="180" fill="#222"/>'),
      file: 'stamp.png',
    });
    expect(!isFailure(stamp) && stamp.unreadablePages).toEqual([1]);
    const blank = await reader.read({ bytes: await page(''), file: 'blank.png' });
    expect(!isFailure(blank) && blank.unreadablePages).toBeUndefined();
  });

  it('reads a scanned TIFF stack with a damaged frame: that page is flagged, the invoices around it are read', async () => {
    const batch = await buildBatch({ seed: 5, index: 1, kind: 'digital', separators: false, documents: 2 });
    const damaged = batch.parts[0]!.last + 1;
    // The second invoice's first page cannot be decoded; every other frame is OCR'd.
    const tiff = damageTiffFrame(await tiffOf(batch.bytes), damaged);
    const { result, layout } = await readOk(tiff, 'stack.tiff');
    // The page stands for the frame: its size and why, not the frame's pixels or the error object.
    expect(Object.keys(layout!.pages[damaged - 1]!).sort()).toEqual(
      ['height', 'lines', 'number', 'rotation', 'source', 'unreadable', 'width'].sort(),
    );
    expect(result.pages).toBe(batch.pages);
    expect(result.unreadablePages).toEqual([damaged]);
    const parts = result.split!.parts;
    expect(parts[0]).toMatchObject({ first: 1, last: batch.parts[0]!.last });
    expect(parts[0]!.reading!.fields.invoiceNumber?.value).toBeTruthy();
    expect(parts.some((p) => p.reading!.unreadablePages?.length)).toBe(true);
    expect(result.split!.uncertain).toBe(true);
  }, 120_000);

  it('refuses a TIFF whose every frame is damaged as a damaged file', async () => {
    const batch = await buildBatch({ seed: 5, index: 1, kind: 'digital', separators: false, documents: 2 });
    let tiff = await tiffOf(batch.bytes, 72);
    for (let n = 1; n <= batch.pages; n++) tiff = damageTiffFrame(tiff, n);
    const { result } = await reader.readWithLayout({ bytes: tiff, file: 'stack.tiff' });
    expect(isFailure(result) && result.error.code).toBe('corrupt_file');
  });

  it('makes the parts a reviewer’s cuts describe', () => {
    expect(ranges(partsFromCuts(6, [3, 5], [4]))).toEqual([
      [1, 2],
      [3, 3],
      [5, 6],
    ]);
  });
});

describe('split_uncertain', () => {
  const part = (splitConfidence: number): RuleDocument => ({
    id: 'doc_1',
    file: 'batch.pdf (pages 3–4)',
    sha256: '0'.repeat(64),
    documentType: 'invoice',
    fields: {},
    lineItems: [],
    pageRange: { first: 3, last: 4 },
    splitConfidence,
  });

  it('holds a part of a file cut with an uncertain cut, and lets a surely cut part pass', () => {
    expect(splitUncertain(part(0.7), { certainty: 0.9 }, {} as never)).toEqual([
      {
        field: null,
        message:
          'Cut from a file of several documents (pages 3–4), but where the file was cut is uncertain (70%): check that this part is one whole document.',
      },
    ]);
    expect(splitUncertain(part(0.97), { certainty: 0.9 }, {} as never)).toEqual([]);
  });

  it('page_unreadable names the damaged page of a part, and where the part lies in its file', () => {
    expect(pageUnreadable({ ...part(0.5), unreadablePages: [1] }, {}, {} as never)[0]?.message).toBe(
      'Page 1 of this document (in pages 3–4 of the file it was cut from) could not be read: the file is damaged there, or its print could not be made out. Check the page on paper or ask the sender for a new copy.',
    );
    expect(pageUnreadable(part(0.5), {}, {} as never)).toEqual([]);
  });
});
