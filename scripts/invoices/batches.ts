// Batches as a finance team scans them or an ERP merges them: 2–15 generated invoices of 1–3 pages in one PDF,
// digital or scanned, some with separator sheets (a page with a QR code carrying RETAGUARDA-SPLIT) between the
// documents. Each batch knows where its documents begin, for bench/split.ts and the splitting tests.
import { PDFArray, PDFDocument, PDFName, PDFRawStream, PDFRef, rgb, StandardFonts } from 'pdf-lib';
import QRCode from 'qrcode';
import sharp from 'sharp';
import { DEFAULT_SEPARATOR_VALUE } from '../../src/pipeline/codes/index.ts';
import { prng, renderPages } from '../samples/raster.ts';
import { deliver } from './deliver.ts';
import { generateInvoices } from './generate.ts';

export interface BatchOptions {
  /** The generator seed the batch's documents come from (with `index`). */
  seed: number;
  index: number;
  kind?: 'digital' | 'scan';
  separators?: boolean;
  /** How many documents; drawn from 2–15 (2–4 for scans, whose OCR is slow) when absent. */
  documents?: number;
}

export interface Batch {
  name: string;
  bytes: Uint8Array;
  kind: 'digital' | 'scan';
  separators: boolean;
  pages: number;
  /** Each document's pages in the batch, in order (separator sheets are in none). */
  parts: { first: number; last: number }[];
  separatorPages: number[];
}

/** A separator sheet: a title and a large QR code carrying the separator value, as printed from the web page. */
export async function separatorSheetPdf(value = DEFAULT_SEPARATOR_VALUE): Promise<PDFDocument> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  const page = doc.addPage([595.28, 841.89]);
  const font = await doc.embedFont(StandardFonts.HelveticaBold);
  page.drawText('SEPARATOR SHEET', { x: 180, y: 720, size: 24, font, color: rgb(0, 0, 0) });
  const qr = await doc.embedPng(await QRCode.toBuffer(value, { margin: 2, scale: 8 }));
  page.drawImage(qr, { x: 197, y: 320, width: 200, height: 200 });
  return doc;
}

export async function buildBatch(options: BatchOptions): Promise<Batch> {
  const r = prng(options.seed * 7919 + options.index);
  const kind = options.kind ?? (r() < 0.25 ? 'scan' : 'digital');
  const separators = options.separators ?? r() < 0.4;
  const wanted = options.documents ?? (kind === 'scan' ? 2 + Math.floor(r() * 3) : 2 + Math.floor(r() * 14));
  const name = `batch-${options.seed}-${options.index}`;
  const corpus = await generateInvoices({
    seed: options.seed * 1000 + options.index,
    count: wanted + 3,
    delivery: 'digital',
  });
  const files: Uint8Array[] = [];
  for (const invoice of corpus.documents) {
    if (files.length === wanted) break;
    const doc = await PDFDocument.load(invoice.bytes, { updateMetadata: false });
    if (doc.getPageCount() <= 3) files.push(invoice.bytes);
  }
  const { pdf, pages, parts, separatorPages } = await mergeBatch(name, files, separators);
  const bytes =
    kind === 'digital'
      ? pdf
      : await deliver(
          pdf,
          {
            kind: 'scan',
            dpi: 200,
            angle: (r() - 0.5) * 1.6,
            noise: 4 + r() * 6,
            blur: 0.3 + r() * 0.4,
            quality: 75,
            container: 'pdf',
          },
          name,
        );
  return { name, bytes, kind, separators, pages, parts, separatorPages };
}

/** PDF files merged into one, in order, with a separator sheet between each two when `separators`; where each
 * file's pages are in the result. */
export async function mergeBatch(
  name: string,
  files: readonly Uint8Array[],
  separators: boolean,
): Promise<Pick<Batch, 'pages' | 'parts' | 'separatorPages'> & { pdf: Uint8Array }> {
  const merged = await PDFDocument.create({ updateMetadata: false });
  merged.setTitle(name);
  const parts: Batch['parts'] = [];
  const separatorPages: number[] = [];
  const sheet = separators ? await separatorSheetPdf() : undefined;
  for (const bytes of files) {
    const doc = await PDFDocument.load(bytes, { updateMetadata: false });
    if (sheet && parts.length) {
      const [page] = await merged.copyPages(sheet, [0]);
      merged.addPage(page!);
      separatorPages.push(merged.getPageCount());
    }
    const first = merged.getPageCount() + 1;
    for (const page of await merged.copyPages(doc, doc.getPageIndices())) merged.addPage(page);
    parts.push({ first, last: merged.getPageCount() });
  }
  return { pdf: await merged.save(), pages: merged.getPageCount(), parts, separatorPages };
}

/** The batch with page `n`'s entry in the page tree broken (points at an object that does not exist): pdf.js
 * throws on that page, and only on it. */
export async function damagePage(bytes: Uint8Array, n: number): Promise<Uint8Array> {
  const doc = await PDFDocument.load(bytes);
  const pages = doc.catalog.Pages();
  const ctx = doc.context;
  const broken = ctx.obj({
    Type: 'Pages',
    Count: 1,
    Kids: [PDFRef.of(99999)],
    Parent: ctx.getObjectRef(pages)!,
  });
  pages.Kids().set(n - 1, ctx.register(broken));
  return doc.save({ useObjectStreams: false });
}

/** The PDF with page `n`'s content stream scrambled past its first bytes: the page tree is sound, but the page's
 * compressed drawing no longer inflates (as after a bad sector or a transfer that mangled bytes). */
export async function scrambleContentStream(bytes: Uint8Array, n: number): Promise<Uint8Array> {
  const doc = await PDFDocument.load(bytes);
  const contents = doc.getPage(n - 1).node.get(PDFName.of('Contents'));
  const refs = contents instanceof PDFArray ? contents.asArray() : [contents];
  for (const ref of refs) {
    const stream = doc.context.lookup(ref);
    if (!(stream instanceof PDFRawStream)) continue;
    const c = stream.contents;
    for (let i = 20; i < c.length - 5; i++) c[i] = (c[i]! * 31 + 7) & 255;
  }
  return doc.save({ useObjectStreams: false });
}

/** The batch as a scanner's multi-page TIFF: each page drawn at `dpi`, one frame per page. */
export async function tiffOf(pdf: Uint8Array, dpi = 200): Promise<Buffer> {
  const pages = await renderPages(pdf, dpi);
  return sharp(pages, { join: { animated: true } })
    .greyscale()
    .tiff({ compression: 'deflate' })
    .toBuffer();
}

/** The TIFF with frame `n` (from 1) damaged: its photometric interpretation is one no reader knows, so the frame
 * cannot be decoded while the file and its other frames can. */
export function damageTiffFrame(tiff: Uint8Array, n: number): Buffer {
  const b = Buffer.from(tiff);
  if (b.toString('latin1', 0, 2) !== 'II') throw new Error('a little-endian TIFF is expected');
  let ifd = b.readUInt32LE(4);
  for (let k = 1; k < n; k++) ifd = b.readUInt32LE(ifd + 2 + b.readUInt16LE(ifd) * 12);
  for (let i = 0; i < b.readUInt16LE(ifd); i++) {
    const at = ifd + 2 + i * 12;
    if (b.readUInt16LE(at) === 262) b.writeUInt16LE(77, at + 8);
  }
  return b;
}
