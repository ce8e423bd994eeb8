// Receipt lines: each text line folded, its OCR slips in label words repaired, what it is about (total, cash,
// change, …) and the amounts on it.
import { Decimal } from 'decimal.js';
import type { Field } from '../../../contract/result.ts';
import { type Layout, unionBox, type Word } from '../../layout.ts';
import { type TextLine, toTextLines, wordsInSpan as wordsInLineSpan } from '../../text-lines.ts';
import { type DecimalSeparator, findAmounts } from '../amounts.ts';
import { mayHoldDate } from '../dates.ts';
import { levenshteinAtMostOne } from '../labels.ts';

export interface ReceiptLine extends TextLine {
  /** Lower case, accents folded, common OCR slips in label words repaired. */
  folded: string;
}

export interface Money {
  value: Decimal;
  line: ReceiptLine;
  words: Word[];
}

export type LineKind =
  | 'total'
  | 'strongTotal'
  | 'subtotal'
  | 'tax'
  | 'rounding'
  | 'cash'
  | 'change'
  | 'notTotal'
  | 'other';

export const fold = (s: string) => s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();

/** Label words OCR often misreads on thermal paper ("T0TAL", "fotal", "Tota1", "CHANGE" as "CHAN GE"). */
const LABEL_WORDS = [
  'total',
  'change',
  'rounding',
  'rounded',
  'subtotal',
  'amount',
  'tendered',
  'balance',
  'received',
];

/** Words one edit away from a label word that are words of their own ("SERVICE CHARGE" is no change). */
const REAL_WORDS = new Set(['charge', 'charged', 'changes', 'amounts', 'balanced']);

export function repairLabels(s: string): string {
  return s
    .replace(/\p{L}{5,}/gu, (w) =>
      REAL_WORDS.has(w) ? w : (LABEL_WORDS.find((l) => l !== w && levenshteinAtMostOne(l, w)) ?? w),
    )
    .replace(/\b[tf][o0]ta[l1i|!]?\b/g, 'total')
    .replace(/\bt[o0]tai\b/g, 'total')
    .replace(/\bsub\s*-?\s*total\b/g, 'subtotal')
    .replace(/\br[o0]und(?:ing|ed)?\b/g, (m) => m.replace('0', 'o'))
    .replace(/\bchan\s?ge\b/g, 'change');
}

export function toLines(layout: Layout): ReceiptLine[] {
  return toTextLines(layout).map((line) => ({ ...line, folded: repairLabels(fold(line.text)) }));
}

/** The words a span touches; the whole line when OCR's spacing leaves none. */
export function wordsInSpan(line: ReceiptLine, start: number, end: number): Word[] {
  const ws = wordsInLineSpan(line, start, end);
  return ws.length ? ws : line.words;
}

export const meanConfidence = (words: readonly Word[]) =>
  words.length ? words.reduce((a, w) => a + w.confidence, 0) / words.length : 0;

export function field(value: string, confidence: number, words: readonly Word[], page: number): Field {
  const c = Math.max(0.05, Math.min(0.99, confidence));
  return { value, confidence: Math.round(c * 100) / 100, page, bbox: unionBox(words.map((w) => w.bbox)) };
}

// ---- line kinds -------------------------------------------------------------------------------------------

