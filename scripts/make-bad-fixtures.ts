// Regenerates the PDF test fixtures: a small digital invoice, a scanned (image-only) invoice and the bad inputs
// in tests/fixtures/bad/. Run with `npx tsx scripts/make-bad-fixtures.ts`. Needs `qpdf` on the PATH for the
// encrypted fixture (`apt-get install -y qpdf`); everything else is pdf-lib and @napi-rs/canvas.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCanvas, GlobalFonts } from '@napi-rs/canvas';
import { degrees, PDFDocument, type PDFFont, type PDFPage, rgb, StandardFonts } from 'pdf-lib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const fixtures = join(root, 'tests', 'fixtures');
const bad = join(fixtures, 'bad');

/** Fixed dates so that regenerating gives the same bytes. */
const FIXED_DATE = new Date('2025-03-15T12:00:00Z');

function stamp(doc: PDFDocument): void {
  doc.setCreationDate(FIXED_DATE);
  doc.setModificationDate(FIXED_DATE);
  doc.setProducer('retaguarda test fixtures');
  doc.setCreator('scripts/make-bad-fixtures.ts');
}

const A4: [number, number] = [595.28, 841.89];

/**
 * Where the digital invoice puts its text, in PDF user space (origin bottom-left, baseline of the text).
 * Tests read these numbers to check that boxes land where the text is.
 */
export const DIGITAL_INVOICE = {
  page1: {
    title: { text: 'INVOICE', x: 50, y: 780, size: 20 },
    lines: [
      { label: 'Invoice number:', value: 'INV-2025-0042', y: 720 },
      { label: 'Invoice date:', value: '15/03/2025', y: 700 },
      { label: 'Vendor:', value: 'Papelaria Central Ltda.', y: 680 },
      { label: 'Subtotal', value: '643.70', y: 200 },
      { label: 'Total', value: '708.07', y: 160 },
    ],
    labelX: 50,
    valueX: 300,
    size: 12,
  },
  /** Page 2 is landscape by /Rotate 90: text drawn turned 90° so it reads upright on screen. */
  page2: { text: 'Rotated page total 99.50', x: 300, y: 100, size: 14 },
  /** Page 3 has a mediabox that does not start at 0,0. */
  page3: { mediaBox: [100, 200, 400, 600] as const, text: 'Offset origin 12.34', x: 150, y: 500, size: 12 },
};

function drawLine(page: PDFPage, text: string, x: number, y: number, size: number, font: PDFFont): void {
  page.drawText(text, { x, y, size, font, color: rgb(0, 0, 0) });
}

async function digitalInvoice(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  stamp(doc);
  const regular = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const p1 = doc.addPage(A4);
  const spec = DIGITAL_INVOICE.page1;
  drawLine(p1, spec.title.text, spec.title.x, spec.title.y, spec.title.size, bold);
  for (const line of spec.lines) {
    drawLine(p1, line.label, spec.labelX, line.y, spec.size, regular);
    drawLine(p1, line.value, spec.valueX, line.y, spec.size, regular);
  }
  // A word split across two fonts with no gap: pdf.js returns two text items that must become one word.
  const ref = 'PO-';
  drawLine(p1, 'Order:', spec.labelX, 640, spec.size, regular);
  drawLine(p1, ref, spec.valueX, 640, spec.size, regular);
  drawLine(p1, '7781', spec.valueX + regular.widthOfTextAtSize(ref, spec.size), 640, spec.size, bold);

  const p2 = doc.addPage(A4);
  p2.setRotation(degrees(90));
  const r = DIGITAL_INVOICE.page2;
  p2.drawText(r.text, { x: r.x, y: r.y, size: r.size, font: regular, rotate: degrees(90) });

  const m = DIGITAL_INVOICE.page3;
  const p3 = doc.addPage([m.mediaBox[2] - m.mediaBox[0], m.mediaBox[3] - m.mediaBox[1]]);
  p3.setMediaBox(m.mediaBox[0], m.mediaBox[1], m.mediaBox[2] - m.mediaBox[0], m.mediaBox[3] - m.mediaBox[1]);
  p3.drawText(m.text, { x: m.x, y: m.y, size: m.size, font: regular });
  return doc.save({ useObjectStreams: false });
}

/** An "scanned" invoice: one JPEG per page, no text layer at all. */
async function scannedInvoice(): Promise<Uint8Array> {
  const require = createRequire(import.meta.url);
  const fontsDir = join(dirname(require.resolve('pdfjs-dist/package.json')), 'standard_fonts');
  GlobalFonts.registerFromPath(join(fontsDir, 'LiberationSans-Regular.ttf'), 'FixtureSans');
  // A4 at 150 dpi.
  const width = 1240;
  const height = 1754;
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = '#000000';
  ctx.font = '48px FixtureSans';
  ctx.fillText('INVOICE', 100, 150);
  ctx.font = '30px FixtureSans';
  ctx.fillText('Invoice number: INV-2025-0077', 100, 260);
  ctx.fillText('Total 1,250.00', 100, 1500);
  const jpeg = await canvas.encode('jpeg', 80);
  const doc = await PDFDocument.create();
  stamp(doc);
  const image = await doc.embedJpg(jpeg);
  const page = doc.addPage(A4);
  page.drawImage(image, { x: 0, y: 0, width: A4[0], height: A4[1] });
  return doc.save({ useObjectStreams: false });
}

async function manyPages(count: number): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  stamp(doc);
  for (let i = 0; i < count; i++) doc.addPage(A4);
  return doc.save();
}

function encrypt(plain: Uint8Array): Uint8Array {
  const tmp = join(bad, '.plain.tmp.pdf');
  const out = join(bad, '.encrypted.tmp.pdf');
  writeFileSync(tmp, plain);
  try {
    // AES-128 with --static-id and --static-aes-iv gives the same bytes on every run (AES-256 salts its keys at
    // random). Test fixtures only; never encrypt real documents like this.
    execFileSync('qpdf', [
      '--static-id',
      '--static-aes-iv',
      '--encrypt',
      'user-secret',
      'owner-secret',
      '128',
      '--use-aes=y',
      '--',
      tmp,
      out,
    ]);
    return readFileSync(out);
  } finally {
    rmSync(tmp, { force: true });
    rmSync(out, { force: true });
  }
}

async function main(): Promise<void> {
  mkdirSync(bad, { recursive: true });
  const digital = await digitalInvoice();
  writeFileSync(join(fixtures, 'digital-invoice.pdf'), digital);
  writeFileSync(join(fixtures, 'scanned-invoice.pdf'), await scannedInvoice());

  writeFileSync(join(bad, 'empty.pdf'), new Uint8Array());
  // Cut in the middle: the page objects survive partly, the xref table and %%EOF are gone.
  writeFileSync(join(bad, 'truncated.pdf'), digital.slice(0, Math.floor(digital.length * 0.45)));
  writeFileSync(join(bad, 'encrypted.pdf'), encrypt(digital));
  // A PDF header followed by bytes that are no PDF at all (deterministic pseudo-random junk).
  const junk = new Uint8Array(4096);
  let seed = 42;
  for (let i = 0; i < junk.length; i++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    junk[i] = seed & 0xff;
  }
  writeFileSync(join(bad, 'garbage.pdf'), Buffer.concat([Buffer.from('%PDF-1.7\n'), junk]));
  writeFileSync(join(bad, 'too-many-pages.pdf'), await manyPages(60));
}

await main();
