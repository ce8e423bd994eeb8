// What a code read off a page says: its kind and its claims about the document's fields, and how those claims
// compare with the fields read from the text. Pure: the decoder (src/adapters/codes.ts) gives the text.
import { Decimal } from 'decimal.js';
import type { CodeKind, FieldName, Fields, PrintedCode } from '../../contract/result.ts';
import { parsePortugueseQr } from './atcud.ts';
import { parseBoleto } from './boleto.ts';
import { parseNfeKey } from './nfe-key.ts';
import { parseEpcQr, parseSwissQr } from './payment-qr.ts';

/** The value a separator sheet's code carries unless configured otherwise. */
export const DEFAULT_SEPARATOR_VALUE = 'RETAGUARDA-SPLIT';

export interface Interpreted {
  kind: CodeKind;
  claims?: Partial<Record<FieldName, string>>;
}

/** The code's kind and claims. `near` (the invoice date, else today) places a boleto's due date. */
export function interpretCode(
  text: string,
  options: { separatorValue?: string; near?: Date } = {},
): Interpreted {
  const trimmed = text.trim();
  if (trimmed === (options.separatorValue ?? DEFAULT_SEPARATOR_VALUE)) return { kind: 'separator' };
  const nfe = parseNfeKey(trimmed);
  if (nfe) {
    return {
      kind: 'nfe_key',
      claims: { vendorTaxId: nfe.issuerTaxId, invoiceNumber: nfe.number, invoiceDate: nfe.month },
    };
  }
  const boleto = parseBoleto(trimmed, options.near);
  if (boleto) {
    return {
      kind: 'boleto',
      claims: {
        ...(boleto.amount ? { amountDue: boleto.amount } : {}),
        ...(boleto.dueDate ? { dueDate: boleto.dueDate } : {}),
      },
    };
  }
  const epc = parseEpcQr(trimmed);
  if (epc) {
    return {
      kind: 'epc_qr',
      claims: {
        bankAccount: epc.iban,
        currency: epc.currency,
        ...(epc.amount ? { amountDue: epc.amount } : {}),
      },
    };
  }
  const swiss = parseSwissQr(trimmed);
  if (swiss) {
    return {
      kind: 'swiss_qr',
      claims: {
        bankAccount: swiss.iban,
        currency: swiss.currency,
        ...(swiss.amount ? { amountDue: swiss.amount } : {}),
      },
    };
  }
  const pt = parsePortugueseQr(trimmed);
  if (pt) {
    return {
      kind: 'pt_fiscal_qr',
      claims: {
        vendorTaxId: pt.issuerTaxId,
        invoiceDate: pt.date,
        invoiceNumber: pt.documentId,
        totalAmount: pt.total,
        ...(pt.taxAmount ? { taxAmount: pt.taxAmount } : {}),
      },
    };
  }
  return { kind: 'other' };
}

export interface CodeCheck {
  /** The field the document's value was compared on (a payment code's amount is compared with the amount due,
   * else the total). */
  field: FieldName;
  claimed: string;
  read: string;
  agrees: boolean;
  code: PrintedCode;
}

const digits = (v: string) => v.replace(/\D/g, '');
const alnum = (v: string) => v.replace(/[^0-9A-Za-z]/g, '').toUpperCase();
const noLeadingZeros = (v: string) => v.replace(/^0+(?=.)/, '');

function agrees(field: FieldName, claimed: string, read: string): boolean {
  switch (field) {
    case 'totalAmount':
    case 'amountDue':
    case 'taxAmount': {
      try {
        return new Decimal(claimed).abs().equals(new Decimal(read).abs());
      } catch {
        return false;
      }
    }
    case 'invoiceDate':
    case 'dueDate':
      // An NF-e key names only the month.
      return read.startsWith(claimed);
    case 'vendorTaxId':
      return digits(read).endsWith(digits(claimed)) && digits(claimed).length > 0;
    case 'invoiceNumber': {
      // "FT AB2019/0035" in the code may be printed whole or as its series and number; an NF-e key's 1234 is
      // printed as 000.001.234.
      const a = alnum(claimed);
      const b = alnum(read);
      if (/^\d+$/.test(a) && /^\d+$/.test(b)) return noLeadingZeros(a) === noLeadingZeros(b);
      return a === b || a.endsWith(b) || b.endsWith(a);
    }
    default:
      return alnum(claimed) === alnum(read);
  }
}

/** Every claim of every code compared with the field read, where that field was read. */
export function checkCodes(fields: Fields, codes: readonly PrintedCode[]): CodeCheck[] {
  const out: CodeCheck[] = [];
  for (const code of codes) {
    for (const [name, claimed] of Object.entries(code.claims ?? {}) as [FieldName, string][]) {
      const field = name === 'amountDue' && !fields.amountDue?.value ? 'totalAmount' : name;
      const read = fields[field]?.value;
      if (!read) continue;
      out.push({ field, claimed, read, agrees: agrees(field, claimed, read), code });
    }
  }
  return out;
}

/** Fields a code agrees with, their confidence raised: two independent readings of the same value. */
export function confirmByCodes(fields: Fields, codes: readonly PrintedCode[]): Fields {
  const checks = checkCodes(fields, codes);
  if (!checks.length) return fields;
  const out: Fields = { ...fields };
  for (const name of new Set(checks.map((c) => c.field))) {
    const mine = checks.filter((c) => c.field === name);
    const field = out[name];
    if (!field || !mine.every((c) => c.agrees)) continue;
    out[name] = { ...field, confidence: Math.max(field.confidence, 0.99) };
  }
  return out;
}
