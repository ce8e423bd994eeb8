// Reads one document end to end: detect its format, read it into a layout (text layer, OCR or XML), and
// understand it into fields. Judging is not reading: callers judge the extraction with src/rules/judge.ts
// against the history they know. The CLI, the workers and the tests all read through here.
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { createCodeReader } from '../adapters/codes.ts';
import { createImageDecoder } from '../adapters/image.ts';
import { createOcrEngine } from '../adapters/ocr.ts';
import { createPdfReader } from '../adapters/pdf.ts';
import { createSecondReader } from '../adapters/second-ocr.ts';
import type { DocumentFailure, Extraction, PageRange, PrintedCode, Split } from '../contract/result.ts';
import type { ReadTools } from '../formats/format.ts';
import { detectFormat } from '../formats/registry.ts';
import { confirmByCodes, interpretCode } from '../pipeline/codes/index.ts';
import { DocumentError, isDocumentError } from '../pipeline/errors.ts';
import type { VendorMemory } from '../pipeline/extract/memory/memory.ts';
import type { SecondReading } from '../pipeline/extract/second-look.ts';
import { groupIntoLines, type Layout, type Page } from '../pipeline/layout.ts';
import { ocrReadOptions } from '../pipeline/ocr-languages.ts';
import {
  type CodeReader,
  type CodeReading,
  DEFAULT_LIMITS,
  type ImageDecoder,
  type OcrEngine,
  type OcrPage,
  type OcrReadOptions,
  type PageImage,
  type PdfReader,
  type ReadLimits,
  type SecondReader,
} from '../pipeline/ports.ts';
import { BLANK_WORDS, planSplit, wordsOn } from '../pipeline/split.ts';
import { toTextLines } from '../pipeline/text-lines.ts';
import { rereadsFor, understandDocument } from '../pipeline/understand.ts';

export interface ReadInput {
  bytes: Uint8Array;
  /** The name shown in results: the path given on the command line, or the uploaded file name. */
  file: string;
  id?: string;
  /** Where a person cut the file (each document's first and last page): read as these parts, not as the
   * splitter would cut it. Separator sheets and blank pages inside a range are still left out. */
  parts?: readonly PageRange[];
}

export interface ReadOutput {
  result: Extraction | DocumentFailure;
  layout?: Layout;
}

export interface ReaderAdapters {
  pdf: PdfReader;
  images: ImageDecoder;
  /** Created on first use, so documents with a text layer never pay for loading tesseract. */
  ocr: () => OcrEngine;
  /** The second reader, asked about OCR'd lines left in doubt; created on first use. Absent: no second look. */
  second?: () => SecondReader;
  /** QR codes and barcodes on the pages. Absent: no codes are read. */
  codes?: CodeReader;
}

export interface ReaderOptions {
  /** The text of a batch separator sheet's code (default RETAGUARDA-SPLIT). */
  separatorValue?: string;
  /** false: a file of several pages is always one document, never split. */
  split?: boolean;
  /** tesseract language codes, e.g. ['eng', 'por', 'spa']. */
  languages?: readonly string[];
  limits?: Partial<ReadLimits>;
  /** Vendor memory (`retaguarda process --memory`): the fields it learned are the strongest candidates. */
  memory?: VendorMemory;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function documentIdFor(sha256: string): string {
  return `doc_${sha256.slice(0, 20)}`;
}

const ms = (t0: number) => Math.round((performance.now() - t0) * 10) / 10;

export function isFailure(r: Extraction | DocumentFailure): r is DocumentFailure {
  return 'error' in r;
}

/** Share of ink above which a page is printed, not blank: a blank scan's grain stays far below it, and a page of
 * text is several percent. */
const PRINTED_INK = 0.002;

export class DocumentReader {
  readonly limits: ReadLimits;
  readonly languages: readonly string[];
  private readonly ocrOptions: OcrReadOptions;
  private readonly hints: { memory?: VendorMemory };
  private readonly separatorValue: string | undefined;
  private readonly splitting: boolean;
  private ocrEngine: OcrEngine | undefined;
  private secondReader: SecondReader | undefined;

