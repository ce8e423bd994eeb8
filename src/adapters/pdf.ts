// The PDF reader: pdf.js (legacy Node build) for page count, the text layer as positioned words, and page
// rendering to PNG through @napi-rs/canvas and sharp. Nothing is fetched from the network: fonts, CMaps and
// WASM decoders are read from the pdfjs-dist package on disk.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Canvas } from '@napi-rs/canvas';
import type { PageViewport, PDFDocumentProxy, PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { TextItem, TextStyle } from 'pdfjs-dist/types/src/display/api.js';
import sharp from 'sharp';
import { DocumentError } from '../pipeline/errors.ts';
import type { BBox, Word } from '../pipeline/layout.ts';
import type {
  PageImage,
  PagePictures,
  PdfAttachment,
  PdfDocumentHandle,
  PdfReader,
  PdfTextPage,
  ReadLimits,
} from '../pipeline/ports.ts';
import { checkPdfCost } from './pdf-budget.ts';

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');

const require = createRequire(import.meta.url);
const PDFJS_DIR = dirname(require.resolve('pdfjs-dist/package.json'));
// pdf.js wants directory "URLs" with a trailing slash; in Node its factories read them with fs.readFile.
const STANDARD_FONTS = `${join(PDFJS_DIR, 'standard_fonts')}/`;
const CMAPS = `${join(PDFJS_DIR, 'cmaps')}/`;
const WASM = `${join(PDFJS_DIR, 'wasm')}/`;

/** Longest side of a rendered page, whatever the dpi asked for: beyond this the canvas library fails. */
const MAX_RENDER_SIDE = 16_384;

let pdfjsLoading: Promise<PdfJs> | undefined;

/**
 * Loads pdf.js once, with its worker code run in this thread (no worker file fetched by URL). The minified builds:
 * the service runs under tsx, which rewrites every module holding an `import(` and maps it back to its source,
 * and on pdf.js's 3 MB of readable source that cost about 400 MB of peak memory (130 MB for the minified files).
 */
function loadPdfJs(): Promise<PdfJs> {
  pdfjsLoading ??= (async () => {
    const g = globalThis as { pdfjsWorker?: unknown };
    // The minified modules ship no type declarations of their own; they are the same API as pdf.mjs.
    const workerModule: string = 'pdfjs-dist/legacy/build/pdf.worker.min.mjs';
    const mainModule: string = 'pdfjs-dist/legacy/build/pdf.min.mjs';
    g.pdfjsWorker ??= await import(workerModule);
    return (await import(mainModule)) as PdfJs;
  })();
  return pdfjsLoading;
}

const standardFontCache = new Map<string, Promise<Uint8Array>>();

/**
 * Serves pdf.js the standard-14 font programs from the package, read from disk once per process rather than once
 * per document (about 2 ms of every digital page otherwise). Hands out copies: pdf.js may transfer what it gets.
 */
class CachedStandardFontDataFactory {
  async fetch({ filename }: { filename: string }): Promise<Uint8Array> {
    // Names come from pdf.js's own font table, never from the PDF; refuse anything path-like all the same.
    if (!/^[\w.-]+$/.test(filename)) throw new Error(`Unexpected standard font name: ${filename}`);
    let data = standardFontCache.get(filename);
    if (!data) {
      data = readFile(join(STANDARD_FONTS, filename)).then((b) => new Uint8Array(b));
      standardFontCache.set(filename, data);
      data.catch(() => standardFontCache.delete(filename));
    }
    return (await data).slice();
  }
}

/** A cut-off PDF lacks the `%%EOF` end marker; look for it near the end (some writers append a few bytes). */
function hasEndMarker(bytes: Uint8Array): boolean {
  const tail = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).subarray(-2048);
  return tail.includes('%%EOF', 0, 'latin1');
}

/** True when the bytes contain at least one `N G obj`: a PDF that was cut, rather than junk behind a header. */
function looksLikePdfBody(bytes: Uint8Array): boolean {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 1 << 20)).toString(
    'latin1',
  );
  return /\d+\s+\d+\s+obj\b/.test(text);
}

const MESSAGES = {
  empty: 'The file is empty (0 bytes); upload the document again.',
  tooLarge: (max: number) => `The file is larger than the ${Math.round(max / 1024 / 1024)} MB limit.`,
  encrypted: 'The PDF is password-protected; upload it without a password.',
  truncated:
    'The PDF is incomplete (the file was cut off, for example by an interrupted download or upload); upload the complete file.',
  corrupt:
    'The file says it is a PDF but its contents cannot be read; it may be damaged. Export or scan it again.',
  tooManyPages: (count: number, max: number) =>
    `The PDF has ${count} pages; at most ${max} pages are accepted per document. Split it and upload the parts.`,
  pageMissing: (n: number, count: number) => `Page ${n} does not exist; the PDF has ${count} pages.`,
};

