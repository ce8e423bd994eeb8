// Where one file holds several documents (a stack of invoices scanned as one PDF, a month merged by an ERP), the
// pages at which a new document starts. Separator sheets decide alone when the batch has them; otherwise each
// boundary between two pages is weighed on its cues: a page counter restarting or running on, a new invoice
// number or issuer at the top, a totals block closing the page before, a change of layout. Pure: it takes the
// layout and the codes the reader found.
import type { PageRange, PrintedCode } from '../contract/result.ts';
import type { Layout, Page } from './layout.ts';
import { understandDocument } from './understand.ts';

export interface SplitOptions {
  /** A cut (or the absence of one) weighed under this probability holds every part in review. */
  certainty?: number;
  /** Pages that could not be read (a damaged page): each stands alone, so the documents around it still split. */
  unreadable?: readonly number[];
}

export interface Cut {
  /** The new document starts at this page of the file (1-based). */
  before: number;
  /** How sure the splitter is that a new document starts here, 0.5–1. */
  confidence: number;
  /** The cues that decided, in a reviewer's words. */
  reasons: string[];
}

export interface SplitPlan {
  /** Each document's pages, in file order; separator sheets and blank pages are in none. */
  parts: (PageRange & { pages: number[] })[];
  cuts: Cut[];
  /** Boundaries left uncut, with how sure the splitter is that the page continues the document before it. */
  joins: Cut[];
  /** Separator sheets (dropped from every part). */
  separators: number[];
  blank: number[];
  /** True when some cut or join was weighed under the certainty: the parts need a person. */
  uncertain: boolean;
}

const DEFAULT_CERTAINTY = 0.9;

/** "Page 1 of 2", "Página 1 de 3", "Pág. 2/3", "Seite 1 von 2", "Page 1/2". */
const PAGE_MARK =
  /\b(?:page|p[aá]g(?:ina)?\.?|seite|hoja|folha|fl\.)\s*(\d{1,3})\s*(?:of|de|von|\/)\s*(\d{1,3})\b/i;

interface PageCues {
  number: number;
  blank: boolean;
  mark?: { n: number; of: number };
  invoiceNumber?: string;
  vendorTaxId?: string;
  vendorName?: string;
  /** A total was read on this page. */
  total: boolean;
  /** A document title, number or date in the top quarter: the page opens a document. */
  header: boolean;
  /** Rounded positions of the top lines: what the page's letterhead looks like. */
  fingerprint: string[];
}

const TITLE =
  /\b(invoice|tax invoice|credit note|receipt|bill|fatura|factura|nota fiscal|danfe|recibo|rechnung|facture|nota de cr[eé]dito)\b/i;
const compact = (v: string) => v.replace(/[^0-9A-Za-z]/g, '').toUpperCase();

/** A page with fewer words than this is blank (when it has no print either: see the reader). */
export const BLANK_WORDS = 3;
export const wordsOn = (page: Page) => page.lines.reduce((n, l) => n + l.words.length, 0);

