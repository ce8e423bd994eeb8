// Dates as printed in English, Portuguese and Spanish documents → ISO `YYYY-MM-DD`; only real calendar dates.

export type DateOrder = 'DMY' | 'MDY';

export interface DateHint {
  /** Decides `03/04/2025`; ignored when one part is over 12. Day first when absent. */
  order?: DateOrder;
}

export interface FoundDate {
  /** ISO `YYYY-MM-DD`. */
  value: string;
  text: string;
  start: number;
  end: number;
  /** False when the day/month order had to be taken from the hint (or the default). */
  unambiguous: boolean;
}

/** Month names and abbreviations in en/pt/es, and the full names of de/fr/nl, without accents, lower case. */
const MONTHS: Record<string, number> = {};
const MONTH_NAMES: [number, string[]][] = [
  [1, ['january', 'jan', 'janeiro', 'enero', 'ene', 'januar', 'janvier', 'januari']],
  [2, ['february', 'feb', 'fevereiro', 'fev', 'febrero', 'februar', 'fevrier', 'februari']],
  [3, ['march', 'mar', 'marco', 'marzo', 'marz', 'maerz', 'mars', 'maart']],
  [4, ['april', 'apr', 'abril', 'abr', 'avril']],
  [5, ['may', 'maio', 'mai', 'mayo', 'mei']],
  [6, ['june', 'jun', 'junho', 'junio', 'juni', 'juin']],
  [7, ['july', 'jul', 'julho', 'julio', 'juli', 'juillet']],
  [8, ['august', 'aug', 'agosto', 'ago', 'aout', 'augustus']],
  [9, ['september', 'sep', 'sept', 'setembro', 'set', 'septiembre', 'setiembre', 'septembre']],
  [10, ['october', 'oct', 'outubro', 'out', 'octubre', 'oktober', 'octobre']],
  [11, ['november', 'nov', 'novembro', 'noviembre', 'novembre']],
  [12, ['december', 'dec', 'dezembro', 'dez', 'diciembre', 'dic', 'dezember', 'decembre']],
];
for (const [n, names] of MONTH_NAMES) for (const name of names) MONTHS[name] = n;

const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

function monthNumber(word: string): number | undefined {
  return MONTHS[fold(word).replace(/\.$/, '')];
}

function isoDate(y: number, m: number, d: number): string | null {
  if (m < 1 || m > 12 || d < 1 || d > 31 || y < 1900 || y > 2199) return null;
  const dt = new Date(Date.UTC(y, m - 1, d));
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== m - 1 || dt.getUTCDate() !== d) return null;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

function fullYear(y: string): number {
  const n = Number(y);
  if (y.length === 2) return n <= 69 ? 2000 + n : 1900 + n;
  return n;
}

const LETTERS = 'A-Za-zÀ-ÿ';
const NUMERIC_RE =
  /(?<![\d/.-])(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?![\d/.-]\d)|(?<![\d/.-])(\d{1,2})\s?([-/.])\s?(\d{1,2})\s?\5\s?(\d{4}|\d{2})(?![\d/.-]\d|\d)/g;
// 15 de março de 2025 · 15 Mar 2025 · 15-Mar-2025 · 15. März 2025-like spacing · 1st March 2025
const DAY_MONTH_YEAR_RE = new RegExp(
  String.raw`(?<![\d${LETTERS}])(\d{1,2})(?:st|nd|rd|th|[eE][rR]|º|°|o)?\.?[\s\-/]*(?:de\s+)?([${LETTERS}]{3,10})\.?,?[\s\-/]*(?:de\s+|del\s+)?(\d{4}|\d{2})(?!\d)`,
  'g',
);
// March 15, 2025 · Mar. 15 2025
const MONTH_DAY_YEAR_RE = new RegExp(
  String.raw`(?<![${LETTERS}])([${LETTERS}]{3,10})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?!\d)`,
  'g',
);

/** Every date in a text, with its span. */
/**
 * The matches of a global pattern that `ok` accepts. A rejected match gives its characters back: in
 * "Sala 15 Emissão 25 de agosto de 2024", "15 Emissão 25" is no date and must not swallow the "25" of one.
 */
function allMatches(re: RegExp, text: string, ok: (m: RegExpExecArray) => boolean): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  const r = new RegExp(re.source, re.flags);
  for (let m = r.exec(text); m; m = r.exec(text)) {
    if (ok(m)) out.push(m);
    else r.lastIndex = m.index + 1;
  }
  return out;
}

