// Reads one document end to end: detect its format, read it into a layout (text layer, OCR or XML), and
// understand it into fields. Judging is not reading: callers judge the extraction with src/rules/judge.ts
// against the history they know. The CLI, the workers and the tests all read through here.
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { createImageDecoder } from '../adapters/image.ts';
import { createOcrEngine } from '../adapters/ocr.ts';
import { createPdfReader } from '../adapters/pdf.ts';
import { createSecondReader } from '../adapters/second-ocr.ts';
import type { DocumentFailure, Extraction } from '../contract/result.ts';
import type { ReadTools } from '../formats/format.ts';
import { detectFormat } from '../formats/registry.ts';
import { DocumentError, isDocumentError } from '../pipeline/errors.ts';
import type { VendorMemory } from '../pipeline/extract/memory/memory.ts';
import type { SecondReading } from '../pipeline/extract/second-look.ts';
import { groupIntoLines, type Layout, type Page } from '../pipeline/layout.ts';
import { ocrReadOptions } from '../pipeline/ocr-languages.ts';
import {
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
import { toTextLines } from '../pipeline/text-lines.ts';
import { rereadsFor, understandDocument } from '../pipeline/understand.ts';

export interface ReadInput {
  bytes: Uint8Array;
  /** The name shown in results: the path given on the command line, or the uploaded file name. */
  file: string;
  id?: string;
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
}

export interface ReaderOptions {
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

export class DocumentReader {
  readonly limits: ReadLimits;
  readonly languages: readonly string[];
  private readonly ocrOptions: OcrReadOptions;
  private readonly hints: { memory?: VendorMemory };
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
      // The OCR'd pages' images, for a second look at the lines the first reading left in doubt.
      const pageImages = new Map<number, PageImage>();
      const tools: ReadTools = {
        pdf: this.adapters.pdf,
        images: this.adapters.images,
        limits: this.limits,
        ocrPage: async (image, number) => {
          if (this.adapters.second) pageImages.set(number, image);
          const t = performance.now();
          const read = await this.ocr.readPage(image, this.ocrOptions);
          ocrMs += ms(t);
          return pageFromOcr(read, number);
        },
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

      const result: Extraction = {
        id,
        file: input.file,
        sha256,
        mimeType: mediaType,
        format: reading.readAs ?? format.id,
        documentType: understood.documentType,
        language: understood.language,
        pages: layout.pages.length,
        fields: understood.fields,
        lineItems: understood.lineItems,
        ...(reading.pricesIncludeTax ? { pricesIncludeTax: true } : {}),
        ...(reading.einvoice ? { einvoice: reading.einvoice } : {}),
        timings: { loadMs, ocrMs, extractMs, validateMs: 0 },
        pageSizes: layout.pages.map((p) => ({
          width: p.width,
          height: p.height,
          rotation: p.rotation ?? 0,
          source: p.source,
        })),
      };
      return { result, layout };
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

  async close(): Promise<void> {
    await Promise.all([this.ocrEngine?.close(), this.secondReader?.close()]);
    this.ocrEngine = undefined;
    this.secondReader = undefined;
  }
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
    },
    { ...options, languages },
  );
}
