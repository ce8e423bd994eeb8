// Approval stages after review: the approvers' queue, a stage approved or rejected, and who may do it. The
// rules file's chain says which stages a document passes and who may approve each (a role, or named people,
// or their delegates while they are away); segregation of duties says who may not, whatever their role:
// nobody approves their own upload, whoever corrected a document cannot give its final approval, and a
// stage marked `distinct` needs someone who approved none of the document's earlier steps.
import { fieldLabel, REVIEWED_FIELDS } from '../contract/fields.ts';
import { auditEntry, stageEvent } from '../services/approval-chain.ts';
import { AppError } from '../services/errors.ts';
import { type Principal, roleAllows, scopeOf } from '../services/keys.ts';
import { documentEventData } from '../services/processing.ts';
import type { ApprovalStageRecord } from '../storage/approvals.repository.ts';
import type { DocumentRecord } from '../storage/documents.repository.ts';
import type { Repositories } from '../storage/repositories.ts';
import type { Role } from '../storage/roles.ts';
import type { UserRecord } from '../storage/users.repository.ts';
import { audit, documentOf, latestOf, type Person, type ReviewDeps } from './items.ts';
import { type SlaState, slaStateOf } from './sla.ts';

export interface StageView {
  name: string;
  position: number;
  of: number;
  role: Role;
  /** Why the stage applies to this document. */
  matched: string;
  slaHours: number;
  enteredAt: string | null;
  slaDeadline: string | null;
  slaState: SlaState | null;
  decision: 'approved' | 'rejected' | null;
  decidedBy: Person | null;
  onBehalfOf: Person | null;
  decidedAt: string | null;
  reason: string | null;
}

export interface ApprovalQueueItem {
  documentId: string;
  fileName: string;
  vendorName: string | null;
  totalAmount: string | null;
  currency: string | null;
  stage: StageView;
  /** Set when the caller may approve only as someone's delegate: that person. */
  actingFor: Person | null;
}

/** Who may act on a stage: the caller in their own right, or as the delegate of someone away. */
interface Authority {
  onBehalfOf?: Person | undefined;
}

type Tx = Pick<Repositories, 'approvals' | 'audit' | 'users' | 'documents' | 'webhooks'>;

/**
 * The people away who may be acted for on this document: a delegate acts within the scope of the person they
 * stand in for, never beyond it (an approver limited to a business unit lends no authority over the others).
 */
async function delegatorsSeeing(
  repos: Pick<Repositories, 'documents'>,
  delegators: readonly UserRecord[],
  documentId: string,
): Promise<UserRecord[]> {
  const out: UserRecord[] = [];
  for (const u of delegators) {
    if (!u.scope || (await repos.documents.visible(documentId, { scope: u.scope, principalId: u.id })))
      out.push(u);
  }
  return out;
}

function stageView(s: ApprovalStageRecord, of: number, now: Date): StageView {
  const open = s.decision === null && s.enteredAt && s.slaDeadline;
  return {
    name: s.name,
    position: s.position,
    of,
    role: s.role,
    matched: s.matched,
    slaHours: s.slaHours,
    enteredAt: s.enteredAt?.toISOString() ?? null,
    slaDeadline: s.slaDeadline?.toISOString() ?? null,
    slaState: open && s.slaDeadline && s.enteredAt ? slaStateOf(s.slaDeadline, s.enteredAt, now) : null,
    decision: s.decision,
    decidedBy: s.decidedBy,
    onBehalfOf: s.onBehalfOf,
    decidedAt: s.decidedAt?.toISOString() ?? null,
    reason: s.reason,
  };
}

const listed = (stage: ApprovalStageRecord, who: { id: string; email?: string | undefined }) =>
  !stage.approvers ||
  stage.approvers.some(
    (a) => a === who.id || (who.email !== undefined && a.toLowerCase() === who.email.toLowerCase()),
  );

export class ApprovalService {
  constructor(private readonly deps: ReviewDeps) {}

  /** Stages waiting now that the caller may act on, in their own right or for someone away; soonest deadline first. */
  async queue(principal: Principal): Promise<ApprovalQueueItem[]> {
    const now = this.deps.clock.now();
    const waiting = await this.deps.repos.approvals.waiting(scopeOf(principal));
    const me = await this.deps.repos.users.findById(principal.id);
    const delegators = await this.deps.repos.users.delegatorsOf(principal.id, now);
    const out: ApprovalQueueItem[] = [];
    for (const w of waiting) {
      const authority = this.authorityOf(
        w,
        principal,
        me,
        await delegatorsSeeing(this.deps.repos, delegators, w.documentId),
      );
      if (!authority) continue;
      out.push({
        documentId: w.documentId,
        fileName: w.fileName,
        vendorName: w.vendorName,
        totalAmount: w.totalAmount,
        currency: w.currency,
        stage: stageView(w, w.of, now),
        actingFor: authority.onBehalfOf ?? null,
      });
    }
    return out;
  }

