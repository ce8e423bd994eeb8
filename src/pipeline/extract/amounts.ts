// Money as printed on invoices and receipts (any of the usual separators, symbols and OCR slips) → decimal strings.

export type DecimalSeparator = ',' | '.';

export interface AmountHint {
  /** Decides amounts such as `1.234` or `1,234` that read either way. */
  decimalSeparator?: DecimalSeparator;
}

export interface ParsedAmount {
  /** Decimal string with '.' as separator, decimals kept as written: "1234.56", "-10.00", "1234". */
  value: string;
  /** ISO 4217, when a symbol or code was printed next to the number. */
  currency?: string;
}

export interface FoundAmount extends ParsedAmount {
  /** The characters that gave the amount, as printed. */
  text: string;
  start: number;
  end: number;
  /** True when the number has a decimal part (e.g. ",56"): money-like, not a count or a code. */
  hasDecimals: boolean;
}

/** Symbols and codes, longest first so `R$`/`US$` win over `$`. */
const SYMBOLS: readonly [string, string][] = [
  ['R$', 'BRL'],
  ['US$', 'USD'],
  ['U$S', 'USD'],
  ['C$', 'CAD'],
  ['A$', 'AUD'],
  ['S$', 'SGD'],
  ['€', 'EUR'],
  ['£', 'GBP'],
  ['$', 'USD'],
];

const CODES = [
  'BRL',
  'EUR',
  'USD',
  'GBP',
  'MYR',
  'CHF',
  'CAD',
  'AUD',
  'SGD',
  'MXN',
  'ARS',
  'CLP',
  'COP',
  'PEN',
  'UYU',
  'JPY',
  'CNY',
] as const;

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// A currency marker: code or symbol. `RM` (ringgit) only as a whole uppercase token.
const CURRENCY_SRC = `(?:${[...SYMBOLS.map(([s]) => escapeRe(s)), ...CODES.map((c) => `\\b${c}\\b`), '\\bRM(?=\\s?[\\d(-])'].join('|')})`;

function currencyOf(marker: string | undefined): string | undefined {
  if (!marker) return undefined;
  const m = marker.trim();
  if (m === 'RM') return 'MYR';
  if ((CODES as readonly string[]).includes(m)) return m;
  return SYMBOLS.find(([s]) => s === m)?.[1];
}