function errorName(e: unknown): string {
  return e instanceof Error ? e.name : '';
}

export function createPdfReader(): PdfReader {
  return {
    async open(bytes: Uint8Array, limits: ReadLimits): Promise<PdfDocumentHandle> {
      if (bytes.byteLength === 0) throw new DocumentError('empty_file', MESSAGES.empty);
      if (bytes.byteLength > limits.maxBytes) {
        throw new DocumentError('file_too_large', MESSAGES.tooLarge(limits.maxBytes));
      }
      // Before pdf.js sees the file: no stream inflates past its ceiling, no page holds too many operators.
      checkPdfCost(bytes, limits);
      const complete = hasEndMarker(bytes);
      const damaged = (cause: unknown) =>
        !complete && looksLikePdfBody(bytes)
          ? new DocumentError('truncated_pdf', MESSAGES.truncated, { cause })
          : new DocumentError('corrupt_file', MESSAGES.corrupt, { cause });

      const pdfjs = await loadPdfJs();
      // pdf.js transfers (detaches) the buffer it is given: it gets copies, and the caller keeps `bytes`.
      const source = new Uint8Array(bytes);
      const load = (forRendering: boolean, strict = !complete) =>
        pdfjs.getDocument({
          data: new Uint8Array(source),
          isEvalSupported: false,
          disableFontFace: true,
          useSystemFonts: false,
          useWorkerFetch: false,
          enableXfa: false,
          isOffscreenCanvasSupported: false,
          isImageDecoderSupported: false,
          // The standard-14 font programs are only needed to draw glyphs: text extraction gets the same strings,
          // positions and widths from pdf.js's built-in metrics, and parsing the programs costs ~12 ms per
          // document (about 40% of a generated invoice page). So the text layer is read from a document opened
          // without them, and rendering opens its own when first asked.
          ...(forRendering
            ? { standardFontDataUrl: STANDARD_FONTS, StandardFontDataFactory: CachedStandardFontDataFactory }
            : {}),
          cMapUrl: CMAPS,
          cMapPacked: true,
          wasmUrl: WASM,
          // Decompression-bomb guard for images inside the PDF.
          maxImageSize: limits.maxPixels,
          // A file without its end marker is read strictly: a parse problem must surface as an error, not as a
          // page quietly missing half its text.
          stopAtErrors: strict,
          verbosity: pdfjs.VerbosityLevel.ERRORS,
        });
      const task = load(false);
      let doc: PDFDocumentProxy;
      try {
        doc = await task.promise;
      } catch (e) {
        await task.destroy().catch(() => {});
        if (errorName(e) === 'PasswordException') {
          throw new DocumentError('encrypted_pdf', MESSAGES.encrypted, { cause: e });
        }
        throw damaged(e);
      }

      const pageCount = doc.numPages;
      try {
        if (pageCount > limits.maxPages) {
          throw new DocumentError('too_many_pages', MESSAGES.tooManyPages(pageCount, limits.maxPages));
        }
        if (pageCount < 1) throw damaged(new Error('no pages'));
        // pdf.js rebuilds a missing cross-reference table when it can; accept a file without its end marker
        // only if every page can still be found.
        if (!complete) {
          for (let n = 1; n <= pageCount; n++)
            await doc.getPage(n).catch((e: unknown) => Promise.reject(damaged(e)));
        }
      } catch (e) {
        await doc.destroy().catch(() => {});
        throw e;
      }
      const opener = (forRendering: boolean, strict?: boolean) => async () => {
        const task = load(forRendering, strict);
        try {
          return await task.promise;
        } catch (e) {
          await task.destroy().catch(() => {});
          throw damaged(e);
        }
      };
      return new PdfJsDocument(
        doc,
        opener(true),
        complete ? opener(false, true) : undefined,
        limits,
        damaged,
      );
    },
  };
}

class PdfJsDocument implements PdfDocumentHandle {
  readonly pageCount: number;

  private renderDoc: Promise<PDFDocumentProxy> | undefined;
  private strictDoc: Promise<PDFDocumentProxy | undefined> | undefined;

  constructor(
    private readonly doc: PDFDocumentProxy,
    private readonly openForRendering: () => Promise<PDFDocumentProxy>,
    /** The same file read strictly (pdf.js stops at the first parse error), for pages that came out empty;
     * absent when the file is read strictly already. */
    private readonly openStrictly: (() => Promise<PDFDocumentProxy>) | undefined,
    private readonly limits: ReadLimits,
    private readonly damaged: (cause: unknown) => DocumentError,
  ) {
    this.pageCount = doc.numPages;
  }

