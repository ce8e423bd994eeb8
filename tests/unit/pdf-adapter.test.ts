// The PDF adapter against real files and real pdf.js: words land where the text is, pages render to images
// with ink where the text is, and bad PDFs fail with a code a person can act on.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { createPdfReader } from '../../src/adapters/pdf.ts';
import { DocumentError } from '../../src/pipeline/errors.ts';
import { groupIntoLines, type Word } from '../../src/pipeline/layout.ts';
import { DEFAULT_LIMITS, type PdfDocumentHandle } from '../../src/pipeline/ports.ts';
import { hasUsableTextLayer } from '../../src/pipeline/text-layer.ts';

const fixtures = join(import.meta.dirname, '..', 'fixtures');
const read = (name: string) => new Uint8Array(readFileSync(join(fixtures, name)));
const reader = createPdfReader();
const A4_HEIGHT = 841.89;

const open: PdfDocumentHandle[] = [];
async function openFixture(name: string, limits = DEFAULT_LIMITS): Promise<PdfDocumentHandle> {
  const doc = await reader.open(read(name), limits);
  open.push(doc);
  return doc;
}
afterAll(async () => {
  await Promise.all(open.map((d) => d.close()));
});

function find(words: Word[], text: string): Word {
  const w = words.find((x) => x.text === text);
  if (!w) throw new Error(`no word "${text}" in ${words.map((x) => x.text).join(' ')}`);
  return w;
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<DocumentError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected ${code}`).toBeInstanceOf(DocumentError);
  expect((error as DocumentError).code).toBe(code);
  return error as DocumentError;
}

/** Share of dark pixels in a region of a PNG, the region given in PDF points at the given dpi. */
async function inkIn(png: Buffer, dpi: number, box: [number, number, number, number]): Promise<number> {
  const { data, info } = await sharp(png).greyscale().raw().toBuffer({ resolveWithObject: true });
  const k = dpi / 72;
  const [x0, y0, x1, y1] = box.map((v) => Math.round(v * k)) as [number, number, number, number];
  let dark = 0;
  let total = 0;
  for (let y = Math.max(0, y0); y < Math.min(info.height, y1); y++) {
    for (let x = Math.max(0, x0); x < Math.min(info.width, x1); x++) {
      total++;
      if ((data[y * info.width + x] ?? 255) < 128) dark++;
    }
  }
  return total ? dark / total : 0;
}

describe('text layer of a digital invoice', () => {
  it('puts each word where it was drawn, in points from the top-left corner', async () => {
    const doc = await openFixture('digital-invoice.pdf');
    expect(doc.pageCount).toBe(3);
    const page = await doc.textLayer(1);
    expect(page.width).toBeCloseTo(595.28, 1);
    expect(page.height).toBeCloseTo(A4_HEIGHT, 1);

    // "Total" was drawn at x=50 with its baseline at y=160 from the bottom, 12 pt Helvetica.
    const total = find(page.words, 'Total');
    const baseline = A4_HEIGHT - 160;
    expect(total.bbox[0]).toBeCloseTo(50, 0);
    expect(total.bbox[1]).toBeGreaterThan(baseline - 12);
    expect(total.bbox[1]).toBeLessThan(baseline - 8);
    expect(total.bbox[3]).toBeGreaterThan(baseline);
    expect(total.bbox[3]).toBeLessThan(baseline + 4);
    // Helvetica "Total" at 12 pt is about 27 pt wide.
    expect(total.bbox[2] - total.bbox[0]).toBeGreaterThan(22);
    expect(total.bbox[2] - total.bbox[0]).toBeLessThan(32);
    expect(total).toMatchObject({ confidence: 1, source: 'text-layer' });

    const amount = find(page.words, '708.07');
    expect(amount.bbox[0]).toBeCloseTo(300, 0);
    expect(amount.bbox[1]).toBeCloseTo(total.bbox[1], 1);
  });

  it('splits phrases into words with boxes in reading order, and merges a word split across fonts', async () => {
    const doc = await openFixture('digital-invoice.pdf');
    const page = await doc.textLayer(1);
    const papelaria = find(page.words, 'Papelaria');
    const central = find(page.words, 'Central');
    const ltda = find(page.words, 'Ltda.');
    expect(papelaria.bbox[2]).toBeLessThan(central.bbox[0]);
    expect(central.bbox[2]).toBeLessThan(ltda.bbox[0]);
    // "PO-" in Helvetica and "7781" in Helvetica-Bold, drawn touching: one word.
    expect(page.words.map((w) => w.text)).toContain('PO-7781');
    expect(page.words.map((w) => w.text)).not.toContain('7781');

    const lines = groupIntoLines(page.words).map((l) => l.text);
    expect(lines).toEqual([
      'INVOICE',
      'Invoice number: INV-2025-0042',
      'Invoice date: 15/03/2025',
      'Vendor: Papelaria Central Ltda.',
      'Order: PO-7781',
      'Subtotal 643.70',
      'Total 708.07',
    ]);
    expect(hasUsableTextLayer(page)).toBe(true);
  });

  it('reads a /Rotate 90 page upright, with the page size of the turned page', async () => {
    const doc = await openFixture('digital-invoice.pdf');
    const page = await doc.textLayer(2);
    expect(page.width).toBeCloseTo(A4_HEIGHT, 1);
    expect(page.height).toBeCloseTo(595.28, 1);
    expect(groupIntoLines(page.words).map((l) => l.text)).toEqual(['Rotated page total 99.50']);
    for (const w of page.words) {
      // Horizontal words: wider than tall, inside the page.
      expect(w.bbox[2] - w.bbox[0]).toBeGreaterThan(w.bbox[3] - w.bbox[1]);
      expect(w.bbox[0]).toBeGreaterThanOrEqual(0);
      expect(w.bbox[2]).toBeLessThanOrEqual(page.width);
      expect(w.bbox[3]).toBeLessThanOrEqual(page.height);
    }
    // Drawn at user-space (300, 100) turned 90°: on the upright page it starts 100 pt from the left, with its
    // baseline 300 pt from the top.
    const first = find(page.words, 'Rotated');
    expect(first.bbox[0]).toBeCloseTo(100, 0);
    expect(first.bbox[3]).toBeGreaterThan(300);
    expect(first.bbox[3]).toBeLessThan(305);
    expect(find(page.words, '99.50').bbox[0]).toBeGreaterThan(first.bbox[2]);
  });

  it('measures from the corner of a mediabox that does not start at 0,0', async () => {
    const doc = await openFixture('digital-invoice.pdf');
    const page = await doc.textLayer(3);
    // Mediabox [100 200 400 600]; text at (150, 500): 50 pt from the left edge, baseline 100 pt from the top.
    expect(page.width).toBe(300);
    expect(page.height).toBe(400);
    const w = find(page.words, 'Offset');
    expect(w.bbox[0]).toBeCloseTo(50, 0);
    expect(w.bbox[3]).toBeGreaterThan(100);
    expect(w.bbox[3]).toBeLessThan(104);
  });
});

describe('rendering', () => {
  it('renders an A4 page at 150 dpi to a PNG of the right size with ink where the text is', async () => {
    const doc = await openFixture('digital-invoice.pdf');
    const png = (await doc.render(1, 150)).png;
    const meta = await sharp(png).metadata();
    expect(meta.format).toBe('png');
    expect(meta.width).toBe(Math.floor((595.28 * 150) / 72));
    expect(meta.height).toBe(Math.floor((A4_HEIGHT * 150) / 72));
    const page = await doc.textLayer(1);
    const total = find(page.words, 'Total').bbox;
    expect(await inkIn(png, 150, total)).toBeGreaterThan(0.1);
    // Between the header block and the totals the page is blank.
    expect(await inkIn(png, 150, [40, 300, 550, 550])).toBe(0);
  });

  it('renders a rotated page upright', async () => {
    const doc = await openFixture('digital-invoice.pdf');
    const png = (await doc.render(2, 72)).png;
    const meta = await sharp(png).metadata();
    expect(meta.width).toBeGreaterThan(meta.height ?? 0);
    const page = await doc.textLayer(2);
    expect(await inkIn(png, 72, find(page.words, 'Rotated').bbox)).toBeGreaterThan(0.1);
  });

  it('renders a scanned page (an embedded JPEG, no text layer) so that OCR gets the image', async () => {
    const doc = await openFixture('scanned-invoice.pdf');
    const page = await doc.textLayer(1);
    expect(page.words).toEqual([]);
    expect(hasUsableTextLayer(page)).toBe(false);
    const png = (await doc.render(1, 150)).png;
    // "INVOICE" is painted at about (100, 110)-(300, 150) px in the 150 dpi scan: 48-144 x 53-72 pt.
    expect(await inkIn(png, 150, [48, 53, 144, 72])).toBeGreaterThan(0.1);
    expect(await inkIn(png, 150, [48, 300, 550, 600])).toBe(0);
  });

  it('lowers the resolution of a render that would exceed the pixel limit', async () => {
    const doc = await openFixture('digital-invoice.pdf', { ...DEFAULT_LIMITS, maxPixels: 1_000_000 });
    const meta = await sharp((await doc.render(1, 300)).png).metadata();
    expect((meta.width ?? 0) * (meta.height ?? 0)).toBeLessThanOrEqual(1_000_000);
    expect(meta.width).toBeGreaterThan(700);
  });
});

describe('bad PDFs', () => {
  it('refuses an empty file', async () => {
    await expectCode(reader.open(read('bad/empty.pdf'), DEFAULT_LIMITS), 'empty_file');
  });

  it('refuses a password-protected PDF and says to remove the password', async () => {
    const e = await expectCode(reader.open(read('bad/encrypted.pdf'), DEFAULT_LIMITS), 'encrypted_pdf');
    expect(e.message).toMatch(/password/i);
  });

  it('refuses a PDF cut off in the middle', async () => {
    const e = await expectCode(reader.open(read('bad/truncated.pdf'), DEFAULT_LIMITS), 'truncated_pdf');
    expect(e.message).toMatch(/incomplete/i);
  });

  it('refuses junk behind a PDF header as a damaged file', async () => {
    await expectCode(reader.open(read('bad/garbage.pdf'), DEFAULT_LIMITS), 'corrupt_file');
  });

  it('refuses more pages than the limit, and accepts them under a higher limit', async () => {
    const e = await expectCode(reader.open(read('bad/too-many-pages.pdf'), DEFAULT_LIMITS), 'too_many_pages');
    expect(e.message).toContain('60 pages');
    const doc = await openFixture('bad/too-many-pages.pdf', { ...DEFAULT_LIMITS, maxPages: 60 });
    expect(doc.pageCount).toBe(60);
    await expectCode(
      reader.open(read('digital-invoice.pdf'), { ...DEFAULT_LIMITS, maxPages: 2 }),
      'too_many_pages',
    );
  });

  it('refuses a file over the size limit', async () => {
    await expectCode(
      reader.open(read('digital-invoice.pdf'), { ...DEFAULT_LIMITS, maxBytes: 100 }),
      'file_too_large',
    );
  });

  it('never reads a cut-off PDF as a silently emptier document', async () => {
    const whole = read('digital-invoice.pdf');
    const fullText = (await (await openFixture('digital-invoice.pdf')).textLayer(1)).words.map((w) => w.text);
    const eof = Buffer.from(whole).lastIndexOf('%%EOF');
    const cuts = [0.15, 0.3, 0.45, 0.6, 0.75, 0.9, 0.97].map((f) => Math.floor(whole.length * f)).concat(eof);
    for (const cut of cuts) {
      const bytes = whole.slice(0, cut);
      const outcome = await reader.open(bytes, DEFAULT_LIMITS).then(
        async (doc) => {
          const words = (await doc.textLayer(1)).words.map((w) => w.text);
          await doc.close();
          return words;
        },
        (e: unknown) => e,
      );
      if (Array.isArray(outcome)) expect(outcome, `cut at ${cut}`).toEqual(fullText);
      else expect((outcome as DocumentError).code, `cut at ${cut}`).toBe('truncated_pdf');
    }
  });

  it('leaves the caller its bytes (pdf.js would otherwise detach the buffer)', async () => {
    const bytes = read('digital-invoice.pdf');
    const doc = await reader.open(bytes, DEFAULT_LIMITS);
    await doc.close();
    expect(bytes.byteLength).toBeGreaterThan(1000);
  });
});

describe('embedded files', () => {
  it('hands back the XML a hybrid PDF carries, by its name, and nothing for a plain PDF', async () => {
    const { PDFDocument } = await import('pdf-lib');
    const pdf = await PDFDocument.create();
    pdf.addPage([595, 842]).drawText('Invoice 42', { x: 50, y: 780, size: 14 });
    const xml = '<?xml version="1.0"?><rsm:CrossIndustryInvoice xmlns:rsm="urn:x"/>';
    await pdf.attach(new TextEncoder().encode(xml), 'factur-x.xml', { mimeType: 'text/xml' });
    const doc = await reader.open(await pdf.save(), DEFAULT_LIMITS);
    open.push(doc);
    const files = await doc.attachments();
    expect(files.map((f) => f.name)).toEqual(['factur-x.xml']);
    expect(new TextDecoder().decode(files[0]?.bytes)).toBe(xml);
    expect(await (await openFixture('digital-invoice.pdf')).attachments()).toEqual([]);
  });
});
