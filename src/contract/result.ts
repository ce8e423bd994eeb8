// The result contract: what `retaguarda process --json` prints and what the API returns, one zod schema.
import { z } from 'zod';
import { FIELD_NAMES, type FieldName } from './fields.ts';
import { BBox } from './geometry.ts';

export { FIELD_NAMES, type FieldName } from './fields.ts';

/** `credit_note`: a document that credits the buyer (read from e-invoices: type codes 381, 261, …, or a negative
 * total); the page reader does not tell credit notes from invoices. */
export const DocumentType = z.enum(['invoice', 'credit_note', 'receipt', 'form', 'unknown']);
export type DocumentType = z.infer<typeof DocumentType>;

/** Where a field of structured input was read: the element's path in the XML, with the standard's usual
 * prefixes whatever the sender's were (`/Invoice/cac:LegalMonetaryTotal/cbc:PayableAmount`). */
export const FieldSource = z.object({ xpath: z.string() });
export type FieldSource = z.infer<typeof FieldSource>;

export const Field = z.object({
  value: z.string(),
  /** 0..1 */
  confidence: z.number().min(0).max(1),
  page: z.number().int().positive(),
  /** [0, 0, 0, 0] when the field was not read off a page (XML, or a value a reviewer typed). */
  bbox: BBox,
  /** Present when the field was read from an XML: where a page would have shown a box. */
  source: FieldSource.optional(),
});
export type Field = z.infer<typeof Field>;

/** Every field of the catalogue (src/contract/fields.ts), each absent or null when it was not found. */
export const Fields = z.object(
  Object.fromEntries(FIELD_NAMES.map((n) => [n, Field.nullable().optional()])) as Record<
    FieldName,
    z.ZodOptional<z.ZodNullable<typeof Field>>
  >,
);
export type Fields = Partial<Record<FieldName, Field | null>>;

/** Decimal string with '.' as separator, e.g. "1234.56". */
export const DecimalString = z.string().regex(/^-?\d+(\.\d+)?$/);

export const LineItem = z.object({
  description: z.string(),
  quantity: DecimalString.nullable().optional(),
  unitPrice: DecimalString.nullable().optional(),
  amount: DecimalString.nullable().optional(),
  /** The line's tax rate in percent ("19", "7.5"), when the document states it per line (e-invoices). */
  taxRate: DecimalString.nullable().optional(),
  page: z.number().int().positive().optional(),
  bbox: BBox.optional(),
});
export type LineItem = z.infer<typeof LineItem>;

/** The syntax an e-invoice was written in: UBL 2.1 (Peppol BIS 3), UN/CEFACT CII D16B (XRechnung, Factur-X,
 * ZUGFeRD 2), ZUGFeRD 1.0's CrossIndustryDocument, or the Spanish Facturae 3.2.x. */
export const EInvoiceSyntax = z.enum(['ubl', 'cii', 'zugferd1', 'facturae']);
export type EInvoiceSyntax = z.infer<typeof EInvoiceSyntax>;

/** One line of the invoice's tax breakdown (EN 16931 BG-23), amounts in the invoice currency. */
export const TaxSubtotal = z.object({
  /** VAT category (S, Z, E, AE, K, G, O, L, M) or the Facturae tax type code. */
  category: z.string().optional(),
  rate: DecimalString.optional(),
  taxable: DecimalString.optional(),
  tax: DecimalString.optional(),
});
export type TaxSubtotal = z.infer<typeof TaxSubtotal>;

/** The page of a hybrid PDF (Factur-X, ZUGFeRD, XRechnung in a PDF) as a person sees it, for the check that it
 * says what its XML says. */
export const VisibleReading = z.object({
  /** The page read as any PDF is (text layer, else OCR), with boxes: the values a person would take from it. */
  fields: Fields,
  /** For each value checked, whether the XML's value is printed anywhere on the pages (in any usual notation). */
  shown: z.object({
    invoiceNumber: z.boolean().optional(),
    invoiceDate: z.boolean().optional(),
    totalAmount: z.boolean().optional(),
    bankAccount: z.boolean().optional(),
  }),
  /** Every IBAN printed on the pages (mod-97 valid), compact. */
  ibans: z.array(z.string()),
  /** False when the pages gave no text at all to compare with. */
  hasText: z.boolean(),
});
export type VisibleReading = z.infer<typeof VisibleReading>;

