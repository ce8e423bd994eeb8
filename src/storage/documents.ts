// The documents repository: records, versioned results and the history of status changes.
import { randomBytes } from 'node:crypto';
import type { DocumentResult } from '../contract/result.ts';
import type { HistoryEntry } from '../rules/context.ts';
import type { Clock } from './clock.ts';
import type { Database, Queryable } from './database.ts';

export const DOCUMENT_STATUSES = [
  'received',
  'processing',
  'auto_approved',
  'needs_review',
  'approved',
  'rejected',
  'failed',
] as const;
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number];
/** Statuses a document stays in until a person acts (or forever). */
export const FINAL_STATUSES: readonly DocumentStatus[] = [
  'auto_approved',
  'needs_review',
  'approved',
  'rejected',
  'failed',
];

export interface DocumentRecord {
  id: string;
  sha256: string;
  fileName: string;
  mediaType: string;
  sizeBytes: number;
  source: string;
  externalRef: string | null;
  submittedBy: string | null;
  status: DocumentStatus;
  route: 'auto' | 'review' | null;
  errorCode: string | null;
  errorMessage: string | null;
  processingRound: number;
  documentType: string | null;
  vendorName: string | null;
  vendorTaxId: string | null;
  invoiceNumber: string | null;
  totalAmount: string | null;
  currency: string | null;
  receivedAt: Date;
  processedAt: Date | null;
  /** When its first reading was stored; kept when it is read again. */
  firstReadAt: Date | null;
  decidedAt: Date | null;
  updatedAt: Date;
}

export interface StatusEvent {
  fromStatus: DocumentStatus | null;
  toStatus: DocumentStatus;
  actor: string | null;
  reason: string | null;
  at: Date;
}

export interface NewDocument {
  sha256: string;
  fileName: string;
  mediaType: string;
  sizeBytes: number;
  source: string;
  externalRef?: string | null | undefined;
  submittedBy?: string | null | undefined;
}

/** `doc_` and 20 characters: sortable by creation time, then random. */
export function newDocumentId(now: Date): string {
  return `doc_${now.getTime().toString(36).padStart(9, '0')}${randomBytes(7).toString('hex').slice(0, 11)}`;
}

const COLUMNS = `id, sha256, file_name, media_type, size_bytes, source, external_ref, submitted_by, status, route,
  error_code, error_message, processing_round, document_type, vendor_name, vendor_tax_id, invoice_number,
  total_amount::text as total_amount, currency, received_at, processed_at, first_read_at, decided_at, updated_at`;

function toRecord(r: Record<string, unknown>): DocumentRecord {
  return {
    id: r.id as string,
    sha256: r.sha256 as string,
    fileName: r.file_name as string,
    mediaType: r.media_type as string,
    sizeBytes: Number(r.size_bytes),
    source: r.source as string,
    externalRef: (r.external_ref as string | null) ?? null,
    submittedBy: (r.submitted_by as string | null) ?? null,
    status: r.status as DocumentStatus,
    route: (r.route as 'auto' | 'review' | null) ?? null,
    errorCode: (r.error_code as string | null) ?? null,
    errorMessage: (r.error_message as string | null) ?? null,
    processingRound: Number(r.processing_round),
    documentType: (r.document_type as string | null) ?? null,
    vendorName: (r.vendor_name as string | null) ?? null,
    vendorTaxId: (r.vendor_tax_id as string | null) ?? null,
    invoiceNumber: (r.invoice_number as string | null) ?? null,
    totalAmount: (r.total_amount as string | null) ?? null,
    currency: (r.currency as string | null) ?? null,
    receivedAt: r.received_at as Date,
    processedAt: (r.processed_at as Date | null) ?? null,
    firstReadAt: (r.first_read_at as Date | null) ?? null,
    decidedAt: (r.decided_at as Date | null) ?? null,
    updatedAt: r.updated_at as Date,
  };
}

export interface ListFilter {
  status?: DocumentStatus[] | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  /** Matches the vendor's name (case-insensitive, part of it) or its tax ID. */
  vendor?: string | undefined;
  source?: string | undefined;
  submittedBy?: string | undefined;
  /** Documents received strictly before this one (id order), for cursor pagination, newest first. */
  before?: { receivedAt: Date; id: string } | undefined;
  limit: number;
}

