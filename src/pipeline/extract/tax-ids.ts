// Tax identifiers (Brazil CNPJ/CPF, Spain NIF/NIE/CIF, EU VAT, US EIN): finding them in text and checking their check digits.

export type TaxIdKind = 'cnpj' | 'cpf' | 'nif' | 'nie' | 'cif' | 'eu_vat' | 'ein';

export interface FoundTaxId {
  kind: TaxIdKind;
  /** As printed, with formatting normalised: "11.222.333/0001-81", "123.456.789-09", "B12345674", "DE123456789", "12-3456789". */
  value: string;
  /** True when the check digits (or, where a country has none we know, the format) hold. */
  valid: boolean;
  span: { start: number; end: number };
}

const digitsOf = (s: string) => s.replace(/\D/g, '');
const compact = (s: string) => s.replace(/[\s.\-/]/g, '').toUpperCase();

// ---- Brazil ----

function mod11BrazilDigit(digits: string, weights: number[]): number {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += Number(digits[i]) * (weights[i] as number);
  const r = sum % 11;
  return r < 2 ? 0 : 11 - r;
}

export function isValidCnpj(value: string): boolean {
  const d = digitsOf(value);
  if (d.length !== 14 || /^(\d)\1+$/.test(d)) return false;
  const w1 = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
  const w2 = [6, ...w1];
  return mod11BrazilDigit(d, w1) === Number(d[12]) && mod11BrazilDigit(d, w2) === Number(d[13]);
}

export function isValidCpf(value: string): boolean {
  const d = digitsOf(value);
  if (d.length !== 11 || /^(\d)\1+$/.test(d)) return false;
  const w1 = [10, 9, 8, 7, 6, 5, 4, 3, 2];
  const w2 = [11, ...w1];
  return mod11BrazilDigit(d, w1) === Number(d[9]) && mod11BrazilDigit(d, w2) === Number(d[10]);
}

export function formatCnpj(value: string): string {
  const d = digitsOf(value);
  return `${d.slice(0, 2)}.${d.slice(2, 5)}.${d.slice(5, 8)}/${d.slice(8, 12)}-${d.slice(12, 14)}`;
}

export function formatCpf(value: string): string {
  const d = digitsOf(value);
  return `${d.slice(0, 3)}.${d.slice(3, 6)}.${d.slice(6, 9)}-${d.slice(9, 11)}`;
}

// ---- Spain ----

const DNI_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';

/** DNI-style NIF: eight digits and a check letter. */
export function isValidNif(value: string): boolean {
  const v = compact(value);
  const m = /^(\d{8})([A-Z])$/.exec(v);
  return Boolean(m && DNI_LETTERS[Number(m[1]) % 23] === m[2]);
}

/** NIE (foreigners): X/Y/Z, seven digits, check letter. */
export function isValidNie(value: string): boolean {
  const v = compact(value);
  const m = /^([XYZ])(\d{7})([A-Z])$/.exec(v);
  if (!m) return false;
  const n = Number(`${'XYZ'.indexOf(m[1] as string)}${m[2]}`);
  return DNI_LETTERS[n % 23] === m[3];
}

/** CIF (companies): letter, seven digits, control digit or letter. */
export function isValidCif(value: string): boolean {
  const v = compact(value);
  const m = /^([ABCDEFGHJKLMNPQRSUVW])(\d{7})([0-9A-J])$/.exec(v);
  if (!m) return false;
  const body = m[2] as string;
  let sum = 0;
  for (let i = 0; i < 7; i++) {
    const n = Number(body[i]);
    if (i % 2 === 0) {
      const dbl = n * 2;
      sum += Math.floor(dbl / 10) + (dbl % 10);
    } else sum += n;
  }
  const control = (10 - (sum % 10)) % 10;
  const letter = 'JABCDEFGHI'[control] as string;
  const given = m[3] as string;
  const kind = m[1] as string;
  if ('KPQRSNW'.includes(kind)) return given === letter;
  if ('ABEH'.includes(kind)) return given === String(control);
  return given === letter || given === String(control);
}

// ---- EU VAT ----

