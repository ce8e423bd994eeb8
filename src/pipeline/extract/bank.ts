// The bank account a document asks to be paid to: an IBAN (checked with mod-97), a Brazilian bank/agency/account
// line, or a US routing and account pair. Compared with the vendor master data by `bank_details_changed`.
import { electronicFormatIBAN, friendlyFormatIBAN, getCountrySpecifications, isValidIBAN } from 'ibantools';
import type { Field } from '../../contract/result.ts';
import { type Layout, type Line, unionBox, type Word } from '../layout.ts';

export type BankAccountKind = 'iban' | 'br' | 'us';

export interface FoundBankAccount {
  kind: BankAccountKind;
  field: Field;
}

/** Words that say "this is where to pay": they raise confidence; the account patterns stand on their own. */
const PAYMENT_LABEL =
  /\b(iban|bank account|bank details|account (?:no|number)|conta|cuenta|dados banc[aá]rios|datos bancarios|transfer[eêé]ncia|transferencia|bank transfer|wire|ach|pagamento|pago)\b/i;

/** An account the document debits (the customer's), not one it asks to be paid to. */
const DEBIT_CONTEXT =
  /\b(direct debit|will be debited|your account|adeudo|domiciliad[oa]|su cuenta|cargo en|d[eé]bito autom[aá]tico|sua conta)\b/i;

/** OCR slips in digit positions: letters that look like digits. */
const DIGIT_LOOKALIKES: Record<string, string> = {
  O: '0',
  Q: '0',
  D: '0',
  I: '1',
  L: '1',
  Z: '2',
  S: '5',
  B: '8',
  G: '6',
};

/** Brazilian bank codes (COMPE) of the banks most often printed by name. */
const BR_BANK_CODES: [RegExp, string][] = [
  [/banco do brasil/i, '001'],
  [/\bsantander\b/i, '033'],
  [/\bbanrisul\b/i, '041'],
  [/\binter\b/i, '077'],
  [/\bcaixa\b/i, '104'],
  [/\bbradesco\b/i, '237'],
  [/\bnu ?bank\b|\bnu pagamentos\b/i, '260'],
  [/\bita[uú]\b/i, '341'],
  [/\bsicoob\b/i, '756'],
  [/\bsicredi\b/i, '748'],
];

interface LineText {
  text: string;
  /** [start, end) of each word in `text`. */
  spans: { start: number; end: number; word: Word }[];
}

function lineText(line: Line): LineText {
  let text = '';
  const spans: LineText['spans'] = [];
  for (const word of line.words) {
    if (text) text += ' ';
    spans.push({ start: text.length, end: text.length + word.text.length, word });
    text += word.text;
  }
  return { text, spans };
}

function wordsIn(line: LineText, start: number, end: number): Word[] {
  return line.spans.filter((s) => s.end > start && s.start < end).map((s) => s.word);
}

function fieldFrom(value: string, words: Word[], page: number, labelled: boolean, factor = 1): Field {
  const mean = words.reduce((acc, w) => acc + w.confidence, 0) / Math.max(1, words.length);
  const confidence = Math.max(0, Math.min(1, mean * factor * (labelled ? 1 : 0.9)));
  return {
    value,
    confidence: Math.round(confidence * 1000) / 1000,
    page,
    bbox: unionBox(words.map((w) => w.bbox)),
  };
}

const IBAN_START = /\b([A-Z]{2})\s?(\d{2}|[\dOQDILZSBG]{2})(?=[\s\dA-Z])/g;

/** The IBAN starting at a country code in `text`, read over following groups of letters and digits. */
export function readIban(
  text: string,
  from: number,
): { iban: string; end: number; corrected: boolean } | undefined {
  const country = text.slice(from, from + 2).toUpperCase();
  const length = getCountrySpecifications()[country]?.chars;
  if (!length) return undefined;
  // Walk the characters, skipping single spaces between groups, until the country's length is reached.
  let compact = '';
  let i = from;
  while (i < text.length && compact.length < length) {
    const ch = text[i]!;
    if (/[A-Za-z0-9]/.test(ch)) compact += ch.toUpperCase();
    else if (ch !== ' ' && ch !== '-' && ch !== '.') break;
    else if (text[i + 1] === ' ') break;
    i++;
  }
  if (compact.length !== length) return undefined;
  // A group running on past the IBAN's length is another number, not this IBAN.
  if (/[A-Za-z0-9]/.test(text[i] ?? '')) return undefined;
  if (isValidIBAN(compact)) return { iban: compact, end: i, corrected: false };
  // OCR read a digit as a look-alike letter: the check digits decide whether the reading is right.
  const fixed = compact.slice(0, 2) + [...compact.slice(2)].map((c) => DIGIT_LOOKALIKES[c] ?? c).join('');
  if (fixed !== compact && isValidIBAN(fixed)) return { iban: fixed, end: i, corrected: true };
  return undefined;
}