  /** A document's chain (its latest round), with the fields an approver reads and the page images. */
  async detail(documentId: string, principal: Principal) {
    const now = this.deps.clock.now();
    const doc = await documentOf(this.deps, documentId);
    const chain = await this.deps.repos.approvals.chain(documentId);
    if (chain.length === 0) {
      throw new AppError(404, 'not_found', `Document ${documentId} has no approval stages.`);
    }
    const result = await latestOf(this.deps, documentId);
    const current = doc.status === 'awaiting_approval' ? chain.find((s) => s.decision === null) : undefined;
    let actingFor: Person | null = null;
    let refusal: string | null = null;
    if (current) {
      const me = await this.deps.repos.users.findById(principal.id);
      const authority = this.authorityOf(
        current,
        principal,
        me,
        await delegatorsSeeing(
          this.deps.repos,
          await this.deps.repos.users.delegatorsOf(principal.id, now),
          documentId,
        ),
      );
      actingFor = authority?.onBehalfOf ?? null;
      // Said before the approver tries: the page shows it beside the buttons.
      refusal = authority
        ? ((await this.segregation(this.deps.repos, doc, current, chain.length, principal, authority))
            ?.message ?? null)
        : this.notAnApprover(current, principal).message;
    }
    return {
      document: doc,
      stages: chain.map((s) => stageView(s, chain.length, now)),
      current: current ? stageView(current, chain.length, now) : null,
      actingFor,
      refusal,
      fields: REVIEWED_FIELDS.map((name) => ({
        name,
        label: fieldLabel(name),
        value: result.fields[name]?.value ?? null,
      })).filter((f) => f.value !== null),
      pages: Array.from({ length: result.pages }, (_, i) => ({
        number: i + 1,
        url: `/v1/documents/${documentId}/pages/${i + 1}`,
        source: result.pageSizes?.[i]?.source,
      }))
        .filter((p) => p.source !== 'xml')
        .map(({ source: _s, ...p }) => p),
      lineItems: result.lineItems,
    };
  }

  async approve(documentId: string, principal: Principal, comment?: string) {
    const doc = await documentOf(this.deps, documentId);
    const now = this.deps.clock.now();
    const why = comment?.trim() || null;
    const data = await documentEventData(this.deps.repos.documents, doc);
    const outcome = await this.deps.transaction(async (tx) => {
      const { stage, of } = await this.currentStage(tx, doc);
      const authority = await this.authority(tx, stage, principal, now);
      const refused = await this.segregation(tx, doc, stage, of, principal, authority);
      if (refused) throw refused;
      const decision = {
        decision: 'approved' as const,
        by: { id: principal.id, name: principal.name },
        onBehalfOf: authority.onBehalfOf,
        reason: why,
        at: now,
      };
      const { decided, next } = await tx.approvals.decide(stage, decision);
      if (!decided)
        throw new AppError(409, 'decided', `The ${stage.name} stage was decided meanwhile: reload.`);
      await audit(this.deps, tx, documentId, principal, 'stage_approve', {
        field: stage.name,
        reason: why,
        onBehalfOf: authority.onBehalfOf,
      });
      const done = {
        ...stage,
        decision: 'approved' as const,
        decidedBy: decision.by,
        onBehalfOf: authority.onBehalfOf ?? null,
        decidedAt: now,
        reason: why,
      };
      const events: { event: 'document.approval_stage' | 'document.approved'; data: unknown }[] = [
        { event: 'document.approval_stage', data: { ...data, stage: stageEvent(done, of, 'approved') } },
      ];
      if (next) {
        await auditEntry(tx, next, principal, now);
        events.push({
          event: 'document.approval_stage',
          data: { ...data, stage: stageEvent(next, of, 'entered') },
        });
      } else {
        const moved = await tx.documents.transition(documentId, ['awaiting_approval'], 'approved', {
          actor: principal.id,
          reason: `${stage.name} approved`,
          set: { decidedAt: now },
        });
        if (!moved) throw new AppError(409, 'wrong_status', 'This document is no longer awaiting approval.');
        const approved = { ...data, document: { ...data.document, status: 'approved' } };
        events.push({
          event: 'document.approved',
          data: {
            ...approved,
            approvedBy: principal.name,
            ...(authority.onBehalfOf ? { onBehalfOf: authority.onBehalfOf.name } : {}),
          },
        });
      }
      const deliveries = await this.deps.webhooks.recordAll(tx.webhooks, documentId, events);
      return { deliveries, next, of };
    });
    await this.deps.webhooks.dispatch(outcome.deliveries);
    return {
      status: outcome.next ? ('awaiting_approval' as const) : ('approved' as const),
      next: outcome.next ? stageView(outcome.next, outcome.of, now) : null,
    };
  }

