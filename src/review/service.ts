// The review service: the queue, claims, corrections (validated, rules re-run), decisions and the audit trail.
import { type DocumentResult, FIELD_NAMES, type FieldName } from '../contract/result.ts';
import { fieldLabel } from '../pipeline/route.ts';
import { invoiceNumberKey, vendorKeyOf } from '../rules/context.ts';
import { applyEvaluation, evaluate } from '../rules/engine.ts';
import { AppError } from '../services/errors.ts';
import type { EnqueueReading } from '../services/jobs.ts';
import type { Principal } from '../services/keys.ts';
import { documentEventData, type RulesConfig } from '../services/processing.ts';
import type { WebhookService } from '../services/webhooks.ts';
import type { Clock } from '../storage/clock.ts';
import type { DocumentRecord } from '../storage/documents.repository.ts';
import type { Repositories, Transaction } from '../storage/repositories.ts';
import type { ReviewItemRecord } from '../storage/review-items.repository.ts';
import { type SlaState, slaStateOf } from './sla.ts';
import { localeOf, parseFieldValue } from './values.ts';

export interface ReviewDeps {
  repos: Pick<Repositories, 'documents' | 'reviewItems' | 'users' | 'audit'>;
  transaction: Transaction;
  webhooks: Pick<WebhookService, 'record' | 'dispatch'>;
  clock: Clock;
  rules: () => RulesConfig;
  /** How long a claim holds without an action of its holder. */
  claimMinutes: number;
  /** Queues a document's next reading. */
  enqueueReading: EnqueueReading;
}

export interface Person {
  id: string;
  name: string;
}

export interface QueueItem {
  documentId: string;
  fileName: string;
  vendorName: string | null;
  totalAmount: string | null;
  currency: string | null;
  reasons: string[];
  priority: number;
  slaDeadline: string;
  slaState: SlaState;
  ageSeconds: number;
  assignee: Person | null;
  claimedUntil: string | null;
}

export interface QueueFilter {
  reason?: string | undefined;
  vendor?: string | undefined;
  sla?: SlaState | undefined;
  assignee?: string | undefined;
  minAgeHours?: number | undefined;
  sort?: 'sla' | 'priority' | 'amount' | undefined;
}

export interface FieldAnswer {
  name: string;
  value: string | null;
  error?: string;
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: Person;
  action: string;
  field: string | null;
  before: unknown;
  after: unknown;
  reason: string | null;
}

const issuesOf = (r: DocumentResult) => r.validation.issues.map((i) => ({ ...i, field: i.field ?? null }));

const SLA_ORDER: Record<SlaState, number> = { overdue: 0, at_risk: 1, on_time: 2 };

export class ReviewService {
  constructor(private readonly deps: ReviewDeps) {}

  private now(): Date {
    return this.deps.clock.now();
  }

  private toItem(r: ReviewItemRecord, now: Date): QueueItem {
    const held = r.assignee !== null && r.claimedUntil !== null && r.claimedUntil > now;
    return {
      documentId: r.documentId,
      fileName: r.fileName,
      vendorName: r.vendorName,
      totalAmount: r.totalAmount,
      currency: r.currency,
      reasons: r.reasons,
      priority: r.priority,
      slaDeadline: r.slaDeadline.toISOString(),
      slaState: slaStateOf(r.slaDeadline, r.createdAt, now),
      ageSeconds: Math.max(0, Math.floor((now.getTime() - r.createdAt.getTime()) / 1000)),
      assignee: held && r.assignee ? { id: r.assignee, name: r.assigneeName ?? r.assignee } : null,
      claimedUntil: held && r.claimedUntil ? r.claimedUntil.toISOString() : null,
    };
  }

