// The rules file (YAML or JSON) as one zod schema: which checks run per document type, how severe each is,
// the SLA when one fires, and the routing settings. The types the engine uses are inferred from here.
import { z } from 'zod';
import { DocumentType, FIELD_NAMES } from '../contract/result.ts';

/** Money in a config file: `1500`, `1500.5` or `"1500.50"`; kept as a decimal string, never a float. */
export const ConfigAmount = z
  .union(
    [
      z.string().regex(/^\d+(\.\d+)?$/, 'expected an amount like "1500.00" or 1500'),
      z.number().nonnegative(),
    ],
    {
      error: (issue) =>
        issue.input === undefined ? 'required' : 'expected an amount like "1500.00" or 1500',
    },
  )
  .transform((v) => String(v));

const FieldNameSchema = z.enum(FIELD_NAMES);
const Tolerance = ConfigAmount.default('0.01');

const common = {
  /** `error` blocks straight-through; `warning` is shown to the reviewer but passes. */
  severity: z.enum(['error', 'warning']).default('error'),
  /** Hours a reviewer has once this rule fires; the smallest of the fired rules sets the deadline. */
  slaHours: z.number().positive().optional(),
  /** `false` switches off, for one document type, a rule listed under the top-level `rules`. */
  enabled: z.boolean().default(true),
};

function rule<C extends string, P extends z.ZodRawShape>(code: C, params: P) {
  return z.strictObject({
    code: z.literal(code),
    ...common,
    // prefault: an absent `params` is parsed as `{}`, so each parameter takes its own default.
    params: z.strictObject(params).prefault({} as never),
  });
}

export const RuleConfig = z.discriminatedUnion('code', [
  rule('unknown_document_type', {}),
  rule('missing_field', { fields: z.array(FieldNameSchema).default([]) }),
  rule('low_confidence', {
    /** Fields checked; all the fields read when absent. */
    fields: z.array(FieldNameSchema).optional(),
    /** 0..1; `routing.confidenceThreshold` when absent. */
    threshold: z.number().min(0).max(1).optional(),
    /** Per field, overriding `threshold`: where confidences are calibrated, each field's own bar for being
     * right often enough to pass without a person. */
    thresholds: z.partialRecord(FieldNameSchema, z.number().min(0).max(1)).optional(),
  }),
  rule('line_amount_mismatch', { tolerance: Tolerance }),
  rule('lines_subtotal_mismatch', { tolerance: Tolerance }),
  rule('total_mismatch', { tolerance: Tolerance }),
  rule('future_date', { graceDays: z.number().int().nonnegative().default(0) }),
  rule('stale_invoice', { maxAgeDays: z.number().int().positive().default(365) }),
  rule('due_before_issue', {}),
  rule('invalid_tax_id', {
    fields: z.array(z.enum(['vendorTaxId', 'customerTaxId'])).default(['vendorTaxId', 'customerTaxId']),
  }),
  rule('invalid_currency', {}),
  rule('currency_not_allowed', {}),
  rule('duplicate_invoice', {}),
  rule('duplicate_file', {}),
  rule('unknown_vendor', {}),
  // A changed bank account is a fraud signal: it can never be configured down to a warning.
  z.strictObject({
    code: z.literal('bank_details_changed'),
    ...common,
    severity: z.literal('error', { error: 'bank_details_changed is always an error' }).default('error'),
    params: z.strictObject({}).default({}),
  }),
  rule('amount_over_limit', {
    /** Used when the vendor has no approval limit of its own; no limit when both are absent. */
    limit: ConfigAmount.optional(),
  }),
  rule('code_mismatch', {}),
  /** A part of a split file whose cuts were weighed under `certainty`: a person checks where it was cut. */
  rule('split_uncertain', { certainty: z.number().min(0.5).max(1).default(0.9) }),
  /** A page of the document that could not be read (damaged in the file). */
  rule('page_unreadable', {}),
  rule('po_required', { above: ConfigAmount.default('10000') }),
  rule('po_mismatch', {
    tolerance: Tolerance,
    /** Allowed difference as a percentage of the PO amount; the larger of the two allowances applies. */
    tolerancePercent: z.number().nonnegative().default(0),
    /** Three-way match: billed quantity over the received (else ordered) one by more than this % is flagged. */
    quantityTolerancePercent: z.number().nonnegative().default(0),
    /** Three-way match: billed unit price over the ordered one by more than this % is flagged. */
    priceTolerancePercent: z.number().nonnegative().default(0),
    /** Three-way match: an order with lines and no goods receipt at all is flagged. */
    requireReceipt: z.boolean().default(false),
  }),
  // E-invoices only (src/rules/einvoice.ts): EN 16931's own sums are exact, so no tolerance by default.
  rule('einvoice_missing', {}),
  rule('einvoice_lines_net', { tolerance: ConfigAmount.default('0') }),
  rule('einvoice_total', { tolerance: ConfigAmount.default('0') }),
  rule('einvoice_amount_due', { tolerance: ConfigAmount.default('0') }),
  rule('einvoice_mismatch', {}),
]);
export type RuleConfig = z.infer<typeof RuleConfig>;
export type RuleCode = RuleConfig['code'];

