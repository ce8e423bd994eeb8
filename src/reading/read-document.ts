// Reads one document end to end (sniff → load → OCR → understand → route) with the adapters it is given.
// The CLI, the workers and the tests all go through here.
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { createImageDecoder } from '../adapters/image.ts';
import { createOcrEngine } from '../adapters/ocr.ts';
import { createPdfReader } from '../adapters/pdf.ts';
import { loadDefaultRuleSet } from '../config/config-file.ts';
import type { DocumentFailure, DocumentResult } from '../contract/result.ts';
import { type SupportedMimeType, sniffDocumentType } from '../intake/sniff.ts';
import { DocumentError, isDocumentError } from '../pipeline/errors.ts';
import { decodeXml, readNfeXml } from '../pipeline/extract/nfe-xml.ts';
import { groupIntoLines, type Layout, type Page } from '../pipeline/layout.ts';
import { ocrReadOptions } from '../pipeline/ocr-languages.ts';
import {
  DEFAULT_LIMITS,
  type ImageDecoder,
  type OcrEngine,
  type OcrPage,
  type OcrReadOptions,
  type PdfReader,
  type ReadLimits,
} from '../pipeline/ports.ts';
import { hasUsableTextLayer } from '../pipeline/text-layer.ts';
import { understandDocument } from '../pipeline/understand.ts';
import type { RuleContext } from '../rules/context.ts';
import { applyEvaluation, evaluate } from '../rules/engine.ts';
import type { RuleSet } from '../rules/schema.ts';

/** Resolution at which PDF pages without a text layer are rendered for OCR. */
export const OCR_RENDER_DPI = 300;

export interface ReadInput {
  bytes: Uint8Array;
  /** The name shown in results: the path given on the command line, or the uploaded file name. */
  file: string;
  id?: string;
}

export interface ReadOutput {
  result: DocumentResult | DocumentFailure;
  layout?: Layout;
}

export interface ReaderAdapters {
  pdf: PdfReader;
  images: ImageDecoder;
  /** Created on first use, so documents with a text layer never pay for loading tesseract. */
  ocr: () => OcrEngine;
}

export interface ReaderOptions {
  /** tesseract language codes, e.g. ['eng', 'por', 'spa']. */
  languages?: readonly string[];
  limits?: Partial<ReadLimits>;
  /** The rule set results are routed with; the shipped default when absent. */
  ruleSet?: RuleSet;
  /** Clock and master data for the rules. History is empty here: a caller that knows earlier documents
   * (the CLI run, the database) re-evaluates with `evaluate` in its own order. */
  ruleContext?: Omit<RuleContext, 'history' | 'now'> & { now?: () => Date };
  /** false: no rules here, the result comes back with no issues and route `auto`, for a caller that judges
   * it itself with the history it knows (the CLI run, the service's database); saves evaluating twice. */
  judge?: boolean;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function documentIdFor(sha256: string): string {
  return `doc_${sha256.slice(0, 20)}`;
}

const ms = (t0: number) => Math.round((performance.now() - t0) * 10) / 10;

export class DocumentReader {
  readonly limits: ReadLimits;
  readonly languages: readonly string[];
  private readonly ocrOptions: OcrReadOptions;
  readonly ruleSet: RuleSet;
  private readonly ruleContext: NonNullable<ReaderOptions['ruleContext']>;
  private readonly judge: boolean;
  private ocrEngine: OcrEngine | undefined;

  constructor(
    private readonly adapters: ReaderAdapters,
    options: ReaderOptions = {},
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.languages = options.languages ?? ['eng', 'por', 'spa'];
    this.ocrOptions = ocrReadOptions(this.languages);
    this.ruleSet = options.ruleSet ?? loadDefaultRuleSet();
    this.ruleContext = options.ruleContext ?? {};
    this.judge = options.judge ?? true;
  }

  /** Issues, route and review block for a freshly read result, with no history. */
  private routed(result: DocumentResult): DocumentResult {
    if (!this.judge) return result;
    const { now, ...rest } = this.ruleContext;
    const t = performance.now();
    const routed = applyEvaluation(
      result,
      evaluate(result, this.ruleSet, { ...rest, now: now?.() ?? new Date(), history: [] }),
    );
    routed.timings = { ...routed.timings, validateMs: ms(t) };
    return routed;
  }

  private get ocr(): OcrEngine {
    this.ocrEngine ??= this.adapters.ocr();
    return this.ocrEngine;
  }

