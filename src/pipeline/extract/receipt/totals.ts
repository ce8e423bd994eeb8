// The receipt's total. Every amount printed is a candidate, and so is what the receipt's own arithmetic gives
// (cash minus change, subtotal plus tax, a total plus its rounding), because OCR of thermal paper misreads
// digits often. What the label beside each amount says, where it sits and what the arithmetic confirms are
// features; a model trained on labelled receipts weighs them (src/pipeline/extract/scoring.ts).
import { Decimal } from 'decimal.js';
import type { Layout } from '../../layout.ts';
import type { DecimalSeparator } from '../amounts.ts';
import model from '../models/receipt-total.json' with { type: 'json' };
import { type Features, type Ranked, RankerModel, rank } from '../scoring.ts';
import { SECOND_LOOK_FEATURES } from '../second-look.ts';
import { type ChoiceField, choose, type Look } from './choice.ts';
import {
  documentSeparator,
  type LineKind,
  lineKind,
  type Money,
  meanConfidence,
  moneyOn,
  RE,
  type ReceiptLine,
  toLines,
} from './lines.ts';

export const RECEIPT_TOTAL_MODEL = RankerModel.parse(model);

export interface TotalCandidate {
  value: Decimal;
  /** The printed amount it was seen as (the strongest sighting), or the amount a derived value came from. */
  source: Money;
  /** True when no line prints it: it was computed from other lines. */
  derived: boolean;
  features: Features;
}

export interface TotalsReading {
  candidates: TotalCandidate[];
  subtotals: Money[];
  taxes: Money[];
}

export interface Totals {
  total?: TotalCandidate;
  /** The calibrated probability that `total` is right. */
  confidence?: number;
  subtotal?: Money;
  tax?: Money;
}

/**
 * Words of a label, each a feature of the amounts on its line (and, as `above.…`, of the line under it): the
 * line kinds above are one reading of them; these let the model weigh combinations ("total" with "incl" and
 * "gst" is the total, "total" with "excl" is not) even where OCR garbled one word of the label.
 */
const LABEL_WORDS: [string, RegExp][] = [
  ['total', /\b(?:total|ttl|jumlah)\b/],
  ['grand', /\b(?:grand|final)\b/],
  ['net', /\bnett?\b/],
  ['amount', /\b(?:amount|amt)\b/],
  ['due', /\b(?:due|payable|to\s*pay|pay)\b/],
  ['balance', /\bbalance\b/],
  ['sub', /\bsub\b|\bsubtotal\b|\bsub-?\s*ttl\b/],
  ['incl', /\bincl\w*|clusive\b|\binc\b/],
  ['excl', /\bexcl\w*|\bexc\b|\bbefore\b/],
  ['tax', /\b(?:gst|sst|vat|tax|iva)\b/],
  ['service', /\b(?:service|svc|srv)\b/],
  ['round', /\bround\w*|\brnd\b|\badj\w*/],
  ['cash', /\b(?:cash|tunai|dinheiro|efectivo)\b/],
  [
    'card',
    /\b(?:visa|master\w*|card|credit|debit|amex|boost|grab|ewallet|tender\w*|paid|received|payment)\b/,
  ],
  ['change', /\b(?:change|baki|troco|cambio)\b/],
  ['discount', /\b(?:disc\w*|less|saving\w*|promo\w*|voucher)\b/],
  ['items', /\b(?:qty|quantity|items?|pcs|units?)\b/],
];

/** Features of the ranker, in the model's order; the training script writes models with exactly these. */
export const TOTAL_FEATURES: readonly string[] = [
  'labelled.strongTotal',
  'labelled.total',
  'labelled.subtotal',
  'labelled.cash',
  'labelled.other',
  'labelled.notTotal',
  'labelled.tax',
  'labelled.rounding',
  'labelled.change',
  'column',
  'nextLine.total',
  'nextLine.strongTotal',
  'final',
  'sightings',
  'derived',
  'cashChange',
  'subtotalTax',
  'subtotalTaxOnly',
  'rounding',
  'totalPlusTax',
  'beforeTax',
  'belowSubtotal',
  'rounded',
  'unrounded',
  'slip',
  'aboveCash',
  'largest',
  'position',
  'lastThird',
  'height',
  'ocrConfidence',
  'currencyMarked',
  'paidExactly',
  'cashSlip',
  'tendered',
  ...LABEL_WORDS.map(([name]) => `word.${name}`),
  ...LABEL_WORDS.map(([name]) => `above.${name}`),
  ...SECOND_LOOK_FEATURES,
];

/**
 * The weights the hand-written reader gave these facts: what the model is pulled towards where the labelled
 * receipts say little (a total above the cash handed over, say, is rare in them but never right).
 */