  /** Open items (no decision), filtered and sorted; SLA order: overdue first, then nearest deadline. */
  async list(filter: QueueFilter, principal: Principal): Promise<QueueItem[]> {
    const now = this.now();
    const rows = await this.deps.repos.reviewItems.listOpen({
      reason: filter.reason,
      vendor: filter.vendor,
      createdBefore:
        filter.minAgeHours === undefined
          ? undefined
          : new Date(now.getTime() - filter.minAgeHours * 3_600_000),
      assignee: !filter.assignee
        ? undefined
        : filter.assignee === 'none'
          ? { none: true, now }
          : { id: filter.assignee === 'me' ? principal.id : filter.assignee, now },
    });
    let items = rows.map((r) => this.toItem(r, now));
    if (filter.sla) items = items.filter((i) => i.slaState === filter.sla);
    const sort = filter.sort ?? 'sla';
    items.sort((a, b) => {
      if (sort === 'priority' && a.priority !== b.priority) return b.priority - a.priority;
      if (sort === 'amount') {
        const diff = Number(b.totalAmount ?? -1) - Number(a.totalAmount ?? -1);
        if (diff !== 0) return diff;
      }
      if (sort === 'sla' && a.slaState !== b.slaState) {
        if (a.slaState === 'overdue' || b.slaState === 'overdue')
          return SLA_ORDER[a.slaState] - SLA_ORDER[b.slaState];
      }
      return a.slaDeadline.localeCompare(b.slaDeadline) || a.documentId.localeCompare(b.documentId);
    });
    return items;
  }

  private async itemOf(
    documentId: string,
    items = this.deps.repos.reviewItems,
    lock = false,
  ): Promise<ReviewItemRecord> {
    const item = await items.get(documentId, { lock });
    if (!item) throw new AppError(404, 'not_found', `No review item for document ${documentId}.`);
    return item;
  }

  /** The open item, or 409 when it was decided already. */
  private async openItemOf(tx: Repositories, documentId: string, lock = false): Promise<ReviewItemRecord> {
    const item = await this.itemOf(documentId, tx.reviewItems, lock);
    if (item.decision) {
      throw new AppError(
        409,
        'decided',
        `This item was closed already (${item.decision}); reopen the document to review it again.`,
      );
    }
    return item;
  }

  private claimUntil(now: Date): Date {
    return new Date(now.getTime() + this.deps.claimMinutes * 60_000);
  }

  private heldByOther(item: ReviewItemRecord, principal: Principal, now: Date): boolean {
    const until = item.claimedUntil;
    return !!item.assignee && item.assignee !== principal.id && !!until && until > now;
  }

  private claimedError(item: ReviewItemRecord): AppError {
    const id = item.assignee ?? '';
    const holder = { id, name: item.assigneeName ?? id };
    return new AppError(409, 'claimed', `Held by ${holder.name} until ${item.claimedUntil?.toISOString()}.`, {
      holder,
    });
  }

  /** Refuses unless `principal` holds the claim; renews it (any action of the holder does). */
  private async requireClaim(tx: Repositories, documentId: string, principal: Principal): Promise<void> {
    const now = this.now();
    const item = await this.openItemOf(tx, documentId, true);
    if (this.heldByOther(item, principal, now)) throw this.claimedError(item);
    const until = item.claimedUntil;
    if (item.assignee !== principal.id || !until || until <= now) {
      throw new AppError(409, 'not_claimed', 'Claim this item first (POST …/claim).');
    }
    await tx.reviewItems.extendClaim(documentId, this.claimUntil(now));
  }

  private async audit(
    tx: Repositories,
    documentId: string,
    actor: Person,
    action: string,
    extra: { field?: string; before?: unknown; after?: unknown; reason?: string | null | undefined } = {},
  ): Promise<void> {
    await tx.audit.append({ documentId, actor, action, ...extra, at: this.now() });
  }

  async claim(documentId: string, principal: Principal): Promise<{ assignee: Person; claimedUntil: string }> {
    return this.deps.transaction(async (tx) => {
      const now = this.now();
      const item = await this.openItemOf(tx, documentId, true);
      if (this.heldByOther(item, principal, now)) throw this.claimedError(item);
      const until = this.claimUntil(now);
      await tx.reviewItems.assign(documentId, principal, until);
      const renewing =
        item.assignee === principal.id && item.claimedUntil !== null && item.claimedUntil > now;
      if (!renewing) await this.audit(tx, documentId, principal, 'claim');
      return { assignee: { id: principal.id, name: principal.name }, claimedUntil: until.toISOString() };
    });
  }