/** The currency named in a text by symbol, code or word; the most frequent one wins, ties go to the first seen. */
export function detectCurrency(text: string): string | undefined {
  const counts = new Map<string, number>();
  const re = new RegExp(CURRENCY_SRC, 'g');
  for (const m of text.matchAll(re)) {
    const c = currencyOf(m[0]);
    if (c) counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  const words: [RegExp, string][] = [
    [/\breais\b/i, 'BRL'],
    [/\beuros?\b/i, 'EUR'],
    [/\bringgit\b/i, 'MYR'],
    [/\b(?:us )?dollars?\b/i, 'USD'],
  ];
  for (const [re2, c] of words) if (re2.test(text)) counts.set(c, (counts.get(c) ?? 0) + 1);
  let best: string | undefined;
  let bestN = 0;
  for (const [c, n] of counts) {
    if (n > bestN) {
      best = c;
      bestN = n;
    }
  }
  return best;
}

/**
 * Fixes OCR letter-for-digit slips (l/I/| → 1, O/o → 0) inside number-like runs, keeping the length so spans stay valid.
 * Only touches runs that already hold at least two real digits, so words are left alone.
 */
function fixOcrDigits(text: string): string {
  return text.replace(/[\dlI|Oo][\dlI|Oo.,]*[\dlI|Oo]/g, (run) => {
    const digits = run.replace(/\D/g, '').length;
    if (digits < 2) return run;
    // A run that starts or ends with a real word letter pair (e.g. "Oo") is not a number.
    return run.replace(/[lI|]/g, '1').replace(/[Oo]/g, '0');
  });
}

// Number body: digits with thousands groups ('.', ',', one space or NBSP) and an optional decimal part;
// a stray space after a separator is tolerated before two decimals ("1.234, 56"), not before a year
// ("March 20, 2025") or a street number ("OH 43215, 8200 Elm Avenue").
const NUMBER_SRC = String.raw`\d{1,3}(?:(?:[.,][ \u00a0]?|[ \u00a0])\d{3})+(?!\d)(?:[.,]\d{1,10}(?!\d)|[.,][ \u00a0]\d{2}(?!\d))?|\d+(?:[.,]\d+|[.,][ \u00a0]\d{2}(?!\d))?`;

// A currency marker after a number is its own only when no number follows it: in "€2.481,90 €521,20" the second
// € opens the next amount.
const AMOUNT_RE = new RegExp(
  String.raw`(?<open>\()?(?:(?<sign1>[-−–])[ \u00a0]?)?(?:(?<pre>${CURRENCY_SRC})[ \u00a0]?)?(?:(?<sign2>[-−–])[ \u00a0]?)?(?<num>${NUMBER_SRC})(?<post>[ \u00a0]?(?:${CURRENCY_SRC})(?![-−–]?\d))?(?<sign3>-(?!\d))?(?<close>\))?`,
  'g',
);

/** Turns the number body into a '.'-decimal string, or null when it cannot be read. */
function normaliseNumber(raw: string, hint?: AmountHint): { value: string; hasDecimals: boolean } | null {
  const body = raw.replace(/([.,])[ \u00a0]+(?=\d)/g, '$1');
  const parts = body.split(/[.,]|[ \u00a0]/);
  const seps = body.match(/[.,]|[ \u00a0]/g) ?? [];
  if (parts.some((p) => p === '' || !/^\d+$/.test(p))) return null;
  if (seps.length === 0) return { value: stripZeros(body), hasDecimals: false };

  const last = seps[seps.length - 1] as string;
  const lastPart = parts[parts.length - 1] as string;
  const distinct = new Set(seps.filter((s) => s === '.' || s === ','));
  let decimalSep: string | null;
  if (distinct.size === 2) {
    decimalSep = last;
  } else if (last === ' ' || last === '\u00a0') {
    decimalSep = null;
  } else if (seps.filter((s) => s === last).length > 1) {
    decimalSep = null; // "1.234.567": the repeated separator is grouping
  } else if (lastPart.length !== 3) {
    decimalSep = last;
  } else if (seps.length > 1) {
    decimalSep = last; // "1 234.567" grouped by spaces, then a decimal part
  } else if (hint?.decimalSeparator) {
    decimalSep = hint.decimalSeparator === last ? last : null;
  } else {
    // "0.125" cannot be a thousands group; otherwise a three-digit tail reads as thousands.
    decimalSep = /^0+$/.test(parts[0] as string) ? last : null;
  }
  if (decimalSep === null) return { value: stripZeros(parts.join('')), hasDecimals: false };
  // Groups before the decimal separator must be thousands groups of three.
  const intParts = parts.slice(0, -1);
  if (intParts.slice(1).some((p) => p.length !== 3)) return null;
  return { value: `${stripZeros(intParts.join(''))}.${lastPart}`, hasDecimals: true };
}

function stripZeros(intDigits: string): string {
  const s = intDigits.replace(/^0+(?=\d)/, '');
  return s === '' ? '0' : s;
}

/** Every amount in a line of text, with its span in that text. Percentages and pieces of dates, tax IDs or codes are skipped. */
export function findAmounts(lineText: string, hint?: AmountHint): FoundAmount[] {
  const text = fixOcrDigits(lineText);
  const out: FoundAmount[] = [];
  for (const m of text.matchAll(AMOUNT_RE)) {
    const g = m.groups ?? {};
    const num = g.num;
    if (!num) continue;
    let start = m.index;
    let end = start + m[0].length;
    const before = text[start - 1] ?? '';
    const after = text[end] ?? '';
    // Part of a longer token: a date (15/03/2025), a tax ID (…/0001-81), an ID with letters, a time (10:22).
    if (/[\p{L}\d/_@]/u.test(before) || /[\p{L}\d/%_@]/u.test(after)) continue;
    if (before === ':' && /\d/.test(text[start - 2] ?? '')) continue;
    if (after === ':' && /\d/.test(text[end + 1] ?? '')) continue;
    if (/^[.,-]$/.test(after) && /\d/.test(text[end + 1] ?? '')) continue;
    if (/[.,-]/.test(before) && /\d/.test(text[start - 2] ?? '')) continue;
    if (/^\s*%/.test(text.slice(end))) continue;
    const parsed = normaliseNumber(num, hint);
    if (!parsed) continue;
    // Unbalanced parentheses are not a negative sign: drop them from the span.
    const paren = Boolean(g.open && g.close);
    if (g.open && !paren) start += 1;
    if (g.close && !paren) end -= 1;
    const negative = paren || Boolean(g.sign1 || g.sign2 || g.sign3);
    const currency = currencyOf(g.pre) ?? currencyOf(g.post);
    const value = negative && /[1-9]/.test(parsed.value) ? `-${parsed.value}` : parsed.value;
    const found: FoundAmount = {
      value,
      text: lineText.slice(start, end).trim(),
      start,
      end,
      hasDecimals: parsed.hasDecimals,
    };
    if (currency) found.currency = currency;
    out.push(found);
  }
  return out;
}

/** Reads one printed amount ("R$ 1.234,56", "(1,234.56)", "1 234,56 €"); null when the text is not an amount. */
export function parseAmount(text: string, hint?: AmountHint): ParsedAmount | null {
  const trimmed = text.trim();
  if (!trimmed) return null;
  const found = findAmounts(trimmed, hint);
  if (found.length !== 1) return null;
  const f = found[0] as FoundAmount;
  // The amount must be the whole text (leading/trailing spaces and a trailing colon aside).
  const rest = `${trimmed.slice(0, f.start)}${trimmed.slice(f.end)}`.replace(/[\s:=*]/g, '');
  if (rest !== '') return null;
  return f.currency ? { value: f.value, currency: f.currency } : { value: f.value };
}

/**
 * The decimal separator a document uses, from the amounts it prints: `1.234,56`/`12,50` vote for ',' and
 * `1,234.56`/`12.50` for '.'. Ties fall back to the language (pt/es write ',').
 */
export function inferDecimalSeparator(allText: string, language?: string): DecimalSeparator {
  let comma = 0;
  let dot = 0;
  for (const m of allText.matchAll(/(?<![\d.,])\d{1,3}(?:([.,\s])\d{3})*([.,])\d{2}(?![\d.,]*\d)/g)) {
    if (m[2] === ',') comma++;
    else dot++;
  }
  if (comma !== dot) return comma > dot ? ',' : '.';
  const lang = (language ?? '').toLowerCase();
  return lang === 'pt' || lang === 'es' ? ',' : '.';
}
