// How the second-OCR benchmarks decide that a reading holds a receipt's key total, date or company name. The
// same rules judge both engines, so the comparison is fair even where a rule is lenient or strict.

/** Case folded, accents dropped, everything but letters and digits removed. */
export function fold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

/** The key total as a plain decimal ("RM 1,234.50" → "1234.50"); undefined when the key has none. */
export function keyTotal(total: string): string | undefined {
  const m = total.replace(/,/g, '').match(/\d+\.\d{2}/);
  return m?.[0];
}

/** Every money-like number in the text (two decimals, thousands commas dropped), not part of a longer number. */
export function moneyIn(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+)\.(\d{2})(?!\d)/g)) {
    out.push(`${m[1]!.replace(/,/g, '')}.${m[2]}`);
  }
  return out;
}

export function hasTotal(text: string, total: string): boolean {
  const key = keyTotal(total);
  return key !== undefined && moneyIn(text).some((n) => Number(n) === Number(key));
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH = `(${MONTHS.join('|')})[a-z]*`;

export interface DayMonthYear {
  d: number;
  m: number;
  y: number;
}

const year = (y: string) => (y.length === 2 ? 2000 + Number(y) : Number(y));
const valid = (x: DayMonthYear) =>
  x.d >= 1 && x.d <= 31 && x.m >= 1 && x.m <= 12 && x.y >= 1990 && x.y <= 2035;

/** The key's date, read as the receipt prints it: day first, or year first when it starts with four digits. */
export function keyDate(date: string): DayMonthYear | undefined {
  return datesIn(date.trim())[0];
}

/**
 * Every date the text may hold: d/m/y with / - . or spaces, y-m-d, d MON y, ddmmyyyy / yyyymmdd. A four-digit year
 * may run straight into the time ("25/12/20188:13:39PM", as glued readings give it); a two-digit one may not.
 */
export function datesIn(text: string): DayMonthYear[] {
  const t = text.toLowerCase();
  const out: DayMonthYear[] = [];
  const sep = String.raw`\s?[/\-.]\s?`;
  for (const m of t.matchAll(
    new RegExp(String.raw`(?<!\d)(\d{1,2})${sep}(\d{1,2})${sep}(\d{4}|\d{2}(?!\d))`, 'g'),
  )) {
    out.push({ d: Number(m[1]), m: Number(m[2]), y: year(m[3]!) });
  }
  for (const m of t.matchAll(
    new RegExp(String.raw`(?<!\d)(\d{4})${sep}(\d{1,2})${sep}(\d{1,2})(?!\d)`, 'g'),
  )) {
    out.push({ d: Number(m[3]), m: Number(m[2]), y: Number(m[1]) });
  }
  for (const m of t.matchAll(
    new RegExp(String.raw`(?<!\d)(\d{1,2})\s?[/\-. ]?\s?${MONTH}\s?[/\-. ,]?\s?(\d{4}|\d{2}(?!\d))`, 'g'),
  )) {
    out.push({ d: Number(m[1]), m: MONTHS.indexOf(m[2]!) + 1, y: year(m[3]!) });
  }
  for (const m of t.matchAll(/(?<!\d)(\d{8})(?!\d)/g)) {
    const s = m[1]!;
    const dmy = { d: Number(s.slice(0, 2)), m: Number(s.slice(2, 4)), y: Number(s.slice(4)) };
    out.push(
      valid(dmy) ? dmy : { d: Number(s.slice(6)), m: Number(s.slice(4, 6)), y: Number(s.slice(0, 4)) },
    );
  }
  return out.filter(valid);
}

export function hasDate(text: string, date: string): boolean {
  const key = keyDate(date);
  return key !== undefined && datesIn(text).some((x) => x.d === key.d && x.m === key.m && x.y === key.y);
}

/** The company as one line, or as two adjacent lines, once folded; `contains` also takes a line holding it. */
export function hasCompany(lines: readonly string[], company: string, contains = false): boolean {
  const key = fold(company);
  if (!key) return false;
  const folded = lines.map(fold);
  const fits = (s: string) => (contains ? s.includes(key) : s === key);
  return folded.some((s, i) => fits(s) || (i + 1 < folded.length && fits(s + folded[i + 1])));
}

export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** Fewest edits that turn `needle` into some substring of `haystack` (approximate substring search). */
export function substringDistance(needle: string, haystack: string): number {
  let prev = new Array<number>(haystack.length + 1).fill(0);
  for (let i = 1; i <= needle.length; i++) {
    const cur = [i];
    for (let j = 1; j <= haystack.length; j++) {
      cur[j] = Math.min(
        prev[j]! + 1,
        cur[j - 1]! + 1,
        prev[j - 1]! + (needle[i - 1] === haystack[j - 1] ? 0 : 1),
      );
    }
    prev = cur;
  }
  return Math.min(...prev);
}