const RuleList = z.array(RuleConfig).default([]);

export const RoutingSettings = z.strictObject({
  /** A field read under this confidence (0..1) raises low_confidence unless the rule sets its own. */
  confidenceThreshold: z.number().min(0).max(1).default(0.6),
  /** SLA for rules that do not set `slaHours`. */
  defaultSlaHours: z.number().positive().default(48),
  priority: z
    .strictObject({
      amount: z.number().nonnegative().default(0.4),
      dueDate: z.number().nonnegative().default(0.3),
      severity: z.number().nonnegative().default(0.3),
      /** A total at or above this amount takes the whole amount weight. */
      amountForFullWeight: ConfigAmount.default('10000'),
      /** A due date this many days away or less takes the whole due-date weight (overdue included). */
      dueSoonDays: z.number().int().positive().default(7),
    })
    .default(() => ({
      amount: 0.4,
      dueDate: 0.3,
      severity: 0.3,
      amountForFullWeight: '10000',
      dueSoonDays: 7,
    })),
});
export type RoutingSettings = z.infer<typeof RoutingSettings>;

/** When an approval stage applies: every condition given must hold; a stage without any applies always. */
export const ApprovalCondition = z.strictObject({
  /** The total is over this amount (in the document's currency; amounts are not converted). */
  amountOver: ConfigAmount.optional(),
  /** The total is at least this amount. */
  amountAtLeast: ConfigAmount.optional(),
  /** The vendor is one of these: tax IDs or names (compared without punctuation or case). */
  vendors: z.array(z.string().min(1)).min(1).optional(),
  /** The document's cost centre (the business unit it was sent with) is one of these. */
  costCentres: z.array(z.string().min(1)).min(1).optional(),
  /** The document went to review for one of these reasons (rule codes, or `reopened`). */
  reasons: z.array(z.string().min(1)).min(1).optional(),
});
export type ApprovalCondition = z.infer<typeof ApprovalCondition>;

export const ApprovalStage = z.strictObject({
  /** What the back office calls the stage ("finance director"); unique in the chain. */
  name: z.string().min(1).max(60),
  when: ApprovalCondition.default({}),
  /** The least role that may approve it. */
  role: z.enum(['review', 'approver', 'admin']).default('approver'),
  /** Only these people (user emails or ids, key ids) may approve it, or their delegates while they are away. */
  approvers: z.array(z.string().min(1)).min(1).optional(),
  /** Hours the stage has once the document reaches it. */
  slaHours: z.number().positive().default(24),
  /** Approved by someone who approved none of the document's earlier steps (its review, earlier stages). */
  distinct: z.boolean().default(false),
});
export type ApprovalStage = z.infer<typeof ApprovalStage>;

/** The approval chain: stages a document passes, in order, once approved in review or read without an exception. */
export const ApprovalChain = z
  .strictObject({ stages: z.array(ApprovalStage).default([]) })
  .refine((c) => new Set(c.stages.map((s) => s.name)).size === c.stages.length, {
    message: 'two stages have the same name',
    path: ['stages'],
  });
export type ApprovalChain = z.infer<typeof ApprovalChain>;

export const RuleSet = z.strictObject({
  version: z.literal(1).default(1),
  routing: RoutingSettings.default(() => RoutingSettings.parse({})),
  /** Rules for every document type. */
  rules: RuleList,
  /** Per document type: rules added to the common ones; the same code replaces the common rule. */
  documentTypes: z
    .strictObject(
      Object.fromEntries(
        DocumentType.options.map((t) => [t, z.strictObject({ rules: RuleList }).optional()]),
      ) as Record<DocumentType, z.ZodOptional<z.ZodObject<{ rules: typeof RuleList }>>>,
    )
    .default({}),
  /** Stages a document is approved through before it is final; none: approved in review is final. */
  approval: ApprovalChain.default({ stages: [] }),
});
export type RuleSet = z.infer<typeof RuleSet>;

/** The enabled rules for one document type, common ones first, a per-type rule replacing a common one of its code. */
export function rulesFor(ruleSet: RuleSet, documentType: DocumentType): RuleConfig[] {
  const byCode = new Map<string, RuleConfig>();
  for (const r of ruleSet.rules) byCode.set(r.code, r);
  for (const r of ruleSet.documentTypes[documentType]?.rules ?? []) byCode.set(r.code, r);
  return [...byCode.values()].filter((r) => r.enabled);
}
