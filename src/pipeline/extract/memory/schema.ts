// What vendor memory holds, as data: per layout of a vendor, its fingerprint, and per field where the value
// was and how it looked, with the reviews it was learned from. The export file, the database rows and the
// API answers are this one schema.
import { z } from 'zod';

/** A box as fractions of its page: [x0, y0, x1, y1] in 0..1. */
export const RelativeBox = z.tuple([z.number(), z.number(), z.number(), z.number()]);
export type RelativeBox = z.infer<typeof RelativeBox>;

/** One review a memory was learned from. */
export const MemorySource = z.object({
  documentId: z.string(),
  /** The reviewer's id and the name shown ("Ana Souza"). */
  actor: z.string(),
  actorName: z.string(),
  at: z.iso.datetime(),
  how: z.enum(['correction', 'approval']),
});
export type MemorySource = z.infer<typeof MemorySource>;

/** Where a field sits on the layout and how its value looks. */
export const MemoryPlace = z.object({
  page: z.number().int().positive(),
  box: RelativeBox,
  /** The words printed before the value (its label) and their box, when it has one. */
  label: z
    .object({
      words: z.array(z.string()).min(1),
      box: RelativeBox,
      /** Every label word on the label's line: a header row "Net VAT Total" is told from the items' "Total". */
      line: z.array(z.string()).optional(),
    })
    .optional(),
  /** The value's shape: letters A, digits 9, runs folded ("INV-2025-0042" → "A-9-9"). */
  format: z.string(),
});
export type MemoryPlace = z.infer<typeof MemoryPlace>;

export const MemoryField = z.object({
  /** Set for what is the same on every document of the layout (the issuer's name, tax ID, currency). */
  value: z.string().optional(),
  place: MemoryPlace.optional(),
  confirmations: z.number().int().nonnegative(),
  sources: z.array(MemorySource),
});
export type MemoryField = z.infer<typeof MemoryField>;

export const MemoryLayout = z.object({
  id: z.string(),
  /** Who the layout is from, as the rules key vendors (`tax:…` or `name:…`). */
  vendorKey: z.string(),
  vendorName: z.string().optional(),
  tokens: z.array(z.string()),
  fields: z.record(z.string(), MemoryField),
  updatedAt: z.iso.datetime(),
});
export type MemoryLayout = z.infer<typeof MemoryLayout>;

/** `retaguarda memory export` writes this; `import` and `process --memory` read it. */
export const MemoryFile = z.object({
  kind: z.literal('retaguarda-vendor-memory'),
  version: z.literal(1),
  layouts: z.array(MemoryLayout),
});
export type MemoryFile = z.infer<typeof MemoryFile>;
