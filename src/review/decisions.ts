// Decisions on an item: approve (over an error only with a reason), reject with a reason, send back to be
// read again, or reopen an approved document as rework. Each moves the document, closes or opens its item,
// is audited and, where the ERP listens, writes its webhook deliveries in the same transaction.
import { approvalStagesFor } from '../rules/approval.ts';
import { vendorKeyOf } from '../rules/context.ts';
import { approvalFactsOf, enterStages, stageEvent } from '../services/approval-chain.ts';
import { AppError } from '../services/errors.ts';
import type { Principal } from '../services/keys.ts';
import { documentEventData } from '../services/processing.ts';
import {
  audit,
  claimedError,
  documentOf,
  heldByOther,
  latestOf,
  latestVersionedOf,
  openItemOf,
  type ReviewDeps,
  requireClaim,
  requireVersion,
} from './items.ts';

export class DecisionService {
  constructor(private readonly deps: ReviewDeps) {}

  async approve(documentId: string, principal: Principal, overrideReason?: string) {
    const doc = await documentOf(this.deps, documentId);
    const { version, result } = await latestVersionedOf(this.deps, documentId);
    const blocking = result.validation.issues.filter((i) => i.severity === 'error');
    const override = overrideReason?.trim();
    if (blocking.length > 0 && (!override || override.length < 10)) {
      throw new AppError(
        409,
        'blocking_issues',
        override
          ? 'An override reason must say why in at least 10 characters.'
          : `${blocking.length} error${blocking.length > 1 ? 's' : ''} still stand${blocking.length > 1 ? '' : 's'}: correct ${blocking.length > 1 ? 'them' : 'it'} or approve with an overrideReason.`,
        { issues: blocking.map((i) => ({ ...i, field: i.field ?? null })) },
      );
    }
    const now = this.deps.clock.now();
    // The chain's stages that apply, judged on the result being approved and the reasons it was reviewed for.
    const reviewed = await this.deps.repos.reviewItems.get(documentId);
    const stages = approvalStagesFor(
      this.deps.rules().ruleSet.approval,
      approvalFactsOf(result, doc, reviewed?.reasons ?? []),
    );
    const status = stages.length ? ('awaiting_approval' as const) : ('approved' as const);
    const data = await documentEventData(this.deps.repos.documents, { ...doc, status });
    const deliveries = await this.deps.transaction(async (tx) => {
      await requireClaim(this.deps, tx, documentId, principal);
      await requireVersion(tx, documentId, version);
      const moved = await tx.documents.transition(documentId, ['needs_review'], status, {
        actor: principal.id,
        reason: blocking.length ? `override: ${override}` : null,
        set: stages.length ? {} : { decidedAt: now },
      });
      if (!moved) throw new AppError(409, 'wrong_status', `Only a document in needs_review can be approved.`);
      await tx.reviewItems.close(documentId, 'approved', principal.id, now);
      if (blocking.length) {
        await audit(this.deps, tx, documentId, principal, 'override', {
          before: blocking.map((i) => i.code),
          reason: override ?? null,
        });
      }
      await audit(this.deps, tx, documentId, principal, 'approve', {
        reason: blocking.length ? override : null,
      });
      // An approval confirms every field it shows. One over blocking errors confirms nothing.
      if (!blocking.length) {
        await this.deps.memory?.learn(tx, {
          documentId,
          fields: result.fields,
          corrected: [],
          vendorKey: vendorKeyOf(result),
          reviewer: principal,
          how: 'approval',
        });
      }
      if (stages.length) {
        const first = await enterStages(tx, documentId, stages, principal, now);
        return this.deps.webhooks.record(tx.webhooks, 'document.approval_stage', documentId, {
          ...data,
          reviewedBy: principal.name,
          stage: stageEvent(first, stages.length, 'entered'),
        });
      }
      return this.deps.webhooks.record(tx.webhooks, 'document.approved', documentId, {
        ...data,
        approvedBy: principal.name,
        ...(blocking.length ? { overrideReason: override } : {}),
      });
    });
    await this.deps.webhooks.dispatch(deliveries);
    return { status };
  }

