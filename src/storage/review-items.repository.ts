// Review items: a document routed to review becomes a work item with its reasons, priority and SLA deadline;
// the queue is read here, and claims and decisions are written here.
import type { DocumentResult } from '../contract/result.ts';
import type { Queryable, Row } from './database.ts';
import { date, dateOrNull, num, str, strings, strOrNull } from './rows.ts';
import { type ScopeFilter, scopeCondition } from './scope.ts';

/** An item with the document fields the queue shows. */
export interface ReviewItemRecord {
  documentId: string;
  fileName: string;
  /** The document's current value (corrections included), else the one the item was opened with. */
  vendorName: string | null;
  totalAmount: string | null;
  currency: string | null;
  reasons: string[];
  priority: number;
  slaDeadline: Date;
  createdAt: Date;
  /** Who claimed it last; the claim holds only while `claimedUntil` is in the future. */
  assignee: string | null;
  assigneeName: string | null;
  claimedUntil: Date | null;
  decision: string | null;
}

/** What a document's detail shows of its item. */
export interface ReviewItemSummary {
  reasons: string[];
  priority: number;
  slaDeadline: Date;
  assignee: string | null;
  decision: string | null;
}

export interface ReviewPlan {
  reasons: string[];
  priority: number;
  slaDeadline: string | Date;
}

/** The queue's filters that SQL applies (the SLA state and the order are worked out from the items). */
export interface OpenItemsFilter {
  reason?: string | undefined;
  /** Part of the vendor's name, any case. */
  vendor?: string | undefined;
  /** Only items created at or before this time. */
  createdBefore?: Date | undefined;
  /** 'none': unclaimed or claim expired at `now`; otherwise held by this principal at `now`. */
  assignee?: { none: true; now: Date } | { id: string; now: Date } | undefined;
  /** Only the items of documents a scoped key or user may see. */
  scope?: ScopeFilter | undefined;
}

const ITEM_COLUMNS = `r.document_id, r.reasons, r.priority, r.sla_deadline, r.total_amount::text as total_amount,
  r.vendor_name, r.assignee, r.assignee_name, r.claimed_until, r.created_at, r.decision,
  d.file_name, d.currency, d.vendor_name as doc_vendor_name, d.total_amount::text as doc_total_amount`;

function toItem(r: Row): ReviewItemRecord {
  return {
    documentId: str(r, 'document_id'),
    fileName: str(r, 'file_name'),
    vendorName: strOrNull(r, 'doc_vendor_name') ?? strOrNull(r, 'vendor_name'),
    totalAmount: strOrNull(r, 'doc_total_amount') ?? strOrNull(r, 'total_amount'),
    currency: strOrNull(r, 'currency'),
    reasons: strings(r, 'reasons'),
    priority: num(r, 'priority'),
    slaDeadline: date(r, 'sla_deadline'),
    createdAt: date(r, 'created_at'),
    assignee: strOrNull(r, 'assignee'),
    assigneeName: strOrNull(r, 'assignee_name'),
    claimedUntil: dateOrNull(r, 'claimed_until'),
    decision: strOrNull(r, 'decision'),
  };
}

export class ReviewItemsRepository {
  constructor(private readonly db: Queryable) {}

  /**
   * Opens (or re-opens) the review item of a document: after a reading routed to review, with that reading's
   * plan, or on rework with the plan the caller gives. Any claim and decision of an earlier round are cleared.
   */
  async open(
    documentId: string,
    result: DocumentResult,
    at: Date,
    plan: ReviewPlan | undefined = result.review,
  ): Promise<void> {
    if (!plan) throw new Error('a review item needs a result routed to review');
    await this.db.query(
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

  /** Open items (no decision) matching the filter, in no particular order. */
  async listOpen(filter: OpenItemsFilter): Promise<ReviewItemRecord[]> {
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
    if (filter.createdBefore) where.push(`r.created_at <= ${p(filter.createdBefore)}`);
    const who = filter.assignee;
    if (who && 'none' in who) where.push(`(r.assignee is null or r.claimed_until <= ${p(who.now)})`);
    else if (who) where.push(`r.assignee = ${p(who.id)} and r.claimed_until > ${p(who.now)}`);
    if (filter.scope) where.push(scopeCondition(filter.scope, p, 'd.'));
    const rows = await this.db.query(
      `select ${ITEM_COLUMNS} from review_items r join documents d on d.id = r.document_id
       where ${where.join(' and ')}`,
      params,
    );
    return rows.map(toItem);
  }

  /** The item of a document, decided or not; `lock` takes its row for the rest of the transaction. */
  async get(documentId: string, options: { lock?: boolean } = {}): Promise<ReviewItemRecord | undefined> {
    const [row] = await this.db.query(
      `select ${ITEM_COLUMNS} from review_items r join documents d on d.id = r.document_id
       where r.document_id = $1${options.lock ? ' for update of r' : ''}`,
      [documentId],
    );
    return row && toItem(row);
  }

  async summaryOf(documentId: string): Promise<ReviewItemSummary | undefined> {
    const [row] = await this.db.query(
      'select reasons, priority, sla_deadline, assignee, decision from review_items where document_id = $1',
      [documentId],
    );
    return (
      row && {
        reasons: strings(row, 'reasons'),
        priority: num(row, 'priority'),
        slaDeadline: date(row, 'sla_deadline'),
        assignee: strOrNull(row, 'assignee'),
        decision: strOrNull(row, 'decision'),
      }
    );
  }

  async assign(documentId: string, to: { id: string; name: string }, until: Date): Promise<void> {
    await this.db.query(
      'update review_items set assignee = $2, assignee_name = $3, claimed_until = $4 where document_id = $1',
      [documentId, to.id, to.name, until],
    );
  }

  async unassign(documentId: string): Promise<void> {
    await this.db.query(
      'update review_items set assignee = null, assignee_name = null, claimed_until = null where document_id = $1',
      [documentId],
    );
  }

  async extendClaim(documentId: string, until: Date): Promise<void> {
    await this.db.query('update review_items set claimed_until = $2 where document_id = $1', [
      documentId,
      until,
    ]);
  }

  /** Renews the claim only when `assignee` holds it at `now` on an open item; nothing otherwise. */
  async extendClaimIfHeld(documentId: string, assignee: string, until: Date, now: Date): Promise<void> {
    await this.db.query(
      'update review_items set claimed_until = $3 where document_id = $1 and assignee = $2 and claimed_until > $4 and decision is null',
      [documentId, assignee, until, now],
    );
  }

  /** Keeps the queue's copy of the amount and vendor in step with a correction. */
  async updateFromResult(documentId: string, result: DocumentResult): Promise<void> {
    await this.db.query(
      'update review_items set total_amount = $2, vendor_name = $3 where document_id = $1',
      [documentId, result.fields.totalAmount?.value ?? null, result.fields.vendorName?.value ?? null],
    );
  }

  async close(
    documentId: string,
    decision: 'approved' | 'rejected' | 'reprocess' | 'superseded',
    decidedBy: string,
    at: Date,
  ): Promise<void> {
    await this.db.query(
      `update review_items set decision = $2, decided_by = $3, decided_at = $4, claimed_until = null
       where document_id = $1`,
      [documentId, decision, decidedBy, at],
    );
  }
}