/** Format of the part after the country prefix, per member state (plus GB/XI, common on EU invoices). */
const VAT_FORMATS: Record<string, RegExp> = {
  AT: /^U\d{8}$/,
  BE: /^[01]\d{9}$/,
  BG: /^\d{9,10}$/,
  CY: /^\d{8}[A-Z]$/,
  CZ: /^\d{8,10}$/,
  DE: /^\d{9}$/,
  DK: /^\d{8}$/,
  EE: /^\d{9}$/,
  EL: /^\d{9}$/,
  ES: /^[A-Z0-9]\d{7}[A-Z0-9]$/,
  FI: /^\d{8}$/,
  FR: /^[0-9A-HJ-NP-Z]{2}\d{9}$/,
  HR: /^\d{11}$/,
  HU: /^\d{8}$/,
  IE: /^(?:\d{7}[A-W][A-I]?|\d[A-Z+*]\d{5}[A-W])$/,
  IT: /^\d{11}$/,
  LT: /^(?:\d{9}|\d{12})$/,
  LU: /^\d{8}$/,
  LV: /^\d{11}$/,
  MT: /^\d{8}$/,
  NL: /^\d{9}B\d{2}$/,
  PL: /^\d{10}$/,
  PT: /^\d{9}$/,
  RO: /^\d{2,10}$/,
  SE: /^\d{10}01$/,
  SI: /^\d{8}$/,
  SK: /^\d{10}$/,
  GB: /^(?:\d{9}|\d{12}|GD\d{3}|HA\d{3})$/,
  XI: /^(?:\d{9}|\d{12}|GD\d{3}|HA\d{3})$/,
};

function mod97(digits: string): number {
  let r = 0;
  for (const ch of digits) r = (r * 10 + Number(ch)) % 97;
  return r;
}

/** Check-digit algorithms for the countries seen most on our documents; others are checked by format only. */
const VAT_CHECKS: Record<string, (body: string) => boolean> = {
  DE: (b) => {
    // ISO 7064 MOD 11,10
    let p = 10;
    for (let i = 0; i < 8; i++) {
      let s = (Number(b[i]) + p) % 10;
      if (s === 0) s = 10;
      p = (2 * s) % 11;
    }
    let check = 11 - p;
    if (check === 10) check = 0;
    return check === Number(b[8]);
  },
  PT: (b) => {
    let sum = 0;
    for (let i = 0; i < 8; i++) sum += Number(b[i]) * (9 - i);
    const r = 11 - (sum % 11);
    return (r >= 10 ? 0 : r) === Number(b[8]);
  },
  ES: (b) => isValidNif(b) || isValidNie(b) || isValidCif(b),
  IT: (b) => {
    let sum = 0;
    for (let i = 0; i < 10; i++) {
      let n = Number(b[i]);
      if (i % 2 === 1) {
        n *= 2;
        if (n > 9) n -= 9;
      }
      sum += n;
    }
    return (10 - (sum % 10)) % 10 === Number(b[10]);
  },
  FR: (b) => {
    const key = b.slice(0, 2);
    if (!/^\d{2}$/.test(key)) return true; // newer alphanumeric keys have no public checksum
    return (12 + 3 * (Number(b.slice(2)) % 97)) % 97 === Number(key);
  },
  NL: (b) => {
    const d = b.slice(0, 9);
    let sum = 0;
    for (let i = 0; i < 8; i++) sum += Number(d[i]) * (9 - i);
    if ((sum - Number(d[8])) % 11 === 0) return true;
    // Sole-trader numbers since 2020: ISO 7064 MOD 97-10 over "NL" + number.
    const converted = `2321${b.replace('B', '11')}`;
    return mod97(converted) === 1;
  },
  BE: (b) => 97 - (Number(b.slice(0, 8)) % 97) === Number(b.slice(8)),
};

export function isValidEuVat(value: string): boolean {
  const v = compact(value).replace(/^GR/, 'EL');
  const cc = v.slice(0, 2);
  const body = v.slice(2);
  const format = VAT_FORMATS[cc];
  if (!format?.test(body)) return false;
  const check = VAT_CHECKS[cc];
  return check ? check(body) : true;
}

// ---- US ----

/** IRS campus prefixes that are not issued. */
const EIN_UNUSED_PREFIXES = new Set([
  '00',
  '07',
  '08',
  '09',
  '17',
  '18',
  '19',
  '28',
  '29',
  '49',
  '69',
  '70',
  '78',
  '79',
  '89',
  '96',
  '97',
]);