export class DocumentsRepository {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  async create(doc: NewDocument, id = newDocumentId(this.clock.now())): Promise<DocumentRecord> {
    const now = this.clock.now();
    // The record and its first event in one statement: one round trip, and atomic like a transaction.
    const [row] = await this.db.query(
      `with doc as (
         insert into documents (id, sha256, file_name, media_type, size_bytes, source, external_ref, submitted_by,
           status, received_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, 'received', $9, $9) returning ${COLUMNS}
       ), event as (
         insert into document_events (document_id, from_status, to_status, actor, reason, at)
         select id, null, 'received', $8, null, $9 from doc
       )
       select * from doc`,
      [
        id,
        doc.sha256,
        doc.fileName,
        doc.mediaType,
        doc.sizeBytes,
        doc.source,
        doc.externalRef ?? null,
        doc.submittedBy ?? null,
        now,
      ],
    );
    return toRecord(row!);
  }

  async get(id: string): Promise<DocumentRecord | undefined> {
    const [row] = await this.db.query(`select ${COLUMNS} from documents where id = $1`, [id]);
    return row ? toRecord(row) : undefined;
  }

  async list(filter: ListFilter): Promise<DocumentRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    if (filter.status?.length) where.push(`status = any(${p(filter.status)}::text[])`);
    if (filter.from) where.push(`received_at >= ${p(filter.from)}`);
    if (filter.to) where.push(`received_at < ${p(filter.to)}`);
    if (filter.source) where.push(`source = ${p(filter.source)}`);
    if (filter.submittedBy) where.push(`submitted_by = ${p(filter.submittedBy)}`);
    if (filter.vendor) {
      const v = p(`%${filter.vendor.toLowerCase()}%`);
      const taxKey = p(`tax:${filter.vendor.replace(/[^0-9A-Za-z]/g, '').toUpperCase()}`);
      where.push(
        `(lower(vendor_name) like ${v} or vendor_key = ${taxKey} or vendor_tax_id = ${p(filter.vendor)})`,
      );
    }
    if (filter.before) {
      where.push(`(received_at, id) < (${p(filter.before.receivedAt)}, ${p(filter.before.id)})`);
    }
    const sql = `select ${COLUMNS} from documents ${where.length ? `where ${where.join(' and ')}` : ''}
      order by received_at desc, id desc limit ${p(filter.limit)}`;
    return (await this.db.query(sql, params)).map(toRecord);
  }

  async events(id: string): Promise<StatusEvent[]> {
    const rows = await this.db.query(
      'select from_status, to_status, actor, reason, at from document_events where document_id = $1 order by id',
      [id],
    );
    return rows.map((r) => ({
      fromStatus: (r.from_status as DocumentStatus | null) ?? null,
      toStatus: r.to_status as DocumentStatus,
      actor: (r.actor as string | null) ?? null,
      reason: (r.reason as string | null) ?? null,
      at: r.at as Date,
    }));
  }

  /**
   * Moves a document to `to` only when it is in one of `from` (and, when given, still in `round`);
   * records the change. Returns false when the document was not in such a state (someone else moved it).
   */
  async transition(
    id: string,
    from: readonly DocumentStatus[],
    to: DocumentStatus,
    options: {
      actor?: string | null;
      reason?: string | null;
      round?: number;
      set?: Record<string, unknown>;
      tx?: Queryable;
    } = {},
  ): Promise<boolean> {
    const now = this.clock.now();
    const params: unknown[] = [id, from, to, now, options.actor ?? null, options.reason ?? null];
    const sets = ['status = $3', 'updated_at = $4'];
    for (const [column, value] of Object.entries(options.set ?? {})) {
      if (!/^[a-z_]+$/.test(column)) throw new Error(`bad column ${column}`);
      params.push(value);
      sets.push(`${column} = $${params.length}`);
    }
    let roundCheck = '';
    if (options.round !== undefined) {
      params.push(options.round);
      roundCheck = ` and locked.processing_round = $${params.length}`;
    }
    // Lock the row, move it and write its event in one statement: one round trip instead of a
    // transaction of five, and just as atomic. The checks are on the locked row, which is the latest
    // version once the lock is granted (the statement's snapshot may hold an older one while another
    // transaction moves the document); the event's from_status is that row's status.
    const rows = await (options.tx ?? this.db).query(
      `with locked as (
         select id, status, processing_round from documents where id = $1 for update
       ), moved as (
         update documents d set ${sets.join(', ')} from locked
         where d.id = locked.id and locked.status = any($2::text[])${roundCheck}
         returning d.id, locked.status as from_status
       ), event as (
         insert into document_events (document_id, from_status, to_status, actor, reason, at)
         select id, from_status, $3, $5::text, $6::text, $4 from moved
       )
       select id from moved`,
      params,
    );
    return rows.length > 0;
  }

  /** Stores a new version of the document's result and copies the fields the lists filter on. */
  async saveResult(
    id: string,
    result: DocumentResult,
    kind: 'extraction' | 'correction' | 'reprocess',
    createdBy: string | null,
    keys: { vendorKey?: string | undefined; invoiceNumberKey?: string | undefined },
    tx?: Queryable,
  ): Promise<number> {
    const run = async (q: Queryable) => {
      const now = this.clock.now();
      const [v] = await q.query<{ version: number }>(
        `insert into document_results (document_id, version, kind, result, created_by, created_at)
         values ($1, coalesce((select max(version) from document_results where document_id = $1), 0) + 1,
           $2, $3, $4, $5)
         returning version`,
        [id, kind, JSON.stringify(result), createdBy, now],
      );
      const f = result.fields;
      await q.query(
        `update documents set document_type = $2, vendor_name = $3, vendor_tax_id = $4, vendor_key = $5,
           invoice_number = $6, invoice_number_key = $7, total_amount = $8, currency = $9, route = $10,
           updated_at = $11
         where id = $1`,
        [
          id,
          result.documentType,
          f.vendorName?.value ?? null,
          f.vendorTaxId?.value ?? null,
          keys.vendorKey ?? null,
          f.invoiceNumber?.value ?? null,
          keys.invoiceNumberKey ?? null,
          f.totalAmount?.value ?? null,
          f.currency?.value ?? null,
          result.route,
          now,
        ],
      );
      return v!.version;
    };
    return tx ? run(tx) : this.db.transaction(run);
  }

  async latestResult(id: string): Promise<{ version: number; result: DocumentResult } | undefined> {
    const [row] = await this.db.query<{ version: number; result: DocumentResult }>(
      'select version, result from document_results where document_id = $1 order by version desc limit 1',
      [id],
    );
    return row;
  }

  async firstResult(id: string): Promise<DocumentResult | undefined> {
    const [row] = await this.db.query<{ result: DocumentResult }>(
      'select result from document_results where document_id = $1 order by version limit 1',
      [id],
    );
    return row?.result;
  }

  /**
   * Documents that count as seen before `id` for duplicates: read and stored before it (in the order their
   * readings finished, which `lockDuplicateKeys` serialises), not failed or rejected, with the same bytes or
   * the same vendor and invoice number. Of two copies read at the same moment, exactly one is the duplicate.
   */
  async history(
    id: string,
    sha256: string,
    vendorKey?: string,
    invoiceNumberKey?: string,
    tx: Queryable = this.db,
    /** Only documents first read before this time: those read before this one, when it was read before. */
    readBefore?: Date | null,
  ): Promise<HistoryEntry[]> {
    const rows = await tx.query(
      `select d.id, d.file_name, d.sha256, d.vendor_key, d.invoice_number_key
       from documents d
       where d.id <> $1
         and d.status in ('auto_approved', 'needs_review', 'approved')
         and (d.sha256 = $2 or (d.vendor_key = $3 and d.invoice_number_key = $4))
         and ($5::timestamptz is null or (d.first_read_at, d.id) < ($5::timestamptz, $1))
       order by d.first_read_at, d.id`,
      // Absent keys are null, which matches nothing (a NUL byte, used before, is refused by PostgreSQL).
      [id, sha256, vendorKey ?? null, invoiceNumberKey ?? null, readBefore ?? null],
    );
    return rows.map((r) => ({
      id: r.id as string,
      file: r.file_name as string,
      sha256: r.sha256 as string,
      vendorKey: (r.vendor_key as string | null) ?? undefined,
      invoiceNumber: (r.invoice_number_key as string | null) ?? undefined,
    }));
  }

  /**
   * Inside a transaction: waits until no other reading with the same bytes or the same vendor and invoice
   * number is between its duplicate check and its commit, so two copies cannot miss each other.
   */
  async lockDuplicateKeys(tx: Queryable, sha256: string, vendorKey?: string, invoiceNumberKey?: string) {
    const keys = [`sha:${sha256}`];
    if (vendorKey && invoiceNumberKey) keys.push(`invoice:${vendorKey}|${invoiceNumberKey}`);
    // Always in the same order, so two readings never wait on each other's second lock.
    for (const key of keys.sort()) await tx.query('select pg_advisory_xact_lock(hashtext($1))', [key]);
  }

  /** Documents still `received` or `processing` whose last change is older than `olderThan`. */
  async unfinished(olderThan: Date, limit = 500): Promise<DocumentRecord[]> {
    const rows = await this.db.query(
      `select ${COLUMNS} from documents where status in ('received', 'processing') and updated_at < $1
       order by received_at limit $2`,
      [olderThan, limit],
    );
    return rows.map(toRecord);
  }
}