  async reject(documentId: string, principal: Principal, reason: string | undefined) {
    const why = reason?.trim();
    if (!why) throw new AppError(400, 'reason_required', 'A rejection needs a reason the sender can act on.');
    const doc = await documentOf(this.deps, documentId);
    const now = this.deps.clock.now();
    const data = await documentEventData(this.deps.repos.documents, { ...doc, status: 'rejected' });
    const deliveries = await this.deps.transaction(async (tx) => {
      const { stage, of } = await this.currentStage(tx, doc);
      // An admin may reject at any stage, so that a document whose named approvers left (or are away with no
      // delegate) is never stuck waiting; the reason is in the audit as for any rejection.
      const authority =
        principal.role === 'admin' && !scopeOf(principal)
          ? await this.authority(tx, stage, principal, now).catch(() => ({}) as Authority)
          : await this.authority(tx, stage, principal, now);
      const by = { id: principal.id, name: principal.name };
      const { decided } = await tx.approvals.decide(stage, {
        decision: 'rejected',
        by,
        onBehalfOf: authority.onBehalfOf,
        reason: why,
        at: now,
      });
      if (!decided)
        throw new AppError(409, 'decided', `The ${stage.name} stage was decided meanwhile: reload.`);
      const moved = await tx.documents.transition(documentId, ['awaiting_approval'], 'rejected', {
        actor: principal.id,
        reason: why,
        set: { decidedAt: now },
      });
      if (!moved) throw new AppError(409, 'wrong_status', 'This document is no longer awaiting approval.');
      await audit(this.deps, tx, documentId, principal, 'stage_reject', {
        field: stage.name,
        reason: why,
        onBehalfOf: authority.onBehalfOf,
      });
      const done = {
        ...stage,
        decision: 'rejected' as const,
        decidedBy: by,
        onBehalfOf: authority.onBehalfOf ?? null,
        decidedAt: now,
        reason: why,
      };
      return this.deps.webhooks.recordAll(tx.webhooks, documentId, [
        { event: 'document.approval_stage', data: { ...data, stage: stageEvent(done, of, 'rejected') } },
        { event: 'document.rejected', data: { ...data, rejectedBy: principal.name, reason: why } },
      ]);
    });
    await this.deps.webhooks.dispatch(deliveries);
    return { status: 'rejected' as const };
  }

  /** A signed-in user away until `until` (null: back), with a delegate (a user's id or email, or a key id). */
  async setAway(userId: string, input: { until: string | null; delegate: string | null }) {
    const now = this.deps.clock.now();
    const user = await this.deps.repos.users.findById(userId);
    if (!user)
      throw new AppError(404, 'not_a_user', 'Only people who sign in can be marked away; an API key cannot.');
    if (input.until === null) {
      await this.deps.repos.users.setAway(user.id, null, null);
      return { awayUntil: null, delegate: null };
    }
    const until = new Date(input.until);
    if (Number.isNaN(until.getTime()) || until <= now) {
      throw new AppError(400, 'bad_request', 'Away until must be a time in the future.');
    }
    if (!input.delegate)
      throw new AppError(400, 'delegate_required', 'Name who approves for you while you are away.');
    const delegateUser = await this.deps.repos.users.findByIdOrEmail(input.delegate);
    const delegate = delegateUser
      ? { id: delegateUser.id, name: delegateUser.name }
      : await this.deps.repos.users.person(input.delegate);
    if (!delegate || delegateUser?.disabledAt) {
      throw new AppError(404, 'unknown_principal', `No user or API key ${input.delegate}.`);
    }
    if (delegate.id === user.id) throw new AppError(400, 'bad_request', 'You cannot be your own delegate.');
    await this.deps.repos.users.setAway(user.id, until, delegate.id);
    return { awayUntil: until.toISOString(), delegate };
  }

  /** A user's id from their id or email, or 404. */
  async userId(idOrEmail: string): Promise<string> {
    const user = await this.deps.repos.users.findByIdOrEmail(idOrEmail);
    if (!user) throw new AppError(404, 'unknown_principal', `No user ${idOrEmail}.`);
    return user.id;
  }

