// A reviewer's typed value for one field → the contract's form (decimal string, ISO date, ISO 4217), or why not.
import currencyCodes from 'currency-codes';
import { type FieldName, fieldSpec } from '../contract/fields.ts';
import type { DocumentResult } from '../contract/result.ts';
import { type DecimalSeparator, parseAmount } from '../pipeline/extract/amounts.ts';
import { type DateOrder, parseDate } from '../pipeline/extract/dates.ts';
import { validateTaxId } from '../pipeline/extract/tax-ids.ts';
import { label } from '../rules/context.ts';
import { taxIdKindOf } from '../rules/identifiers.ts';

export interface Locale {
  decimalSeparator: DecimalSeparator;
  dateOrder: DateOrder;
}

/** How the document writes numbers and dates: US English is 1,234.56 and month first; pt/es and EU English the other way. */
export function localeOf(result: Pick<DocumentResult, 'language' | 'fields'>): Locale {
  const currency = result.fields.currency?.value;
  const us = result.language === 'en' && (currency === 'USD' || currency === undefined);
  return {
    decimalSeparator: result.language === 'pt' || result.language === 'es' ? ',' : '.',
    dateOrder: us ? 'MDY' : 'DMY',
  };
}

export type ParsedValue = { value: string | null } | { error: string };

export function parseFieldValue(name: FieldName, raw: string | null, locale: Locale): ParsedValue {
  if (raw === null) return { value: null };
  const text = raw.trim();
  if (text === '') return { value: null };
  const what = label(name);
  const { kind } = fieldSpec(name);
  if (kind === 'amount') {
    const parsed = parseAmount(text, { decimalSeparator: locale.decimalSeparator });
    return parsed
      ? { value: parsed.value }
      : { error: `"${text}" is not an amount (e.g. 1,234.56 or 1.234,56).` };
  }
  if (kind === 'date') {
    const parsed = parseDate(text, { order: locale.dateOrder });
    return parsed ? { value: parsed } : { error: `"${text}" is not a date (e.g. 2025-03-15).` };
  }
  if (kind === 'currency') {
    const code = text.toUpperCase();
    return /^[A-Z]{3}$/.test(code) && currencyCodes.code(code)
      ? { value: code }
      : { error: `"${text}" is not an ISO 4217 currency code (e.g. USD, EUR, BRL).` };
  }
  if (kind === 'taxId') {
    const kind = taxIdKindOf(text);
    if (!kind)
      return { error: `The ${what} "${text}" is not a CNPJ, CPF, NIF, NIE, CIF, EU VAT number or EIN.` };
    if (!validateTaxId(kind, text))
      return { error: `The ${what} "${text}" has check digits that do not match.` };
    return { value: text };
  }
  return { value: text.replace(/\s+/g, ' ') };
}
