// Review items: a document routed to review becomes a work item with its reasons, priority and SLA deadline.
import type { DocumentResult } from '../contract/result.ts';
import type { Queryable } from './database.ts';

/**
 * Opens (or re-opens) the review item of a document: after a reading routed to review, with that reading's plan,
 * or on rework with the plan the caller gives. Any claim and decision of an earlier round are cleared.
 */
export async function openReviewItem(
  tx: Queryable,
  documentId: string,
  result: DocumentResult,
  at: Date,
  plan: { reasons: string[]; priority: number; slaDeadline: string | Date } | undefined = result.review,
) {
  if (!plan) throw new Error('a review item needs a result routed to review');
  await tx.query(
    `insert into review_items (document_id, reasons, priority, sla_deadline, total_amount, vendor_name, created_at)
     values ($1, $2, $3, $4, $5, $6, $7)
     on conflict (document_id) do update set reasons = excluded.reasons, priority = excluded.priority,
       sla_deadline = excluded.sla_deadline, total_amount = excluded.total_amount,
       vendor_name = excluded.vendor_name, created_at = excluded.created_at, assignee = null,
       assignee_name = null, claimed_until = null, decision = null, decided_by = null, decided_at = null`,
    [
      documentId,
      plan.reasons,
      plan.priority,
      plan.slaDeadline,
      result.fields.totalAmount?.value ?? null,
      result.fields.vendorName?.value ?? null,
      at,
    ],
  );
}
