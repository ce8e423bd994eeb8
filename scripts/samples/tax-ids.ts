// Tax identifiers with correct check digits for the samples (Brazil CNPJ/CPF, Spain CIF/NIF, DE/PT VAT),
// and validators so the samples test can prove the printed IDs are valid.

const digitsOf = (s: string): number[] => [...s.replace(/\D/g, '')].map(Number);

function mod11Digit(digits: number[], weights: number[]): number {
  const sum = digits.reduce((acc, d, i) => acc + d * weights[i]!, 0);
  const r = sum % 11;
  return r < 2 ? 0 : 11 - r;
}

const CNPJ_W1 = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
const CNPJ_W2 = [6, ...CNPJ_W1];

/** "11222333" + "0001" → "11.222.333/0001-81". */
export function cnpj(root8: string, branch4 = '0001'): string {
  const base = digitsOf(root8 + branch4);
  if (base.length !== 12) throw new Error(`CNPJ base must have 12 digits: ${root8}${branch4}`);
  const d1 = mod11Digit(base, CNPJ_W1);
  const d2 = mod11Digit([...base, d1], CNPJ_W2);
  const s = [...base, d1, d2].join('');
  return `${s.slice(0, 2)}.${s.slice(2, 5)}.${s.slice(5, 8)}/${s.slice(8, 12)}-${s.slice(12)}`;
}

export function isValidCnpj(value: string): boolean {
  const d = digitsOf(value);
  if (d.length !== 14 || new Set(d).size === 1) return false;
  return cnpj(d.slice(0, 8).join(''), d.slice(8, 12).join('')) === formatDigits(d, 'cnpj');
}

/** "123456789" → "123.456.789-09". */
export function cpf(base9: string): string {
  const base = digitsOf(base9);
  if (base.length !== 9) throw new Error(`CPF base must have 9 digits: ${base9}`);
  const d1 = mod11Digit(base, [10, 9, 8, 7, 6, 5, 4, 3, 2]);
  const d2 = mod11Digit([...base, d1], [11, 10, 9, 8, 7, 6, 5, 4, 3, 2]);
  return formatDigits([...base, d1, d2], 'cpf');
}

export function isValidCpf(value: string): boolean {
  const d = digitsOf(value);
  if (d.length !== 11 || new Set(d).size === 1) return false;
  return cpf(d.slice(0, 9).join('')) === formatDigits(d, 'cpf');
}

function formatDigits(d: number[], kind: 'cnpj' | 'cpf'): string {
  const s = d.join('');
  return kind === 'cnpj'
    ? `${s.slice(0, 2)}.${s.slice(2, 5)}.${s.slice(5, 8)}/${s.slice(8, 12)}-${s.slice(12)}`
    : `${s.slice(0, 3)}.${s.slice(3, 6)}.${s.slice(6, 9)}-${s.slice(9)}`;
}

const CIF_LETTER_CONTROL = 'JABCDEFGHI';

function cifControlDigit(digits7: string): number {
  let sum = 0;
  for (let i = 0; i < 7; i++) {
    const d = Number(digits7[i]);
    if (i % 2 === 1) sum += d;
    else {
      const twice = d * 2;
      sum += Math.floor(twice / 10) + (twice % 10);
    }
  }
  return (10 - (sum % 10)) % 10;
}

/** Spanish company tax code: "B" + "4613579" → "B46135796" (A/B companies carry a digit control). */
export function cif(letter: string, digits7: string): string {
  if (!/^[A-HJNP-SUVW]$/.test(letter) || !/^\d{7}$/.test(digits7))
    throw new Error(`bad CIF ${letter}${digits7}`);
  const c = cifControlDigit(digits7);
  const control = 'KPQSNW'.includes(letter) ? CIF_LETTER_CONTROL[c]! : String(c);
  return `${letter}${digits7}${control}`;
}

export function isValidCif(value: string): boolean {
  const m = /^([A-HJNP-SUVW])(\d{7})([0-9A-J])$/.exec(value.replace(/[-\s]/g, ''));
  if (!m) return false;
  const c = cifControlDigit(m[2]!);
  return m[3] === String(c) || m[3] === CIF_LETTER_CONTROL[c];
}

const NIF_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';

/** Spanish personal tax number (DNI): "12345678" → "12345678Z". */
export function nif(digits8: string): string {
  if (!/^\d{8}$/.test(digits8)) throw new Error(`bad NIF ${digits8}`);
  return `${digits8}${NIF_LETTERS[Number(digits8) % 23]}`;
}

export function isValidNif(value: string): boolean {
  const m = /^(\d{8})([A-Z])$/.exec(value.replace(/[-\s]/g, ''));
  return !!m && NIF_LETTERS[Number(m[1]) % 23] === m[2];
}

/** German VAT number: "DE" + 8 digits + ISO 7064 MOD 11,10 check digit. */
export function deVat(digits8: string): string {
  if (!/^[1-9]\d{7}$/.test(digits8)) throw new Error(`bad DE VAT base ${digits8}`);
  return `DE${digits8}${deVatCheck(digits8)}`;
}