  async read(input: ReadInput): Promise<DocumentResult | DocumentFailure> {
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
      const mimeType = await sniffDocumentType(input.bytes);
      if (mimeType === 'application/xml') return this.readStructured(input, { id, sha256, mimeType });
      const t0 = performance.now();
      const { layout, ocrMs } = await this.loadLayout(input.bytes, mimeType);
      const loadMs = ms(t0) - ocrMs;

      const t1 = performance.now();
      const understood = understandDocument(layout, {});
      const extractMs = ms(t1);

      const result: DocumentResult = this.routed({
        id,
        file: input.file,
        sha256,
        mimeType,
        documentType: understood.documentType,
        language: understood.language,
        pages: layout.pages.length,
        fields: understood.fields,
        lineItems: understood.lineItems,
        validation: { issues: [] },
        route: 'auto',
        timings: { loadMs: Math.max(0, Math.round(loadMs * 10) / 10), ocrMs, extractMs, validateMs: 0 },
      });
      return { result, layout };
    } catch (error) {
      if (!isDocumentError(error)) throw error;
      return {
        result: { id, file: input.file, sha256, error: { code: error.code, message: error.message } },
      };
    }
  }

  /** Structured input (NF-e XML): the fields are read from the tags, with no layout to look at or OCR. */
  private readStructured(
    input: ReadInput,
    meta: { id: string; sha256: string; mimeType: SupportedMimeType },
  ): ReadOutput {
    const t0 = performance.now();
    const understood = readNfeXml(decodeXml(input.bytes));
    const loadMs = ms(t0);
    const result: DocumentResult = this.routed({
      id: meta.id,
      file: input.file,
      sha256: meta.sha256,
      mimeType: meta.mimeType,
      documentType: understood.documentType,
      language: understood.language,
      pages: 1,
      fields: understood.fields,
      lineItems: understood.lineItems,
      validation: { issues: [] },
      route: 'auto',
      // Parsing and reading the fields are one step here: it is counted as load.
      timings: { loadMs, ocrMs: 0, extractMs: 0, validateMs: 0 },
    });
    // One nominal A4 page with no words: fields from XML carry page 1 and a zero-size bbox.
    const layout: Layout = {
      pages: [{ number: 1, width: 595, height: 842, source: 'xml', rotation: 0, lines: [] }],
    };
    return { result, layout };
  }

  private async loadLayout(
    bytes: Uint8Array,
    mimeType: SupportedMimeType,
  ): Promise<{ layout: Layout; ocrMs: number }> {
    let ocrMs = 0;
    const ocrPage = async (image: { png: Buffer; width: number; height: number }, number: number) => {
      const t = performance.now();
      const read = await this.ocr.readPage(image, this.ocrOptions);
      ocrMs += ms(t);
      return pageFromOcr(read, number);
    };

    if (mimeType === 'application/pdf') {
      const pdf = await this.adapters.pdf.open(bytes, this.limits);
      try {
        const pages: Promise<Page>[] = [];
        for (let n = 1; n <= pdf.pageCount; n++) {
          const text = await pdf.textLayer(n);
          if (hasUsableTextLayer(text)) {
            pages.push(
              Promise.resolve({
                number: n,
                width: text.width,
                height: text.height,
                source: 'text-layer',
                rotation: 0,
                lines: groupIntoLines(text.words),
              }),
            );
          } else {
            // Rendering is sequential (pdfjs holds the document); OCR of rendered pages runs on the pool. A page
            // failing while later ones render is reported by Promise.all below, not as an unhandled rejection.
            const page = ocrPage(await pdf.render(n, OCR_RENDER_DPI), n);
            page.catch(() => {});
            pages.push(page);
          }
        }
        return { layout: { pages: await Promise.all(pages) }, ocrMs };
      } finally {
        await pdf.close();
      }
    }

    const images = await this.adapters.images.decode(bytes, this.limits);
    const pages = await Promise.all(images.map((image, i) => ocrPage(image, i + 1)));
    return { layout: { pages }, ocrMs };
  }

  async close(): Promise<void> {
    await this.ocrEngine?.close();
    this.ocrEngine = undefined;
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

/** A reader wired to the real adapters: pdfjs, sharp and a tesseract.js pool sized to the cores. */
export function createReader(options: ReaderOptions & { ocrPoolSize?: number } = {}): DocumentReader {
  const languages = options.languages ?? ['eng', 'por', 'spa'];
  return new DocumentReader(
    {
      pdf: createPdfReader(),
      images: createImageDecoder(),
      ocr: () =>
        createOcrEngine({
          languages: [...languages],
          poolSize: options.ocrPoolSize ?? availableParallelism(),
        }),
    },
    { ...options, languages },
  );
}