  async release(documentId: string, principal: Principal): Promise<void> {
    await this.deps.transaction(async (tx) => {
      const now = this.now();
      const item = await this.openItemOf(tx, documentId, true);
      if (this.heldByOther(item, principal, now) && principal.role !== 'admin') throw this.claimedError(item);
      if (!item.assignee) return;
      await tx.reviewItems.unassign(documentId);
      await this.audit(tx, documentId, principal, 'release', {
        before: { id: item.assignee, name: item.assigneeName },
      });
    });
  }

  async reassign(
    documentId: string,
    principal: Principal,
    to: string,
  ): Promise<{ assignee: Person; claimedUntil: string }> {
    const person = await this.deps.repos.users.person(to);
    if (!person) throw new AppError(404, 'unknown_principal', `No user or API key ${to}.`);
    return this.deps.transaction(async (tx) => {
      const item = await this.openItemOf(tx, documentId, true);
      const until = this.claimUntil(this.now());
      await tx.reviewItems.assign(documentId, person, until);
      await this.audit(tx, documentId, principal, 'reassign', {
        before: item.assignee ? { id: item.assignee, name: item.assigneeName } : null,
        after: person,
      });
      return { assignee: person, claimedUntil: until.toISOString() };
    });
  }

  private async documentOf(documentId: string): Promise<DocumentRecord> {
    const doc = await this.deps.repos.documents.get(documentId);
    if (!doc) throw new AppError(404, 'not_found', `No document ${documentId}.`);
    return doc;
  }

  private async latestOf(documentId: string): Promise<DocumentResult> {
    return (await this.latestVersionedOf(documentId)).result;
  }

  private async latestVersionedOf(documentId: string): Promise<{ version: number; result: DocumentResult }> {
    const latest = await this.deps.repos.documents.latestResult(documentId);
    if (!latest) throw new AppError(409, 'not_read', 'This document has not been read yet.');
    return latest;
  }

  /**
   * Inside the transaction, once the item's row is locked: the result the action was worked out on must
   * still be the latest, or a correction saved meanwhile (another tab) would be undone or approved unseen.
   */
  private async requireVersion(tx: Repositories, documentId: string, version: number): Promise<void> {
    if ((await tx.documents.latestVersion(documentId)) !== version) {
      throw new AppError(
        409,
        'stale_result',
        'The document changed while you were working on it (a correction was saved elsewhere): reload it and try again.',
      );
    }
  }

  /** The result with the reviewer's values put in and the rules re-run; nothing stored. */
  private async corrected(
    doc: DocumentRecord,
    current: DocumentResult,
    input: Record<string, string | null>,
  ): Promise<{
    result: DocumentResult;
    answers: FieldAnswer[];
    changes: { field: FieldName; before: string | null; after: string | null }[];
  }> {
    const locale = localeOf(current);
    const fields = { ...current.fields };
    const answers: FieldAnswer[] = [];
    const changes: { field: FieldName; before: string | null; after: string | null }[] = [];
    for (const [name, raw] of Object.entries(input)) {
      if (!isFieldName(name)) {
        throw new AppError(400, 'unknown_field', `"${name}" is not a field (${FIELD_NAMES.join(', ')}).`, {
          field: name,
        });
      }
      const field = name;
      const parsed = parseFieldValue(field, raw, locale);
      if ('error' in parsed) {
        answers.push({ name, value: raw, error: parsed.error });
        continue;
      }
      answers.push({ name, value: parsed.value });
      const before = current.fields[field]?.value ?? null;
      if (before === parsed.value) continue;
      changes.push({ field, before, after: parsed.value });
      const old = current.fields[field];
      // A value a person typed is certain; its place on the page stays where it was read ([0,0,0,0]: nowhere).
      fields[field] =
        parsed.value === null
          ? null
          : { value: parsed.value, confidence: 1, page: old?.page ?? 1, bbox: old?.bbox ?? [0, 0, 0, 0] };
    }
    const draft: DocumentResult = { ...current, fields };
    const { ruleSet, context } = this.deps.rules();
    const history = await this.deps.repos.documents.history(
      doc.id,
      doc.sha256,
      vendorKeyOf(draft),
      invoiceNumberKey(draft.fields.invoiceNumber?.value),
      // Judged as when it was first read: documents read after it do not make it a duplicate now.
      doc.firstReadAt,
    );
    const evaluation = evaluate(draft, ruleSet, { ...context, now: this.now(), history });
    const result = applyEvaluation(draft, evaluation);
    // The item keeps the deadline it was given when it was routed; re-running the rules must not move it.
    if (current.review && result.review) result.review.slaDeadline = current.review.slaDeadline;
    return { result, answers, changes };
  }