  constructor(
    private readonly adapters: ReaderAdapters,
    options: ReaderOptions = {},
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.languages = options.languages ?? ['eng', 'por', 'spa'];
    this.ocrOptions = ocrReadOptions(this.languages);
    this.hints = options.memory ? { memory: options.memory } : {};
    this.separatorValue = options.separatorValue;
    this.splitting = options.split !== false;
  }

  private get ocr(): OcrEngine {
    this.ocrEngine ??= this.adapters.ocr();
    return this.ocrEngine;
  }

  async read(input: ReadInput): Promise<Extraction | DocumentFailure> {
    return (await this.readWithLayout(input)).result;
  }

  async readWithLayout(input: ReadInput): Promise<ReadOutput> {
    const sha256 = sha256Hex(input.bytes);
    const id = input.id ?? documentIdFor(sha256);
    try {
      if (input.bytes.length > this.limits.maxBytes) {
        throw new DocumentError(
          'file_too_large',
          `The file is ${(input.bytes.length / 1048576).toFixed(1)} MB; the limit is ${(this.limits.maxBytes / 1048576).toFixed(0)} MB.`,
        );
      }
      const { format, mediaType } = await detectFormat(input.bytes);
      let ocrMs = 0;
      let codesMs = 0;
      const found: { page: number; reading: CodeReading }[] = [];
      const codeReader = this.adapters.codes;
      // Codes in the page's units: the image's pixels scaled to the page's width and height.
      const readCodes = async (
        image: PageImage,
        number: number,
        units: { width: number; height: number },
      ) => {
        if (!codeReader) return;
        const t = performance.now();
        const readings = await codeReader.read(image);
        codesMs += ms(t);
        const sx = units.width / image.width;
        const sy = units.height / image.height;
        for (const r of readings) {
          const [x0, y0, x1, y1] = r.bbox;
          found.push({ page: number, reading: { ...r, bbox: [x0 * sx, y0 * sy, x1 * sx, y1 * sy] } });
        }
      };
      // The OCR'd pages' images, for a second look at the lines the first reading left in doubt.
      const pageImages = new Map<number, PageImage>();
      const tools: ReadTools = {
        pdf: this.adapters.pdf,
        images: this.adapters.images,
        limits: this.limits,
        ocrPage: async (image, number) => {
          if (this.adapters.second) pageImages.set(number, image);
          const t = performance.now();
          const [read] = await Promise.all([
            this.ocr.readPage(image, this.ocrOptions),
            // The original image, not the OCR's binarised one: a code keeps its quiet zone and its grey edges.
            readCodes(image, number, image),
          ]);
          ocrMs += ms(t);
          const page = pageFromOcr(read, number);
          // A page OCR found next to no words on is blank only if it has no print either: otherwise the print
          // could not be read, and the page must not be dropped from a batch as blank.
          // (A separator sheet's code is print enough.)
          if (
            wordsOn(page) < BLANK_WORDS &&
            !found.some((f) => f.page === number) &&
            (await this.adapters.images.inkShare(image)) > PRINTED_INK
          ) {
            return { ...page, unreadable: 'No text could be read on this page, though it has print on it.' };
          }
          return page;
        },
        ...(codeReader ? { readCodes } : {}),
      };
      const t0 = performance.now();
      const reading = await format.read(input.bytes, tools);
      const loadMs = Math.max(0, Math.round((ms(t0) - ocrMs) * 10) / 10);
      const { layout } = reading;

      // Structured input understood itself: parsing and reading its fields are one step, counted as load.
      const t1 = performance.now();
      let understood = reading.understood ?? understandDocument(layout, this.hints);
      let extractMs = reading.understood ? 0 : ms(t1);
      if (!reading.understood && pageImages.size) {
        const again = rereadsFor(layout, understood);
        const t2 = performance.now();
        const second = again.length ? await this.readAgain(layout, again, pageImages) : undefined;
        ocrMs += ms(t2);
        if (second?.size) {
          const t3 = performance.now();
          understood = understandDocument(layout, { ...this.hints, language: understood.language, second });
          extractMs += ms(t3);
        }
      }

      // In page order, whichever page's codes were read first.
      const codes = [...found]
        .sort((a, b) => a.page - b.page)
        .map(({ page, reading }): PrintedCode => {
          const near = understood.fields.invoiceDate?.value;
          const meaning = interpretCode(reading.text, {
            ...(this.separatorValue ? { separatorValue: this.separatorValue } : {}),
            ...(near && /^\d{4}-\d{2}-\d{2}$/.test(near) ? { near: new Date(`${near}T00:00:00Z`) } : {}),
          });
          return { page, format: reading.format, text: reading.text, bbox: reading.bbox, ...meaning };
        });
      const fields = codes.length ? confirmByCodes(understood.fields, codes) : understood.fields;
      const unreadable = layout.pages.filter((p) => p.unreadable !== undefined).map((p) => p.number);

      const result: Extraction = {
        id,
        file: input.file,
        sha256,
        mimeType: mediaType,
        format: reading.readAs ?? format.id,
        documentType: understood.documentType,
        language: understood.language,
        pages: layout.pages.length,
        fields,
        lineItems: understood.lineItems,
        ...(reading.pricesIncludeTax ? { pricesIncludeTax: true } : {}),
        ...(reading.einvoice ? { einvoice: reading.einvoice } : {}),
        timings: { loadMs, ocrMs, extractMs, validateMs: 0, ...(codeReader ? { codesMs } : {}) },
        pageSizes: layout.pages.map((p) => ({
          width: p.width,
          height: p.height,
          rotation: p.rotation ?? 0,
          source: p.source,
        })),
        ...(codes.length ? { codes } : {}),
        ...(unreadable.length ? { unreadablePages: unreadable } : {}),
      };
      // Structured input is one document by its nature; a page-read file of several pages may be a batch.
      const split =
        this.splitting && !reading.understood && layout.pages.length > 1
          ? splitReading(result, layout, input.parts)
          : undefined;
      return { result: split ? { ...result, split } : result, layout };
    } catch (error) {
      if (!isDocumentError(error)) throw error;
      return {
        result: { id, file: input.file, sha256, error: { code: error.code, message: error.message } },
      };
    }
  }

