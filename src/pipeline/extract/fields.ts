// Header fields of an invoice-like document from its layout: labels and the values next to or under them,
// tax-ID/date/amount patterns, the vendor block on top and the customer block after its label, totals cross-checked.
import { Decimal } from 'decimal.js';
import type { DocumentType, Field, FieldName, Fields, LineItem } from '../../contract/result.ts';
import { guessLanguage } from '../language.ts';
import { type Layout, unionBox, type Word } from '../layout.ts';
import {
  lineHeight,
  segmentLine,
  segmentsOf,
  type TextLine,
  toTextLines,
  wordsInSpan,
} from '../text-lines.ts';
import { type DecimalSeparator, detectCurrency, findAmounts, inferDecimalSeparator } from './amounts.ts';
import { extractDanfeFields, isDanfe } from './danfe.ts';
import { type DateOrder, findDates, inferDateOrder } from './dates.ts';
import { findLabels, foldText, type LabelKey, type LabelMatch } from './labels.ts';
import { extractLineItems, findTableHeader } from './line-items.ts';
import { type FoundTaxId, findTaxIds } from './tax-ids.ts';

export interface ExtractOptions {
  /** ISO 639-1 (en/pt/es); guessed from the words when absent. */
  language?: string;
  documentType?: DocumentType;
}

export interface DocContext {
  lines: TextLine[];
  pageWidth: Map<number, number>;
  pageHeight: Map<number, number>;
  decimalSeparator: DecimalSeparator;
  dateOrder: DateOrder;
}

function makeField(value: string, words: Word[], page: number, base: number): Field {
  const conf = words.length ? words.reduce((s, w) => s + w.confidence, 0) / words.length : 0.5;
  const min = words.length ? Math.min(...words.map((w) => w.confidence)) : 0.5;
  // Low word confidences pull the field down; a single bad word more than an average one.
  const wordFactor = Math.min(1, 0.5 * conf + 0.5 * min + 0.05);
  return {
    value,
    confidence: Math.round(Math.max(0, Math.min(1, base * wordFactor)) * 100) / 100,
    page,
    bbox: unionBox(words.map((w) => w.bbox)),
  };
}

/** Where a value may be found for a label: the rest of the line, or the column under it. */
interface Slot {
  line: TextLine;
  /** Sub-line text with its own offsets into `line.text`. */
  text: string;
  offset: number;
  where: 'right' | 'below';
}

