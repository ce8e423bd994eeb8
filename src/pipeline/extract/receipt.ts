// Receipt fields from a layout: the shop's name on top, and a total decided by the receipt's own arithmetic
// (rounding lines, totals including tax, cash minus change), because OCR of thermal paper misreads digits often.
import { Decimal } from 'decimal.js';
import type { Field, Fields } from '../../contract/result.ts';
import { type Layout, unionBox, type Word } from '../layout.ts';
import { type TextLine, toTextLines, wordsInSpan as wordsInLineSpan } from '../text-lines.ts';
import { type DecimalSeparator, detectCurrency, findAmounts } from './amounts.ts';
import { findDates, inferDateOrder } from './dates.ts';
import { levenshteinAtMostOne } from './labels.ts';
import { findTaxIds } from './tax-ids.ts';

export interface ReceiptOptions {
  /** ISO 639-1; helps decide the day/month order of dates. */
  language?: string;
}

interface ReceiptLine extends TextLine {
  /** Lower case, accents folded, common OCR slips in label words repaired. */
  folded: string;
}

interface Money {
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

const fold = (s: string) => s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();

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

function repairLabels(s: string): string {
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

function toLines(layout: Layout): ReceiptLine[] {
  return toTextLines(layout).map((line) => ({ ...line, folded: repairLabels(fold(line.text)) }));
}

/** The words a span touches; the whole line when OCR's spacing leaves none. */
function wordsInSpan(line: ReceiptLine, start: number, end: number): Word[] {
  const ws = wordsInLineSpan(line, start, end);
  return ws.length ? ws : line.words;
}

const meanConfidence = (words: readonly Word[]) =>
  words.length ? words.reduce((a, w) => a + w.confidence, 0) / words.length : 0;

function field(value: string, confidence: number, words: readonly Word[], page: number): Field {
  const c = Math.max(0.05, Math.min(0.99, confidence));
  return { value, confidence: Math.round(c * 100) / 100, page, bbox: unionBox(words.map((w) => w.bbox)) };
}

// ---- line kinds -------------------------------------------------------------------------------------------

const RE = {
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

function lineKind(folded: string): LineKind {
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

function documentSeparator(lines: readonly ReceiptLine[]): DecimalSeparator {
  let dot = 0;
  let comma = 0;
  for (const l of lines) {
    dot += (l.text.match(/\d\.\d{2}(?!\d)/g) ?? []).length;
    comma += (l.text.match(/\d,\d{2}(?!\d)/g) ?? []).length;
  }
  return comma > dot ? ',' : '.';
}

function moneyOn(line: ReceiptLine, sep: DecimalSeparator): Money[] {
  // "RM9.00" and "9.00RM": findAmounts wants the marker apart from letters; "9 .00" is a split decimal point.
  // OCR drops or misreads the decimal point of right-aligned amounts: "14 00", "14_00" → "14.00".
  const text =
    sep === '.'
      ? line.text.replace(/(?<=^|\s)(\d{1,6})[ _](\d{2})(?=\s*[A-Za-z]{0,2}\s*$)/, '$1.$2')
      : line.text;
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

interface Candidate {
  value: Decimal;
  score: number;
  source: Money;
  reasons: string[];
}

interface Totals {
  total?: Candidate;
  runnerUp?: number;
  subtotal?: Money;
  tax?: Money;
}

const rightmost = (ms: readonly Money[]) => ms[ms.length - 1];

/** The amount a labelled line gives: on the line itself, else alone on the next line (OCR split the row). */
function amountFor(lines: readonly ReceiptLine[], i: number, money: readonly Money[][]): Money | undefined {
  const own = rightmost(money[i] ?? []);
  if (own) return own;
  // "Total Sales (Excluding GST) 5142": the point was lost; a labelled line ending in digits means cents.
  const line = lines[i] as ReceiptLine;
  const lastWord = line.words[line.words.length - 1];
  if (
    lastWord &&
    line.words.length > 1 &&
    /^\d{3,6}$/.test(lastWord.text) &&
    lineKind(line.folded) !== 'other'
  ) {
    return { value: new Decimal(lastWord.text).div(100), line, words: [lastWord] };
  }
  const next = lines[i + 1];
  const nextMoney = money[i + 1] ?? [];
  const amountOnly =
    next &&
    next.text.replace(/\b(?:RM|MYR|R\$|€|\$|USD|EUR|BRL)\b/g, '').replace(/[^\p{L}]/gu, '').length <= 2;
  if (
    next &&
    amountOnly &&
    nextMoney.length === 1 &&
    lineKind(next.folded) === 'other' &&
    next.page === lines[i]?.page
  )
    return nextMoney[0];
  return undefined;
}

type Explain = (candidates: { value: string; score: number; reasons: string[] }[]) => void;

/** The total's candidates with their scores and reasons, best first: for the bench's diagnostics. */
export function explainReceiptTotal(layout: Layout): { value: string; score: number; reasons: string[] }[] {
  const lines = toLines(layout);
  let out: { value: string; score: number; reasons: string[] }[] = [];
  decideTotals(lines, documentSeparator(lines), (c) => {
    out = c;
  });
  return out;
}

/** How a printed amount relates to another by OCR slips of its digits, if it does. */
function digitSlip(printed: Decimal, other: Decimal): 'one-digit' | 'lost-leading' | undefined {
  const a = printed.toFixed(2).replace('.', '');
  const b = other.toFixed(2).replace('.', '');
  if (a === b) return undefined;
  if (a.length === b.length) {
    let diff = 0;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) diff++;
    return diff === 1 ? 'one-digit' : undefined;
  }
  return a.length >= 3 && b.length > a.length && b.endsWith(a) ? 'lost-leading' : undefined;
}

function decideTotals(lines: readonly ReceiptLine[], sep: DecimalSeparator, explain?: Explain): Totals {
  const money = lines.map((l) => moneyOn(l, sep));
  const kinds = lines.map((l) => lineKind(l.folded));
  const labelled = (kind: LineKind) =>
    kinds.flatMap((k, i) => (k === kind ? [amountFor(lines, i, money)] : [])).filter((m): m is Money => !!m);

  const change = labelled('change').filter((m) => m.value.gte(0));
  const subtotals = labelled('subtotal').filter((m) => m.value.gt(0));
  const minSubtotal = subtotals.reduce<Decimal | undefined>(
    (a, m) => (a?.lt(m.value) ? a : m.value),
    undefined,
  );
  // Less than half the subtotal was neither paid nor due: such an amount lost its leading digits to OCR.
  const belowSubtotal = (v: Decimal) => !!minSubtotal && v.lt(minSubtotal.div(2));
  let cash = labelled('cash').filter((m) => m.value.gt(0) && !belowSubtotal(m.value));
  // "Cash 20.00 Change 9.80" on one line: the change is its last amount (above), the cash handed over its first.
  // Only in that order: on "Change 9.80 Cash 20.00" the first amount is the change.
  kinds.forEach((k, i) => {
    const amounts = money[i] ?? [];
    const first = amounts[0];
    const folded = lines[i]?.folded ?? '';
    const cashAt = folded.search(RE.cash);
    if (k !== 'change' || amounts.length < 2 || !first || cashAt < 0) return;
    if (cashAt > folded.search(RE.change)) return;
    if (first.value.gt(0) && !belowSubtotal(first.value)) cash.push(first);
  });
  // "CASN 70.30" / "CHANGE 10.00": the tendered amount sits between the total and the change even when its
  // label is unreadable, so with no readable cash line the unlabelled amounts just above the change stand in.
  if (!cash.length && change.length) {
    const tendered: Money[] = [];
    kinds.forEach((k, i) => {
      if (k !== 'change') return;
      for (let j = i - 1; j >= Math.max(0, i - 3); j--) {
        if (kinds[j] !== 'other') break;
        const m = rightmost(money[j] ?? []);
        if (m?.value.gt(0) && !belowSubtotal(m.value)) tendered.push(m);
      }
    });
    cash = tendered;
  }
  const taxes = labelled('tax').filter((m) => m.value.gte(0));
  const roundings = labelled('rounding').filter((m) => m.value.abs().lt(0.1));

  const candidates = new Map<string, Candidate>();
  const bump = (m: Money, score: number, reason: string) => {
    const key = m.value.toFixed(2);
    const c = candidates.get(key);
    if (!c) candidates.set(key, { value: m.value, score, source: m, reasons: [reason] });
    else {
      // The strongest sighting gives the box; every further sighting adds a little.
      if (score > c.score) {
        c.score = score + Math.min(0.5, c.score * 0.25);
        c.source = m;
      } else c.score += Math.min(0.5, Math.max(0, score) * 0.25);
      c.reasons.push(reason);
    }
  };

  lines.forEach((_, i) => {
    const kind = kinds[i] as LineKind;
    const own = money[i] ?? [];
    const labelledAmount = amountFor(lines, i, money);
    for (const m of own) {
      if (m.value.lte(0)) continue;
      const base: Record<LineKind, number> = {
        strongTotal: 5,
        total: 3.5,
        subtotal: 1.5,
        cash: 0.8,
        other: 0.3,
        notTotal: 0.5,
        tax: -1.5,
        rounding: -2,
        change: -2,
      };
      // On a labelled line only the rightmost amount is the labelled one; the others are columns (qty, price).
      const isLabelled = m === rightmost(own);
      // The rounded total, or the one "after adjustment", is what was paid; the total before it was not.
      const final = /\b(?:rounded|after\s*(?:adj\w*|rounding))\b/.test(lines[i]?.folded ?? '') ? 1.5 : 0;
      bump(
        m,
        isLabelled
          ? base[kind] + (kind === 'strongTotal' || kind === 'total' ? final : 0)
          : Math.min(base[kind], 0.3),
        kind,
      );
    }
    if (labelledAmount && !own.includes(labelledAmount) && (kind === 'total' || kind === 'strongTotal')) {
      bump(labelledAmount, kind === 'strongTotal' ? 4.5 : 3, `${kind}-next-line`);
    }
  });
  if (!candidates.size) return {};

  const maxCash = cash.reduce<Decimal | undefined>((a, m) => (a?.gt(m.value) ? a : m.value), undefined);
  // Cash tendered minus change given is what was due; subtotal plus tax plus rounding likewise. When two
  // independently read numbers agree with a printed one, that one is right; a sum printed nowhere is a weaker guess.
  const derive = (
    value: Decimal,
    from: Money,
    printedBonus: number,
    derivedScore: number,
    reason: string,
  ) => {
    if (value.lte(0)) return;
    const hit = candidates.get(value.toFixed(2));
    if (hit) {
      if (hit.source === from) return;
      hit.score += printedBonus;
      hit.reasons.push(reason);
    } else {
      candidates.set(value.toFixed(2), {
        value,
        score: derivedScore,
        source: from,
        reasons: [`derived-${reason}`],
      });
    }
  };
  for (const c of cash)
    for (const g of change) {
      if (g.value.gte(c.value)) continue;
      derive(c.value.minus(g.value), c, 4, 2.5, 'cash-change');
    }
  const rounded = roundings.some((r) => !r.value.isZero());
  const roundingOk = (v: Decimal) => !rounded || v.mod(0.05).isZero();
  // OCR drops the minus of "-0.02" often: an adjustment is tried both ways, and only a rounded result counts.
  const adjustments = [
    new Decimal(0),
    ...roundings.flatMap((r) => (r.value.isZero() ? [] : [r.value, r.value.neg()])),
  ];
  // Service charge and GST are both added to the subtotal: their sum is tried as well as each alone.
  const distinctTaxes = [...new Map(taxes.map((t) => [t.value.toFixed(2), t.value])).values()];
  const taxSums = [...distinctTaxes];
  if (distinctTaxes.length >= 2) taxSums.push(distinctTaxes.reduce((a, t) => a.plus(t), new Decimal(0)));
  for (const s of subtotals) {
    for (const t of taxSums) {
      for (const r of adjustments) {
        const v = s.value.plus(t).plus(r);
        if (roundingOk(v)) derive(v, s, 1.5, t.gt(0) ? 2 : 0, 'subtotal-tax');
      }
    }
  }
  // A total before rounding plus the adjustment gives the rounded total.
  let all = [...candidates.values()];
  for (const c of all)
    for (const r of roundings) {
      if (r.value.isZero()) continue;
      if (c.score < 3 || !c.reasons.some((x) => /total/i.test(x)) || c.value.mod(0.05).isZero()) continue;
      for (const v of [c.value.plus(r.value), c.value.minus(r.value)])
        if (v.mod(0.05).isZero()) derive(v, c.source, 1, c.score - 0.5, 'rounding');
    }
  all = [...candidates.values()];
  const totalLike = (c: Candidate) => c.reasons.some((x) => /^(?:total|strongTotal)/.test(x));
  // "Total 40.00 / GST 2.40 / 42.40": a total that a tax line brings to another printed amount was before tax.
  for (const c of all) {
    if (!totalLike(c)) continue;
    for (const t of distinctTaxes) {
      if (t.lte(0)) continue;
      const hit = candidates.get(c.value.plus(t).toFixed(2));
      if (!hit || hit === c || hit.reasons[0]?.startsWith('derived-')) continue;
      hit.score += 2;
      hit.reasons.push('total-plus-tax');
      c.score -= 1;
      c.reasons.push('before-tax');
    }
  }
  for (const c of all) {
    if (belowSubtotal(c.value)) {
      c.score -= 2.5;
      c.reasons.push('below-subtotal');
    }
    // After a rounding adjustment the amount paid is a multiple of the smallest coin; the amount before it is not.
    if (rounded && totalLike(c)) {
      const whole = c.value.mod(0.05).isZero();
      c.score += whole ? 0.5 : -1;
      c.reasons.push(whole ? 'rounded' : 'unrounded');
    }
  }
  // A labelled total one digit off an amount the receipt's arithmetic gives ("112.46" for 112.45 after rounding,
  // "7.55" for 27.55 with the first digit lost) is an OCR slip of it.
  const arithmetic = (c: Candidate) => c.reasons.some((x) => /(?:cash-change|subtotal-tax)$/.test(x));
  const top = [...all].sort((a, b) => b.score - a.score)[0];
  if (top && totalLike(top) && !arithmetic(top)) {
    for (const d of all) {
      if (d === top || !arithmetic(d)) continue;
      const kind = digitSlip(top.value, d.value);
      const roundingSays = rounded && d.value.mod(0.05).isZero() && !top.value.mod(0.05).isZero();
      if (kind === 'lost-leading' || (kind === 'one-digit' && roundingSays)) {
        d.score = Math.max(d.score, top.score + 0.5);
        d.reasons.push(`slip-of-${top.value.toFixed(2)}`);
        break;
      }
    }
  }
  // Nothing due exceeds the cash handed over; the largest plausible amount is often the total.
  const plausible = all.filter((c) => !maxCash || c.value.lte(maxCash));
  for (const c of all) {
    if (maxCash && c.value.gt(maxCash)) {
      c.score -= 2.5;
      c.reasons.push('above-cash');
    }
  }
  const largest = plausible
    .filter((c) => c.score > 0)
    .reduce<Candidate | undefined>((a, c) => (a?.value.gte(c.value) ? a : c), undefined);
  if (largest) {
    largest.score += 0.8;
    largest.reasons.push('largest');
  }

  all.sort((a, b) => b.score - a.score || b.value.comparedTo(a.value));
  explain?.(
    all.map((c) => ({
      value: c.value.toFixed(2),
      score: Math.round(c.score * 100) / 100,
      reasons: c.reasons,
    })),
  );
  const best = all[0];
  const subtotal = subtotals.find((s) => best && s.value.lte(best.value));
  const tax = taxes.find((t) => best && t.value.lt(best.value));
  const result: Totals = {};
  if (best && best.score > 0.5) {
    result.total = best;
    if (all[1]) result.runnerUp = all[1].score;
  }
  if (subtotal) result.subtotal = subtotal;
  if (tax) result.tax = tax;
  return result;
}

// ---- vendor -----------------------------------------------------------------------------------------------

/** Legal forms: a line ending in one of these is a company name. */
const LEGAL_FORM =
  /\b(?:sdn\.?\s*bhd|bhd|berhad|s\/b|sdn|plt|ltd|limited|ltda|eireli|s\.\s?l\.?|s\.\s?a\.?|s\.?\s?l\.?\s?u\.?|inc|llc|gmbh|corp\w*|enterprise|enterprises|trading|traders?)\b\.?/;
/** Words shops put in their names. */
const SHOP_WORD =
  /\b(?:co\.?|company|restaurants?|restoran|kedai|perniagaan|syarikat|hardware|mart|market|supermarket|minimarket|pasaraya|store|stores|bakery|cafe|bistro|kitchen\w*|pharmacy|farmacia|mercado|supermercado|papelaria|hotel|industries|gallery|electrical|stationery|books?|bookstore|machinery|motor|marketing|handicraft|food|foods|house|petro\w*)\b/;
const SKIP_LINE =
  /\b(?:tax\s*invoice|invoice|receipt|recibo|cupom|factura|fatura|cash\s*bill|bill|official|simplified|tel|fax|phone|telefone|telefono|h\/?p|email|e-mail|www|http|gst|sst|vat|cnpj|cpf|nif|cif|reg(?:istration)?\.?\s*no|co\.?\s*reg|company\s*no|roc|date|time|cashier|table|member|welcome|thank|counter|terminal|order|pos|hours|open|opening|credit\s*note|station)\b/;
const ADDRESS_WORDS =
  /\b(?:jalan|jln|lorong|taman|tmn|no\.?\s*\d|lot|blok|block|level|floor|tingkat|bandar|kampung|kg|batu|persiaran|lebuh|lebuhraya|seksyen|section|street|st|road|rd|avenue|ave|suite|unit|rua|avenida|av|calle|bairro|cep|plaza|mall|centre|center|kawasan|perindustrian|industrial|park|johor|selangor|kuala|lumpur|penang|pulau|pinang|perak|kedah|melaka|pahang|sabah|sarawak|negeri|sembilan|terengganu|kelantan|perlis|putrajaya|wilayah|bahru|jaya|petaling|shah\s*alam|puchong|cheras|klang|ampang|kajang|seri|damansara|subang|skudai)\b/;

function letterStats(text: string): { letters: number; upper: number; digits: number; total: number } {
  let letters = 0;
  let upper = 0;
  let digits = 0;
  let total = 0;
  for (const ch of text) {
    if (/\s/.test(ch)) continue;
    total++;
    if (/\p{L}/u.test(ch)) {
      letters++;
      if (ch === ch.toUpperCase() && ch !== ch.toLowerCase()) upper++;
    } else if (/\d/.test(ch)) digits++;
  }
  return { letters, upper, digits, total };
}

/** The words of a line without the junk OCR makes of logos and stamps at either end. */
function nameWords(line: ReceiptLine): Word[] {
  const height = (w: Word) => w.bbox[3] - w.bbox[1];
  const heights = line.words.map(height).sort((x, y) => x - y);
  const median = heights[Math.floor(heights.length / 2)] ?? 0;
  // A speck a third of the print's height is dirt or the edge of a logo, wherever it sits on the line.
  const speck = (w: Word) => w.confidence < 0.5 && line.words.length > 2 && height(w) < median * 0.35;
  const words = line.words.filter((w) => !speck(w));
  const capitals = (w: Word) => /^\p{Lu}{1,2}$/u.test(w.text);
  const edgeJunk = (w: Word, next: Word | undefined) => {
    // A bar or a dot alone is never part of a name, however sure OCR is of it; an ampersand is.
    if (!/[\p{L}\d&]/u.test(w.text)) return true;
    if (w.confidence >= 0.5) return false;
    // "CW KHOO HARDWARE": initials as tall as the words beside them belong to the name.
    if (capitals(w) && next && Math.abs(height(w) - height(next)) <= height(next) * 0.2) return false;
    return w.text.length <= 2 || !/^[\p{Lu}\d&.()'-]+$/u.test(w.text);
  };
  let a = 0;
  let b = words.length;
  while (a < b && edgeJunk(words[a] as Word, words[a + 1])) a++;
  while (b > a && edgeJunk(words[b - 1] as Word, words[b - 2])) b--;
  return words.slice(a, b);
}

/** A name line in capitals; with `titleCase`, "Nando's Chickenland Malaysia" too. */
function isNameLike(line: ReceiptLine, titleCase = false): boolean {
  const text = nameWords(line)
    .map((w) => w.text)
    .join(' ');
  const s = letterStats(text);
  const capitalised = titleCase && text.split(/\s+/).every((w) => !/^\p{L}/u.test(w) || /^\p{Lu}/u.test(w));
  return (
    s.letters >= 3 &&
    (s.upper >= s.letters * 0.8 || capitalised) &&
    s.digits <= 2 &&
    !SKIP_LINE.test(line.folded) &&
    !looksLikeAddress(line) &&
    meanConfidence(line.words) > 0.6
  );
}

function looksLikeAddress(line: ReceiptLine): boolean {
  const f = line.folded;
  if (ADDRESS_WORDS.test(f)) return true;
  if (/\b\d{5}\b/.test(f) && /\p{L}{3}/u.test(f)) return true; // postcode + place
  return /^\s*(?:no\.?\s*)?\d+[\w-]*\s*,/.test(f);
}

function isPhoneOrId(line: ReceiptLine): boolean {
  const s = letterStats(line.text);
  return s.digits >= 5 && s.digits >= s.letters;
}

interface VendorPick {
  name: Field;
  nameLines: ReceiptLine[];
}

/** Cuts a trailing registration number "(123456-X)" or "Co. Reg 1234" off a name line. */
function trimName(text: string): string {
  return trimOnce(trimOnce(text)); // "… BHD. (126926-H) °": the speck, then the number
}

function trimOnce(text: string): string {
  // A registration number is bracketed, labelled, ends in a check letter or is long; "ENTERPRISE 666" is a name.
  const registration = (m: string) => /[([]|[a-z]/i.test(m) || (m.match(/\d/g) ?? []).length >= 5;
  return text
    .replace(/\s*[([]?\s*(?:co\.?\s*reg\w*|company\s*no|roc)?[.:\s]*\d{3,}[-\s]?[a-z]?\s*[)\]]?\s*$/i, (m) =>
      registration(m) ? '' : m,
    )
    .replace(/^[^\p{L}\d(]+|[^\p{L}\d.)]+$/gu, '')
    .replace(/\s{2,}/g, ' ')
    .trim();
}

/** "99 SPEED MART 5/B": the S of the Malaysian "S/B" (Sdn Bhd) read as a 5. */
const fixLegalForm = (t: string) => t.replace(/(?<=\p{L}\s+)5\/[B8](?![\p{L}\d])/gu, 'S/B');

const bareText = (l: ReceiptLine) =>
  trimName(
    nameWords(l)
      .map((w) => w.text)
      .join(' '),
  );

const OWNED_BY =
  /^(.*?\b(?:owned|owner|operated|managed)\s+by|.*?\bdimiliki(?:\s+oleh)?|.*?\ba\s+(?:member|subsidiary|division)\s+of)\b\s*[:.-]?\s*/i;

/** "Dimiliki: banh mi cafe sdn bhd 1110644-H", "Owned by: …": the legal name behind a trade name, when it has a legal form. */
function ownerName(lines: readonly ReceiptLine[]): { text: string; words: Word[]; page: number } | undefined {
  for (const l of lines) {
    const m = l.text.match(OWNED_BY);
    if (!m) continue;
    const text = fixLegalForm(trimName(l.text.slice(m[0].length)));
    if (!LEGAL_FORM.test(fold(text)) || letterStats(text).letters < 5) continue;
    const start = m[0].length;
    const words = wordsInLineSpan(l, start, start + text.length);
    return { text, words: words.length ? words : l.words, page: l.page };
  }
  return undefined;
}

function pickVendor(lines: readonly ReceiptLine[]): VendorPick | undefined {
  if (!lines.length) return undefined;
  const firstPage = lines[0]?.page;
  // The shop's name sits above the items: stop at the first date, amount table or total.
  let end = Math.min(lines.length, 14);
  for (let i = 0; i < end; i++) {
    const l = lines[i] as ReceiptLine;
    if (
      l.page !== firstPage ||
      findDates(l.text).length ||
      /\btotal\b|\bqty\b|\bdescription\b/.test(l.folded)
    ) {
      end = i;
      break;
    }
  }
  let best: { i: number; score: number } | undefined;
  const heights = lines.slice(0, Math.max(1, end)).map((x) => x.bbox[3] - x.bbox[1]);
  const median = [...heights].sort((a, b) => a - b)[Math.floor(heights.length / 2)] ?? 0;
  for (let i = 0; i < end; i++) {
    const l = lines[i] as ReceiptLine;
    const words = nameWords(l);
    // "AEON CO. (M) BHD. (126926-H)": the registration number after the name is not part of it.
    const text = fixLegalForm(trimName(words.map((w) => w.text).join(' ')));
    const s = letterStats(text);
    if (s.letters < 3 || s.letters < s.total * 0.6) continue;
    if (isPhoneOrId(l) && letterStats(text).digits >= 5) continue;
    const f = repairLabels(fold(text));
    let score = 0;
    const legal = LEGAL_FORM.test(f);
    if (legal) score += 3;
    else if (SHOP_WORD.test(f)) score += 1.5;
    if (SKIP_LINE.test(f) && !legal) score -= 3;
    if (/:/.test(text) && !legal) score -= 2; // "Cashier: …", "Station: …" are labels
    if (looksLikeAddress(l) && !legal) score -= 2.5;
    // Shop names are printed in capitals or title case; a lower-case line up there is a handwritten note or noise.
    const upperShare = s.upper / Math.max(1, s.letters);
    if (upperShare > 0.8) score += 1;
    else if (upperShare < 0.2) score -= 2;
    if (s.digits > 2 && !legal) score -= 1;
    score += meanConfidence(words) - 0.7;
    score -= i * 0.25; // nearer the top is likelier
    if (median && l.bbox[3] - l.bbox[1] > median * 1.3) score += 0.5; // tall print is a heading
    if (!best || score > best.score) best = { i, score };
  }
  if (!best || best.score < -1) return undefined;
  // "THREE STOOGES" / "BISTRO & CAFE": a line naming only the kind of shop is a strapline under the name.
  const kindOnly = (l: ReceiptLine) =>
    fold(bareText(l))
      .split(/[\s&,+-]+|\band\b/)
      .every((w) => !w || SHOP_WORD.test(w));
  const above = lines[best.i - 1];
  if (above && kindOnly(lines[best.i] as ReceiptLine) && isNameLike(above) && !kindOnly(above))
    best = { i: best.i - 1, score: best.score };
  let first = best.i;
  let last = best.i;
  const bare = (l: ReceiptLine) =>
    trimName(
      nameWords(l)
        .map((w) => w.text)
        .join(' '),
    );
  const onlyLegalForm = (t: string) =>
    /^\s*(?:\([\w\s.&'-]{0,12}\)\s*)?(?:sdn\.?\s*bhd\.?|s\/b|bhd\.?|berhad|ltda\.?|s\.\s?[la]\.?|ltd\.?|inc\.?|llc)\s*\.?$/.test(
      fold(t),
    );
  // "PASARAYA BORONG PINTAR" / "SDN BHD": the legal form wrapped onto a line of its own, below or picked alone.
  // "POPULAR BOOK" / "CO. (M) SDN BHD" too: a picked line that is little more than a legal form continues one above.
  const prev = lines[first - 1];
  const picked = bare(lines[first] as ReceiptLine);
  const shortLegal =
    LEGAL_FORM.test(fold(picked)) &&
    /^\s*(?:[\p{L}.&'-]+\s+)?(?:co\.?\s*)?(?:\([\p{L}\s.]{1,12}\)\s*)?(?:sdn|s\/b|bhd|berhad|ltda|ltd|s\.\s?[la])/iu.test(
      picked,
    );
  const next = lines[last + 1];
  let swapped = false;
  // "Nando's Chickenland Malaysia" / "Sdn Bhd": a form alone on its line continues the name above in any case.
  if (prev && (onlyLegalForm(picked) || shortLegal) && isNameLike(prev, onlyLegalForm(picked))) first--;
  else if (next && onlyLegalForm(picked) && isNameLike(next) && !onlyLegalForm(bare(next))) {
    // "BHD" read a hair above "LIGHTROOM GALLERY SDN": the wrapped form came first in reading order.
    last++;
    swapped = true;
  }
  const raw = (l: ReceiptLine) =>
    nameWords(l)
      .map((w) => w.text)
      .join(' ');
  const lastText = fold(raw(lines[last] as ReceiptLine));
  const after = lines[last + 1];
  if (!swapped && after) {
    const afterText = fold(bare(after));
    // A name cut mid-way: "… SDN" / "BHD", or "HOME MASTER HARDWARE &" / "ELECTRICAL".
    const openForm = /\b(?:sdn|s\.)\s*$/.test(lastText) && /^\s*(?:bhd|b\.?)\b/.test(afterText);
    const openJoin = /(?:&|\band)\s*$/.test(lastText) && isNameLike(after) && !/\d/.test(afterText);
    if (openForm || openJoin || (onlyLegalForm(afterText) && !LEGAL_FORM.test(lastText))) last++;
  }
  const nameLines = lines.slice(first, last + 1);
  if (swapped) nameLines.reverse();
  const line = nameLines[0] as ReceiptLine;
  const text = nameLines
    .map((l, k) =>
      k < nameLines.length - 1 && /&\s*$/.test(raw(l)) ? `${bare(l)} &` : fixLegalForm(bare(l)),
    )
    .filter((t) => t)
    .join(' ')
    // The legal form is a fixed phrase, so its OCR slips can be undone: "SON BHD", "SDN BHO", "C0.".
    .replace(/\bS[DO0I1L]N(\.?\s*)[B8][HN][DO0]\b/g, 'SDN$1BHD')
    .replace(/\bS[DO0][NVW](?=\.?\s*BHD\b)/g, 'SDN')
    .replace(/\bC0\./g, 'CO.');
  if (!text) return undefined;
  const words = nameLines.flatMap((l) => nameWords(l));
  const conf = meanConfidence(words) * (best.score >= 2.5 ? 0.95 : best.score >= 1 ? 0.8 : 0.6);
  // A trade name ("Banh Mi Cafe") with the company that owns it printed under it: the company is the vendor.
  // The owner line itself picked ("Dimiliki: … SDN BHD" scores as a legal name) loses its label the same way.
  const ownerPicked = nameLines.some((l) => OWNED_BY.test(l.text));
  const owner = ownerPicked || !LEGAL_FORM.test(fold(text)) ? ownerName(lines.slice(0, end + 2)) : undefined;
  if (owner)
    return {
      name: field(owner.text, meanConfidence(owner.words) * 0.85, owner.words, owner.page),
      nameLines,
    };
  return { name: field(repairName(text, lines), conf, words, line.page), nameLines };
}

/** Words that make up company names, long enough that one OCR slip from one is that word misread. */
const NAME_WORDS = [
  'international',
  'enterprise',
  'trading',
  'hardware',
  'stationery',
  'restaurant',
  'restoran',
  'marketing',
  'supermarket',
  'perniagaan',
  'syarikat',
  'electrical',
  'industries',
  'handicraft',
  'machinery',
  'pharmacy',
  'malaysia',
  'corporation',
  'holdings',
  'services',
  'engineering',
  'minimarket',
  'bookstore',
  'confectionery',
];

/**
 * Undoes OCR slips a name shows by itself: a common company word one letter off ("INTERNATIGNAL"), and a first
 * word a logo clipped on the left that the shop's own web or mail domain spells whole ("OPAC" beside vivopac.com).
 */
function repairName(text: string, lines: readonly ReceiptLine[]): string {
  let out = text.replace(/\p{L}{7,}/gu, (w) => {
    const lower = w.toLowerCase();
    if (NAME_WORDS.includes(lower)) return w;
    // A plural or a singular is a word of its own ("RESTAURANTS", "SERVICE"), not a slip.
    if (NAME_WORDS.some((n) => lower === `${n}s` || n === `${lower}s`)) return w;
    const hit = NAME_WORDS.find((n) => levenshteinAtMostOne(n, lower));
    if (!hit) return w;
    return w === w.toUpperCase()
      ? hit.toUpperCase()
      : w === lower
        ? hit
        : hit[0]?.toUpperCase() + hit.slice(1);
  });
  const first = out.match(/^\p{L}{3,}/u)?.[0];
  if (first) {
    const domains = lines.flatMap((l) =>
      [...l.text.matchAll(/(?:www\.|@)?([a-z\d-]{4,})\.(?:com|net|org|biz|my|com\.my)\b/gi)].map((m) =>
        (m[1] as string).toLowerCase(),
      ),
    );
    const f = first.toLowerCase();
    const whole = domains.find(
      (d) => d !== f && d.endsWith(f) && d.length - f.length <= 4 && /^\p{L}+$/u.test(d),
    );
    if (whole) out = (first === first.toUpperCase() ? whole.toUpperCase() : whole) + out.slice(first.length);
  }
  return out;
}

function pickAddress(lines: readonly ReceiptLine[], vendor: VendorPick | undefined): Field | undefined {
  const start = vendor ? (vendor.nameLines[vendor.nameLines.length - 1] as ReceiptLine).index + 1 : 0;
  const picked: ReceiptLine[] = [];
  for (let i = start; i < Math.min(lines.length, start + 8); i++) {
    const l = lines[i] as ReceiptLine;
    const f = l.folded;
    if (
      picked.length &&
      (/\b(?:tel|fax|phone|gst|sst|email|www|invoice|receipt|date|cashier)\b/.test(f) ||
        findDates(l.text).length)
    )
      break;
    // Registration numbers and "formerly known as" lines between the name and the address are skipped.
    if (!picked.length && !looksLikeAddress(l)) {
      if (i - start >= 3) break;
      continue;
    }
    if (isPhoneOrId(l) && !/\b\d{5}\b/.test(f)) break;
    picked.push(l);
    if (picked.length >= 5) break;
  }
  if (!picked.length) return undefined;
  const words = picked.flatMap((l) => l.words);
  // Printed lines joined with ", " unless the line already ends in punctuation.
  const text = picked
    .map((l) => l.text.trim())
    .reduce((a, t) => (a ? `${a}${/[,.;]$/.test(a) ? ' ' : ', '}${t}` : t), '');
  return field(text, meanConfidence(words) * 0.8, words, picked[0]?.page ?? 1);
}

// ---- other fields -----------------------------------------------------------------------------------------

const digitsApart = (a: string, b: string) =>
  a.length === b.length ? [...a].filter((c, i) => c !== b[i]).length : Number.POSITIVE_INFINITY;

function pickDate(lines: readonly ReceiptLine[], language: string | undefined): Field | undefined {
  // A dotted time of sale ("12.17.26 PM") is no date to vote on the day/month order.
  const order = inferDateOrder(
    lines.map((l) => l.text.replace(/\b\d{1,2}\.\d{2}\.\d{2}(?=\s*[ap]\.?m\b)/gi, '')).join('\n'),
    language,
  );
  let best: { value: string; score: number; line: ReceiptLine; start: number; end: number } | undefined;
  const seen = new Map<string, number>();
  // Only when no date reads as printed: a date beside its label or the time of sale whose day cannot be
  // ("49/03/2018 21:28") had its day's first digit misread; 0 is the likeliest, and confidence says it is a guess.
  let guessedDay = false;
  for (const guess of [false, true]) {
    if (best) break;
    guessedDay = guess;
    for (const l of lines) {
      // OCR reads a leading "2" of "25/12" as "Z"; letters glued to a date are noise.
      // A month's first digit is 0 or 1, so a 6, 8 or 9 there is a 0 misread: "30/63/2018".
      let text = l.text
        .replace(/(?<=\d)[Oo](?=\d)|(?<=[/.-])[Oo](?=\d)/g, '0')
        .replace(/(?<![\d/.-])(\d{1,2})([/.-])[689](\d)\2((?:19|20)\d{2})(?!\d)/g, '$1$20$3$2$4');
      if (guess) {
        if (!/\b\d{1,2}:\d{2}\b/.test(text) && !/\b(?:date|tarikh|data|fecha)\b/.test(l.folded)) continue;
        text = text.replace(
          /(?<![\d/.-])[4-9](\d)([/.-])(\d{1,2})\2((?:19|20)\d{2}|\d{2})(?![\d/.-]?\d)/g,
          '0$1$2$3$2$4',
        );
      }
      const found = findDates(text, { order });
      for (const d of found) {
        const year = Number(d.value.slice(0, 4));
        if (year < 1990 || year > 2040) continue;
        // "06/01/18 12.17.26 PM": what follows a date and precedes AM/PM is the time of sale, not a second date.
        const after = found.some(
          (o) => o !== d && o.end <= d.start && /^\s*$/.test(text.slice(o.end, d.start)),
        );
        if (after || /^\s*[ap]\.?m\b/i.test(text.slice(d.end))) continue;
        // Glued to a code ("HC03-7 - 15") it is no date, unless the line says it is one ("Date: Z25/12/2018").
        const labelled = /\b(?:date|dated|tarikh|data|fecha)\b/.test(l.folded);
        if (!labelled && /[\p{L}\d]/u.test(text[d.start - 1] ?? '')) continue;

        seen.set(d.value, (seen.get(d.value) ?? 0) + 1);
        let score = 1;
        if (/\b(?:date|dated|tarikh|data|fecha|dt)\b/.test(l.folded)) score += 1.5;
        if (/\b(?:due|expiry|exp|valid|vencimento|vencimiento)\b/.test(l.folded)) score -= 2;
        if (d.unambiguous) score += 0.3;
        if (/\b\d{1,2}:\d{2}\b/.test(text)) score += 1; // a receipt prints the time of sale beside its date
        score += ((seen.get(d.value) ?? 1) - 1) * 0.5;
        score -= l.index * 0.01;
        if (!best || score > best.score)
          best = { value: d.value, score, line: l, start: d.start, end: d.end };
      }
    }
  }
  if (!best) return undefined;
  // Till systems print the date inside long document numbers ("2018030610100030493"): when one agrees on the
  // day and month, its year undoes a slip in the printed year ("06/03/2016").
  const [y, md] = [best.value.slice(0, 4), best.value.slice(4)];
  for (const l of lines) {
    for (const m of l.text.matchAll(/(?<!\d)((?:19|20)\d{2})(\d{2})(\d{2})\d{4,}/g)) {
      const compact = `${m[1]}-${m[2]}-${m[3]}`;
      const year = Number(m[1]);
      if (
        compact.slice(4) === md &&
        m[1] !== y &&
        year >= 1990 &&
        year <= 2040 &&
        digitsApart(m[1] ?? '', y) === 1
      )
        best = { ...best, value: compact };
    }
  }
  const words = wordsInSpan(best.line, best.start, best.end);
  const certainty = guessedDay ? 0.5 : best.score >= 2 ? 0.95 : 0.8;
  return field(best.value, meanConfidence(words) * certainty, words, best.line.page);
}

const NUMBER_LABEL =
  /\b(?:receipt|rcpt|bill|invoice|inv|doc(?:ument)?|trans(?:action)?|txn|slip|cheque|chk|check|ticket|cupom|nota|factura|fatura|tax\s*invoice|cb|cs)\s*(?:no|num(?:ber)?|n[oº°]|#)?\s*\.?\s*[:#.]?\s*$/;

function pickInvoiceNumber(lines: readonly ReceiptLine[]): Field | undefined {
  for (const l of lines) {
    // Find "<label> <value>" where the value has a digit; scan word by word so the box is the value's.
    for (let k = 0; k < l.words.length; k++) {
      const before = repairLabels(
        fold(
          l.words
            .slice(0, k)
            .map((w) => w.text)
            .join(' '),
        ),
      );
      const m = before.match(NUMBER_LABEL);
      if (!m) continue;
      const labelHasNo =
        /(?:no|num|number|n[oº°]|#)\s*\.?\s*[:#.]?\s*$/.test(before) || /[:#]\s*$/.test(before);
      if (!labelHasNo) continue;
      let raw = (l.words[k] as Word).text.replace(/^[:#.]+/, '');
      let used = [l.words[k] as Word];
      if (!raw && l.words[k + 1]) {
        raw = (l.words[k + 1] as Word).text;
        used = [l.words[k + 1] as Word];
      }
      raw = raw.replace(/[^\p{L}\d/\-.]+$/u, '');
      if (!/\d/.test(raw) || raw.length < 3 || findDates(raw).length) continue;
      return field(raw, meanConfidence(used) * 0.85, used, l.page);
    }
  }
  return undefined;
}

function pickTaxId(lines: readonly ReceiptLine[]): Field | undefined {
  for (const l of lines) {
    const m = l.folded.match(
      /\b(?:gst|sst|tin|tax)\s*(?:id|reg\w*|no|number)[\s.:]*(?:no\.?)?[\s.:]*([0-9o][0-9o\s-]{7,16}[0-9o])/,
    );
    if (m?.[1]) {
      const value = m[1].replace(/o/g, '0').replace(/[\s-]/g, '');
      if (value.length < 8) continue;
      const idx = l.folded.indexOf(m[1]);
      const words = wordsInSpan(l, idx, idx + m[1].length);
      return field(value, meanConfidence(words) * 0.85, words, l.page);
    }
  }
  for (const l of lines) {
    const found = findTaxIds(l.text).find((t) => t.valid);
    if (found) {
      const words = wordsInSpan(l, found.span.start, found.span.end);
      return field(found.value, meanConfidence(words) * 0.9, words, l.page);
    }
  }
  return undefined;
}

const CURRENCY_MARKERS: [string, RegExp][] = [
  ['MYR', /(?<![A-Za-z])(?:RM|MYR)(?![A-Za-z])/],
  ['BRL', /R\$|\bBRL\b/],
  ['EUR', /€|\bEUR\b/],
  ['GBP', /£|\bGBP\b/],
  ['USD', /(?<![A-Z])\$|\bUSD\b/],
];

/**
 * The currency printed next to amounts, or standing alone as a column head ("Amt (RM)"). A `$` or `£` that is not
 * next to an amount is usually OCR noise, so symbols count only when an amount carries them.
 */
function pickCurrency(lines: readonly ReceiptLine[], sep: DecimalSeparator): Field | undefined {
  const votes = new Map<string, { n: number; line: ReceiptLine }>();
  const vote = (code: string, line: ReceiptLine) => {
    const v = votes.get(code) ?? { n: 0, line };
    v.n++;
    votes.set(code, v);
  };
  for (const l of lines) {
    for (const a of findAmounts(l.text, { decimalSeparator: sep }))
      if (a.currency && a.hasDecimals) vote(a.currency, l);
    if (/(?<![A-Za-z])(?:RM|MYR)(?![A-Za-z])/.test(l.text)) vote('MYR', l);
    if (/\b(?:BRL|EUR|USD)\b/.test(l.text)) vote(l.text.match(/\b(BRL|EUR|USD)\b/)?.[1] as string, l);
  }
  let best: [string, { n: number; line: ReceiptLine }] | undefined;
  for (const e of votes) if (!best || e[1].n > best[1].n) best = e;
  if (!best) {
    const code = detectCurrency(lines.map((l) => l.text).join('\n'));
    if (code !== 'BRL' && code !== 'EUR') return undefined; // R$ and € are not OCR noise; a lone $ may be
    const line = lines.find((l) => (code === 'BRL' ? /R\$|BRL/ : /€|EUR/).test(l.text));
    if (!line) return undefined;
    best = [code, { n: 1, line }];
  }
  const [code, { n, line }] = best;
  const re = CURRENCY_MARKERS.find(([c]) => c === code)?.[1];
  const words = re ? line.words.filter((w) => re.test(w.text)) : [];
  return field(code, n >= 2 ? 0.9 : 0.7, words.length ? words : line.words, line.page);
}

// ---- entry point ------------------------------------------------------------------------------------------

/** Fields of a shop receipt. Fields that cannot be found are absent. */
export function extractReceiptFields(layout: Layout, options: ReceiptOptions = {}): Fields {
  const lines = toLines(layout);
  const fields: Fields = {};
  if (!lines.length) return fields;
  const sep = documentSeparator(lines);

  const vendor = pickVendor(lines);
  if (vendor) fields.vendorName = vendor.name;
  const address = pickAddress(lines, vendor);
  if (address) fields.vendorAddress = address;
  const taxId = pickTaxId(lines);
  if (taxId) fields.vendorTaxId = taxId;
  const number = pickInvoiceNumber(lines);
  if (number) fields.invoiceNumber = number;
  const date = pickDate(lines, options.language);
  if (date) fields.invoiceDate = date;
  const currency = pickCurrency(lines, sep);
  if (currency) fields.currency = currency;

  const totals = decideTotals(lines, sep);
  if (totals.total) {
    const t = totals.total;
    const crossChecked = t.reasons.some(
      (r) => r === 'cash-change' || r === 'subtotal-tax' || r === 'rounding',
    );
    const labelled = t.reasons.some((r) => /^(?:total|strongTotal)(?:-next-line)?$/.test(r));
    const derived = t.reasons[0]?.startsWith('derived-') ?? false;
    const margin = totals.runnerUp === undefined ? 3 : t.score - totals.runnerUp;
    let conf = meanConfidence(t.source.words);
    conf *= crossChecked && labelled ? 1 : labelled ? 0.85 : crossChecked ? 0.75 : 0.5;
    if (margin < 1) conf *= 0.8;
    if (derived) conf *= 0.7; // printed nowhere: computed from other lines
    fields.totalAmount = field(t.value.toFixed(2), conf, t.source.words, t.source.line.page);
  }
  if (totals.subtotal) {
    const s = totals.subtotal;
    fields.subtotal = field(s.value.toFixed(2), meanConfidence(s.words) * 0.85, s.words, s.line.page);
  }
  if (totals.tax) {
    const t = totals.tax;
    const adds =
      totals.total && totals.subtotal?.value.plus(t.value).minus(totals.total.value).abs().lte(0.05);
    fields.taxAmount = field(
      t.value.toFixed(2),
      meanConfidence(t.words) * (adds ? 0.95 : 0.7),
      t.words,
      t.line.page,
    );
  }
  return fields;
}