export function findDates(text: string, hint?: DateHint): FoundDate[] {
  const out: FoundDate[] = [];
  const push = (value: string | null, start: number, raw: string, unambiguous: boolean) => {
    if (!value) return;
    const end = start + raw.length;
    if (out.some((f) => start < f.end && end > f.start)) return;
    out.push({ value, text: raw, start, end, unambiguous });
  };
  for (const m of text.matchAll(NUMERIC_RE)) {
    if (m[1]) {
      push(isoDate(Number(m[1]), Number(m[2]), Number(m[3])), m.index, m[0], true);
      continue;
    }
    const a = Number(m[4]);
    const b = Number(m[6]);
    const y = fullYear(m[7] as string);
    let order: DateOrder = hint?.order ?? 'DMY';
    let unambiguous = false;
    if (a > 12 && b <= 12) {
      order = 'DMY';
      unambiguous = true;
    } else if (b > 12 && a <= 12) {
      order = 'MDY';
      unambiguous = true;
    } else if (a === b) {
      unambiguous = true;
    }
    const value = order === 'DMY' ? isoDate(y, b, a) : isoDate(y, a, b);
    push(value, m.index, m[0], unambiguous);
  }
  for (const m of allMatches(DAY_MONTH_YEAR_RE, text, (x) => monthNumber(x[2] as string) !== undefined)) {
    const month = monthNumber(m[2] as string) as number;
    push(isoDate(fullYear(m[3] as string), month, Number(m[1])), m.index, m[0], true);
  }
  for (const m of allMatches(MONTH_DAY_YEAR_RE, text, (x) => monthNumber(x[1] as string) !== undefined)) {
    const month = monthNumber(m[1] as string) as number;
    push(isoDate(Number(m[3]), month, Number(m[2])), m.index, m[0], true);
  }
  return out.sort((x, y) => x.start - y.start);
}

/** A time of day as printed beside a date of sale: "13:58", "9:41". */
export const TIME_OF_DAY = /\b\d{1,2}:\d{2}\b/;

/** Words that label a date on receipts and invoices (en/pt/es, and Malay "tarikh"), in folded text. */
export const DATE_LABEL = /\b(?:date|dated|tarikh|data|fecha|dt|tgl)\b/;

/**
 * A line that may hold a date even where none reads on it: a date label, a time of day, three groups of digits
 * (or of what OCR made of them) apart as a date's are ("17/83/2817", "17/612013", "D2/D2/17"), or eight digits
 * that read as day, month and year ("30032018").
 */
export function mayHoldDate(text: string): boolean {
  const folded = fold(text);
  return (
    DATE_LABEL.test(folded) ||
    TIME_OF_DAY.test(text) ||
    /(?<![\p{L}\d])[\dOoDZ]{1,2}\s?[/.-]\s?\S{1,3}\s?[/.-]?\s?(?:[12]\S{3}|\d{2})(?!\S)/u.test(text) ||
    /(?<!\d)[0-3]\d[01]\d[12]\d{3}(?!\d)/.test(text)
  );
}

/** Reads one printed date; null unless the text holds exactly one valid date. */
export function parseDate(text: string, hint?: DateHint): string | null {
  const found = findDates(text.trim(), hint);
  return found.length === 1 ? (found[0] as FoundDate).value : null;
}

// "City, ST 12345" or "ST 12345-6789": a US address line.
const US_ZIP_RE =
  /\b(?:A[KLRZ]|C[AOT]|D[CE]|FL|GA|HI|I[ADLN]|K[SY]|LA|M[ADEINOST]|N[CDEHJMVY]|O[HKR]|PA|RI|S[CD]|T[NX]|UT|V[AT]|W[AIVY])\s+\d{5}(?:-\d{4})?\b/;

/**
 * Day/month order for a whole document. Dates that can only be read one way decide; otherwise the language
 * (pt/es are day first) and, for English, US clues (`$`, USD, a US state + ZIP) make it month first.
 */
export function inferDateOrder(allText: string, language?: string): DateOrder {
  let dmy = 0;
  let mdy = 0;
  const re = /(?<![\d/.-])(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})(?![\d/.-]\d|\d)/g;
  for (const m of allText.matchAll(re)) {
    const a = Number(m[1]);
    const b = Number(m[3]);
    if (a > 12 && a <= 31 && b >= 1 && b <= 12) dmy++;
    else if (b > 12 && b <= 31 && a >= 1 && a <= 12) mdy++;
  }
  if (dmy !== mdy) return dmy > mdy ? 'DMY' : 'MDY';
  const lang = (language ?? '').toLowerCase();
  if (lang === 'pt' || lang === 'es') return 'DMY';
  const usClues =
    /(?<![A-Z])(?:US)?\$\s?\d/.test(allText) || /\bUSD\b/.test(allText) || US_ZIP_RE.test(allText);
  const otherMoney = /R\$|€|£|\bRM\s?\d|\b(?:BRL|EUR|GBP|MYR)\b/.test(allText);
  if (lang === 'en' || lang === '') return usClues && !otherMoney ? 'MDY' : 'DMY';
  return 'DMY';
}