  async validate(documentId: string, input: Record<string, string | null>, principal?: Principal) {
    const doc = await this.documentOf(documentId);
    // Typing is an action: the holder's claim is renewed as they go.
    if (principal) {
      await this.deps.repos.reviewItems.extendClaimIfHeld(
        documentId,
        principal.id,
        this.claimUntil(this.now()),
        this.now(),
      );
    }
    const { result, answers } = await this.corrected(doc, await this.latestOf(documentId), input);
    return { fields: answers, issues: issuesOf(result), route: result.route };
  }

  async correct(documentId: string, principal: Principal, input: Record<string, string | null>) {
    const doc = await this.documentOf(documentId);
    const { version, result: current } = await this.latestVersionedOf(documentId);
    const { result, answers, changes } = await this.corrected(doc, current, input);
    const bad = answers.find((a) => a.error);
    if (bad?.error) throw new AppError(422, 'invalid_value', bad.error, { field: bad.name });
    // Kept under the vendor as corrected (its true identity), so its next documents find them.
    const vendorKey = vendorKeyOf(result) ?? vendorKeyOf(current) ?? `doc:${documentId}`;
    await this.deps.transaction(async (tx) => {
      await this.requireClaim(tx, documentId, principal);
      if (changes.length === 0) return;
      await this.requireVersion(tx, documentId, version);
      await tx.documents.saveResult(documentId, result, 'correction', principal.id, {
        vendorKey: vendorKeyOf(result),
        invoiceNumberKey: invoiceNumberKey(result.fields.invoiceNumber?.value),
      });
      await tx.reviewItems.updateFromResult(documentId, result);
      const now = this.now();
      for (const c of changes) {
        await this.audit(tx, documentId, principal, 'correct', {
          field: c.field,
          before: c.before,
          after: c.after,
        });
        await tx.vendorCorrections.add({
          vendorKey,
          documentId,
          field: c.field,
          readValue: c.before,
          correctedValue: c.after,
          actor: principal.id,
          at: now,
        });
      }
    });
    return { fields: answers, issues: issuesOf(result), route: result.route };
  }

  async approve(documentId: string, principal: Principal, overrideReason?: string) {
    const doc = await this.documentOf(documentId);
    const { version, result } = await this.latestVersionedOf(documentId);
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
    const now = this.now();
    const data = await documentEventData(this.deps.repos.documents, { ...doc, status: 'approved' });
    const deliveries = await this.deps.transaction(async (tx) => {
      await this.requireClaim(tx, documentId, principal);
      await this.requireVersion(tx, documentId, version);
      const moved = await tx.documents.transition(documentId, ['needs_review'], 'approved', {
        actor: principal.id,
        reason: blocking.length ? `override: ${override}` : null,
        set: { decidedAt: now },
      });
      if (!moved) throw new AppError(409, 'wrong_status', `Only a document in needs_review can be approved.`);
      await tx.reviewItems.close(documentId, 'approved', principal.id, now);
      if (blocking.length) {
        await this.audit(tx, documentId, principal, 'override', {
          before: blocking.map((i) => i.code),
          reason: override ?? null,
        });
      }
      await this.audit(tx, documentId, principal, 'approve', { reason: blocking.length ? override : null });
      return this.deps.webhooks.record(tx.webhooks, 'document.approved', documentId, {
        ...data,
        approvedBy: principal.name,
        ...(blocking.length ? { overrideReason: override } : {}),
      });
    });
    await this.deps.webhooks.dispatch(deliveries);
    return { status: 'approved' as const };
  }