/** ABA routing number checksum: 3·(d1+d4+d7) + 7·(d2+d5+d8) + (d3+d6+d9) ≡ 0 (mod 10). */
export function isValidRoutingNumber(value: string): boolean {
  if (!/^\d{9}$/.test(value)) return false;
  const d = [...value].map(Number);
  const sum = 3 * (d[0]! + d[3]! + d[6]!) + 7 * (d[1]! + d[4]! + d[7]!) + (d[2]! + d[5]! + d[8]!);
  return sum % 10 === 0;
}

const BR_ACCOUNT =
  /\b(?:banco\s*(?:n[º°o.]*\s*)?(\d{3})\b[\s,;:-]*)?ag(?:[eêé]ncia|\.|\b)\s*(?:n[º°o.]*\s*)?:?\s*(\d{3,5}(?:-[\dxX])?)[\s,;/-]*(?:c\/c|c\.c\.|cc|conta(?:\s+corrente)?)\s*(?:n[º°o.]*\s*)?:?\s*(\d[\d.]{2,14}-?[\dxX])\b/i;

const US_ACCOUNT =
  /\b(?:routing|aba|rtn)(?:\s+(?:no\.?|number|#))?\s*:?\s*(\d{9})\b[\s,;/]*(?:checking\s+|bank\s+)?(?:account|acct\.?)(?:\s+(?:no\.?|number|#))?\s*:?\s*(\d{4,17})\b/i;

/** Every payment account found, in reading order. */
export function findBankAccounts(layout: Layout): FoundBankAccount[] {
  const found: FoundBankAccount[] = [];
  for (const page of layout.pages) {
    let previous = '';
    for (const line of page.lines) {
      const lt = lineText(line);
      const labelled = PAYMENT_LABEL.test(lt.text) || PAYMENT_LABEL.test(previous);
      const debit = DEBIT_CONTEXT.test(lt.text);
      previous = lt.text;
      if (debit) continue;

      let ibanEnd = 0;
      for (const m of lt.text.matchAll(IBAN_START)) {
        if (m.index < ibanEnd) continue;
        const read = readIban(lt.text, m.index);
        if (!read) continue;
        ibanEnd = read.end;
        const words = wordsIn(lt, m.index, read.end);
        const value = friendlyFormatIBAN(electronicFormatIBAN(read.iban) ?? read.iban) ?? read.iban;
        found.push({
          kind: 'iban',
          field: fieldFrom(value, words, page.number, labelled, read.corrected ? 0.85 : 1),
        });
      }

      const br = BR_ACCOUNT.exec(lt.text);
      if (br) {
        const bank = br[1] ?? BR_BANK_CODES.find(([name]) => name.test(lt.text.slice(0, br.index + 1)))?.[1];
        const value = `${bank ? `Banco ${bank} ` : ''}Ag. ${br[2]} C/C ${br[3]!.replace(/\./g, '')}`;
        const words = wordsIn(lt, br.index, br.index + br[0].length);
        found.push({ kind: 'br', field: fieldFrom(value, words, page.number, true) });
      }

      const us = US_ACCOUNT.exec(lt.text);
      if (us && isValidRoutingNumber(us[1]!)) {
        const words = wordsIn(lt, us.index, us.index + us[0].length);
        found.push({
          kind: 'us',
          field: fieldFrom(`Routing ${us[1]} Account ${us[2]}`, words, page.number, true),
        });
      }
    }
  }
  return found;
}

/**
 * The account the document asks to be paid to: the first one found in reading order. The value is in a
 * canonical form so a vendors file can list it the same way: an IBAN in groups of four
 * ("DE89 3704 0044 0532 0130 00"), "Banco 341 Ag. 1234 C/C 56789-0", "Routing 042000314 Account 7391028845".
 */
export function extractBankAccount(layout: Layout): Field | undefined {
  const found = findBankAccounts(layout);
  return found[0]?.field;
}