  /**
   * The second reader's readings of the given lines, page by page. A line whose first reading holds letters the
   * second reader cannot spell (ç, ã, ñ) is left out: its reading would neither confirm nor contradict it. A
   * failing second reader costs the document its second opinion, never its reading.
   */
  private async readAgain(
    layout: Layout,
    indices: readonly number[],
    images: ReadonlyMap<number, PageImage>,
  ) {
    this.secondReader ??= this.adapters.second?.();
    const reader = this.secondReader;
    const out = new Map<number, SecondReading>();
    if (!reader) return out;
    const wanted = new Set(indices);
    const lines = toTextLines(layout).filter((l) => wanted.has(l.index) && reader.canSpell(l.text));
    for (const page of new Set(lines.map((l) => l.page))) {
      const image = images.get(page);
      const onPage = lines.filter((l) => l.page === page);
      if (!image || !onPage.length) continue;
      const readings = await reader
        .readRegions(
          image,
          onPage.map((l) => l.bbox),
        )
        .catch(() => []);
      onPage.forEach((l, i) => {
        const reading = readings[i];
        if (reading?.text.trim()) out.set(l.index, reading);
      });
    }
    return out;
  }

  /** Loads the OCR engine and its languages before a scanned page needs them. */
  async warmOcr(): Promise<void> {
    await this.ocr.warm?.();
  }

