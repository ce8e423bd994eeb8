// The totals: the amounts beside the total, subtotal and tax labels and in a tax breakdown table, decided by
// the document's own arithmetic (subtotal + tax = total) where it confirms them.
import { Decimal } from 'decimal.js';
import type { Field } from '../../../contract/result.ts';
import type { Word } from '../../layout.ts';
import { lineHeight, wordsInSpan } from '../../text-lines.ts';
import { findAmounts } from '../amounts.ts';
import { foldText } from '../labels.ts';
import type { Features } from '../scoring.ts';
import type { InvoiceCandidate } from './choice.ts';
import { type Candidate, type DocContext, makeField, type Slot } from './context.ts';
import {
  medianHeights,
  PLACE_FEATURES,
  placeFeatures,
  type Sighting,
  wordFeatureNames,
  wordFeatures,
} from './words.ts';

/** Labels that name the amount due itself, not just any total. */
export const STRONG_TOTAL =
  /amount due|balance due|grand total|total due|valor total da nota|valor liquido|total a pagar|valor a pagar|importe total|total factura|invoice total|total payable|rounded total|total amount|total incl/;

export function amountFromSlot(
  slot: Slot,
  ctx: DocContext,
): { value: string; start: number; end: number } | null {
  const found = findAmounts(slot.text, { decimalSeparator: ctx.decimalSeparator });
  const money = found.filter((f) => f.hasDecimals || f.currency);
  const pick = slot.where === 'right' ? money[money.length - 1] : money[0];
  if (!pick) return null;
  return { value: pick.value, start: slot.offset + pick.start, end: slot.offset + pick.end };
}

const BASE_HEADER = /^(base|base imponible|bc|neto|net|nett?o|net amount|valor base)$/;
const CUOTA_HEADER =
  /^(cuota|cuota iva|importe iva|quota|valor iva|vat amount|tax amount|tax|iva|vat|imposto)$/;

/**
 * A tax breakdown table ("IVA  BASE  CUOTA" over "21%  21,32  4,48"): the base column is the amount before tax
 * and the cuota column the tax, summed over its rows. Receipts and Spanish invoices print one.
 */