export const RE = {
  notTotal:
    /\btotal\s*(?:qty|quantity|qiy|items?|item\(s\)|no\.? of items|disc\w*|savings?|pcs|units?|points?|weight|taxable|excl\w*|sales\s*\(?excl\w*|before|lines?)\b|\b(?:items?|qty|quantity)\s*(?:\(s\))?\s*[:=]|\bno\.? of items\b|\bitem\(s\)/,
  subtotal:
    /\bsubtotal\b|\btotal\s*(?:sales\s*)?\(?\s*excl|\bexcl(?:uding|usive|\.)?\s*(?:of\s*)?(?:gst|sst|tax|vat)|\bbefore\s*(?:gst|sst|tax)|\bsub\s*ttl\b|\bnet\s*of\s*tax\b|\bvalor\s*dos\s*produtos\b|\bbase\s*imponible\b/,
  strongTotal:
    /\b(?:grand|nett?|final)\s*total\b|\btotal\s*(?:amount\s*)?(?:payable|due|to\s*pay|a\s*pagar|rounded|\(?\s*incl|\(?\s*inclusive|after\s*(?:gst|tax|rounding))|\btotal\s*\(?rm\)?\b|\bround(?:ed|ing)\s*total\b|\bamount\s*(?:due|payable)\b|(?:\bincl|clusive)\w*\.?\s*(?:of\s*)?(?:gst|sst|tax)\b|\bvalor\s*(?:total|a\s*pagar)\b|\bimporte\s*total\b|\btotal\s*a\s*pagar\b|\bjumlah\b/,
  total: /\btotal\b|\bttl\b|\bamount\b|\bamt\b|\bbalance\b|\bpayable\b|\bnett\b/,
  rounding:
    /\bround(?:ing|ed)?\s*(?:adj\w*|off|amount)|\bround(?:ing)?\b(?!\s*(?:ed\s*)?total)|\badj(?:ustment)?\b/,
  tax: /\b(?:gst|sst|vat|iva|icms|tax|service\s*(?:tax|charge)|svc\s*chg|serv\.?\s*chg)\b/,
  taxNot:
    /\b(?:gst|sst|tax|vat)\s*(?:id|reg\w*|no|number|invoice|code|summary|rate)\b|\btax\s*invoice\b|\bincl\w*\b|clusive\b|\bexcl\w*\b|\b(?:zr|sr)\s*[=@]/,
  cash: /\bcash\b|\btender\w*|\bpaid\b|\breceived\b|\bpayment\b|\bvisa\b|\bmaster\w*|\bcredit\b|\bdebit\b|\bcard\b|\btunai\b|\bdinheiro\b|\befectivo\b|\bamex\b|\bboost\b|\bgrab\s*pay\b|\bewallet\b/,
  change: /\bchange\b|\bbaki\b|\btroco\b|\bcambio\b|\bvuelto\b|\bbalance\s*due\b/,
};

/** What a receipt line is about, by its words: exported for the bench's diagnostics. */
export function receiptLineKind(text: string): LineKind {
  return lineKind(repairLabels(fold(text)));
}

export function lineKind(folded: string): LineKind {
  if (RE.change.test(folded) && !/\bexchange/.test(folded)) return 'change';
  if (RE.subtotal.test(folded)) return 'subtotal';
  if (RE.notTotal.test(folded) && !RE.strongTotal.test(folded)) return 'notTotal';
  // "Total After Rounding" with its first word garbled is still the total, not the adjustment.
  if (/\bafter\s*round(?:ing)?\b/.test(folded) && !/\badj\w*/.test(folded)) return 'strongTotal';
  if (RE.strongTotal.test(folded)) return 'strongTotal';
  if (RE.rounding.test(folded)) return 'rounding';
  if (RE.tax.test(folded) && !RE.taxNot.test(folded) && !/\btotal\b/.test(folded)) return 'tax';
  if (/\btotal\b/.test(folded) && RE.tax.test(folded) && !RE.taxNot.test(folded)) return 'tax';
  if (RE.cash.test(folded)) return 'cash';
  if (RE.total.test(folded)) return 'total';
  return 'other';
}

// ---- money ------------------------------------------------------------------------------------------------

export function documentSeparator(lines: readonly ReceiptLine[]): DecimalSeparator {
  let dot = 0;
  let comma = 0;
  for (const l of lines) {
    dot += (l.text.match(/\d\.\d{2}(?!\d)/g) ?? []).length;
    comma += (l.text.match(/\d,\d{2}(?!\d)/g) ?? []).length;
  }
  return comma > dot ? ',' : '.';
}

export function moneyOn(line: ReceiptLine, sep: DecimalSeparator): Money[] {
  // "RM9.00" and "9.00RM": findAmounts wants the marker apart from letters; "9 .00" is a split decimal point.
  // OCR drops or misreads the decimal point of right-aligned amounts: "14 00", "14_00" → "14.00"; and the R of
  // "RM1.00" ("M1.00"). On a line that prints a date, two groups of two digits at its end are the time ("21 51").
  let text = line.text;
  if (sep === '.') {
    text = text.replace(/(?<![A-Za-z])M(?=\d{1,6}[ _.]\d{2}(?!\d))/g, 'RM');
    if (!mayHoldDate(text))
      text = text.replace(/(?<=^|\s|RM)(\d{1,6})[ _](\d{2})(?=\s*[A-Za-z]{0,2}\s*$)/, '$1.$2');
  }
  const out: Money[] = [];
  for (const a of findAmounts(text, { decimalSeparator: sep })) {
    if (!a.hasDecimals) continue;
    const decimals = a.value.split('.')[1] ?? '';
    if (decimals.length !== 2) continue;
    let value: Decimal;
    try {
      value = new Decimal(a.value);
    } catch {
      continue;
    }
    out.push({ value, line, words: wordsInSpan(line, a.start, a.end) });
  }
  return out;
}