export const TOTAL_PRIOR: Readonly<Record<string, number>> = {
  'labelled.strongTotal': 5,
  'labelled.total': 3.5,
  'labelled.subtotal': 1.5,
  'labelled.cash': 0.8,
  'labelled.other': 0.3,
  'labelled.notTotal': 0.5,
  'labelled.tax': -1.5,
  'labelled.rounding': -2,
  'labelled.change': -2,
  column: 0.3,
  'nextLine.total': 3,
  'nextLine.strongTotal': 4.5,
  final: 1.5,
  derived: -1.5,
  cashChange: 4,
  subtotalTax: 2,
  rounding: 1.5,
  totalPlusTax: 2,
  beforeTax: -1,
  belowSubtotal: -2.5,
  rounded: 0.5,
  unrounded: -1,
  slip: 3,
  aboveCash: -2.5,
  largest: 0.8,
  tendered: -2,
};

/** Of those, the facts of arithmetic rather than of habit: held to their weight however few receipts show them. */
export const TOTAL_FIRM: readonly string[] = [
  'aboveCash',
  'belowSubtotal',
  'cashChange',
  'totalPlusTax',
  'beforeTax',
];

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

interface Building {
  value: Decimal;
  source: Money;
  derived: boolean;
  features: Features;
  /** Sightings' strength, to choose which printed amount gives the box. */
  best: number;
}

const add = (f: Features, name: string, by = 1) => {
  f[name] = (f[name] ?? 0) + by;
};

const SIGHTING_STRENGTH: Record<LineKind, number> = {
  strongTotal: 5,
  total: 3.5,
  subtotal: 1.5,
  cash: 0.8,
  notTotal: 0.5,
  other: 0.3,
  tax: 0,
  rounding: 0,
  change: 0,
};