  private async page(pageNumber: number, forRendering = false): Promise<PDFPageProxy> {
    if (!Number.isInteger(pageNumber) || pageNumber < 1 || pageNumber > this.pageCount) {
      throw new RangeError(MESSAGES.pageMissing(pageNumber, this.pageCount));
    }
    let doc = this.doc;
    if (forRendering) {
      this.renderDoc ??= this.openForRendering();
      doc = await this.renderDoc;
    }
    try {
      return await doc.getPage(pageNumber);
    } catch (e) {
      throw this.damaged(e);
    }
  }

  async textLayer(pageNumber: number): Promise<PdfTextPage> {
    const page = await this.page(pageNumber);
    const viewport = page.getViewport({ scale: 1 });
    let content: Awaited<ReturnType<PDFPageProxy['getTextContent']>>;
    try {
      content = await page.getTextContent();
    } catch (e) {
      throw this.damaged(e);
    }
    const items = content.items.filter((i): i is TextItem => 'str' in i);
    // pdf.js skips a content stream it cannot decode and gives the page no text, as if it were blank; a blank
    // page is dropped from a batch, so an empty page is read again strictly, where such a fault is an error.
    const damaged = items.length ? undefined : await this.strictFault(pageNumber);
    return {
      width: round(viewport.width),
      height: round(viewport.height),
      words: wordsFromTextItems(items, content.styles, viewport),
      ...(damaged ? { damaged } : {}),
    };
  }

  /** The error a strict reading of the page's text meets, if any. A file that cannot be opened strictly at all
   * says nothing about one page, and is not asked again. */
  private async strictFault(pageNumber: number): Promise<string | undefined> {
    if (!this.openStrictly) return undefined;
    this.strictDoc ??= this.openStrictly().catch(() => undefined);
    const doc = await this.strictDoc;
    if (!doc) return undefined;
    try {
      await (await doc.getPage(pageNumber)).getTextContent();
      return undefined;
    } catch (e) {
      return this.damaged(e).message;
    }
  }

  async pictures(pageNumber: number): Promise<PagePictures> {
    const page = await this.page(pageNumber);
    const { OPS } = await loadPdfJs();
    let list: Awaited<ReturnType<PDFPageProxy['getOperatorList']>>;
    try {
      list = await page.getOperatorList();
    } catch (e) {
      throw this.damaged(e);
    }
    let images = 0;
    let paths = 0;
    for (const op of list.fnArray) {
      if (
        op === OPS.paintImageXObject ||
        op === OPS.paintInlineImageXObject ||
        op === OPS.paintImageMaskXObject
      ) {
        images++;
      } else if (op === OPS.constructPath) paths++;
    }
    return { images, paths };
  }

  async render(pageNumber: number, dpi: number): Promise<PageImage> {
    const page = await this.page(pageNumber, true);
    const canvasLib = await import('@napi-rs/canvas');
    const base = page.getViewport({ scale: 1 });
    let scale = dpi / 72;
    // Keep the image under the pixel limit and the canvas size limit: a poster-sized page is rendered at a lower
    // resolution rather than refused. The size actually rendered is returned.
    const pixels = base.width * base.height * scale * scale;
    if (pixels > this.limits.maxPixels) scale *= Math.sqrt(this.limits.maxPixels / pixels);
    scale = Math.min(scale, MAX_RENDER_SIDE / Math.max(base.width, base.height));
    const viewport = page.getViewport({ scale });
    const canvas: Canvas = canvasLib.createCanvas(Math.floor(viewport.width), Math.floor(viewport.height));
    try {
      await page.render({
        canvas: canvas as unknown as HTMLCanvasElement,
        canvasContext: canvas.getContext('2d') as unknown as CanvasRenderingContext2D,
        viewport,
        background: '#ffffff',
        intent: 'print',
      }).promise;
    } catch (e) {
      throw this.damaged(e);
    } finally {
      page.cleanup();
    }
    // sharp's PNG encoder is about five times cheaper than the canvas's own (80 vs 420 ms CPU for A4 at 300 dpi).
    // pdf.js painted an opaque white background, so the alpha channel carries nothing.
    // canvas.data() is a view of the canvas's native memory: copy it before sharp reads it on another thread, or a
    // garbage-collected canvas leaves sharp reading freed memory (a segfault, seen on scanned pages).
    const rgba = Buffer.from(canvas.data());
    const png = await sharp(rgba, { raw: { width: canvas.width, height: canvas.height, channels: 4 } })
      .removeAlpha()
      .png({ adaptiveFiltering: false })
      .toBuffer();
    return { png, width: canvas.width, height: canvas.height };
  }

  async attachments(): Promise<PdfAttachment[]> {
    let found: Record<string, { filename?: string; content?: Uint8Array }> | null;
    try {
      found = await this.doc.getAttachments();
    } catch (e) {
      throw this.damaged(e);
    }
    return Object.entries(found ?? {}).flatMap(([key, file]) =>
      file.content ? [{ name: file.filename || key, bytes: file.content }] : [],
    );
  }