export function taxBreakdown(ctx: DocContext): { base: Candidate; tax: Candidate } | undefined {
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

function toDecimal(v: string): Decimal {
  return new Decimal(v);
}

export function decideTotals(
  totals: (Candidate & { strong: boolean })[],
  subtotals: Candidate[],
  taxes: Candidate[],
): { total?: Field; subtotal?: Field; tax?: Field; confirmed: boolean } {
  const field = (c: Candidate | undefined, bonus = 1) =>
    c ? makeField(c.value, c.words, c.page, Math.min(1, c.score * bonus)) : undefined;
  const bySum = (s: Candidate, t: Candidate, tot: Candidate) =>
    toDecimal(s.value).plus(toDecimal(t.value)).minus(toDecimal(tot.value)).abs().lte(0.011);
  // 1. subtotal + tax = total: all three confirmed by the document's own arithmetic.
  for (const tot of [...totals].sort((a, b) => Number(b.strong) - Number(a.strong))) {
    for (const s of subtotals) {
      for (const t of taxes) {
        if (bySum(s, t, tot))
          return { total: field(tot, 1.05), subtotal: field(s, 1.05), tax: field(t, 1.05), confirmed: true };
      }
      // Several tax lines (VAT 21% + VAT 10%) adding up.
      if (taxes.length > 1) {
        const sum = taxes.reduce((acc, t) => acc.plus(toDecimal(t.value)), new Decimal(0));
        if (toDecimal(s.value).plus(sum).minus(toDecimal(tot.value)).abs().lte(0.011)) {
          const words = taxes.flatMap((t) => t.words);
          const page = taxes[0]?.page ?? tot.page;
          const taxField = makeField(sum.toFixed(2), words, page, 0.85);
          return { total: field(tot, 1.05), subtotal: field(s, 1.05), tax: taxField, confirmed: true };
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
  return { total: field(tot, 0.9), subtotal: field(s, 0.9), tax: field(t, 0.85), confirmed: false };
}

// ---- Learned choice: every amount on the page a candidate for the total, the subtotal and the tax ----------

/** What the hand-written reader above picked, as features of the amounts. */
export interface HandTotals {
  total?: string | undefined;
  subtotal?: string | undefined;
  tax?: string | undefined;
  /** Its three figures add up (subtotal + tax = total). */
  confirmed: boolean;
}

export interface AmountEnv {
  ctx: DocContext;
  /** The line items' amounts and unit prices as read. */
  itemValues: ReadonlySet<string>;
  /** The sum of the line items' amounts, when there are some. */
  itemSum?: string | undefined;
  headerIndex?: number | undefined;
  hand: HandTotals;
}

/** Every amount printed (with decimals or a currency), with what stands around it and the page's arithmetic. */
export function amountCandidates(env: AmountEnv): InvoiceCandidate[] {
  const { ctx } = env;
  const medians = medianHeights(ctx.lines);
  const out: InvoiceCandidate[] = [];
  for (const line of ctx.lines) {
    const read = findAmounts(line.text, { decimalSeparator: ctx.decimalSeparator }).filter(
      (a) => a.hasDecimals || a.currency,
    );
    // "3 810,30" is 3810.30 grouped by a space, or a quantity of 3 beside a price of 810.30: both are
    // candidates, and the document's arithmetic tells them apart.
    const found = read.flatMap((a) => {
      const gap = /^[^\d]*\d{1,3}[ \u00a0](?=\d{3})/.exec(a.text);
      if (!gap) return [{ ...a, grouped: 0, split: 0 }];
      const at = line.text.indexOf(a.text, a.start) + gap[0].length;
      const rest = findAmounts(line.text.slice(at, a.end), { decimalSeparator: ctx.decimalSeparator })[0];
      const alt = rest?.hasDecimals ? [{ ...rest, start: at, end: a.end, grouped: 0, split: 1 }] : [];
      return [{ ...a, grouped: 1, split: 0 }, ...alt];
    });
    found.forEach((a, i) => {
      const value = new Decimal(a.value);
      if (value.isNegative() || value.gt(1e9)) return;
      const s: Sighting = { line, start: a.start, end: a.end, words: wordsInSpan(line, a.start, a.end) };
      const features: Features = {
        ...wordFeatures(ctx.lines, s),
        ...placeFeatures(
          s,
          ctx.pageWidth.get(line.page) ?? 1,
          ctx.pageHeight.get(line.page) ?? 1,
          medians.get(line.page) ?? 10,
        ),
        lastOnLine: i === found.length - 1 ? 1 : 0,
        onlyOnLine: found.length === 1 ? 1 : 0,
        currencyMarked: a.currency ? 1 : 0,
        percentOnLine: /%/.test(line.text) ? 1 : 0,
        belowTableHeader: env.headerIndex !== undefined && line.index > env.headerIndex ? 1 : 0,
        tableHeaderLine: env.headerIndex === line.index ? 1 : 0,
        itemValue: env.itemValues.has(value.toFixed(2)) ? 1 : 0,
        zero: value.isZero() ? 1 : 0,
        spaceGrouped: a.grouped,
        groupSplit: a.split,
      };
      out.push({ value: value.toFixed(2), sightings: [s], features });
    });
  }
  addArithmetic(out, env);
  return out;
}

/** What the document's own sums say of each value: a sum of two others, a part of one, the lines' sum. */
function addArithmetic(cands: InvoiceCandidate[], env: AmountEnv): void {
  // In cents: exact for two decimals, and far cheaper than decimals in the pairs' loop.
  const cents = [...new Set(cands.map((c) => c.value))].map((v) => Math.round(Number(v) * 100));
  const has = new Set(cents);
  const sorted = [...cents].sort((a, b) => b - a);
  const flags = new Map<number, Features>(cents.map((v) => [v, {}]));
  if (cents.length <= 120) {
    for (const a of cents) {
      for (const b of cents) {
        if (a === b || b > a || b === 0 || !has.has(a + b)) continue;
        const ratio = b / a;
        const taxLike = ratio > 0.01 && ratio <= 0.3;
        const fs = flags.get(a + b) as Features;
        fs.sumOfTwo = 1;
        if (taxLike) fs.sumWithTax = 1;
        const fa = flags.get(a) as Features;
        fa.bigPart = 1;
        if (taxLike) fa.baseOfTax = 1;
        const fb = flags.get(b) as Features;
        fb.smallPart = 1;
        if (taxLike) fb.taxOfBase = 1;
      }
    }
  }
  // The page's own account: the largest amount that is some amount plus a tax-like part of it is most often
  // the total, and its two parts the subtotal and the tax (a bare "Total" beside a larger net, a tax line
  // beside a "VAT total" that sums it, do not fit it).
  let top: number | undefined;
  for (const v of sorted) {
    if (flags.get(v)?.sumWithTax) {
      top = v;
      break;
    }
  }
  if (top !== undefined) {
    for (const a of cents) {
      const b = top - a;
      if (a === top || b <= 0 || b > a || !has.has(b) || b / a > 0.3) continue;
      (flags.get(a) as Features).baseOfTop = 1;
      (flags.get(b) as Features).taxOfTop = 1;
    }
    (flags.get(top) as Features).topSum = 1;
  }
  const itemSum = env.itemSum;
  for (const c of cands) {
    const v = new Decimal(c.value);
    const cv = Math.round(Number(c.value) * 100);
    Object.assign(c.features, flags.get(cv) ?? {});
    const rank = sorted.indexOf(cv);
    c.features.largest = rank === 0 ? 1 : 0;
    c.features.secondLargest = rank === 1 ? 1 : 0;
    if (itemSum) {
      c.features.itemSum = v.equals(itemSum) ? 1 : 0;
      c.features.aboveItemSum = v.gt(itemSum) ? 1 : 0;
      c.features.belowItemSum = v.lt(itemSum) ? 1 : 0;
    }
    c.features['hand.total'] = env.hand.total === c.value ? 1 : 0;
    c.features['hand.subtotal'] = env.hand.subtotal === c.value ? 1 : 0;
    c.features['hand.tax'] = env.hand.tax === c.value ? 1 : 0;
    c.features['hand.confirmed'] =
      env.hand.confirmed && [env.hand.total, env.hand.subtotal, env.hand.tax].includes(c.value) ? 1 : 0;
  }
}

export const AMOUNT_FEATURES: readonly string[] = [
  ...wordFeatureNames(),
  ...PLACE_FEATURES,
  'lastOnLine',
  'onlyOnLine',
  'currencyMarked',
  'percentOnLine',
  'belowTableHeader',
  'tableHeaderLine',
  'itemValue',
  'zero',
  'spaceGrouped',
  'groupSplit',
  'sumOfTwo',
  'sumWithTax',
  'bigPart',
  'baseOfTax',
  'smallPart',
  'taxOfBase',
  'topSum',
  'baseOfTop',
  'taxOfTop',
  'largest',
  'secondLargest',
  'itemSum',
  'aboveItemSum',
  'belowItemSum',
  'hand.total',
  'hand.subtotal',
  'hand.tax',
  'hand.confirmed',
  'sightings',
  'none',
];