/** Every amount the total could be, with its features. */
export function totalCandidates(lines: readonly ReceiptLine[], sep: DecimalSeparator): TotalsReading {
  const money = lines.map((l) => moneyOn(l, sep));
  const kinds = lines.map((l) => lineKind(l.folded));
  const labelled = (kind: LineKind) =>
    kinds.flatMap((k, i) => (k === kind ? [amountFor(lines, i, money)] : [])).filter((m): m is Money => !!m);

  let change = labelled('change').filter((m) => m.value.gte(0));
  const subtotals = labelled('subtotal').filter((m) => m.value.gt(0));
  const minSubtotal = subtotals.reduce<Decimal | undefined>(
    (a, m) => (a?.lt(m.value) ? a : m.value),
    undefined,
  );
  // Less than half the subtotal was neither paid nor due: such an amount lost its leading digits to OCR.
  const belowSubtotal = (v: Decimal) => !!minSubtotal && v.lt(minSubtotal.div(2));
  let cash = labelled('cash').filter((m) => m.value.gt(0) && !belowSubtotal(m.value));
  // "Cash 20.00 Change 9.80" on one line: the amounts follow their labels, so the first is the cash handed over
  // and the last the change; "Change 9.80 Cash 20.00" the other way round.
  kinds.forEach((k, i) => {
    const amounts = money[i] ?? [];
    const first = amounts[0];
    const last = amounts[amounts.length - 1];
    const folded = lines[i]?.folded ?? '';
    const cashAt = folded.search(RE.cash);
    if (k !== 'change' || amounts.length < 2 || !first || !last || cashAt < 0) return;
    const [tendered, given] = cashAt < folded.search(RE.change) ? [first, last] : [last, first];
    if (given !== last) change = change.filter((m) => m !== last).concat(given);
    if (tendered.value.gt(0) && !belowSubtotal(tendered.value)) cash.push(tendered);
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

  const heights = money.flat().map((m) => wordHeight(m));
  const medianHeight = [...heights].sort((a, b) => a - b)[Math.floor(heights.length / 2)] ?? 0;
  const lastLine = Math.max(1, lines.length - 1);

  const candidates = new Map<string, Building>();
  const sight = (m: Money, strength: number, feature: string) => {
    const key = m.value.toFixed(2);
    let c = candidates.get(key);
    if (!c) {
      c = { value: m.value, source: m, derived: false, features: {}, best: strength };
      candidates.set(key, c);
    } else if (c.derived || strength > c.best) {
      c.source = m;
      c.best = strength;
      c.derived = false;
    }
    add(c.features, feature);
  };

  lines.forEach((line, i) => {
    const kind = kinds[i] as LineKind;
    const own = money[i] ?? [];
    const labelledAmount = amountFor(lines, i, money);
    for (const m of own) {
      if (m.value.lte(0)) continue;
      // On a labelled line only the rightmost amount is the labelled one; the others are columns (qty, price).
      const isLabelled = m === rightmost(own);
      sight(m, isLabelled ? SIGHTING_STRENGTH[kind] : 0.3, isLabelled ? `labelled.${kind}` : 'column');
      // The rounded total, or the one "after adjustment", is what was paid; the total before it was not.
      if (
        isLabelled &&
        (kind === 'strongTotal' || kind === 'total') &&
        /\b(?:rounded|after\s*(?:adj\w*|rounding))\b/.test(line.folded)
      )
        add(candidates.get(m.value.toFixed(2))?.features ?? {}, 'final');
    }
    if (labelledAmount && !own.includes(labelledAmount) && (kind === 'total' || kind === 'strongTotal')) {
      sight(labelledAmount, kind === 'strongTotal' ? 4.5 : 3, `nextLine.${kind}`);
    }
  });
  if (!candidates.size) return { candidates: [], subtotals, taxes };

  const maxCash = cash.reduce<Decimal | undefined>((a, m) => (a?.gt(m.value) ? a : m.value), undefined);
  // Cash tendered minus change given is what was due; subtotal plus tax plus rounding likewise. An amount printed
  // that two independently read numbers agree with is confirmed; a sum printed nowhere is a candidate of its own.
  const derive = (value: Decimal, from: Money, feature: string) => {
    if (value.lte(0)) return;
    const key = value.toFixed(2);
    let c = candidates.get(key);
    if (c?.source === from && !c.derived) return;
    if (!c) {
      c = { value, source: from, derived: true, features: { derived: 1 }, best: 0 };
      candidates.set(key, c);
    }
    add(c.features, feature);
  };
  for (const c of cash)
    for (const g of change) {
      if (g.value.gte(c.value)) continue;
      derive(c.value.minus(g.value), c, 'cashChange');
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
  for (const s of subtotals)
    for (const t of taxSums)
      for (const r of adjustments) {
        const v = s.value.plus(t).plus(r);
        if (roundingOk(v)) derive(v, s, t.gt(0) ? 'subtotalTax' : 'subtotalTaxOnly');
      }
  const totalLike = (c: Building) =>
    ['labelled.total', 'labelled.strongTotal', 'nextLine.total', 'nextLine.strongTotal'].some(
      (f) => c.features[f],
    );
  // A total before rounding plus the adjustment gives the rounded total.
  for (const c of [...candidates.values()])
    for (const r of roundings) {
      if (r.value.isZero() || !totalLike(c) || c.value.mod(0.05).isZero()) continue;
      for (const v of [c.value.plus(r.value), c.value.minus(r.value)])
        if (v.mod(0.05).isZero()) derive(v, c.source, 'rounding');
    }
  const all = [...candidates.values()];
  // "Total 40.00 / GST 2.40 / 42.40": a total that a tax line brings to another printed amount was before tax.
  for (const c of all) {
    if (!totalLike(c)) continue;
    for (const t of distinctTaxes) {
      if (t.lte(0)) continue;
      const hit = candidates.get(c.value.plus(t).toFixed(2));
      if (!hit || hit === c || hit.derived) continue;
      add(hit.features, 'totalPlusTax');
      add(c.features, 'beforeTax');
    }
  }
  // A labelled total one digit off an amount the receipt's arithmetic gives ("112.46" for 112.45 after rounding,
  // "7.55" for 27.55 with the first digit lost) is an OCR slip of it.
  const arithmetic = (c: Building) => !!(c.features.cashChange || c.features.subtotalTax);
  for (const d of all) {
    if (!arithmetic(d)) continue;
    for (const c of all) {
      if (c === d || !totalLike(c) || arithmetic(c)) continue;
      const kind = digitSlip(c.value, d.value);
      const roundingSays = rounded && d.value.mod(0.05).isZero() && !c.value.mod(0.05).isZero();
      if (kind === 'lost-leading' || (kind === 'one-digit' && roundingSays)) add(d.features, 'slip');
    }
  }
  // Paid by card or exact cash, with no change given: what was handed over is the total.
  const noChange = !kinds.includes('change');
  for (const m of cash) {
    const c = candidates.get(m.value.toFixed(2));
    if (c && noChange) add(c.features, 'paidExactly');
  }
  // A labelled total one digit off the amount handed over ("Total 181.20" / "VISA 191.20"): one of them is a slip.
  for (const c of all) {
    if (!totalLike(c)) continue;
    for (const m of cash) if (digitSlip(c.value, m.value) === 'one-digit') add(c.features, 'cashSlip');
  }
  // "TOTAL 88.95 / CASH 100.00": banknotes handed over above a printed total or subtotal are what was tendered,
  // not the total (five sen or less above it is the total after rounding).
  const printedTotals = all.filter(
    (c) =>
      !c.derived &&
      (totalLike(c) || c.features['labelled.subtotal'] || c.features['labelled.rounding']) &&
      c.value.gt(0),
  );
  for (const m of cash) {
    const c = candidates.get(m.value.toFixed(2));
    if (!c || totalLike(c) || !c.value.mod(5).isZero()) continue;
    if (printedTotals.some((t) => t !== c && c.value.minus(t.value).gt(0.05))) add(c.features, 'tendered');
  }
  const plausible = all.filter((c) => !maxCash || c.value.lte(maxCash));
  const largest = plausible.reduce<Building | undefined>(
    (a, c) => (a?.value.gte(c.value) ? a : c),
    undefined,
  );
  for (const c of all) {
    const f = c.features;
    if (belowSubtotal(c.value)) f.belowSubtotal = 1;
    // After a rounding adjustment the amount paid is a multiple of the smallest coin; the amount before it is not.
    if (rounded && totalLike(c)) f[c.value.mod(0.05).isZero() ? 'rounded' : 'unrounded'] = 1;
    if (maxCash && c.value.gt(maxCash)) f.aboveCash = 1;
    if (c === largest) f.largest = 1;
    const sightings = Object.entries(f)
      .filter(([k]) => k.startsWith('labelled.') || k.startsWith('nextLine.') || k === 'column')
      .reduce((s, [, v]) => s + v, 0);
    f.sightings = Math.log1p(sightings);
    const line = c.source.line;
    f.position = line.index / lastLine;
    f.lastThird = f.position > 2 / 3 ? 1 : 0;
    f.height = medianHeight ? Math.min(3, wordHeight(c.source) / medianHeight) - 1 : 0;
    f.ocrConfidence = c.derived ? 0 : meanConfidence(c.source.words);
    f.currencyMarked = !c.derived && /(?<![A-Za-z])(?:RM|MYR|R\$|€|\$|USD|EUR|BRL)/.test(line.text) ? 1 : 0;
    if (!c.derived) {
      const above = lines[line.index - 1];
      for (const [name, re] of LABEL_WORDS) {
        if (re.test(line.folded)) f[`word.${name}`] = 1;
        if (above && re.test(above.folded)) f[`above.${name}`] = 1;
      }
    }
  }
  return {
    candidates: all.map(({ value, source, derived, features }) => ({ value, source, derived, features })),
    subtotals,
    taxes,
  };
}

function wordHeight(m: Money): number {
  const hs = m.words.map((w) => w.bbox[3] - w.bbox[1]);
  return hs.length ? Math.max(...hs) : 0;
}

/** The receipt's total as a field its reader chooses among candidates (see ./choice.ts). */
export const RECEIPT_TOTAL: ChoiceField<TotalCandidate, { sep: DecimalSeparator }> = {
  model: RECEIPT_TOTAL_MODEL,
  candidates: (lines, { sep }) => totalCandidates(lines, sep).candidates,
  key: (c) => c.value.toFixed(2),
  linesOf: (c) => [c.source.line.index],
  standing: (c) => totalStanding(c),
};

/** The total (with its calibrated confidence), the subtotal and the tax of a receipt. */
export function decideTotals(lines: readonly ReceiptLine[], sep: DecimalSeparator, look?: Look): Totals {
  const reading = totalCandidates(lines, sep);
  const { best, confidence: conf } = choose(RECEIPT_TOTAL, lines, { sep }, look);
  const result: Totals = {};
  if (best) {
    result.total = best;
    result.confidence = conf;
  }
  const subtotal = reading.subtotals.find((s) => best && s.value.lte(best.value));
  const tax = reading.taxes.find((t) => best && t.value.lt(best.value));
  if (subtotal) result.subtotal = subtotal;
  if (tax) result.tax = tax;
  return result;
}

/** What the calibrator knows of the chosen total beyond its standing among the candidates. */
export function totalStanding(best: TotalCandidate): Features {
  const f = best.features;
  const confirmed =
    (f.cashChange ?? 0) + (f.subtotalTax ?? 0) + (f.rounding ?? 0) + (f.totalPlusTax ?? 0) > 0;
  const labelled =
    (f['labelled.total'] ?? 0) +
      (f['labelled.strongTotal'] ?? 0) +
      (f['nextLine.total'] ?? 0) +
      (f['nextLine.strongTotal'] ?? 0) >
    0;
  return {
    ocrConfidence: f.ocrConfidence ?? 0,
    readTwice: f['read.both'] ?? 0,
    unconfirmed: f.unconfirmed ?? 0,
    derived: best.derived ? 1 : 0,
    confirmed: confirmed ? 1 : 0,
    labelled: labelled ? 1 : 0,
  };
}

/** The total's candidates with their shares and features, best first: for the bench's diagnostics. */
export function explainReceiptTotal(layout: Layout): Ranked<TotalCandidate>[] {
  const lines = toLines(layout);
  return rank(RECEIPT_TOTAL_MODEL, totalCandidates(lines, documentSeparator(lines)).candidates);
}
