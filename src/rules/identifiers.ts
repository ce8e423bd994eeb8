// Tax IDs (check digits through the extractor's validators) and currency codes (ISO 4217).
import currencyCodes from 'currency-codes';
import { type TaxIdKind, validateTaxId } from '../pipeline/extract/tax-ids.ts';
import { type Finding, fieldOf, label, type RuleFn } from './context.ts';

const KIND_NAMES: Record<TaxIdKind, string> = {
  cnpj: 'CNPJ',
  cpf: 'CPF',
  nif: 'NIF',
  nie: 'NIE',
  cif: 'CIF',
  eu_vat: 'EU VAT number',
  ein: 'EIN',
};

const EU_VAT_PREFIX =
  /^(AT|BE|BG|CY|CZ|DE|DK|EE|EL|GR|ES|FI|FR|HR|HU|IE|IT|LT|LU|LV|MT|NL|PL|PT|RO|SE|SI|SK|GB|XI)[0-9A-Z]/;

/** Which kind of tax ID a value is shaped like, or undefined when it is none we know. */
export function taxIdKindOf(value: string): TaxIdKind | undefined {
  const raw = value.trim();
  const compact = raw.replace(/[\s.\-/]/g, '').toUpperCase();
  if (/^\d{2}-\d{7}$/.test(raw)) return 'ein';
  if (/^\d{14}$/.test(compact)) return 'cnpj';
  if (/^\d{11}$/.test(compact)) return 'cpf';
  if (/^[XYZ]\d{7}[A-Z]$/.test(compact)) return 'nie';
  if (/^\d{8}[A-Z]$/.test(compact)) return 'nif';
  if (/^[ABCDEFGHJKLMNPQRSUVW]\d{7}[0-9A-J]$/.test(compact)) return 'cif';
  if (EU_VAT_PREFIX.test(compact)) return 'eu_vat';
  return undefined;
}

export const invalidTaxId: RuleFn<{ fields: ('vendorTaxId' | 'customerTaxId')[] }> = (doc, { fields }) => {
  const out: Finding[] = [];
  for (const name of fields) {
    const value = fieldOf(doc, name)?.value;
    if (!value) continue;
    const kind = taxIdKindOf(value);
    if (!kind) {
      out.push({
        field: name,
        message: `The ${label(name)} "${value}" is not a CNPJ, CPF, NIF, NIE, CIF, EU VAT number or EIN.`,
      });
    } else if (!validateTaxId(kind, value)) {
      out.push({
        field: name,
        message:
          kind === 'eu_vat' || kind === 'ein'
            ? `The ${label(name)} "${value}" is not a valid ${KIND_NAMES[kind]} (wrong format or check digits).`
            : `The ${label(name)} "${value}" is not a valid ${KIND_NAMES[kind]}: its check digits do not match.`,
      });
    }
  }
  return out;
};

export const invalidCurrency: RuleFn<Record<string, never>> = (doc) => {
  const value = fieldOf(doc, 'currency')?.value;
  if (!value || currencyCodes.code(value.toUpperCase())) return [];
  return [{ field: 'currency', message: `The currency "${value}" is not an ISO 4217 currency code.` }];
};