function slotsFor(ctx: DocContext, line: TextLine, label: LabelMatch, labelsOnLine: LabelMatch[]): Slot[] {
  const slots: Slot[] = [];
  const next = labelsOnLine.find((m) => m.start >= label.end);
  const rightEnd = next ? next.start : line.text.length;
  // The value right of a label: in the label's own block of words, or (dotted leaders, tab stops) the next block.
  const segs = segmentsOf(line);
  const segIdx = segs.findIndex((sg) => label.start >= sg.start && label.start < sg.end);
  const own = segs[segIdx];
  const hasValue = (t: string) => /\S/.test(t.replace(/[:#\-–.=|_]/g, ''));
  if (own) {
    const ownText = line.text.slice(label.end, Math.min(own.end, rightEnd));
    const after = segs[segIdx + 1];
    if (hasValue(ownText)) slots.push({ line, text: ownText, offset: label.end, where: 'right' });
    // Also the next block: "IVA 21%      210,00 €" has a rate in the label's block and the amount in the next.
    if (after && after.start < rightEnd) {
      slots.push({
        line,
        text: line.text.slice(after.start, Math.min(after.end, rightEnd)),
        offset: after.start,
        where: 'right',
      });
    }
  }
  // The column under the label: from its left edge to where the next label on its line begins.
  const labelWords = wordsInSpan(line, label.start, label.end);
  if (!labelWords.length) return slots;
  const lbox = unionBox(labelWords.map((w) => w.bbox));
  const h = lineHeight(line);
  const nextWords = next ? wordsInSpan(line, next.start, next.end) : [];
  const colEnd = nextWords.length
    ? (nextWords[0] as Word).bbox[0]
    : Math.max(lbox[2] + (lbox[2] - lbox[0]) * 3, lbox[0] + 20 * h);
  const colStart = lbox[0] - 2 * h;
  const below = ctx.lines.filter(
    (l) => l.page === line.page && l.bbox[1] >= line.bbox[3] - h * 0.3 && l.bbox[1] - line.bbox[3] < h * 2.5,
  );
  for (const l of below.slice(0, 2)) {
    const idx = l.words
      .map((w, i) => (w.bbox[0] >= colStart && w.bbox[0] < colEnd ? i : -1))
      .filter((i) => i >= 0);
    if (!idx.length) continue;
    const first = idx[0] as number;
    const last = idx[idx.length - 1] as number;
    const start = l.offsets[first] as number;
    const end = (l.offsets[last] as number) + (l.words[last] as Word).text.trim().length;
    slots.push({ line: l, text: l.text.slice(start, end), offset: start, where: 'below' });
    break;
  }
  return slots;
}

interface Candidate {
  segment?: boolean;
  value: string;
  words: Word[];
  page: number;
  score: number;
  label?: LabelMatch;
  lineIndex: number;
}

/** Labels that name the amount due itself, not just any total. */
const STRONG_TOTAL =
  /amount due|balance due|grand total|total due|valor total da nota|valor liquido|total a pagar|valor a pagar|importe total|total factura|invoice total|total payable|rounded total|total amount|total incl/;

const ID_RE = /[A-Z0-9][A-Z0-9\-/.]*\d[A-Z0-9\-/.]*/i;

function idValue(slot: Slot, ctx: DocContext): { value: string; start: number; end: number } | null {
  const text = slot.text;
  const dates = findDates(text, { order: ctx.dateOrder });
  const m = ID_RE.exec(text.replace(/^[\s:#.º°-]*/, (s) => ' '.repeat(s.length)));
  if (!m) return null;
  const start = m.index;
  const end = start + m[0].length;
  if (dates.some((d) => start < d.end && end > d.start)) return null;
  const id = m[0].replace(/[.\-/]+$/, '');
  if (id.length > 30) return null;
  let value = id;
  let from = start;
  // A series printed apart from the number ("FT 2025/388", "A 1234"): a short capitals word right before it,
  // with nothing but the label's punctuation before that.
  const series = /([A-Z]{1,4})\s+$/.exec(text.slice(0, start));
  if (series && !/[^\s:#.º°-]/.test(text.slice(0, series.index))) {
    from = series.index;
    value = `${series[1]} ${id}`;
  }
  if (slot.line.words.some((w) => w.source === 'ocr')) value = ocrLetterPrefix(value);
  return { value, start: slot.offset + from, end: slot.offset + start + id.length };
}

/**
 * OCR reads I as 1 and O as 0: in a leading code made of capitals ("1C/2025/0077"), a digit standing among the
 * letters is the letter it looks like. Only a prefix with letters in it and a separator after it is touched.
 */
function ocrLetterPrefix(value: string): string {
  const m = /^([A-Z0-9]{2,4})(?=[-/.])/.exec(value);
  if (!m) return value;
  const prefix = m[1] as string;
  const letters = prefix.replace(/[^A-Z]/g, '').length;
  if (letters === 0 || letters < prefix.length - 1 || !/^[A-Z]*[105][A-Z]*$/.test(prefix)) return value;
  const fixed = prefix.replace(/1/g, 'I').replace(/0/g, 'O').replace(/5/g, 'S');
  return fixed + value.slice(prefix.length);
}

function amountFromSlot(slot: Slot, ctx: DocContext): { value: string; start: number; end: number } | null {
  const found = findAmounts(slot.text, { decimalSeparator: ctx.decimalSeparator });
  const money = found.filter((f) => f.hasDecimals || f.currency);
  const pick = slot.where === 'right' ? money[money.length - 1] : money[0];
  if (!pick) return null;
  return { value: pick.value, start: slot.offset + pick.start, end: slot.offset + pick.end };
}

function dateFromSlot(slot: Slot, ctx: DocContext): { value: string; start: number; end: number } | null {
  const d = findDates(slot.text, { order: ctx.dateOrder })[0];
  return d ? { value: d.value, start: slot.offset + d.start, end: slot.offset + d.end } : null;
}

const BASE_SCORE = { right: 0.95, below: 0.88 } as const;

function labelledCandidates(
  ctx: DocContext,
  labelled: { line: TextLine; matches: LabelMatch[] }[],
  key: LabelKey,
  read: (slot: Slot, ctx: DocContext) => { value: string; start: number; end: number } | null,
  skipBelow?: (line: TextLine) => boolean,
): Candidate[] {
  const out: Candidate[] = [];
  for (const { line, matches } of labelled) {
    const sameSpan = (m: LabelMatch) => matches.filter((o) => o.start === m.start && o.end === m.end);
    for (const m of matches) {
      if (m.key !== key) continue;
      // "Total IVA" is both a tax label and not-a-total; "Subtotal" is never the total.
      if (key === 'totalAmount' && sameSpan(m).some((o) => o.key !== 'totalAmount')) continue;
      for (const slot of slotsFor(ctx, line, m, matches)) {
        if (slot.where === 'below' && skipBelow?.(line)) continue;
        const v = read(slot, ctx);
        if (!v) continue;
        const words = wordsInSpan(slot.line, v.start, v.end);
        out.push({
          value: v.value,
          words,
          page: slot.line.page,
          score: BASE_SCORE[slot.where] * m.score,
          label: m,
          lineIndex: slot.line.index,
        });
        break;
      }
    }
  }
  return out;
}

const COMPANY_SUFFIX =
  /\b(ltda|ltd|l\.?t\.?d\.?a|s\.?\s?a\.?|s\.?\s?l\.?u?|inc|llc|gmbh|corp|corporation|co|company|limited|plc|eireli|me|epp|sdn\.?\s?bhd|bhd|lda|s\.?\s?a\.?\s?s\.?|enterprise|trading)\.?$/i;
const TITLE_WORDS =
  /^(invoice|tax invoice|fatura|factura|nota fiscal|danfe|recibo|receipt|cupom fiscal|ticket|nf-?e|nfs-?e|documento auxiliar|sem valor fiscal|original|copia|copy|page \d+|pagina \d+)\b/i;
const STREET = /^(rua|r\.|av\.|avenida|alameda|rodovia|travessa|calle|c\/|plaza|paseo|avda\.?)\s/;
const CONTACT = /(@|www\.|https?:|\b(tel|fone|phone|fax|telefone|telf?|email|e-mail)\b)/i;

function isPartyText(text: string): boolean {
  const letters = (text.match(/\p{L}/gu) ?? []).length;
  return letters >= 3 && text.length <= 70 && !TITLE_WORDS.test(foldText(text).trim()) && !CONTACT.test(text);
}

/** Fields and line items of a document. Fields that were not found are absent. */
export function extractFields(
  layout: Layout,
  options: ExtractOptions = {},
): { fields: Fields; lineItems: LineItem[] } {
  const lines = toTextLines(layout);
  const allText = lines.map((l) => l.text).join('\n');
  const language = options.language ?? guessLanguage(allText);
  const ctx: DocContext = {
    lines,
    pageWidth: new Map(layout.pages.map((p) => [p.number, p.width])),
    pageHeight: new Map(layout.pages.map((p) => [p.number, p.height])),
    decimalSeparator: inferDecimalSeparator(allText, language),
    dateOrder: inferDateOrder(allText, language),
  };
  const fields: Fields = {};
  const set = (name: FieldName, f: Field | undefined) => {
    if (f) fields[name] = f;
  };
  const best = (cands: Candidate[], base = 1): Field | undefined => {
    const c = [...cands].sort((a, b) => b.score - a.score || a.lineIndex - b.lineIndex)[0];
    return c ? makeField(c.value, c.words, c.page, c.score * base) : undefined;
  };

  const labelled = lines.map((line) => ({ line, matches: findLabels(line.text) }));
  const header = findTableHeader(lines);
  const headerLines = new Set(header ? [header.line.index] : []);
  const isHeader = (l: TextLine) => headerLines.has(l.index);

  // Customer block: the text after a customer label and the lines under it, in its column.
  const customerLines = new Map<number, { start: number; end: number }>();
  let customerName: Candidate | undefined;
  let customerTaxId: Candidate | undefined;
  for (const { line, matches } of labelled) {
    for (const m of matches.filter((x) => x.key === 'customer')) {
      const next = matches.find((x) => x.start >= m.end);
      const rightEnd = next ? next.start : line.text.length;
      customerLines.set(line.index, { start: m.end, end: rightEnd });
      const labelWords = wordsInSpan(line, m.start, m.end);
      const lbox = unionBox(labelWords.map((w) => w.bbox));
      const h = lineHeight(line);
      const nextWords = next ? wordsInSpan(line, next.start, next.end) : [];
      const colStart = lbox[0] - 2 * h;
      const colEnd = nextWords.length ? (nextWords[0] as Word).bbox[0] - h : Number.POSITIVE_INFINITY;
      const blockLines: { line: TextLine; start: number; end: number }[] = [];
      const right = line.text.slice(m.end, rightEnd);
      if (/\p{L}|\d/u.test(right)) blockLines.push({ line, start: m.end, end: rightEnd });
      let lastBottom = line.bbox[3];
      for (const l of lines) {
        if (l.page !== line.page || l.index <= line.index) continue;
        // A label with its value beside it ("DESTINATARIO: …" in a DANFE stub) owns a line or two under it at most.
        const maxLines = blockLines.length && blockLines[0]?.line === line ? 3 : 7;
        if (l.bbox[1] - lastBottom > h * 2.2 || blockLines.length >= maxLines) break;
        const idx = l.words
          .map((w, i) => (w.bbox[0] >= colStart && w.bbox[0] < colEnd ? i : -1))
          .filter((i) => i >= 0);
        if (!idx.length) continue;
        // A line with a totals/date label ends the block.
        const lm = findLabels(l.text);
        if (
          lm.some(
            (x) =>
              ['totalAmount', 'subtotal', 'invoiceDate', 'dueDate', 'vendor'].includes(x.key) &&
              x.start === 0,
          )
        )
          break;
        if (isHeader(l)) break;
        const s = l.offsets[idx[0] as number] as number;
        const lastI = idx[idx.length - 1] as number;
        const e = (l.offsets[lastI] as number) + (l.words[lastI] as Word).text.trim().length;
        blockLines.push({ line: l, start: s, end: e });
        customerLines.set(l.index, { start: s, end: e });
        lastBottom = l.bbox[3];
      }
      for (const b of blockLines) {
        const text = b.line.text.slice(b.start, b.end);
        if (!customerTaxId) {
          const t = findTaxIds(text)[0];
          if (t) {
            customerTaxId = {
              value: t.value,
              words: wordsInSpan(b.line, b.start + t.span.start, b.start + t.span.end),
              page: b.line.page,
              score: t.valid ? 0.9 : 0.6,
              lineIndex: b.line.index,
            };
          }
        }
        if (!customerName) {
          // The name is the first block of words in the line (not the tax ID or date printed beside it).
          const seg = segmentsOf(b.line).find((sg) => sg.end > b.start && sg.start < b.end);
          const segStart = Math.max(b.start, seg?.start ?? b.start);
          const segText = b.line.text.slice(segStart, Math.min(b.end, seg?.end ?? b.end));
          const nameText = stripLabels(segText, b.line !== line);
          if (
            nameText &&
            isPartyText(nameText.text) &&
            !findTaxIds(nameText.text).length &&
            !/^\d/.test(nameText.text) &&
            !STREET.test(foldText(nameText.text))
          ) {
            const s = segStart + nameText.start;
            customerName = {
              value: nameText.text,
              words: wordsInSpan(b.line, s, s + nameText.text.length),
              page: b.line.page,
              score: b.line === line ? 0.9 : 0.85,
              lineIndex: b.line.index,
            };
          }
        }
      }
    }
  }
  if (customerName)
    set(
      'customerName',
      makeField(customerName.value, customerName.words, customerName.page, customerName.score),
    );
  if (customerTaxId)
    set(
      'customerTaxId',
      makeField(customerTaxId.value, customerTaxId.words, customerTaxId.page, customerTaxId.score),
    );
  const inCustomerBlock = (line: TextLine, start: number, end: number) => {
    const r = customerLines.get(line.index);
    return Boolean(r && start < r.end && end > r.start);
  };

  // Tax IDs outside the customer block; the vendor's is the first, preferring one after a tax-ID label.
  const taxIds: { t: FoundTaxId; line: TextLine; labelled: boolean; inBlock: boolean }[] = [];
  for (const { line, matches } of labelled) {
    for (const t of findTaxIds(line.text)) {
      // Inside the customer block only counts when the customer's own ID was found elsewhere in it (see rankId).
      const inBlock = inCustomerBlock(line, t.span.start, t.span.end);
      if (inBlock && (!customerTaxId || customerTaxId.value === t.value)) continue;
      const labelledId = matches.some((m) => m.key === 'taxId' && m.end <= t.span.start);
      taxIds.push({ t, line, labelled: labelledId, inBlock });
    }
  }
  // Valid, labelled, a company's kind of ID, and not the customer's ID printed again elsewhere (DANFE stubs).
  const rankId = (x: (typeof taxIds)[number]) =>
    (x.t.value === customerTaxId?.value ? -10 : 0) +
    (x.inBlock ? -3 : 0) +
    (x.t.valid ? 2 : 0) +
    (x.labelled ? 1 : 0) +
    (['cnpj', 'cif', 'eu_vat', 'ein'].includes(x.t.kind) ? 1 : 0);
  const vendorId = [...taxIds].sort((a, b) => rankId(b) - rankId(a) || a.line.index - b.line.index)[0];
  if (vendorId) {
    const base = (vendorId.t.valid ? 0.9 : 0.6) + (vendorId.labelled ? 0.08 : 0);
    set(
      'vendorTaxId',
      makeField(
        vendorId.t.value,
        wordsInSpan(vendorId.line, vendorId.t.span.start, vendorId.t.span.end),
        vendorId.line.page,
        base,
      ),
    );
  }

  // Vendor name: a vendor label's value, else the most prominent party-like line on top of page 1.
  const vendor = findVendor(ctx, labelled, inCustomerBlock, vendorId?.line, header?.line.index);
  if (vendor) {
    set('vendorName', makeField(vendor.value, vendor.words, vendor.page, vendor.score));
    const address = findAddress(ctx, vendor, inCustomerBlock);
    if (address) set('vendorAddress', makeField(address.value, address.words, address.page, address.score));
  }

  // Numbers and dates next to their labels.
  set('invoiceNumber', best(rankIdCandidates(labelledCandidates(ctx, labelled, 'invoiceNumber', idValue))));
  set('purchaseOrder', best(labelledCandidates(ctx, labelled, 'purchaseOrder', idValue)));
  const dueDates = labelledCandidates(ctx, labelled, 'dueDate', dateFromSlot);
  const due = best(dueDates);
  set('dueDate', due);
  const invoiceDates = labelledCandidates(ctx, labelled, 'invoiceDate', dateFromSlot);
  let invoiceDate = best(invoiceDates);
  if (!invoiceDate) {
    // No labelled date: the first date printed that is not the due date, found by pattern only.
    for (const l of lines) {
      const d = findDates(l.text, { order: ctx.dateOrder }).find((x) => x.value !== due?.value);
      if (d) {
        invoiceDate = makeField(d.value, wordsInSpan(l, d.start, d.end), l.page, d.unambiguous ? 0.55 : 0.45);
        break;
      }
    }
  }
  set('invoiceDate', invoiceDate);

  // Totals.
  const totals = labelledCandidates(ctx, labelled, 'totalAmount', amountFromSlot, isHeader).map((c) => ({
    ...c,
    strong: STRONG_TOTAL.test(foldText(c.label?.label ?? '')),
  }));
  const subtotals = labelledCandidates(ctx, labelled, 'subtotal', amountFromSlot, isHeader);
  const taxes = labelledCandidates(ctx, labelled, 'taxAmount', amountFromSlot, isHeader);
  const breakdown = taxBreakdown(ctx);
  if (breakdown) {
    subtotals.push(breakdown.base);
    taxes.push(breakdown.tax);
  }
  const { total, subtotal, tax } = decideTotals(totals, subtotals, taxes);
  if (total) set('totalAmount', total);
  if (subtotal) set('subtotal', subtotal);
  if (tax) set('taxAmount', tax);

  // Currency: the symbol or code printed, else what the tax IDs imply (a CNPJ means reais).
  const currency = detectCurrency(allText);
  if (currency) {
    const where = findCurrencyWords(lines, currency);
    if (where) set('currency', makeField(currency, where.words, where.page, 0.95));
  } else if (
    taxIds.some((x) => x.t.kind === 'cnpj' && x.t.valid) ||
    customerTaxId?.value.match(/^\d{2}\.\d{3}\.\d{3}\/|^\d{3}\.\d{3}\.\d{3}-/)
  ) {
    const at = vendorId ?? taxIds[0];
    if (at)
      set(
        'currency',
        makeField('BRL', wordsInSpan(at.line, at.t.span.start, at.t.span.end), at.line.page, 0.6),
      );
  }

  // A DANFE is a fixed form: what its boxes say beats the general guesses.
  // Read on lines without diagonal watermarks, which would otherwise stretch a row of boxes over half the page.
  if (isDanfe(lines))
    Object.assign(fields, extractDanfeFields(toTextLines(layout, { dropWatermarks: true })));

  const lineItems = extractLineItems(layout, { decimalSeparator: ctx.decimalSeparator, lines, header });
  return { fields, lineItems };
}

const BASE_HEADER = /^(base|base imponible|bc|neto|net|nett?o|net amount|valor base)$/;
const CUOTA_HEADER =
  /^(cuota|cuota iva|importe iva|quota|valor iva|vat amount|tax amount|tax|iva|vat|imposto)$/;

/**
 * A tax breakdown table ("IVA  BASE  CUOTA" over "21%  21,32  4,48"): the base column is the amount before tax
 * and the cuota column the tax, summed over its rows. Receipts and Spanish invoices print one.
 */
function taxBreakdown(ctx: DocContext): { base: Candidate; tax: Candidate } | undefined {
  for (const line of ctx.lines) {
    if (line.words.length < 2 || line.words.length > 5) continue;
    const kinds = line.words.map((w) => foldText(w.text).replace(/[.:]/g, ''));
    const baseIdx = kinds.findIndex((k) => BASE_HEADER.test(k));
    const cuotaIdx = kinds.findIndex((k, i) => i > baseIdx && CUOTA_HEADER.test(k));
    if (baseIdx < 0 || cuotaIdx < 0) continue;
    if (line.words.some((w) => findAmounts(w.text).some((a) => a.hasDecimals))) continue;
    const baseWord = line.words[baseIdx] as Word;
    const cuotaWord = line.words[cuotaIdx] as Word;
    const h = lineHeight(line);
    const under = (w: Word, head: Word) =>
      w.bbox[2] >= head.bbox[0] - 3 * h && w.bbox[0] <= head.bbox[2] + 3 * h;
    const nearest = (ws: Word[], head: Word) =>
      [...ws].sort((a, b) => Math.abs(a.bbox[2] - head.bbox[2]) - Math.abs(b.bbox[2] - head.bbox[2]))[0];
    let base = new Decimal(0);
    let tax = new Decimal(0);
    const baseWords: Word[] = [];
    const taxWords: Word[] = [];
    let bottom = line.bbox[3];
    for (const row of ctx.lines) {
      if (row.page !== line.page || row.index <= line.index) continue;
      if (row.bbox[1] - bottom > h * 1.5) break;
      const money = row.words.filter((w) => {
        const a = findAmounts(w.text, { decimalSeparator: ctx.decimalSeparator })[0];
        return a?.hasDecimals && a.text.length >= w.text.trim().length - 1;
      });
      const b = nearest(
        money.filter((w) => under(w, baseWord)),
        baseWord,
      );
      const t = nearest(
        money.filter((w) => w !== b && under(w, cuotaWord)),
        cuotaWord,
      );
      if (!b || !t) break;
      const value = (w: Word) =>
        findAmounts(w.text, { decimalSeparator: ctx.decimalSeparator })[0]?.value ?? '0';
      base = base.plus(value(b));
      tax = tax.plus(value(t));
      baseWords.push(b);
      taxWords.push(t);
      bottom = row.bbox[3];
    }
    if (!baseWords.length) continue;
    const candidate = (value: Decimal, words: Word[]): Candidate => ({
      value: value.toFixed(2),
      words,
      page: line.page,
      score: 0.9,
      lineIndex: line.index,
    });
    return { base: candidate(base, baseWords), tax: candidate(tax, taxWords) };
  }
  return undefined;
}

function rankIdCandidates(cands: Candidate[]): Candidate[] {
  // "Invoice No"/"Nº da Fatura" beat a bare "Nº" or a title word "Invoice" followed by something.
  return cands.map((c) => {
    const tokens = foldText(c.label?.label ?? '')
      .split(/[^a-z0-9#]+/)
      .filter(Boolean).length;
    return { ...c, score: c.score * (tokens >= 2 ? 1 : 0.85) };
  });
}

/**
 * The text after the labels a line starts with ("Cliente:", "NOME / RAZÃO SOCIAL"). With `strict`, a label is
 * only taken as one when a colon follows it or nothing else is on the line, so "Cliente Ejemplo SA" stays a name.
 */
function stripLabels(text: string, strict = false): { text: string; start: number } | null {
  const labels = findLabels(text, strict ? ['partyField', 'taxId', 'customer'] : undefined);
  let start = 0;
  for (const m of labels) {
    if (m.start > start + 2) continue;
    const after = text.slice(m.end);
    if (strict && !/^\s*[:\-–]/.test(after) && after.trim() !== '' && findLabels(after.trim()).length === 0)
      continue;
    start = Math.max(start, m.end);
  }
  let rest = text.slice(start);
  const lead = rest.match(/^[\s:\-–/|]*/)?.[0].length ?? 0;
  rest = rest.slice(lead).trim();
  return rest ? { text: rest, start: start + lead } : null;
}

function findVendor(
  ctx: DocContext,
  labelled: { line: TextLine; matches: LabelMatch[] }[],
  inCustomerBlock: (line: TextLine, start: number, end: number) => boolean,
  taxIdLine: TextLine | undefined,
  tableHeaderIndex?: number,
): Candidate | undefined {
  for (const { line, matches } of labelled) {
    // Vendor labels are short common words ("From", "Seller"): only an exact one starting a block counts.
    const m = matches.find(
      (x) => x.key === 'vendor' && x.score === 1 && segmentsOf(line).some((sg) => sg.start === x.start),
    );
    if (!m) continue;
    const right = stripLabels(line.text.slice(m.start));
    if (right && isPartyText(right.text)) {
      const s = m.start + right.start;
      return {
        value: right.text,
        words: wordsInSpan(line, s, s + right.text.length),
        page: line.page,
        score: 0.9,
        lineIndex: line.index,
      };
    }
    const below = ctx.lines.find(
      (l) =>
        l.page === line.page && l.index > line.index && isPartyText(l.text) && !findLabels(l.text).length,
    );
    if (below)
      return { value: below.text, words: below.words, page: below.page, score: 0.85, lineIndex: below.index };
  }
  const first = ctx.lines[0];
  if (!first) return undefined;
  const page = first.page;
  const height = ctx.pageHeight.get(page) ?? 1000;
  const pageLines = ctx.lines
    .filter((l) => l.page === page)
    .flatMap((l) => segmentsOf(l).map((sg) => segmentLine(l, sg)));
  // Letter height from the words, not the line's box: on a skewed scan a long line's box is tall.
  const textHeight = (l: TextLine) => {
    const hs = l.words.map((w) => w.bbox[3] - w.bbox[1]).sort((a, b) => a - b);
    return Math.max(1, hs[Math.floor(hs.length / 2)] ?? 1);
  };
  const heights = pageLines.map(textHeight).sort((a, b) => a - b);
  const median = heights[Math.floor(heights.length / 2)] ?? 10;
  let bestC: Candidate | undefined;
  for (const l of pageLines) {
    const top = l.bbox[1] / height;
    if (top > 0.35 || l.index === tableHeaderIndex) continue;
    const full = ctx.lines[l.index];
    const segStart = full ? full.text.indexOf(l.text) : 0;
    if (!isPartyText(l.text) || inCustomerBlock(l, segStart, segStart + l.text.length)) continue;
    // A label word makes a line a label, not a name; a fuzzy match ("Supplies" ~ "Supplier") does not.
    if (findLabels(l.text).some((m) => m.score === 1)) continue;
    if (findDates(l.text).length || findTaxIds(l.text).length) continue;
    if (findAmounts(l.text).some((a) => a.hasDecimals)) continue;
    let score = 0.5 + 0.25 * Math.min(1, (textHeight(l) / median - 1) / 0.6) + 0.15 * (1 - top / 0.35);
    if (COMPANY_SUFFIX.test(foldText(l.text).replace(/[,.]+$/, ''))) score += 0.25;
    if (
      taxIdLine &&
      taxIdLine.page === l.page &&
      taxIdLine.index - l.index >= 0 &&
      taxIdLine.index - l.index <= 4
    )
      score += 0.1;
    if (l.text === l.text.toUpperCase() && /\p{Lu}/u.test(l.text)) score += 0.03;
    // A name does not end in a comma; a piece of an address line does ("Tacoma,").
    if (/,\s*$/.test(l.text)) score -= 0.3;
    const c: Candidate = { value: l.text.trim(), words: l.words, page: l.page, score, lineIndex: l.index };
    if (!bestC || c.score > bestC.score) bestC = c;
  }
  if (!bestC) return undefined;
  return { ...bestC, score: Math.min(0.85, 0.45 + bestC.score * 0.35), segment: true };
}

const ADDRESS_HINT =
  /\d|\b(rua|r\.|av\.?|avenida|alameda|rodovia|travessa|street|st\.?|road|rd\.?|avenue|ave\.?|suite|floor|calle|c\/|plaza|paseo|carrer|jalan|jln|taman|lorong|cep|bairro)\b/i;

function findAddress(
  ctx: DocContext,
  vendor: Candidate,
  inCustomerBlock: (line: TextLine, start: number, end: number) => boolean,
): Candidate | undefined {
  const full = ctx.lines[vendor.lineIndex];
  if (!full) return undefined;
  const vBox = unionBox(vendor.words.map((w) => w.bbox));
  const vLine: TextLine = { ...full, bbox: vBox };
  const parts: TextLine[] = [];
  let bottom = vLine.bbox[3];
  const h = lineHeight(vLine);
  for (const whole of ctx.lines) {
    if (whole.page !== vLine.page || whole.index <= vLine.index) continue;
    // The block of the line in the name's column.
    const seg = segmentsOf(whole).find((sg) => Math.abs((sg.words[0] as Word).bbox[0] - vBox[0]) <= h * 3);
    if (!seg) continue;
    const l = segmentLine(whole, seg);
    if (l.bbox[1] - bottom > h * 2 || parts.length >= 4) break;
    if (
      CONTACT.test(l.text) ||
      findTaxIds(l.text).length ||
      findLabels(l.text).length ||
      inCustomerBlock(whole, seg.start, seg.end)
    )
      break;
    if (findDates(l.text).length) break;
    parts.push(l);
    bottom = l.bbox[3];
  }
  if (!parts.length || !parts.some((p) => ADDRESS_HINT.test(p.text))) return undefined;
  return {
    value: parts.map((p) => p.text.trim()).join(', '),
    words: parts.flatMap((p) => p.words),
    page: vLine.page,
    score: 0.75,
    lineIndex: parts[0]?.index ?? vLine.index,
  };
}

function findCurrencyWords(lines: TextLine[], currency: string): { words: Word[]; page: number } | undefined {
  const markers: Record<string, RegExp> = {
    BRL: /R\$|\bBRL\b|\breais\b/i,
    EUR: /€|\bEUR\b|\beuros?\b/i,
    USD: /\$|\bUSD\b/,
    GBP: /£|\bGBP\b/,
    MYR: /\bRM|\bMYR\b/,
  };
  const re = markers[currency] ?? new RegExp(`\\b${currency}\\b`);
  for (const l of lines) {
    const w = l.words.find((x) => re.test(x.text));
    if (w) return { words: [w], page: l.page };
  }
  return undefined;
}

function toDecimal(v: string): Decimal {
  return new Decimal(v);
}

function decideTotals(
  totals: (Candidate & { strong: boolean })[],
  subtotals: Candidate[],
  taxes: Candidate[],
): { total?: Field; subtotal?: Field; tax?: Field } {
  const field = (c: Candidate | undefined, bonus = 1) =>
    c ? makeField(c.value, c.words, c.page, Math.min(1, c.score * bonus)) : undefined;
  const bySum = (s: Candidate, t: Candidate, tot: Candidate) =>
    toDecimal(s.value).plus(toDecimal(t.value)).minus(toDecimal(tot.value)).abs().lte(0.011);
  // 1. subtotal + tax = total: all three confirmed by the document's own arithmetic.
  for (const tot of [...totals].sort((a, b) => Number(b.strong) - Number(a.strong))) {
    for (const s of subtotals) {
      for (const t of taxes) {
        if (bySum(s, t, tot))
          return { total: field(tot, 1.05), subtotal: field(s, 1.05), tax: field(t, 1.05) };
      }
      // Several tax lines (VAT 21% + VAT 10%) adding up.
      if (taxes.length > 1) {
        const sum = taxes.reduce((acc, t) => acc.plus(toDecimal(t.value)), new Decimal(0));
        if (toDecimal(s.value).plus(sum).minus(toDecimal(tot.value)).abs().lte(0.011)) {
          const words = taxes.flatMap((t) => t.words);
          const page = taxes[0]?.page ?? tot.page;
          const taxField = makeField(sum.toFixed(2), words, page, 0.85);
          return { total: field(tot, 1.05), subtotal: field(s, 1.05), tax: taxField };
        }
      }
    }
  }
  // 2. Otherwise: a "grand total"-like label before a bare "Total"; among equals the largest amount.
  const ranked = [...totals].sort(
    (a, b) =>
      Number(b.strong) - Number(a.strong) ||
      toDecimal(b.value).comparedTo(toDecimal(a.value)) ||
      b.score - a.score,
  );
  const tot = ranked[0];
  const bestOf = (cs: Candidate[]) =>
    [...cs].sort((a, b) => b.score - a.score || a.lineIndex - b.lineIndex)[0];
  const s = bestOf(subtotals);
  const t = bestOf(taxes.filter((x) => !tot || toDecimal(x.value).lt(toDecimal(tot.value))));
  // Unconfirmed figures are less certain.
  return { total: field(tot, 0.9), subtotal: field(s, 0.9), tax: field(t, 0.85) };
}