/** What an e-invoice states beyond the fields, for the EN 16931 rules; amounts in the invoice currency. */
export const EInvoice = z.object({
  syntax: EInvoiceSyntax,
  /** BT-24, the specification the invoice claims to follow (urn:cen.eu:en16931:2017, a Factur-X profile, …). */
  specification: z.string().optional(),
  /** BT-3, the UNTDID 1001 type code (380 invoice, 381 credit note, 384 corrected invoice, 389 self-billed, …). */
  typeCode: z.string().optional(),
  /** The file inside the PDF the XML was read from (factur-x.xml); absent when the XML itself was uploaded. */
  attachment: z.string().optional(),
  /** ISO 3166 country codes of the seller's and the buyer's postal addresses (BT-40, BT-55). */
  sellerCountry: z.string().optional(),
  buyerCountry: z.string().optional(),
  /** The totals with no field of their own: BT-106 line total, BT-107 allowances, BT-108 charges, BT-113 paid
   * in advance, BT-114 rounding; and Facturae's taxes withheld (retenciones such as IRPF, taken off the total) and
   * amounts retained from payment (a guarantee, taken off the amount due). */
  totals: z.object({
    lineTotal: DecimalString.optional(),
    allowanceTotal: DecimalString.optional(),
    chargeTotal: DecimalString.optional(),
    prepaid: DecimalString.optional(),
    rounding: DecimalString.optional(),
    withheld: DecimalString.optional(),
    retained: DecimalString.optional(),
  }),
  taxes: z.array(TaxSubtotal),
  /** Hybrid PDFs only: the visible page, read too. */
  visible: VisibleReading.optional(),
});
export type EInvoice = z.infer<typeof EInvoice>;

export const Severity = z.enum(['error', 'warning']);
export const ValidationIssue = z.object({
  code: z.string(),
  field: z.string().nullable().optional(),
  severity: Severity,
  message: z.string(),
  /** The earlier document the issue is about: a duplicate's original. */
  documentId: z.string().optional(),
});
export type ValidationIssue = z.infer<typeof ValidationIssue>;

export const ErrorCode = z.enum([
  'empty_file',
  'unsupported_type',
  'corrupt_file',
  'truncated_pdf',
  'encrypted_pdf',
  'too_many_pages',
  'too_many_pixels',
  'image_too_small',
  'file_too_large',
  'not_found',
  'ocr_failed',
  'internal_error',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const Timings = z.object({
  loadMs: z.number(),
  ocrMs: z.number(),
  extractMs: z.number(),
  validateMs: z.number(),
});

/** Each page's size in the unit of its boxes (PDF points for text-layer pages, pixels of the upright image for
 * OCR pages) and how it was turned to be read: what a viewer needs to draw the boxes on a page image. */
export const PageSize = z.object({
  width: z.number().positive(),
  height: z.number().positive(),
  rotation: z.number(),
  source: z.string(),
});
export type PageSize = z.infer<typeof PageSize>;

/** What reading a document gives, before the rules judge it. */
const extractionShape = {
  id: z.string(),
  file: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  mimeType: z.string().optional(),
  /** The input format that read it (src/formats/registry.ts): pdf, image, nfe-xml, ubl-xml, cii-xml,
   * facturae-xml, einvoice-pdf, … */
  format: z.string().optional(),
  documentType: DocumentType,
  /** ISO 639-1 */
  language: z.string().length(2),
  pages: z.number().int().nonnegative(),
  fields: Fields,
  lineItems: z.array(LineItem),
  /** True when the amounts already include the taxes (NF-e: ICMS, PIS and COFINS are inside the prices), so
   * subtotal + tax is not the total. */
  pricesIncludeTax: z.boolean().optional(),
  /** Present when the document is a structured e-invoice (UBL, CII, Facturae, or a PDF carrying one). */
  einvoice: EInvoice.optional(),
  timings: Timings,
  pageSizes: z.array(PageSize).optional(),
};
export const Extraction = z.object(extractionShape);
export type Extraction = z.infer<typeof Extraction>;

/** An extraction judged by the rules (src/rules/judge.ts): its issues and route. */
export const DocumentResult = z.object({
  ...extractionShape,
  validation: z.object({ issues: z.array(ValidationIssue) }),
  route: z.enum(['auto', 'review']),
  /** Present when route is `review`: why, how urgent (0..100, higher first) and by when. */
  review: z
    .object({
      priority: z.number().int().min(0).max(100),
      /** ISO 8601 timestamp. */
      slaDeadline: z.string(),
      /** Codes of the issues that sent the document to review. */
      reasons: z.array(z.string()),
    })
    .optional(),
});
export type DocumentResult = z.infer<typeof DocumentResult>;

/** What a run prints for a file that could not be read. */
export const DocumentFailure = z.object({
  id: z.string(),
  file: z.string(),
  sha256: z.string().optional(),
  error: z.object({ code: ErrorCode, message: z.string() }),
});
export type DocumentFailure = z.infer<typeof DocumentFailure>;