function cuesOf(page: Page): PageCues {
  const text = page.lines.map((l) => l.text).join('\n');
  const words = wordsOn(page);
  const m = PAGE_MARK.exec(text);
  const mark = m ? { n: Number(m[1]), of: Number(m[2]) } : undefined;
  const alone = { pages: [{ ...page, number: 1 }] };
  const { fields } = understandDocument(alone, {});
  const top = page.height * 0.3;
  const topLines = page.lines.filter((l) => l.bbox[1] < top);
  const inTop = (bbox?: readonly number[]) => bbox !== undefined && (bbox[1] ?? Infinity) < top;
  const header =
    topLines.some((l) => TITLE.test(l.text)) ||
    inTop(fields.invoiceNumber?.bbox) ||
    inTop(fields.invoiceDate?.bbox);
  const grid = (v: number, size: number) => Math.round((v / size) * 20);
  return {
    number: page.number,
    blank: words < BLANK_WORDS,
    ...(mark && mark.n >= 1 && mark.n <= mark.of ? { mark } : {}),
    ...(fields.invoiceNumber?.value ? { invoiceNumber: compact(fields.invoiceNumber.value) } : {}),
    ...(fields.vendorTaxId?.value ? { vendorTaxId: compact(fields.vendorTaxId.value) } : {}),
    ...(fields.vendorName?.value ? { vendorName: compact(fields.vendorName.value) } : {}),
    total: Boolean(fields.totalAmount?.value),
    header,
    fingerprint: topLines
      .slice(0, 6)
      .map((l) => `${grid(l.bbox[0], page.width)}:${grid(l.bbox[1], page.height)}`),
  };
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** The evidence that `next` starts a new document after `prev` (whose document began at `first`), as log-odds. */
function weigh(prev: PageCues, next: PageCues, first: PageCues): { score: number; reasons: string[] } {
  let score = -0.5;
  const reasons: string[] = [];
  const add = (w: number, why: string) => {
    score += w;
    reasons.push(why);
  };
  if (next.mark?.n === 1) add(6, `page ${next.number} is page 1 of ${next.mark.of}`);
  else if (next.mark && prev.mark && next.mark.n === prev.mark.n + 1 && next.mark.of === prev.mark.of) {
    add(-7, `page ${next.number} is page ${next.mark.n} of ${next.mark.of}, after page ${prev.mark.n}`);
  } else if (next.mark && next.mark.n > 1)
    add(-3, `page ${next.number} is page ${next.mark.n} of ${next.mark.of}`);
  if (prev.mark && prev.mark.n === prev.mark.of) add(2, `page ${prev.number} is the last of ${prev.mark.of}`);
  else if (prev.mark && prev.mark.n < prev.mark.of)
    add(-3, `page ${prev.number} is page ${prev.mark.n} of ${prev.mark.of}`);

  if (prev.invoiceNumber && next.invoiceNumber) {
    if (prev.invoiceNumber !== next.invoiceNumber) add(4, 'another invoice number');
    else add(-4, 'the same invoice number');
  }
  if (prev.vendorTaxId && next.vendorTaxId && prev.vendorTaxId !== next.vendorTaxId)
    add(3, 'another issuer tax ID');
  else if (prev.vendorName && next.vendorName && prev.vendorName !== next.vendorName)
    add(1, 'another issuer name');
  if (next.header) add(2, `page ${next.number} opens with a title, number or date`);
  else add(-2.5, `page ${next.number} has no heading of its own`);
  if (prev.total) add(1.5, `page ${prev.number} closes with a total`);
  else add(-1.5, `page ${prev.number} has no total`);
  const same = first.fingerprint.length > 0 && next.fingerprint.join() === first.fingerprint.join();
  if (same) add(1, `page ${next.number} looks like the first page of the document before`);
  return { score, reasons };
}

function separatorPages(codes: readonly PrintedCode[]): Set<number> {
  return new Set(codes.filter((c) => c.kind === 'separator').map((c) => c.page));
}

/** The documents in a file. A file with one page, or no cut, is one part. */
export function planSplit(
  layout: Layout,
  codes: readonly PrintedCode[],
  options: SplitOptions = {},
): SplitPlan {
  const certainty = options.certainty ?? DEFAULT_CERTAINTY;
  const unreadable = new Set(options.unreadable ?? []);
  const separators = separatorPages(codes);
  const cues = layout.pages.map(cuesOf);
  const blank = cues
    .filter((c) => c.blank && !separators.has(c.number) && !unreadable.has(c.number))
    .map((c) => c.number);
  const skipped = new Set([...separators, ...blank]);
  const kept = cues.filter((c) => !skipped.has(c.number));

  const cuts: Cut[] = [];
  const joins: Cut[] = [];
  const parts: SplitPlan['parts'] = [];
  let current: PageCues[] = [];
  const close = () => {
    if (current.length) {
      parts.push({
        first: current[0]!.number,
        last: current.at(-1)!.number,
        pages: current.map((c) => c.number),
      });
    }
    current = [];
  };
  for (const page of kept) {
    const prev = current.at(-1);
    if (!prev) {
      current.push(page);
      continue;
    }
    let start: boolean;
    let confidence: number;
    let reasons: string[];
    const between = [...separators].some((s) => s > prev.number && s < page.number);
    if (separators.size) {
      // Separator sheets decide alone: whoever put them in knew where each document ends.
      start = between;
      confidence = 1;
      reasons = [between ? 'a separator sheet' : 'no separator sheet'];
    } else if (unreadable.has(page.number) || unreadable.has(prev.number)) {
      start = true;
      confidence = 0.5;
      reasons = [`page ${unreadable.has(page.number) ? page.number : prev.number} could not be read`];
    } else {
      const w = weigh(prev, page, current[0]!);
      const p = sigmoid(w.score);
      start = p >= 0.5;
      confidence = start ? p : 1 - p;
      reasons = w.reasons;
    }
    const cut = { before: page.number, confidence: Math.round(confidence * 1000) / 1000, reasons };
    if (start) {
      cuts.push(cut);
      close();
    } else joins.push(cut);
    current.push(page);
  }
  close();
  const uncertain = [...cuts, ...joins].some((c) => c.confidence < certainty);
  return { parts, cuts, joins, separators: [...separators].sort((a, b) => a - b), blank, uncertain };
}

/** The parts a person's cuts make: `starts` are the pages at which documents begin (the first page always does). */
export function partsFromCuts(pageCount: number, starts: readonly number[], dropped: readonly number[] = []) {
  const skip = new Set(dropped);
  const begins = new Set([1, ...starts]);
  const parts: (PageRange & { pages: number[] })[] = [];
  for (let n = 1; n <= pageCount; n++) {
    if (begins.has(n) || !parts.length) parts.push({ first: n, last: n, pages: [] });
    if (skip.has(n)) continue;
    const part = parts.at(-1)!;
    part.pages.push(n);
    part.last = n;
  }
  return parts
    .filter((p) => p.pages.length)
    .map((p) => ({ ...p, first: p.pages[0]!, last: p.pages.at(-1)! }));
}