function deVatCheck(digits8: string): number {
  let product = 10;
  for (const ch of digits8) {
    let sum = (Number(ch) + product) % 10;
    if (sum === 0) sum = 10;
    product = (2 * sum) % 11;
  }
  const check = 11 - product;
  return check === 10 ? 0 : check;
}

/** Portuguese NIF / VAT number: "PT" + 8 digits + mod-11 check digit. */
export function ptVat(digits8: string): string {
  if (!/^[1-9]\d{7}$/.test(digits8)) throw new Error(`bad PT NIF base ${digits8}`);
  return `PT${digits8}${ptNifCheck(digits8)}`;
}

function ptNifCheck(digits8: string): number {
  const sum = [...digits8].reduce((acc, ch, i) => acc + Number(ch) * (9 - i), 0);
  const check = 11 - (sum % 11);
  return check >= 10 ? 0 : check;
}

export function isValidEuVat(value: string): boolean {
  const v = value.replace(/\s/g, '');
  const de = /^DE(\d{8})(\d)$/.exec(v);
  if (de) return deVatCheck(de[1]!) === Number(de[2]);
  const pt = /^PT(\d{8})(\d)$/.exec(v);
  if (pt) return ptNifCheck(pt[1]!) === Number(pt[2]);
  return false;
}

/** US employer identification number: format only (NN-NNNNNNN). */
export const isValidEin = (value: string): boolean => /^\d{2}-\d{7}$/.test(value);

/** Whichever scheme the value's shape says it is, is its check valid? */
export function isValidTaxId(value: string): boolean {
  if (/^\d{2}\.\d{3}\.\d{3}\/\d{4}-\d{2}$/.test(value)) return isValidCnpj(value);
  if (/^\d{3}\.\d{3}\.\d{3}-\d{2}$/.test(value)) return isValidCpf(value);
  if (/^(DE|PT)/.test(value)) return isValidEuVat(value);
  if (/^\d{2}-\d{7}$/.test(value)) return isValidEin(value);
  if (/^\d{8}[A-Z]$/.test(value)) return isValidNif(value);
  if (/^[A-Z]-?\d{7}[0-9A-J]$/.test(value)) return isValidCif(value);
  return false;
}

/** French VAT number: "FR" + 2-digit key + SIREN (9 digits); key = (12 + 3 × (SIREN mod 97)) mod 97. */
export function frVat(siren9: string): string {
  if (!/^[1-9]\d{8}$/.test(siren9)) throw new Error(`bad SIREN ${siren9}`);
  const key = (12 + 3 * (Number(siren9) % 97)) % 97;
  return `FR${String(key).padStart(2, '0')}${siren9}`;
}

/** Dutch VAT number: "NL" + 9 digits passing the mod-11 test + "B" + 2-digit branch; undefined when the 8 digits admit no check digit. */
export function nlVat(digits8: string, branch = '01'): string | undefined {
  if (!/^\d{8}$/.test(digits8)) throw new Error(`bad NL VAT base ${digits8}`);
  const sum = [...digits8].reduce((acc, ch, i) => acc + Number(ch) * (9 - i), 0);
  const check = sum % 11;
  return check === 10 ? undefined : `NL${digits8}${check}B${branch}`;
}

/** UK VAT registration number: 7 digits + 2 check digits (weights 8..2, sum + check ≡ 0 mod 97), "GB123456789". */
export function gbVat(digits7: string): string {
  if (!/^[1-9]\d{6}$/.test(digits7)) throw new Error(`bad GB VAT base ${digits7}`);
  const sum = [...digits7].reduce((acc, ch, i) => acc + Number(ch) * (8 - i), 0);
  return `GB${digits7}${String((97 - (sum % 97)) % 97).padStart(2, '0')}`;
}

function isValidOtherEuVat(v: string): boolean | undefined {
  const fr = /^FR(\d{2})(\d{9})$/.exec(v);
  if (fr) return frVat(fr[2]!) === v;
  const nl = /^NL(\d{8})(\d)B(\d{2})$/.exec(v);
  if (nl) return nlVat(nl[1]!, nl[3]) === v;
  const gb = /^GB(\d{7})(\d{2})$/.exec(v);
  if (gb) return gbVat(gb[1]!) === v;
  const es = /^ES([A-Z0-9]\d{7}[A-Z0-9])$/.exec(v);
  if (es) return isValidCif(es[1]!) || isValidNif(es[1]!);
  return undefined;
}

/** Like isValidTaxId, also knowing French, Dutch, UK and Spanish VAT numbers and printed spacing ("GB 123 4567 89"). */
export function isValidTaxIdAnyEu(value: string): boolean {
  if (isValidTaxId(value)) return true;
  const compact = value.replace(/[\s.]/g, '');
  if (compact !== value && isValidTaxId(compact)) return true;
  return isValidOtherEuVat(compact) ?? false;
}