  async reject(documentId: string, principal: Principal, reason: string | undefined) {
    const why = reason?.trim();
    if (!why) throw new AppError(400, 'reason_required', 'A rejection needs a reason the sender can act on.');
    const doc = await this.documentOf(documentId);
    const now = this.now();
    const data = await documentEventData(this.deps.repos.documents, { ...doc, status: 'rejected' });
    const deliveries = await this.deps.transaction(async (tx) => {
      await this.requireClaim(tx, documentId, principal);
      const moved = await tx.documents.transition(documentId, ['needs_review'], 'rejected', {
        actor: principal.id,
        reason: why,
        set: { decidedAt: now },
      });
      if (!moved) throw new AppError(409, 'wrong_status', 'Only a document in needs_review can be rejected.');
      await tx.reviewItems.close(documentId, 'rejected', principal.id, now);
      await this.audit(tx, documentId, principal, 'reject', { reason: why });
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
    const doc = await this.documentOf(documentId);
    const round = doc.processingRound + 1;
    await this.deps.transaction(async (tx) => {
      const now = this.now();
      const item = await this.openItemOf(tx, documentId, true);
      if (this.heldByOther(item, principal, now)) throw this.claimedError(item);
      const moved = await tx.documents.transition(documentId, ['needs_review'], 'received', {
        actor: principal.id,
        reason: reason?.trim() || 'sent back to be read again',
        round: doc.processingRound,
        set: { processingRound: round, processedAt: null },
      });
      if (!moved)
        throw new AppError(409, 'wrong_status', 'Only a document in needs_review can be reprocessed.');
      await tx.reviewItems.close(documentId, 'reprocess', principal.id, now);
      await this.audit(tx, documentId, principal, 'reprocess', { reason: reason?.trim() || null });
    });
    // After commit: should Redis be down now, the recovery sweep finds the document `received` and enqueues it.
    await this.deps.enqueueReading({ documentId, round }).catch(() => {});
    return { status: 'received' as const, processingRound: round };
  }

  /** Rework: an approved (or auto-approved) document goes back to needs_review with an open item. */
  async reopen(documentId: string, principal: Principal, reason: string | undefined) {
    const why = reason?.trim();
    if (!why) throw new AppError(400, 'reason_required', 'Reopening needs a reason.');
    const doc = await this.documentOf(documentId);
    const result = await this.latestOf(documentId);
    const now = this.now();
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
      await this.audit(tx, documentId, principal, 'reopen', { reason: why });
    });
    return { status: 'needs_review' as const };
  }

  /** Every field of the contract, read or not, in FIELD_NAMES order, with its issues. */
  async detail(documentId: string) {
    const doc = await this.documentOf(documentId);
    const item = await this.itemOf(documentId);
    const result = await this.latestOf(documentId);
    const issues = result.validation.issues.map((i) => ({ ...i, field: i.field ?? null }));
    const fields = FIELD_NAMES.map((name) => {
      const f = result.fields[name];
      const noBox = !f || f.bbox.every((n) => n === 0);
      return {
        name,
        label: fieldLabel(name),
        value: f?.value ?? null,
        confidence: f?.confidence ?? null,
        page: f?.page ?? null,
        bbox: noBox ? null : f.bbox,
        issues: issues
          .filter((i) => i.field === name)
          .map((i) => ({ code: i.code, severity: i.severity, message: i.message })),
      };
    });
    const pages = Array.from({ length: result.pages }, (_, i) => {
      const size = result.pageSizes?.[i];
      return {
        number: i + 1,
        url: `/v1/documents/${documentId}/pages/${i + 1}`,
        width: size?.width ?? null,
        height: size?.height ?? null,
      };
    });
    return {
      doc,
      item: this.toItem(item, this.now()),
      fields,
      issues,
      pages,
      lineItems: result.lineItems,
    };
  }

  async auditTrail(documentId: string): Promise<AuditEntry[]> {
    await this.documentOf(documentId);
    const events = await this.deps.repos.audit.trail(documentId);
    return events.map((e) => ({
      id: e.id,
      at: e.at.toISOString(),
      actor: { id: e.actor, name: e.actorName ?? e.actor },
      action: e.action,
      field: e.field,
      before: e.before,
      after: e.after,
      reason: e.reason,
    }));
  }
}

const FIELD_NAME_SET: ReadonlySet<string> = new Set(FIELD_NAMES);
const isFieldName = (name: string): name is FieldName => FIELD_NAME_SET.has(name);
