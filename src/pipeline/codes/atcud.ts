// The Portuguese fiscal QR code (Portaria 195/2020): fields `A:` … `S:` separated by `*`. A is the issuer's NIF,
// F the date (YYYYMMDD), G the document's own id ("FT AB2019/0035"), H the ATCUD, N the total tax, O the total.
import { Decimal } from 'decimal.js';

export interface PortugueseQr {
  issuerTaxId: string;
  buyerTaxId?: string;
  documentType: string;
  /** ISO date. */
  date: string;
  documentId: string;
  atcud: string;
  taxAmount?: string;
  total: string;
}

export function parsePortugueseQr(text: string): PortugueseQr | undefined {
  if (!/^A:\d{9}\*B:/.test(text.trim())) return undefined;
  const parts = new Map<string, string>();
  for (const part of text.trim().split('*')) {
    const at = part.indexOf(':');
    if (at > 0) parts.set(part.slice(0, at), part.slice(at + 1));
  }
  const date = /^(\d{4})(\d{2})(\d{2})$/.exec(parts.get('F') ?? '');
  const total = parts.get('O');
  const doc = parts.get('G');
  if (!date || !total || !/^\d+(\.\d{1,2})?$/.test(total) || !doc) return undefined;
  const tax = parts.get('N');
  const buyer = parts.get('B');
  return {
    issuerTaxId: parts.get('A')!,
    ...(buyer && buyer !== '999999990' ? { buyerTaxId: buyer } : {}),
    documentType: parts.get('D') ?? '',
    date: `${date[1]}-${date[2]}-${date[3]}`,
    documentId: doc,
    atcud: parts.get('H') ?? '',
    ...(tax && /^\d+(\.\d+)?$/.test(tax) ? { taxAmount: new Decimal(tax).toFixed(2) } : {}),
    total: new Decimal(total).toFixed(2),
  };
}