  async away(userId: string) {
    const user = await this.deps.repos.users.findById(userId);
    if (!user) return { awayUntil: null, delegate: null };
    const now = this.deps.clock.now();
    if (!user.awayUntil || user.awayUntil <= now || !user.delegateId)
      return { awayUntil: null, delegate: null };
    const delegate = (await this.deps.repos.users.person(user.delegateId)) ?? {
      id: user.delegateId,
      name: user.delegateId,
    };
    return { awayUntil: user.awayUntil.toISOString(), delegate };
  }

  /** The stage the document waits at, locked, and how many stages its chain has; 409 when it waits at none. */
  private async currentStage(tx: Tx, doc: DocumentRecord) {
    const stage = await tx.approvals.current(doc.id, { lock: true });
    const status = (await tx.documents.get(doc.id))?.status ?? doc.status;
    if (!stage || status !== 'awaiting_approval') {
      throw new AppError(409, 'wrong_status', `This document is not awaiting approval; it is ${status}.`);
    }
    return { stage, of: (await tx.approvals.chain(doc.id)).length };
  }

  private async authority(
    tx: Tx,
    stage: ApprovalStageRecord,
    principal: Principal,
    now: Date,
  ): Promise<Authority> {
    const me = await tx.users.findById(principal.id);
    const delegators = await delegatorsSeeing(
      tx,
      await tx.users.delegatorsOf(principal.id, now),
      stage.documentId,
    );
    const found = this.authorityOf(stage, principal, me, delegators);
    if (!found) throw this.notAnApprover(stage, principal);
    return found;
  }

  /** In their own right when their role and the stage's list allow; else for the first person away who named them. */
  private authorityOf(
    stage: ApprovalStageRecord,
    principal: Principal,
    me: UserRecord | undefined,
    delegators: readonly UserRecord[],
  ): Authority | undefined {
    if (roleAllows(principal.role, stage.role) && listed(stage, { id: principal.id, email: me?.email }))
      return {};
    const away = delegators.find((u) => roleAllows(u.role, stage.role) && listed(stage, u));
    return away ? { onBehalfOf: { id: away.id, name: away.name } } : undefined;
  }

  private notAnApprover(stage: ApprovalStageRecord, principal: Principal): AppError {
    const who = stage.approvers ? 'one of its named approvers' : `the ${stage.role} role`;
    return new AppError(
      403,
      'not_an_approver',
      `The ${stage.name} stage needs ${who} (or their delegate while they are away); ${principal.name} has the ${principal.role} role.`,
    );
  }

  /** The refusal segregation of duties gives the caller (and the person they act for), or undefined. */
  private async segregation(
    tx: Pick<Repositories, 'audit' | 'approvals'>,
    doc: DocumentRecord,
    stage: ApprovalStageRecord,
    of: number,
    principal: Principal,
    authority: Authority,
  ): Promise<AppError | undefined> {
    const people: Person[] = [{ id: principal.id, name: principal.name }];
    if (authority.onBehalfOf) people.push(authority.onBehalfOf);
    const trail = await tx.audit.trail(doc.id);
    const chain = await tx.approvals.chain(doc.id);
    // The review approval that sent the document into this round, and the stages approved since.
    const reviewApproval = trail.filter((e) => e.action === 'approve').at(-1);
    const earlier = [
      ...(reviewApproval ? [reviewApproval.actor] : []),
      ...chain
        .filter((s) => s.position < stage.position && s.decision === 'approved')
        .flatMap((s) => [s.decidedBy?.id, s.onBehalfOf?.id]),
    ];
    for (const p of people) {
      const you = p.id === principal.id ? 'You' : p.name;
      if (doc.submittedBy === p.id) {
        return new AppError(
          403,
          'own_upload',
          `${you} uploaded this document: nobody approves their own upload.`,
        );
      }
      const corrected = [
        ...new Set(trail.filter((e) => e.action === 'correct' && e.actor === p.id).map((e) => e.field)),
      ];
      if (stage.position === of && corrected.length > 0) {
        const what = [...new Set(corrected.map(labelOf))].join(', ');
        return new AppError(
          403,
          'corrected_by_you',
          `${you} corrected this document (${what}): its final approval must come from someone who did not correct it.`,
        );
      }
      if (stage.distinct && earlier.includes(p.id)) {
        return new AppError(
          403,
          'approved_earlier_step',
          `${you} approved an earlier step of this document: the ${stage.name} stage needs someone else.`,
        );
      }
    }
    return undefined;
  }
}

const FIELD_LABELS: Record<string, string> = Object.fromEntries(
  REVIEWED_FIELDS.map((f) => [f, fieldLabel(f)]),
);
/** A corrected field as a person says it: "total amount", "line items". */
const labelOf = (field: string | null) =>
  !field ? 'a field' : field.startsWith('lineItems') ? 'line items' : (FIELD_LABELS[field] ?? field);
