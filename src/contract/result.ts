// The result contract: what `retaguarda process --json` prints and what the API returns, one zod schema.
import { z } from 'zod';
import { FIELD_NAMES, type FieldName } from './fields.ts';
import { BBox } from './geometry.ts';

export { FIELD_NAMES, type FieldName } from './fields.ts';

export const DocumentType = z.enum(['invoice', 'receipt', 'form', 'unknown']);
export type DocumentType = z.infer<typeof DocumentType>;

export const Field = z.object({
  value: z.string(),
  /** 0..1 */
  confidence: z.number().min(0).max(1),
  page: z.number().int().positive(),
  bbox: BBox,
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
  page: z.number().int().positive().optional(),
  bbox: BBox.optional(),
});
export type LineItem = z.infer<typeof LineItem>;

export const Severity = z.enum(['error', 'warning']);
export const ValidationIssue = z.object({
  code: z.string(),
  field: z.string().nullable().optional(),
  severity: Severity,
  message: z.string(),
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
  /** The input format that read it (src/formats/registry.ts): pdf, image, nfe-xml, … */
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
