// Scoring e-invoices against the dev set's truth files (../shared/data/einvoice-dev/NAME.truth.json), and the
// tampered copies of hybrid PDFs that einvoice_mismatch must catch: shared by bench/einvoice.ts and the tests.
import { Decimal } from 'decimal.js';
import { z } from 'zod';
import type { Extraction } from '../contract/result.ts';
import type { PdfReader } from '../pipeline/ports.ts';
import { type FieldScore, sameValue } from './score.ts';

const Value = z.string().nullable().optional();

export const EInvoiceTruthFile = z.object({
  file: z.string(),
  badInput: z.string().optional(),
  truth: z
    .object({
      documentType: z.enum(['invoice', 'credit note']),
      invoiceNumber: Value,
      invoiceDate: Value,
      dueDate: Value,
      currency: Value,
      vendorName: Value,
      vendorNameAlt: Value,
      vendorTaxId: Value,
      customerName: Value,
      customerNameAlt: Value,
      subtotal: Value,
      taxAmount: Value,
      totalAmount: Value,
      amountDue: Value,
      lineItemCount: z.number().int().nonnegative(),
      iban: Value,
    })
    .nullable(),
});
export type EInvoiceTruthFile = z.infer<typeof EInvoiceTruthFile>;

/** The header fields scored, in the order they are reported; `lineItemCount` and `iban` as the truth names them. */
export const SCORED = [
  'documentType',
  'invoiceNumber',
  'invoiceDate',
  'dueDate',
  'currency',
  'vendorName',
  'vendorTaxId',
  'customerName',
  'subtotal',
  'taxAmount',
  'totalAmount',
  'amountDue',
  'iban',
  'lineItemCount',
] as const;
export type Scored = (typeof SCORED)[number];

const IBAN_SHAPE = /^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/;
const compact = (s: string) => s.replace(/\s+/g, '').toUpperCase();

/**
 * One score per scored field. A field the truth gives as null is right when nothing was read. Names are right
 * when they match the legal or the trading name (the truth's `…Alt`). `iban` is the bank account when it is
 * IBAN-shaped: a national account number read where the truth has no IBAN is not counted against the reading.
 */
export function scoreEInvoice(truth: NonNullable<EInvoiceTruthFile['truth']>, doc: Extraction): FieldScore[] {
  const got = (name: Exclude<Scored, 'documentType' | 'iban' | 'lineItemCount'>) =>
    doc.fields[name]?.value ?? null;
  const score = (
    field: Scored,
    expected: string | null | undefined,
    value: string | null,
    ok?: boolean,
  ): FieldScore => ({
    field,
    expected: expected ?? '—',
    got: value,
    ok: ok ?? (expected == null ? value == null : sameValue(field, expected, value)),
  });
  const account = doc.fields.bankAccount?.value ?? null;
  const iban = account && IBAN_SHAPE.test(compact(account)) ? compact(account) : null;
  return SCORED.map((field) => {
    switch (field) {
      case 'documentType': {
        const want = truth.documentType === 'credit note' ? 'credit_note' : 'invoice';
        return score(field, want, doc.documentType, doc.documentType === want);
      }
      case 'lineItemCount':
        return score(
          field,
          String(truth.lineItemCount),
          String(doc.lineItems.length),
          doc.lineItems.length === truth.lineItemCount,
        );
      case 'iban':
        return score(
          field,
          truth.iban,
          iban,
          truth.iban == null ? iban == null : iban === compact(truth.iban),
        );
      case 'vendorName':
      case 'customerName': {
        const value = got(field);
        const alt = field === 'vendorName' ? truth.vendorNameAlt : truth.customerNameAlt;
        const ok =
          truth[field] == null
            ? value == null
            : sameValue(field, truth[field], value) || (alt != null && sameValue(field, alt, value));
        return score(field, truth[field], value, ok);
      }
      default:
        return score(field, truth[field], got(field));
    }
  });
}

/** A PDF reader whose documents show changed pages or attachments: how tampered hybrids are made from real ones. */
export function tamperedPdfReader(
  real: PdfReader,
  change: { word?: (text: string) => string; attachment?: (name: string, text: string) => string },
): PdfReader {
  return {
    async open(bytes, limits) {
      const doc = await real.open(bytes, limits);
      return {
        pageCount: doc.pageCount,
        async textLayer(n) {
          const page = await doc.textLayer(n);
          const word = change.word;
          return word ? { ...page, words: page.words.map((w) => ({ ...w, text: word(w.text) })) } : page;
        },
        render: (n, dpi) => doc.render(n, dpi),
        async attachments() {
          const files = await doc.attachments();
          const edit = change.attachment;
          return edit
            ? files.map((f) => ({
                ...f,
                bytes: new TextEncoder().encode(edit(f.name, new TextDecoder().decode(f.bytes))),
              }))
            : files;
        },
        close: () => doc.close(),
      };
    },
  };
}

/**
 * `text` with every printed form of `amount` (571.04, 571,04, 1.005,55, 1,005.55) raised by `by`, in the same
 * notation: the visible total of a page changed as a forger would.
 */
export function raiseAmountIn(text: string, amount: string, by: string): string {
  const want = new Decimal(amount).abs();
  return text.replace(/\d[\d.,']*\d|\d/g, (m) => {
    // The decimal separator is a last '.' or ',' followed by exactly two digits; any other is a thousands one.
    const decimal = /[.,]\d{2}$/.test(m) ? m.at(-3) : undefined;
    const intPart = decimal ? m.slice(0, -3) : m;
    const value = new Decimal(`${intPart.replace(/\D/g, '') || '0'}${decimal ? `.${m.slice(-2)}` : ''}`);
    if (!value.equals(want)) return m;
    const [int, frac] = value.plus(by).toFixed(2).split('.') as [string, string];
    const thousands = /\D/.exec(intPart)?.[0];
    const grouped = thousands ? int.replace(/\B(?=(\d{3})+(?!\d))/g, thousands) : int;
    return decimal ? `${grouped}${decimal}${frac}` : grouped;
  });
}

/** The XML with its total with VAT (and the amount due) raised by `by`: a tampered attachment. */
export function raiseXmlTotal(xml: string, by: string): string {
  return xml.replace(
    /(<(?:[\w-]+:)?(?:GrandTotalAmount|DuePayableAmount|TaxInclusiveAmount|PayableAmount|InvoiceTotal|TotalExecutableAmount)(?:\s[^>]*)?>)\s*(-?[\d.]+)\s*</g,
    (_m, open: string, value: string) => `${open}${new Decimal(value).plus(by).toFixed(2)}<`,
  );
}
