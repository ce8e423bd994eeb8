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

/** A field taken from vendor memory says which reviews taught it: "learned from 2 corrections (Ana, 3 Dec)". */
export const LearnedFrom = z.object({
  layoutId: z.string(),
  vendorKey: z.string(),
  corrections: z.number().int().nonnegative(),
  approvals: z.number().int().nonnegative(),
  /** The last review's reviewer and time. */
  lastBy: z.string(),
  lastAt: z.iso.datetime(),
});
export type LearnedFrom = z.infer<typeof LearnedFrom>;

export const Field = z.object({
  value: z.string(),
  /** 0..1 */
  confidence: z.number().min(0).max(1),
  page: z.number().int().positive(),
  /** [0, 0, 0, 0] when the field was not read off a page (XML, or a value a reviewer typed). */
  bbox: BBox,
  /** Present when the field was read from an XML: where a page would have shown a box. */
  source: FieldSource.optional(),
  /** Present when vendor memory chose the field. */
  learned: LearnedFrom.optional(),
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
  'processing_limit',
  'internal_error',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const Timings = z.object({
  loadMs: z.number(),
  ocrMs: z.number(),
  extractMs: z.number(),
  validateMs: z.number(),
  /** Finding and decoding the QR codes and barcodes (on OCR'd pages it runs beside the OCR, inside ocrMs). */
  codesMs: z.number().optional(),
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

/** What a code printed on a page is, once its text is recognised: an NF-e access key, a boleto, an EPC (SEPA) or
 * Swiss QR-bill payment code, a Portuguese fiscal QR code, a batch separator sheet's code, or something else. */
export const CodeKind = z.enum([
  'nfe_key',
  'boleto',
  'epc_qr',
  'swiss_qr',
  'pt_fiscal_qr',
  'separator',
  'other',
]);
export type CodeKind = z.infer<typeof CodeKind>;

/** A QR code or barcode read off a page. */
export const PrintedCode = z.object({
  page: z.number().int().positive(),
  /** The symbology as the decoder names it: QRCode, Code128, ITF, DataMatrix, … */
  format: z.string(),
  text: z.string(),
  /** Where it is, in the page's units (as `pageSizes`). */
  bbox: BBox,
  kind: CodeKind,
  /** What the code states about the document's fields, in the fields' own notation (an NF-e key's month as
   * "2024-06"); these are checked against the fields read, by the rule `code_mismatch`. */
  claims: z.partialRecord(z.enum(FIELD_NAMES), z.string()).optional(),
});
export type PrintedCode = z.infer<typeof PrintedCode>;

/** Where a part of a split file lies in its parent: 1-based page numbers of the parent, inclusive. */
export const PageRange = z.object({ first: z.number().int().positive(), last: z.number().int().positive() });
export type PageRange = z.infer<typeof PageRange>;

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
  /** QR codes and barcodes printed on the pages. */
  codes: z.array(PrintedCode).optional(),
  /** Pages (of this document) that could not be read, a damaged page: they hold no text; judged by
   * `page_unreadable`. */
  unreadablePages: z.array(z.number().int().positive()).optional(),
  /** A part of a split file: the document it was cut from, and its pages there. */
  parentId: z.string().optional(),
  pageRange: PageRange.optional(),
  /** For a part: the least sure of the file's cuts (and pages left uncut), 0.5–1; judged by `split_uncertain`. */
  splitConfidence: z.number().optional(),
};

/** One boundary between two pages the splitter weighed. */
export const SplitCut = z.object({
  /** A new document starts at this page of the file. */
  before: z.number().int().positive(),
  /** How sure the cut is, 0.5–1. */
  confidence: z.number(),
  reasons: z.array(z.string()),
});

export const SplitPart = PageRange.extend({
  /** The pages of the file in this part (separator sheets and blank pages left out). */
  pages: z.array(z.number().int().positive()),
  /** The part's own document, once it was made. */
  documentId: z.string().optional(),
  /** The part's reading, carried from the reader to the service (not stored with the parent). */
  reading: z.object(extractionShape).optional(),
});
export type SplitPart = z.infer<typeof SplitPart>;

/** A file that held several documents: where it was cut and into what. */
export const Split = z.object({
  parts: z.array(SplitPart),
  cuts: z.array(SplitCut),
  /** Separator sheets found (and dropped). */
  separators: z.array(z.number().int().positive()),
  blank: z.array(z.number().int().positive()),
  /** True when a cut was weighed under the certainty: every part is held for review (`split_uncertain`). */
  uncertain: z.boolean(),
});
export type Split = z.infer<typeof Split>;

const readingShape = {
  ...extractionShape,
  /** Present when the file held several documents; each part is then a document of its own. */
  split: Split.optional(),
};
export const Extraction = z.object(readingShape);
export type Extraction = z.infer<typeof Extraction>;

/** An extraction judged by the rules (src/rules/judge.ts): its issues and route. */
export const DocumentResult = z.object({
  ...readingShape,
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