  async close(): Promise<void> {
    const others = [this.renderDoc, this.strictDoc];
    this.renderDoc = undefined;
    this.strictDoc = undefined;
    await Promise.all([
      this.doc.destroy(),
      ...others.map((d) =>
        d?.then(
          (opened) => opened?.destroy(),
          () => {},
        ),
      ),
    ]);
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

interface PlacedWord {
  word: Word;
  /** The word reaches the end of its text item (no trailing space): the next item may continue it. */
  endsItem: boolean;
  /** Where the item's baseline ends, in user space, and its direction and height, for the continuation test. */
  end: { x: number; y: number; ux: number; uy: number; height: number };
}

/**
 * Turns pdf.js text items (often whole phrases) into words with boxes in viewport space at scale 1: PDF points,
 * origin top-left, page rotation and mediabox offset applied. A word's box is estimated from its share of the
 * item's characters; its height runs from the font's descent to its ascent. Fragments of one word that pdf.js
 * returns as separate items (a font change mid-word, say) are merged back.
 */
export function wordsFromTextItems(
  items: readonly TextItem[],
  styles: Record<string, TextStyle>,
  viewport: Pick<PageViewport, 'convertToViewportPoint'>,
): Word[] {
  const out: Word[] = [];
  let previous: PlacedWord | undefined;
  for (const item of items) {
    const str = item.str;
    const [a = 0, b = 0, c = 0, d = 0, e = 0, f = 0] = item.transform as number[];
    const along = Math.hypot(a, b);
    const height = Math.hypot(c, d) || item.height;
    if (!str.trim() || along === 0 || height === 0) {
      // A space item or a line end separates words.
      previous = undefined;
      continue;
    }
    const ux = a / along;
    const uy = b / along;
    const vx = c / Math.hypot(c, d);
    const vy = d / Math.hypot(c, d);
    const style = styles[item.fontName];
    const ascent = style?.ascent && style.ascent > 0 ? style.ascent : 0.8;
    const descent = style?.descent && style.descent < 0 ? style.descent : -0.2;
    const width = item.width;
    const chars = str.length;

    const boxOf = (s0: number, s1: number): BBox => {
      let x0 = Number.POSITIVE_INFINITY;
      let y0 = Number.POSITIVE_INFINITY;
      let x1 = Number.NEGATIVE_INFINITY;
      let y1 = Number.NEGATIVE_INFINITY;
      for (const s of [s0, s1]) {
        for (const t of [descent * height, ascent * height]) {
          const [px, py] = viewport.convertToViewportPoint(e + ux * s + vx * t, f + uy * s + vy * t) as [
            number,
            number,
          ];
          x0 = Math.min(x0, px);
          y0 = Math.min(y0, py);
          x1 = Math.max(x1, px);
          y1 = Math.max(y1, py);
        }
      }
      return [round(x0), round(y0), round(x1), round(y1)];
    };

    const end = { x: e + ux * width, y: f + uy * width, ux, uy, height };
    const startsWithSpace = /^\s/.test(str);
    const endsWithSpace = /\s$/.test(str);
    let first = true;
    for (const m of str.matchAll(/\S+/g)) {
      const index = m.index ?? 0;
      const text = m[0];
      const bbox = boxOf((index / chars) * width, ((index + text.length) / chars) * width);
      const endsItem = index + text.length === chars;
      if (first && !startsWithSpace && previous && continues(previous, e, f, ux, uy, height)) {
        previous.word.text += text;
        previous.word.bbox = [
          Math.min(previous.word.bbox[0], bbox[0]),
          Math.min(previous.word.bbox[1], bbox[1]),
          Math.max(previous.word.bbox[2], bbox[2]),
          Math.max(previous.word.bbox[3], bbox[3]),
        ];
        previous = { word: previous.word, endsItem, end };
      } else {
        const word: Word = { text, bbox, confidence: 1, source: 'text-layer' };
        out.push(word);
        previous = { word, endsItem, end };
      }
      first = false;
    }
    if (endsWithSpace || item.hasEOL || !previous?.endsItem) previous = undefined;
  }
  return out;
}

/** The next item starts where the previous one ended, on the same baseline and in the same direction. */
function continues(prev: PlacedWord, x: number, y: number, ux: number, uy: number, height: number): boolean {
  if (!prev.endsItem) return false;
  if (prev.end.ux * ux + prev.end.uy * uy < 0.99) return false;
  const dx = x - prev.end.x;
  const dy = y - prev.end.y;
  const gap = dx * ux + dy * uy;
  const drift = Math.abs(-dx * uy + dy * ux);
  const h = Math.min(prev.end.height, height);
  return gap > -0.3 * h && gap < 0.12 * h && drift < 0.25 * h;
}
