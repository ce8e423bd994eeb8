// What an input format is to the service: how its bytes are recognised and how they are read into a layout
// (or, for structured input, straight into fields). One module per format, listed in ./registry.ts.
import type { EInvoice } from '../contract/result.ts';
import { isDocumentError } from '../pipeline/errors.ts';
import type { Layout, Page } from '../pipeline/layout.ts';
import type { ImageDecoder, PageImage, PdfReader, ReadLimits } from '../pipeline/ports.ts';
import type { Understanding } from '../pipeline/understand.ts';

/** What detection looks at: the bytes, what file-type recognised from their magic numbers, and their start as text. */
export interface Probe {
  bytes: Uint8Array;
  /** file-type's answer, absent when the magic bytes say nothing it knows (plain text, XML). */
  sniffed?: { mime: string; ext: string } | undefined;
  /** The first 8 KB decoded as text, for formats recognised by their root element. */
  head: string;
}

export interface Detection {
  /** The media type stored with the document and sent with its original. */
  mediaType: string;
  /**
   * How sure the format is (0..1): a format recognised by its magic bytes answers 1, a narrower reading of
   * the same bytes (an e-invoice inside a PDF) answers more. The highest wins.
   */
  score: number;
}

/** The adapters and limits a format reads with; OCR is handed in whole, so formats never see the engine. */
export interface ReadTools {
  pdf: PdfReader;
  images: ImageDecoder;
  limits: ReadLimits;
  /** OCR of one page image into a layout page numbered `number` (timed by the reader). */
  ocrPage(image: PageImage, number: number): Promise<Page>;
  /** Looks for QR codes and barcodes on a digital page's image; `units` is the page's size in its boxes' unit
   * (absent: no codes are read). OCR'd pages are looked at by `ocrPage` itself. */
  readCodes?(image: PageImage, number: number, units: { width: number; height: number }): Promise<void>;
}

export interface FormatReading {
  layout: Layout;
  /** Structured input answers its own fields (confidence 1); other formats leave understanding to the pipeline. */
  understood?: Understanding;
  /** True when the amounts already include the taxes (see the contract's `pricesIncludeTax`). */
  pricesIncludeTax?: boolean;
  /** What an e-invoice states beyond the fields (totals, tax breakdown, the visible page of a hybrid PDF). */
  einvoice?: EInvoice;
  /** The id of the format that really read the bytes, when a format handed them over to another (a PDF that
   * looked like it carried an e-invoice but did not is read, and recorded, as a plain PDF). */
  readAs?: string;
}

export interface DocumentFormat {
  /** Stable id, recorded in each result as `format`. */
  id: string;
  /** How a person names it, in the refusal that lists what is supported ("PDF", "NF-e XML"). */
  label: string;
  /** File name endings picked up when a folder is given to `retaguarda process`. */
  extensions: readonly string[];
  detect(probe: Probe): Detection | undefined;
  /** For bytes no format reads: what they are when they belong to this format's family without being read by it
   * ("a UBL Order, not an invoice or credit note"), for the refusal. */
  describe?(probe: Probe): string | undefined;
  read(bytes: Uint8Array, tools: ReadTools): Promise<FormatReading>;
  /** Page `page` (1-based) as an upright image for the review page; absent when the format has no pages. */
  renderPage?(
    bytes: Uint8Array,
    page: number,
    tools: Pick<ReadTools, 'pdf' | 'images' | 'limits'>,
  ): Promise<PageImage | undefined>;
}

/** Faults of one page (it cannot be parsed or decoded, its rendering or OCR fails): the page is unreadable, not the
 * file. */
const PAGE_FAULTS: readonly string[] = ['corrupt_file', 'ocr_failed'];
export const pageFault = (e: unknown) => isDocumentError(e) && PAGE_FAULTS.includes(e.code);

/**
 * Every page of a file of several, once read: a page that failed on its own becomes a page with no text, marked
 * unreadable (with the size `sizeOf` gives it), so a batch splits around it; when no page can be read at all the
 * file is what is damaged, and the first fault stands.
 */
export async function settlePages(
  pages: readonly Promise<Page>[],
  sizeOf: (index: number) => { width: number; height: number },
): Promise<Page[]> {
  const settled = await Promise.allSettled(pages);
  if (!settled.some((s) => s.status === 'fulfilled'))
    throw (settled[0] as PromiseRejectedResult | undefined)?.reason ?? new Error('no pages');
  return settled.map((s, i) => {
    if (s.status === 'fulfilled') return s.value;
    if (!pageFault(s.reason)) throw s.reason;
    const why = s.reason instanceof Error ? s.reason.message : String(s.reason);
    const { width, height } = sizeOf(i);
    return { number: i + 1, width, height, source: 'text-layer', rotation: 0, lines: [], unreadable: why };
  });
}
