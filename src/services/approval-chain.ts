// What processing (a document read without an exception) and review (an approval) share when a document
// enters the approval chain: the facts its conditions look at, and the `stage` part of the webhook event.
import type { DocumentResult } from '../contract/result.ts';
import type { ApprovalFacts, MatchedStage } from '../rules/approval.ts';
import type { ApprovalStageRecord } from '../storage/approvals.repository.ts';
import type { DocumentRecord } from '../storage/documents.repository.ts';
import type { Repositories } from '../storage/repositories.ts';

/** What the chain's conditions look at: the latest result, the document's cost centre, why it was reviewed. */
export function approvalFactsOf(
  result: DocumentResult,
  doc: Pick<DocumentRecord, 'businessUnit'>,
  reasons: readonly string[],
): ApprovalFacts {
  const f = result.fields;
  return {
    totalAmount: f.totalAmount?.value,
    currency: f.currency?.value,
    vendorName: f.vendorName?.value,
    vendorTaxId: f.vendorTaxId?.value,
    costCentre: doc.businessUnit,
    reasons,
  };
}

/** The `stage` part of a `document.approval_stage` event. */
export function stageEvent(
  stage: ApprovalStageRecord,
  of: number,
  state: 'entered' | 'approved' | 'rejected',
) {
  return {
    state,
    name: stage.name,
    position: stage.position,
    of,
    role: stage.role,
    matched: stage.matched,
    slaHours: stage.slaHours,
    enteredAt: stage.enteredAt?.toISOString() ?? null,
    slaDeadline: stage.slaDeadline?.toISOString() ?? null,
    decidedBy: state === 'entered' ? null : (stage.decidedBy ?? null),
    onBehalfOf: state === 'entered' ? null : (stage.onBehalfOf ?? null),
    decidedAt: state === 'entered' ? null : (stage.decidedAt?.toISOString() ?? null),
    reason: state === 'entered' ? null : (stage.reason ?? null),
  };
}

/**
 * Inside the transaction that moves the document to `awaiting_approval`: writes the stages, makes the first
 * current and audits its entry (by whoever's action put it there). Returns the first stage.
 */
export async function enterStages(
  tx: Pick<Repositories, 'approvals' | 'audit'>,
  documentId: string,
  stages: readonly MatchedStage[],
  actor: { id: string; name: string },
  now: Date,
): Promise<ApprovalStageRecord> {
  const first = await tx.approvals.enter(documentId, stages, now);
  await auditEntry(tx, first, actor, now);
  return first;
}

/** The audit event of a stage becoming the current one. */
export async function auditEntry(
  tx: Pick<Repositories, 'audit'>,
  stage: ApprovalStageRecord,
  actor: { id: string; name: string },
  now: Date,
): Promise<void> {
  await tx.audit.append({
    documentId: stage.documentId,
    actor,
    action: 'stage_enter',
    field: stage.name,
    after: {
      position: stage.position,
      role: stage.role,
      slaDeadline: stage.slaDeadline?.toISOString() ?? null,
    },
    reason: stage.matched,
    at: now,
  });
}