  async close(): Promise<void> {
    await Promise.all([this.ocrEngine?.close(), this.secondReader?.close()]);
    this.ocrEngine = undefined;
    this.secondReader = undefined;
  }
}

/** The file's documents, each read from its own pages, when it holds more than one; undefined when it is one. */
function splitReading(whole: Extraction, layout: Layout, cutBy?: readonly PageRange[]): Split | undefined {
  const codes = whole.codes ?? [];
  const unreadable = whole.unreadablePages ?? [];
  const plan = planSplit(layout, codes, { unreadable });
  if (cutBy) {
    // A person's cut is certain: their parts, each without the separator sheets and blank pages in its range.
    const dropped = new Set([...plan.separators, ...plan.blank]);
    plan.parts = cutBy
      .map(({ first, last }) => Array.from({ length: last - first + 1 }, (_, i) => first + i))
      .map((pages) => pages.filter((n) => !dropped.has(n)))
      .filter((pages) => pages.length)
      .map((pages) => ({ first: pages[0]!, last: pages.at(-1)!, pages }));
    plan.cuts = plan.parts
      .slice(1)
      .map((p) => ({ before: p.first, confidence: 1, reasons: ['cut by a reviewer'] }));
    plan.joins = [];
    plan.uncertain = false;
  }
  // A person may leave the file whole: one part, still read as a part of its file.
  if (plan.parts.length < (cutBy ? 1 : 2)) return undefined;
  const confidence = Math.min(1, ...[...plan.cuts, ...plan.joins].map((c) => c.confidence));
  const parts = plan.parts.map((part) => {
    const at = (n: number) => part.pages.indexOf(n) + 1;
    const pages = part.pages.map((n, i) => ({ ...layout.pages[n - 1]!, number: i + 1 }));
    const understood = understandDocument({ pages }, {});
    const partCodes = codes
      .filter((c) => part.pages.includes(c.page))
      .map((c) => ({ ...c, page: at(c.page) }));
    const reading: Extraction = {
      id: `${whole.id}_p${part.first}`,
      file: `${whole.file} (pages ${part.first}–${part.last})`,
      sha256: whole.sha256,
      ...(whole.mimeType ? { mimeType: whole.mimeType } : {}),
      ...(whole.format ? { format: whole.format } : {}),
      documentType: understood.documentType,
      language: understood.language,
      pages: pages.length,
      fields: partCodes.length ? confirmByCodes(understood.fields, partCodes) : understood.fields,
      lineItems: understood.lineItems,
      timings: { loadMs: 0, ocrMs: 0, extractMs: 0, validateMs: 0 },
      pageSizes: part.pages.map((n) => whole.pageSizes?.[n - 1]).filter((p) => p !== undefined),
      ...(partCodes.length ? { codes: partCodes } : {}),
      ...(part.pages.some((n) => unreadable.includes(n))
        ? { unreadablePages: part.pages.filter((n) => unreadable.includes(n)).map(at) }
        : {}),
      parentId: whole.id,
      pageRange: { first: part.first, last: part.last },
      splitConfidence: confidence,
    };
    return { ...part, reading };
  });
  return {
    parts,
    cuts: plan.cuts,
    separators: plan.separators,
    blank: plan.blank,
    uncertain: plan.uncertain,
  };
}

function pageFromOcr(read: OcrPage, number: number): Page {
  return {
    number,
    width: read.width,
    height: read.height,
    source: 'ocr',
    rotation: read.rotation,
    lines: groupIntoLines(read.words),
  };
}

/** The real adapters a reader and a page renderer use: pdf.js and sharp. */
export function createReadTools(): Pick<ReadTools, 'pdf' | 'images'> {
  return { pdf: createPdfReader(), images: createImageDecoder() };
}

/** A reader wired to the real adapters: pdf.js, sharp and a tesseract.js pool sized to the cores. */
export function createReader(
  options: ReaderOptions & {
    ocrPoolSize?: number;
    /** false: no second reader (PP-OCRv4) for lines left in doubt. */
    secondLook?: boolean;
    /** Told a document's page count as soon as it is known (a budget that grows with the pages listens). */
    onPages?: (pages: number) => void;
    /** false: no QR codes or barcodes read. */
    codes?: boolean;
  } = {},
): DocumentReader {
  const languages = options.languages ?? ['eng', 'por', 'spa'];
  const tools = createReadTools();
  const onPages = options.onPages;
  if (onPages) {
    const { pdf, images } = tools;
    tools.pdf = {
      async open(bytes, limits) {
        const doc = await pdf.open(bytes, limits);
        onPages(doc.pageCount);
        return doc;
      },
    };
    tools.images = {
      async decode(bytes, limits) {
        const pages = await images.decode(bytes, limits);
        onPages(pages.length);
        return pages;
      },
      async decodeFrames(bytes, limits) {
        const frames = await images.decodeFrames(bytes, limits);
        onPages(frames.length);
        return frames;
      },
      inkShare: (image) => images.inkShare(image),
    };
  }
  return new DocumentReader(
    {
      ...tools,
      ocr: () =>
        createOcrEngine({
          languages: [...languages],
          poolSize: options.ocrPoolSize ?? availableParallelism(),
        }),
      ...(options.secondLook === false ? {} : { second: () => createSecondReader() }),
      ...(options.codes === false ? {} : { codes: createCodeReader() }),
    },
    { ...options, languages },
  );
}
