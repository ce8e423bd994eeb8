// Runs a rule set over one result and routes it: `auto`, or `review` with reasons, a priority and an SLA deadline.

import { Decimal } from 'decimal.js';
import type { DocumentResult, ValidationIssue } from '../contract/result.ts';
import { lineAmountMismatch, linesSubtotalMismatch, totalMismatch } from './arithmetic.ts';
import { codeMismatch, pageUnreadable, splitUncertain } from './codes.ts';
import {
  amountField,
  daysBetween,
  type Finding,
  fieldOf,
  type RuleContext,
  type RuleDocument,
  type RuleEnv,
  today,
} from './context.ts';
import { dueBeforeIssue, futureDate, staleInvoice } from './dates.ts';
import { duplicateFile, duplicateInvoice } from './duplicates.ts';
import {
  einvoiceAmountDue,
  einvoiceLinesNet,
  einvoiceMismatch,
  einvoiceMissing,
  einvoiceTotal,
} from './einvoice.ts';
import { lowConfidence, missingField, unknownDocumentType } from './fields.ts';
import { invalidCurrency, invalidTaxId } from './identifiers.ts';
import { type RuleCode, type RuleConfig, type RuleSet, rulesFor } from './schema.ts';
import {
  amountOverLimit,
  bankDetailsChanged,
  currencyNotAllowed,
  poMismatch,
  poRequired,
  unknownVendor,
} from './vendors.ts';

type ParamsOf<C extends RuleCode> = Extract<RuleConfig, { code: C }>['params'];
type Registry = { [C in RuleCode]: (doc: RuleDocument, params: ParamsOf<C>, env: RuleEnv) => Finding[] };

/** Every built-in rule by code: a code in a rules file without an entry here cannot pass the schema. */
export const BUILT_IN_RULES: Registry = {
  unknown_document_type: unknownDocumentType,
  missing_field: missingField,
  low_confidence: lowConfidence,
  line_amount_mismatch: lineAmountMismatch,
  lines_subtotal_mismatch: linesSubtotalMismatch,
  total_mismatch: totalMismatch,
  future_date: futureDate,
  stale_invoice: staleInvoice,
  due_before_issue: dueBeforeIssue,
  invalid_tax_id: invalidTaxId,
  invalid_currency: invalidCurrency,
  currency_not_allowed: currencyNotAllowed,
  duplicate_invoice: duplicateInvoice,
  duplicate_file: duplicateFile,
  unknown_vendor: unknownVendor,
  bank_details_changed: bankDetailsChanged,
  amount_over_limit: amountOverLimit,
  po_required: poRequired,
  po_mismatch: poMismatch,
  einvoice_missing: einvoiceMissing,
  einvoice_lines_net: einvoiceLinesNet,
  einvoice_total: einvoiceTotal,
  einvoice_amount_due: einvoiceAmountDue,
  einvoice_mismatch: einvoiceMismatch,
  code_mismatch: codeMismatch,
  split_uncertain: splitUncertain,
  page_unreadable: pageUnreadable,
};

export interface Evaluation {
  issues: ValidationIssue[];
  route: DocumentResult['route'];
  /** 0..100, higher first; only when routed to review. */
  priority?: number;
  /** ISO 8601; only when routed to review. */
  slaDeadline?: string;
  /** Codes of the issues that sent the document to review. */
  reasons: string[];
}

export function evaluate(doc: RuleDocument, ruleSet: RuleSet, context: RuleContext): Evaluation {
  const env: RuleEnv = { context, routing: ruleSet.routing };
  const rules = rulesFor(ruleSet, doc.documentType);
  const required = new Set<string>(rules.find((r) => r.code === 'missing_field')?.params.fields ?? []);

  const issues: ValidationIssue[] = [];
  const slaOfIssue: number[] = [];
  for (const rule of rules) {
    const run = BUILT_IN_RULES[rule.code] as (d: RuleDocument, p: unknown, e: RuleEnv) => Finding[];
    for (const finding of run(doc, rule.params, env)) {
      // A required field that is missing or unconfident always blocks, whatever the rule's severity says.
      const blocksAnyway =
        (rule.code === 'missing_field' || rule.code === 'low_confidence') &&
        finding.field != null &&
        required.has(finding.field);
      issues.push({
        code: rule.code,
        field: finding.field,
        severity: blocksAnyway ? 'error' : rule.severity,
        message: finding.message,
        ...(finding.documentId ? { documentId: finding.documentId } : {}),
      });
      slaOfIssue.push(rule.slaHours ?? ruleSet.routing.defaultSlaHours);
    }
  }

  const blocking = issues.filter((i) => i.severity === 'error');
  if (blocking.length === 0) return { issues, route: 'auto', reasons: [] };

  const slaHours = Math.min(...slaOfIssue.filter((_, i) => issues[i]!.severity === 'error'));
  return {
    issues,
    route: 'review',
    priority: priorityOf(doc, issues, ruleSet, context),
    slaDeadline: new Date(context.now.getTime() + slaHours * 3_600_000).toISOString(),
    reasons: [...new Set(blocking.map((i) => i.code))],
  };
}

/** Weighted urgency: how much money, how soon it is due, how severe the findings are. */
function priorityOf(
  doc: RuleDocument,
  issues: ValidationIssue[],
  ruleSet: RuleSet,
  context: RuleContext,
): number {
  const w = ruleSet.routing.priority;
  const total = amountField(doc, 'totalAmount');
  const amountScore = total
    ? Decimal.min(1, Decimal.max(0, total.dividedBy(w.amountForFullWeight))).toNumber()
    : 0;
  const due = fieldOf(doc, 'dueDate')?.value;
  const daysLeft = due ? daysBetween(today(context.now), due) : undefined;
  const dueScore =
    daysLeft === undefined ? 0 : daysLeft <= 0 ? 1 : Math.max(0, 1 - (daysLeft - 1) / w.dueSoonDays);
  const errors = issues.filter((i) => i.severity === 'error').length;
  const severityScore = Math.min(1, 0.5 + 0.25 * (errors - 1));
  const weights = w.amount + w.dueDate + w.severity;
  if (weights === 0) return 0;
  return Math.round(
    (100 * (w.amount * amountScore + w.dueDate * dueScore + w.severity * severityScore)) / weights,
  );
}
