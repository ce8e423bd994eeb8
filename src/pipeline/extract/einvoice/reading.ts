// What every e-invoice reader shares: fields with their XML path, strict numbers and dates, the document type
// from the type code, and the language from the seller's country.
import { Decimal } from 'decimal.js';
import type { FieldName } from '../../../contract/fields.ts';
import type { DocumentType, EInvoice, Field, Fields, LineItem } from '../../../contract/result.ts';
import { DocumentError } from '../../errors.ts';
import { COUNTRY_LANGUAGES } from './languages.ts';
import type { XmlElement } from './xml.ts';

/** What an e-invoice gives: the understanding a page reading would (type, language, fields, lines) and more. */
export interface EInvoiceReading {
  documentType: DocumentType;
  language: string;
  fields: Fields;
  lineItems: LineItem[];
  einvoice: EInvoice;
}

/** UNTDID 1001 codes of credit notes among those EN 16931 allows (BR-CL-01); every other code is an invoice. */
const CREDIT_NOTE_CODES = new Set([
  '81',
  '83',
  '261',
  '262',
  '296',
  '308',
  '381',
  '396',
  '420',
  '458',
  '532',
]);

/** Reads one document's values, failing with its name and the element's path when a value is not what the
 * standard says it is. */
export class ValueReader {
  constructor(readonly what: string) {}

  fail(message: string): never {
    throw new DocumentError('corrupt_file', `The ${this.what} ${message}`);
  }

  /** An xs:decimal (`-12.50`, `+3`, `.5`); anything else is a broken file, not a value to guess at. */
  decimal(el: XmlElement | undefined): Decimal | undefined {
    const s = el?.text;
    if (!s || !el) return undefined;
    if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(s)) this.fail(`has an invalid number in ${el.path}: "${s}".`);
    return new Decimal(s);
  }

  /** A date as YYYY-MM-DD, from `2025-03-15` (UBL, Facturae, optionally with a time or zone) or from a CII
   * DateTimeString of format 102 (`20250315`). */
  date(el: XmlElement | undefined): string | undefined {
    const s = el?.text;
    if (!s || !el) return undefined;
    const m = /^(\d{4})-?(\d{2})-?(\d{2})(?:$|[T+\-Z\s])/.exec(s);
    const iso = m ? `${m[1]}-${m[2]}-${m[3]}` : undefined;
    if (
      !iso ||
      Number.isNaN(Date.parse(`${iso}T00:00:00Z`)) ||
      new Date(`${iso}T00:00:00Z`).toISOString().slice(0, 10) !== iso
    ) {
      this.fail(`has an invalid date in ${el.path}: "${s}".`);
    }
    return iso;
  }
}

/** Money with at least two decimals; quantities and rates without trailing zeros. */
export const money = (d: Decimal): string => (d.decimalPlaces() <= 2 ? d.toFixed(2) : d.toFixed());
export const plain = (d: Decimal): string => d.toFixed();

export function xmlField(value: string, xpath: string): Field {
  return { value, confidence: 1, page: 1, bbox: [0, 0, 0, 0], source: { xpath } };
}

/** Header fields being filled in, each with the path it came from. */
export class FieldSet {
  readonly fields: Fields = {};

  set(name: FieldName, value: string | undefined, from: XmlElement | string | undefined): void {
    if (!value || from === undefined) return;
    this.fields[name] = xmlField(value, typeof from === 'string' ? from : from.path);
  }

  amount(name: FieldName, value: Decimal | undefined, from: XmlElement | undefined): void {
    if (value) this.set(name, money(value), from);
  }

  value(name: FieldName): string | undefined {
    return this.fields[name]?.value ?? undefined;
  }
}

/** The unit price of a line: the price divided by the quantity it is given for (a price per 100 pieces). */
export function unitPrice(price: Decimal | undefined, baseQuantity: Decimal | undefined): string | null {
  if (!price) return null;
  if (!baseQuantity || baseQuantity.isZero() || baseQuantity.equals(1)) return money(price);
  return money(price.dividedBy(baseQuantity).toDecimalPlaces(6));
}

export function lineItem(
  description: string | undefined,
  quantity: Decimal | undefined,
  price: string | null,
  amount: Decimal | undefined,
  rate: Decimal | undefined,
): LineItem {
  return {
    description: description ?? '',
    quantity: quantity ? plain(quantity) : null,
    unitPrice: price,
    amount: amount ? money(amount) : null,
    ...(rate ? { taxRate: plain(rate) } : {}),
    page: 1,
  };
}

/** Credit note by its type code, or an invoice whose total is negative (a credit written as an invoice). */
export function documentTypeOf(
  typeCode: string | undefined,
  total: string | undefined,
  creditNoteRoot = false,
): DocumentType {
  if (creditNoteRoot || (typeCode && CREDIT_NOTE_CODES.has(typeCode))) return 'credit_note';
  return total && new Decimal(total).isNegative() && !new Decimal(total).isZero() ? 'credit_note' : 'invoice';
}

/** The seller's country's language: e-invoices state no language of their own. English when unknown. */
export function languageOf(country: string | undefined): string {
  return (country && COUNTRY_LANGUAGES[country.toUpperCase()]) || 'en';
}

/** Address parts joined as one line, empty ones left out. */
export function joinAddress(parts: (string | undefined)[]): string | undefined {
  const out = parts.filter((p): p is string => Boolean(p?.trim())).map((p) => p.replace(/\s+/g, ' ').trim());
  return out.length ? out.join(', ') : undefined;
}

/** Parts of one address line ("54321 Grootstad"), empty ones left out. */
export function joinWords(...parts: (string | undefined)[]): string | undefined {
  const out = parts.filter((p): p is string => Boolean(p?.trim())).join(' ');
  return out || undefined;
}

/** A bank account as written, without spaces; IBANs upper-cased. */
export function compactAccount(value: string | undefined): string | undefined {
  const s = value?.replace(/\s+/g, '');
  if (!s) return undefined;
  return /^[A-Za-z]{2}\d{2}[A-Za-z0-9]+$/.test(s) ? s.toUpperCase() : s;
}

/** The earliest of several dates with their elements. */
export function earliest(
  dates: { value: string | undefined; el: XmlElement }[],
): { value: string; el: XmlElement } | undefined {
  return dates
    .filter((d): d is { value: string; el: XmlElement } => Boolean(d.value))
    .sort((a, b) => a.value.localeCompare(b.value))[0];
}

/** Totals in the contract's form, absent ones left out. */
export function totalsOf(totals: Record<keyof EInvoice['totals'], Decimal | undefined>): EInvoice['totals'] {
  const out: EInvoice['totals'] = {};
  for (const [k, v] of Object.entries(totals) as [keyof EInvoice['totals'], Decimal | undefined][]) {
    if (v) out[k] = money(v);
  }
  return out;
}
