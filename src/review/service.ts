// The review service: the queue, claims, corrections (validated, rules re-run), decisions and the audit trail.
import { type FieldName, fieldLabel, fieldSpec, REVIEWED_FIELDS } from '../contract/fields.ts';
import type { DocumentResult } from '../contract/result.ts';
import { invoiceNumberKey, vendorKeyOf } from '../rules/context.ts';
import { judge } from '../rules/judge.ts';
import type { AppContext } from '../server/context.ts';
import type { Principal } from '../services/keys.ts';
import { documentEventData } from '../services/processing.ts';
import type { Queryable } from '../storage/database.ts';
import type { DocumentRecord } from '../storage/documents.ts';
import { openReviewItem } from '../storage/review-items.ts';
import { type SlaState, slaStateOf } from './sla.ts';
import { localeOf, parseFieldValue } from './values.ts';

/** A refusal the API answers with its status and body (`{ error, message, …extra }`). */
export class ReviewError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export type ReviewContext = Pick<
  AppContext,
  'db' | 'documents' | 'webhooks' | 'queues' | 'clock' | 'rules' | 'config'
>;

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

const ITEM_COLUMNS = `r.document_id, r.reasons, r.priority, r.sla_deadline, r.total_amount::text as total_amount,
  r.vendor_name, r.assignee, r.assignee_name, r.claimed_until, r.created_at, r.decision,
  d.file_name, d.currency, d.vendor_name as doc_vendor_name, d.total_amount::text as doc_total_amount`;

type ItemRow = Record<string, unknown>;

const issuesOf = (r: DocumentResult) => r.validation.issues.map((i) => ({ ...i, field: i.field ?? null }));

const SLA_ORDER: Record<SlaState, number> = { overdue: 0, at_risk: 1, on_time: 2 };

export class ReviewService {
  constructor(private readonly ctx: ReviewContext) {}

  private now(): Date {
    return this.ctx.clock.now();
  }

  private toItem(r: ItemRow, now: Date): QueueItem {
    const deadline = r.sla_deadline as Date;
    const created = r.created_at as Date;
    const claimedUntil = r.claimed_until as Date | null;
    const held = r.assignee && claimedUntil && claimedUntil > now;
    return {
      documentId: r.document_id as string,
      fileName: r.file_name as string,
      vendorName: (r.doc_vendor_name as string | null) ?? (r.vendor_name as string | null) ?? null,
      totalAmount: (r.doc_total_amount as string | null) ?? (r.total_amount as string | null) ?? null,
      currency: (r.currency as string | null) ?? null,
      reasons: r.reasons as string[],
      priority: r.priority as number,
      slaDeadline: deadline.toISOString(),
      slaState: slaStateOf(deadline, created, now),
      ageSeconds: Math.max(0, Math.floor((now.getTime() - created.getTime()) / 1000)),
      assignee: held
        ? { id: r.assignee as string, name: (r.assignee_name as string | null) ?? (r.assignee as string) }
        : null,
      claimedUntil: held ? claimedUntil.toISOString() : null,
    };
  }