  async reject(documentId: string, principal: Principal, reason: string | undefined) {
    const why = reason?.trim();
    if (!why) throw new AppError(400, 'reason_required', 'A rejection needs a reason the sender can act on.');
    const doc = await documentOf(this.deps, documentId);
    const now = this.deps.clock.now();
    const data = await documentEventData(this.deps.repos.documents, { ...doc, status: 'rejected' });
    const deliveries = await this.deps.transaction(async (tx) => {
      await requireClaim(this.deps, tx, documentId, principal);
      const moved = await tx.documents.transition(documentId, ['needs_review'], 'rejected', {
        actor: principal.id,
        reason: why,
        set: { decidedAt: now },
      });
      if (!moved) throw new AppError(409, 'wrong_status', 'Only a document in needs_review can be rejected.');
      await tx.reviewItems.close(documentId, 'rejected', principal.id, now);
      await audit(this.deps, tx, documentId, principal, 'reject', { reason: why });
      return this.deps.webhooks.record(tx.webhooks, 'document.rejected', documentId, {
        ...data,
        rejectedBy: principal.name,
        reason: why,
      });
    });
    await this.deps.webhooks.dispatch(deliveries);
    return { status: 'rejected' as const };
  }

  /** Sends the document back through the pipeline (a new round); the item closes with decision reprocess. */
  async reprocess(documentId: string, principal: Principal, reason?: string) {
    const doc = await documentOf(this.deps, documentId);
    const round = doc.processingRound + 1;
    await this.deps.transaction(async (tx) => {
      const now = this.deps.clock.now();
      const item = await openItemOf(tx, documentId, true);
      if (heldByOther(item, principal, now)) throw claimedError(item);
      const moved = await tx.documents.transition(documentId, ['needs_review'], 'received', {
        actor: principal.id,
        reason: reason?.trim() || 'sent back to be read again',
        round: doc.processingRound,
        set: { processingRound: round, processedAt: null },
      });
      if (!moved)
        throw new AppError(409, 'wrong_status', 'Only a document in needs_review can be reprocessed.');
      await tx.reviewItems.close(documentId, 'reprocess', principal.id, now);
      await audit(this.deps, tx, documentId, principal, 'reprocess', { reason: reason?.trim() || null });
    });
    // After commit: should Redis be down now, the recovery sweep finds the document `received` and enqueues it.
    await this.deps.enqueueReading({ documentId, round }).catch(() => {});
    return { status: 'received' as const, processingRound: round };
  }

  /** Rework: an approved (or auto-approved) document goes back to needs_review with an open item. */
  async reopen(documentId: string, principal: Principal, reason: string | undefined) {
    const why = reason?.trim();
    if (!why) throw new AppError(400, 'reason_required', 'Reopening needs a reason.');
    const doc = await documentOf(this.deps, documentId);
    const result = await latestOf(this.deps, documentId);
    const now = this.deps.clock.now();
    const hours = this.deps.rules().ruleSet.routing.defaultSlaHours;
    await this.deps.transaction(async (tx) => {
      const moved = await tx.documents.transition(documentId, ['approved', 'auto_approved'], 'needs_review', {
        actor: principal.id,
        reason: why,
        set: { decidedAt: null },
      });
      if (!moved) {
        throw new AppError(
          409,
          'wrong_status',
          `Only an approved document can be reopened; this one is ${doc.status}.`,
        );
      }
      const reasons = [...new Set(['reopened', ...(result.review?.reasons ?? [])])];
      await tx.reviewItems.open(documentId, result, now, {
        reasons,
        priority: result.review?.priority ?? 50,
        slaDeadline: new Date(now.getTime() + hours * 3_600_000),
      });
      await audit(this.deps, tx, documentId, principal, 'reopen', { reason: why });
    });
    return { status: 'needs_review' as const };
  }
}