export function isValidEin(value: string): boolean {
  const d = digitsOf(value);
  return d.length === 9 && !EIN_UNUSED_PREFIXES.has(d.slice(0, 2));
}

export function validateTaxId(kind: TaxIdKind, value: string): boolean {
  switch (kind) {
    case 'cnpj':
      return isValidCnpj(value);
    case 'cpf':
      return isValidCpf(value);
    case 'nif':
      return isValidNif(value);
    case 'nie':
      return isValidNie(value);
    case 'cif':
      return isValidCif(value);
    case 'eu_vat':
      return isValidEuVat(value);
    case 'ein':
      return isValidEin(value);
  }
}

// ---- finding ----

interface Pattern {
  kind: TaxIdKind;
  re: RegExp;
  normalise: (raw: string) => string;
  /** Bare digit runs are reported only when their check digits hold, so phone numbers and codes stay out. */
  requireValidWhen?: (raw: string) => boolean;
}

const PATTERNS: Pattern[] = [
  {
    // The UK prints its VAT numbers in groups: "GB 992 7324 83".
    kind: 'eu_vat',
    re: /\b(?:GB|XI) ?\d{3} \d{4} \d{2}(?: \d{3})?\b/g,
    normalise: compact,
  },
  {
    kind: 'cnpj',
    re: /(?<![\dA-Za-z])\d{2}[ .]?\d{3}[ .]?\d{3}[ ]?\/?[ ]?\d{4}[ ]?-?[ ]?\d{2}(?![\d])/g,
    normalise: formatCnpj,
    requireValidWhen: (raw) => !/[./]/.test(raw),
  },
  {
    kind: 'cpf',
    re: /(?<![\dA-Za-z/])\d{3}[ .]?\d{3}[ .]?\d{3}[ ]?-?[ ]?\d{2}(?![\d/])/g,
    normalise: formatCpf,
    requireValidWhen: (raw) => !/[.]/.test(raw) || !/-/.test(raw),
  },
  {
    kind: 'eu_vat',
    re: /\b(?:AT|BE|BG|CY|CZ|DE|DK|EE|EL|GR|ES|FI|FR|HR|HU|IE|IT|LT|LU|LV|MT|NL|PL|PT|RO|SE|SI|SK|GB|XI)[ -]?[0-9A-Z][0-9A-Z+*]{1,13}\b/g,
    normalise: (raw) => compact(raw).replace(/^GR/, 'EL'),
  },
  {
    kind: 'nie',
    re: /\b[XYZ][ -]?\d{7}[ -]?[A-Z]\b/g,
    normalise: compact,
  },
  {
    kind: 'cif',
    re: /\b[ABCDEFGHJKLMNPQRSUVW][ -]?\d{7}[ -]?[0-9A-J]\b/g,
    normalise: compact,
  },
  {
    kind: 'nif',
    re: /(?<![\dA-Za-z])\d{8}[ -]?[A-Z]\b/g,
    normalise: compact,
  },
  {
    kind: 'ein',
    re: /(?<![\d\-/.])\d{2}-\d{7}(?![\d\-/])/g,
    normalise: (raw) => raw,
  },
];

/** Every tax ID printed in a text. Where two readings overlap, the more specific kind (listed first) wins. */
export function findTaxIds(text: string): FoundTaxId[] {
  const out: FoundTaxId[] = [];
  for (const p of PATTERNS) {
    for (const m of text.matchAll(p.re)) {
      const raw = m[0];
      const start = m.index;
      const end = start + raw.length;
      if (out.some((f) => start < f.span.end && end > f.span.start)) continue;
      let value = p.normalise(raw);
      if (p.kind === 'eu_vat') {
        const cc = value.slice(0, 2);
        if (!VAT_FORMATS[cc]?.test(value.slice(2))) continue;
        // "ES" followed by a CIF/NIF is the Spanish VAT number; anything else with a country prefix is just a word.
        if (!/\d{2}/.test(value)) continue;
      }
      const valid = validateTaxId(p.kind, value);
      if (!valid && p.requireValidWhen?.(raw)) continue;
      if (p.kind === 'ein' && !valid) value = raw;
      out.push({ kind: p.kind, value, valid, span: { start, end } });
    }
  }
  return out.sort((a, b) => a.span.start - b.span.start);
}