  /** Open items (no decision), filtered and sorted; SLA order: overdue first, then nearest deadline. */
  async list(filter: QueueFilter, principal: Principal): Promise<QueueItem[]> {
    const now = this.now();
    const where = ['r.decided_at is null', 'r.decision is null'];
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    if (filter.reason) where.push(`${p(filter.reason)} = any(r.reasons)`);
    if (filter.vendor)
      where.push(
        `lower(coalesce(d.vendor_name, r.vendor_name, '')) like ${p(`%${filter.vendor.toLowerCase()}%`)}`,
      );
    if (filter.minAgeHours !== undefined) {
      where.push(`r.created_at <= ${p(new Date(now.getTime() - filter.minAgeHours * 3_600_000))}`);
    }
    if (filter.assignee) {
      if (filter.assignee === 'none') where.push(`(r.assignee is null or r.claimed_until <= ${p(now)})`);
      else {
        const who = filter.assignee === 'me' ? principal.id : filter.assignee;
        where.push(`r.assignee = ${p(who)} and r.claimed_until > ${p(now)}`);
      }
    }
    const rows = await this.ctx.db.query(
      `select ${ITEM_COLUMNS} from review_items r join documents d on d.id = r.document_id
       where ${where.join(' and ')}`,
      params,
    );
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

  private async itemRow(documentId: string, q: Queryable = this.ctx.db, lock = false): Promise<ItemRow> {
    const [row] = await q.query(
      `select ${ITEM_COLUMNS} from review_items r join documents d on d.id = r.document_id
       where r.document_id = $1${lock ? ' for update of r' : ''}`,
      [documentId],
    );
    if (!row) throw new ReviewError(404, 'not_found', `No review item for document ${documentId}.`);
    return row;
  }

  /** The open item, or 409 when it was decided already. */
  private async openItemRow(documentId: string, q: Queryable, lock = false): Promise<ItemRow> {
    const row = await this.itemRow(documentId, q, lock);
    if (row.decision) {
      throw new ReviewError(
        409,
        'decided',
        `This item was closed already (${row.decision as string}); reopen the document to review it again.`,
      );
    }
    return row;
  }

  private claimUntil(now: Date): Date {
    return new Date(now.getTime() + this.ctx.config.CLAIM_TIMEOUT_MINUTES * 60_000);
  }

  private heldByOther(row: ItemRow, principal: Principal, now: Date): boolean {
    const until = row.claimed_until as Date | null;
    return !!row.assignee && row.assignee !== principal.id && !!until && until > now;
  }

  private claimedError(row: ItemRow): ReviewError {
    const holder = {
      id: row.assignee as string,
      name: (row.assignee_name as string | null) ?? (row.assignee as string),
    };
    return new ReviewError(
      409,
      'claimed',
      `Held by ${holder.name} until ${(row.claimed_until as Date).toISOString()}.`,
      { holder },
    );
  }

  /** Refuses unless `principal` holds the claim; renews it (any action of the holder does). */
  private async requireClaim(tx: Queryable, documentId: string, principal: Principal): Promise<ItemRow> {
    const now = this.now();
    const row = await this.openItemRow(documentId, tx, true);
    if (this.heldByOther(row, principal, now)) throw this.claimedError(row);
    const until = row.claimed_until as Date | null;
    if (row.assignee !== principal.id || !until || until <= now) {
      throw new ReviewError(409, 'not_claimed', 'Claim this item first (POST …/claim).');
    }
    await tx.query('update review_items set claimed_until = $2 where document_id = $1', [
      documentId,
      this.claimUntil(now),
    ]);
    return row;
  }

  private async audit(
    tx: Queryable,
    documentId: string,
    actor: Person,
    action: string,
    extra: { field?: string; before?: unknown; after?: unknown; reason?: string | null } = {},
  ): Promise<void> {
    await tx.query(
      `insert into audit_events (document_id, actor, actor_name, action, field, before, after, reason, at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        documentId,
        actor.id,
        actor.name,
        action,
        extra.field ?? null,
        extra.before === undefined ? null : JSON.stringify(extra.before),
        extra.after === undefined ? null : JSON.stringify(extra.after),
        extra.reason ?? null,
        this.now(),
      ],
    );
  }

  async claim(documentId: string, principal: Principal): Promise<{ assignee: Person; claimedUntil: string }> {
    return this.ctx.db.transaction(async (tx) => {
      const now = this.now();
      const row = await this.openItemRow(documentId, tx, true);
      if (this.heldByOther(row, principal, now)) throw this.claimedError(row);
      const until = this.claimUntil(now);
      await tx.query(
        'update review_items set assignee = $2, assignee_name = $3, claimed_until = $4 where document_id = $1',
        [documentId, principal.id, principal.name, until],
      );
      const renewing =
        row.assignee === principal.id &&
        (row.claimed_until as Date | null) &&
        (row.claimed_until as Date) > now;
      if (!renewing) await this.audit(tx, documentId, principal, 'claim');
      return { assignee: { id: principal.id, name: principal.name }, claimedUntil: until.toISOString() };
    });
  }

  async release(documentId: string, principal: Principal): Promise<void> {
    await this.ctx.db.transaction(async (tx) => {
      const now = this.now();
      const row = await this.openItemRow(documentId, tx, true);
      if (this.heldByOther(row, principal, now) && principal.role !== 'admin') throw this.claimedError(row);
      if (!row.assignee) return;
      await tx.query(
        'update review_items set assignee = null, assignee_name = null, claimed_until = null where document_id = $1',
        [documentId],
      );
      await this.audit(tx, documentId, principal, 'release', {
        before: { id: row.assignee, name: row.assignee_name },
      });
    });
  }

  async reassign(
    documentId: string,
    principal: Principal,
    to: string,
  ): Promise<{ assignee: Person; claimedUntil: string }> {
    const person = await this.personOf(to);
    if (!person) throw new ReviewError(404, 'unknown_principal', `No user or API key ${to}.`);
    return this.ctx.db.transaction(async (tx) => {
      const row = await this.openItemRow(documentId, tx, true);
      const until = this.claimUntil(this.now());
      await tx.query(
        'update review_items set assignee = $2, assignee_name = $3, claimed_until = $4 where document_id = $1',
        [documentId, person.id, person.name, until],
      );
      await this.audit(tx, documentId, principal, 'reassign', {
        before: row.assignee ? { id: row.assignee, name: row.assignee_name } : null,
        after: person,
      });
      return { assignee: person, claimedUntil: until.toISOString() };
    });
  }

  /** A user or an API key by id. */
  private async personOf(id: string): Promise<Person | undefined> {
    const [row] = await this.ctx.db.query<{ id: string; name: string }>(
      `select id, name from users where id = $1
       union all select id, name from api_keys where id = $1 and revoked_at is null`,
      [id],
    );
    return row;
  }

  private async documentOf(documentId: string): Promise<DocumentRecord> {
    const doc = await this.ctx.documents.get(documentId);
    if (!doc) throw new ReviewError(404, 'not_found', `No document ${documentId}.`);
    return doc;
  }

  private async latestOf(documentId: string): Promise<DocumentResult> {
    return (await this.latestVersionedOf(documentId)).result;
  }

  private async latestVersionedOf(documentId: string): Promise<{ version: number; result: DocumentResult }> {
    const latest = await this.ctx.documents.latestResult(documentId);
    if (!latest) throw new ReviewError(409, 'not_read', 'This document has not been read yet.');
    return latest;
  }

  /**
   * Inside the transaction, once the item's row is locked: the result the action was worked out on must
   * still be the latest, or a correction saved meanwhile (another tab) would be undone or approved unseen.
   */
  private async requireVersion(tx: Queryable, documentId: string, version: number): Promise<void> {
    const [row] = await tx.query<{ version: number }>(
      'select max(version)::int as version from document_results where document_id = $1',
      [documentId],
    );
    if (row?.version !== version) {
      throw new ReviewError(
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
      if (!(REVIEWED_FIELDS as readonly string[]).includes(name)) {
        throw new ReviewError(
          400,
          'unknown_field',
          `"${name}" is not a field (${REVIEWED_FIELDS.join(', ')}).`,
          {
            field: name,
          },
        );
      }
      const field = name as FieldName;
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
    const { ruleSet, context } = this.ctx.rules;
    const history = await this.ctx.documents.history(
      doc.id,
      doc.sha256,
      vendorKeyOf(draft),
      invoiceNumberKey(draft.fields.invoiceNumber?.value),
      undefined,
      // Judged as when it was first read: documents read after it do not make it a duplicate now.
      doc.firstReadAt,
    );
    const result = judge(draft, { ruleSet, context: { ...context, now: this.now(), history } });
    // The item keeps the deadline it was given when it was routed; re-running the rules must not move it.
    if (current.review && result.review) result.review.slaDeadline = current.review.slaDeadline;
    return { result, answers, changes };
  }

  async validate(documentId: string, input: Record<string, string | null>, principal?: Principal) {
    const doc = await this.documentOf(documentId);
    // Typing is an action: the holder's claim is renewed as they go.
    if (principal) {
      await this.ctx.db.query(
        'update review_items set claimed_until = $3 where document_id = $1 and assignee = $2 and claimed_until > $4 and decision is null',
        [documentId, principal.id, this.claimUntil(this.now()), this.now()],
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
    if (bad) throw new ReviewError(422, 'invalid_value', bad.error!, { field: bad.name });
    // Kept under the vendor as corrected (its true identity), so its next documents find them.
    const vendorKey = vendorKeyOf(result) ?? vendorKeyOf(current) ?? `doc:${documentId}`;
    await this.ctx.db.transaction(async (tx) => {
      await this.requireClaim(tx, documentId, principal);
      if (changes.length === 0) return;
      await this.requireVersion(tx, documentId, version);
      await this.ctx.documents.saveResult(
        documentId,
        result,
        'correction',
        principal.id,
        {
          vendorKey: vendorKeyOf(result),
          invoiceNumberKey: invoiceNumberKey(result.fields.invoiceNumber?.value),
        },
        tx,
      );
      await tx.query('update review_items set total_amount = $2, vendor_name = $3 where document_id = $1', [
        documentId,
        result.fields.totalAmount?.value ?? null,
        result.fields.vendorName?.value ?? null,
      ]);
      const now = this.now();
      for (const c of changes) {
        await this.audit(tx, documentId, principal, 'correct', {
          field: c.field,
          before: c.before,
          after: c.after,
        });
        await tx.query(
          `insert into vendor_corrections (vendor_key, document_id, field, read_value, corrected_value, actor, at)
           values ($1, $2, $3, $4, $5, $6, $7)`,
          [vendorKey, documentId, c.field, c.before, c.after, principal.id, now],
        );
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
      throw new ReviewError(
        409,
        'blocking_issues',
        override
          ? 'An override reason must say why in at least 10 characters.'
          : `${blocking.length} error${blocking.length > 1 ? 's' : ''} still stand${blocking.length > 1 ? '' : 's'}: correct ${blocking.length > 1 ? 'them' : 'it'} or approve with an overrideReason.`,
        { issues: blocking.map((i) => ({ ...i, field: i.field ?? null })) },
      );
    }
    const now = this.now();
    const data = await documentEventData(this.ctx.documents, { ...doc, status: 'approved' });
    const deliveries = await this.ctx.db.transaction(async (tx) => {
      await this.requireClaim(tx, documentId, principal);
      await this.requireVersion(tx, documentId, version);
      const moved = await this.ctx.documents.transition(documentId, ['needs_review'], 'approved', {
        actor: principal.id,
        reason: blocking.length ? `override: ${override}` : null,
        set: { decided_at: now },
        tx,
      });
      if (!moved)
        throw new ReviewError(409, 'wrong_status', `Only a document in needs_review can be approved.`);
      await this.closeItem(tx, documentId, 'approved', principal, now);
      if (blocking.length) {
        await this.audit(tx, documentId, principal, 'override', {
          before: blocking.map((i) => i.code),
          reason: override ?? null,
        });
      }
      await this.audit(tx, documentId, principal, 'approve', { reason: blocking.length ? override : null });
      return this.ctx.webhooks.record(tx, 'document.approved', documentId, {
        ...data,
        approvedBy: principal.name,
        ...(blocking.length ? { overrideReason: override } : {}),
      });
    });
    await this.ctx.webhooks.dispatch(deliveries);
    return { status: 'approved' as const };
  }

  async reject(documentId: string, principal: Principal, reason: string | undefined) {
    const why = reason?.trim();
    if (!why)
      throw new ReviewError(400, 'reason_required', 'A rejection needs a reason the sender can act on.');
    const doc = await this.documentOf(documentId);
    const now = this.now();
    const data = await documentEventData(this.ctx.documents, { ...doc, status: 'rejected' });
    const deliveries = await this.ctx.db.transaction(async (tx) => {
      await this.requireClaim(tx, documentId, principal);
      const moved = await this.ctx.documents.transition(documentId, ['needs_review'], 'rejected', {
        actor: principal.id,
        reason: why,
        set: { decided_at: now },
        tx,
      });
      if (!moved)
        throw new ReviewError(409, 'wrong_status', 'Only a document in needs_review can be rejected.');
      await this.closeItem(tx, documentId, 'rejected', principal, now);
      await this.audit(tx, documentId, principal, 'reject', { reason: why });
      return this.ctx.webhooks.record(tx, 'document.rejected', documentId, {
        ...data,
        rejectedBy: principal.name,
        reason: why,
      });
    });
    await this.ctx.webhooks.dispatch(deliveries);
    return { status: 'rejected' as const };
  }

  /** Sends the document back through the pipeline (a new round); the item closes with decision reprocess. */
  async reprocess(documentId: string, principal: Principal, reason?: string) {
    const doc = await this.documentOf(documentId);
    const round = doc.processingRound + 1;
    await this.ctx.db.transaction(async (tx) => {
      const now = this.now();
      const row = await this.openItemRow(documentId, tx, true);
      if (this.heldByOther(row, principal, now)) throw this.claimedError(row);
      const moved = await this.ctx.documents.transition(documentId, ['needs_review'], 'received', {
        actor: principal.id,
        reason: reason?.trim() || 'sent back to be read again',
        round: doc.processingRound,
        set: { processing_round: round, processed_at: null },
        tx,
      });
      if (!moved)
        throw new ReviewError(409, 'wrong_status', 'Only a document in needs_review can be reprocessed.');
      await this.closeItem(tx, documentId, 'reprocess', principal, now);
      await this.audit(tx, documentId, principal, 'reprocess', { reason: reason?.trim() || null });
    });
    // After commit: should Redis be down now, the recovery sweep finds the document `received` and enqueues it.
    await this.ctx.queues.add('process-document', { documentId, round }).catch(() => {});
    return { status: 'received' as const, processingRound: round };
  }

  /** Rework: an approved (or auto-approved) document goes back to needs_review with an open item. */
  async reopen(documentId: string, principal: Principal, reason: string | undefined) {
    const why = reason?.trim();
    if (!why) throw new ReviewError(400, 'reason_required', 'Reopening needs a reason.');
    const doc = await this.documentOf(documentId);
    const result = await this.latestOf(documentId);
    const now = this.now();
    const hours = this.ctx.rules.ruleSet.routing.defaultSlaHours;
    await this.ctx.db.transaction(async (tx) => {
      const moved = await this.ctx.documents.transition(
        documentId,
        ['approved', 'auto_approved'],
        'needs_review',
        {
          actor: principal.id,
          reason: why,
          set: { decided_at: null },
          tx,
        },
      );
      if (!moved) {
        throw new ReviewError(
          409,
          'wrong_status',
          `Only an approved document can be reopened; this one is ${doc.status}.`,
        );
      }
      const reasons = [...new Set(['reopened', ...(result.review?.reasons ?? [])])];
      await openReviewItem(tx, documentId, result, now, {
        reasons,
        priority: result.review?.priority ?? 50,
        slaDeadline: new Date(now.getTime() + hours * 3_600_000),
      });
      await this.audit(tx, documentId, principal, 'reopen', { reason: why });
    });
    return { status: 'needs_review' as const };
  }

  private async closeItem(
    tx: Queryable,
    documentId: string,
    decision: 'approved' | 'rejected' | 'reprocess',
    principal: Principal,
    now: Date,
  ): Promise<void> {
    await tx.query(
      `update review_items set decision = $2, decided_by = $3, decided_at = $4, claimed_until = null
       where document_id = $1`,
      [documentId, decision, principal.id, now],
    );
  }

  /** Every field a reviewer checks, read or not, in contract order, with its issues. */
  async detail(documentId: string) {
    const doc = await this.documentOf(documentId);
    const row = await this.itemRow(documentId);
    const result = await this.latestOf(documentId);
    const issues = result.validation.issues.map((i) => ({ ...i, field: i.field ?? null }));
    const fields = REVIEWED_FIELDS.map((name) => {
      const f = result.fields[name];
      const noBox = !f || f.bbox.every((n) => n === 0);
      return {
        name,
        label: fieldLabel(name),
        kind: fieldSpec(name).kind,
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
      item: this.toItem(row, this.now()),
      fields,
      issues,
      pages,
      lineItems: result.lineItems,
    };
  }

  async auditTrail(documentId: string): Promise<AuditEntry[]> {
    await this.documentOf(documentId);
    const rows = await this.ctx.db.query(
      'select id, at, actor, actor_name, action, field, before, after, reason from audit_events where document_id = $1 order by id',
      [documentId],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      at: (r.at as Date).toISOString(),
      actor: { id: r.actor as string, name: (r.actor_name as string | null) ?? (r.actor as string) },
      action: r.action as string,
      field: (r.field as string | null) ?? null,
      before: r.before ?? null,
      after: r.after ?? null,
      reason: (r.reason as string | null) ?? null,
    }));
  }
}
