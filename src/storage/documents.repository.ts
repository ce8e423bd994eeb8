// The documents repository: records, versioned results and the history of status changes.
import { randomBytes } from 'node:crypto';
import { Origin } from '../contract/origin.ts';
import type { DocumentResult } from '../contract/result.ts';
import type { HistoryEntry } from '../rules/context.ts';
import type { Clock } from './clock.ts';
import { isDatabase, type Queryable, type Row } from './database.ts';
import { date, dateOrNull, num, numOrNull, oneOf, oneOfOrNull, stored, str, strOrNull } from './rows.ts';
import { type ScopeFilter, scopeCondition } from './scope.ts';

export const DOCUMENT_STATUSES = [
  'received',
  'processing',
  'auto_approved',
  'needs_review',
  'awaiting_approval',
  'approved',
  'rejected',
  'failed',
  'split',
  /** A part of a split file replaced by a reviewer's new cut: kept, never exported. */
  'superseded',
] as const;
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number];
/** Statuses a document stays in until a person acts (or forever). */
export const FINAL_STATUSES: readonly DocumentStatus[] = [
  'auto_approved',
  'needs_review',
  'awaiting_approval',
  'approved',
  'rejected',
  'failed',
  'split',
  'superseded',
];

export interface DocumentRecord {
  id: string;
  sha256: string;
  fileName: string;
  mediaType: string;
  sizeBytes: number;
  source: string;
  /** The channel and its details (mailbox, sender, folder…); `{ channel: source }` when none were recorded. */
  origin: Origin;
  externalRef: string | null;
  submittedBy: string | null;
  businessUnit: string | null;
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
  /** A part of a split file: the file's document and the part's pages in it. */
  parentId: string | null;
  pageFirst: number | null;
  pageLast: number | null;
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
  origin?: Origin | undefined;
  externalRef?: string | null | undefined;
  submittedBy?: string | null | undefined;
  businessUnit?: string | null | undefined;
}

/** `doc_` and 20 characters: sortable by creation time, then random. */
export function newDocumentId(now: Date): string {
  return `doc_${now.getTime().toString(36).padStart(9, '0')}${randomBytes(7).toString('hex').slice(0, 11)}`;
}

const COLUMNS = `id, sha256, file_name, media_type, size_bytes, source, origin, external_ref, submitted_by, business_unit,
  status, route,
  error_code, error_message, processing_round, document_type, vendor_name, vendor_tax_id, invoice_number,
  total_amount::text as total_amount, currency, received_at, processed_at, first_read_at, decided_at, updated_at,
  parent_id, page_first, page_last`;

const ROUTES = ['auto', 'review'] as const;

function originOf(r: Row): Origin {
  const parsed = r.origin == null ? undefined : Origin.safeParse(r.origin);
  return parsed?.success ? parsed.data : { channel: str(r, 'source') };
}

function toRecord(r: Row): DocumentRecord {
  return {
    id: str(r, 'id'),
    sha256: str(r, 'sha256'),
    fileName: str(r, 'file_name'),
    mediaType: str(r, 'media_type'),
    sizeBytes: num(r, 'size_bytes'),
    source: str(r, 'source'),
    origin: originOf(r),
    externalRef: strOrNull(r, 'external_ref'),
    submittedBy: strOrNull(r, 'submitted_by'),
    businessUnit: strOrNull(r, 'business_unit'),
    status: oneOf(r, 'status', DOCUMENT_STATUSES),
    route: oneOfOrNull(r, 'route', ROUTES),
    errorCode: strOrNull(r, 'error_code'),
    errorMessage: strOrNull(r, 'error_message'),
    processingRound: num(r, 'processing_round'),
    documentType: strOrNull(r, 'document_type'),
    vendorName: strOrNull(r, 'vendor_name'),
    vendorTaxId: strOrNull(r, 'vendor_tax_id'),
    invoiceNumber: strOrNull(r, 'invoice_number'),
    totalAmount: strOrNull(r, 'total_amount'),
    currency: strOrNull(r, 'currency'),
    receivedAt: date(r, 'received_at'),
    processedAt: dateOrNull(r, 'processed_at'),
    firstReadAt: dateOrNull(r, 'first_read_at'),
    decidedAt: dateOrNull(r, 'decided_at'),
    updatedAt: date(r, 'updated_at'),
    parentId: strOrNull(r, 'parent_id'),
    pageFirst: numOrNull(r, 'page_first'),
    pageLast: numOrNull(r, 'page_last'),
  };
}

/** Columns a status change may set along with the status. */
export interface TransitionChanges {
  processingRound?: number;
  processedAt?: Date | null;
  firstReadAt?: Date;
  decidedAt?: Date | null;
  errorCode?: string | null;
  errorMessage?: string | null;
}

const CHANGE_COLUMNS = [
  ['processingRound', 'processing_round'],
  ['processedAt', 'processed_at'],
  ['firstReadAt', 'first_read_at'],
  ['decidedAt', 'decided_at'],
  ['errorCode', 'error_code'],
  ['errorMessage', 'error_message'],
] as const;

/** One row of an export: the document and its latest result (corrections included). */
export interface ExportRow {
  id: string;
  externalRef: string | null;
  status: DocumentStatus;
  fileName: string;
  origin: Origin;
  /** When it was decided, else processed, else received. */
  decidedAt: Date;
  version: number | null;
  result: DocumentResult | null;
}

export interface ExportFilter {
  statuses: readonly DocumentStatus[];
  from?: Date | undefined;
  to?: Date | undefined;
  limit: number;
  /** Only the documents a scoped key or user may see. */
  scope?: ScopeFilter | undefined;
}

export interface ListFilter {
  status?: DocumentStatus[] | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  /** Matches the vendor's name (case-insensitive, part of it) or its tax ID. */
  vendor?: string | undefined;
  source?: string | undefined;
  submittedBy?: string | undefined;
  businessUnit?: string | undefined;
  /** Only the documents a scoped key or user may see. */
  scope?: ScopeFilter | undefined;
  /** Documents received strictly before this one (id order), for cursor pagination, newest first. */
  before?: { receivedAt: Date; id: string } | undefined;
  limit: number;
}

/**
 * Bound to the database or to one transaction (see repositories.ts); the methods that must run inside a
 * transaction say so.
 */
export class DocumentsRepository {
  constructor(
    private readonly db: Queryable,
    private readonly clock: Clock,
  ) {}

  async create(doc: NewDocument, id = newDocumentId(this.clock.now())): Promise<DocumentRecord> {
    const now = this.clock.now();
    // The record and its first event in one statement: one round trip, and atomic like a transaction.
    const [row] = await this.db.query(
      `with doc as (
         insert into documents (id, sha256, file_name, media_type, size_bytes, source, external_ref, submitted_by,
           business_unit, origin, status, received_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $10, $11, 'received', $9, $9) returning ${COLUMNS}
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
        doc.businessUnit ?? null,
        doc.origin ? JSON.stringify(doc.origin) : null,
      ],
    );
    if (!row) throw new Error('the insert returned no row');
    return toRecord(row);
  }

  /**
   * The document already made from these bytes at this origin (the same message's attachment, the same
   * dropped file), if any: a channel that re-reads its input after a crash takes nothing twice.
   */
  async findByOrigin(sha256: string, origin: Record<string, string>): Promise<DocumentRecord | undefined> {
    const [row] = await this.db.query(
      `select ${COLUMNS} from documents where sha256 = $1 and origin @> $2::jsonb order by received_at limit 1`,
      [sha256, JSON.stringify(origin)],
    );
    return row ? toRecord(row) : undefined;
  }

  /** A part of a split file, made while the file's reading is stored: same bytes, owner and unit, its own pages.
   * Made `processing` (its reading is done) with the event that says where it came from. */
  async createPart(
    parent: DocumentRecord,
    id: string,
    pages: { first: number; last: number },
    /** `received` for a part a reviewer's cut made: it is queued to be read. */
    status: 'processing' | 'received' = 'processing',
  ): Promise<DocumentRecord> {
    const now = this.clock.now();
    const [row] = await this.db.query(
      `with doc as (
         insert into documents (id, sha256, file_name, media_type, size_bytes, source, external_ref, submitted_by,
           business_unit, status, received_at, updated_at, parent_id, page_first, page_last)
         select $1, sha256, file_name, media_type, size_bytes, source, external_ref, submitted_by, business_unit,
           $7, received_at, $2, id, $3, $4 from documents where id = $5
         returning ${COLUMNS}
       ), event as (
         insert into document_events (document_id, from_status, to_status, actor, reason, at)
         select id, null, $7, 'worker', $6, $2 from doc
       )
       select * from doc`,
      [
        id,
        now,
        pages.first,
        pages.last,
        parent.id,
        `cut from ${parent.id}, pages ${pages.first}–${pages.last}`,
        status,
      ],
    );
    if (!row) throw new Error('the insert returned no row');
    return toRecord(row);
  }

  /** The parts a split file was cut into, in page order. */
  async parts(parentId: string): Promise<DocumentRecord[]> {
    const rows = await this.db.query(
      `select ${COLUMNS} from documents where parent_id = $1 order by page_first`,
      [parentId],
    );
    return rows.map(toRecord);
  }

  /** A document; with a scope, only when it is in that scope. */
  async get(id: string, scope?: ScopeFilter): Promise<DocumentRecord | undefined> {
    const params: unknown[] = [id];
    const inScope = scope ? ` and ${scopeCondition(scope, (v) => `$${params.push(v)}`)}` : '';
    const [row] = await this.db.query(`select ${COLUMNS} from documents where id = $1${inScope}`, params);
    return row ? toRecord(row) : undefined;
  }

  /** True when the document exists and is in the scope. */
  async visible(id: string, scope: ScopeFilter): Promise<boolean> {
    const params: unknown[] = [id];
    const rows = await this.db.query(
      `select 1 from documents where id = $1 and ${scopeCondition(scope, (v) => `$${params.push(v)}`)}`,
      params,
    );
    return rows.length > 0;
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
    if (filter.businessUnit) where.push(`business_unit = ${p(filter.businessUnit)}`);
    if (filter.scope) where.push(scopeCondition(filter.scope, p));
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
      fromStatus: oneOfOrNull(r, 'from_status', DOCUMENT_STATUSES),
      toStatus: oneOf(r, 'to_status', DOCUMENT_STATUSES),
      actor: strOrNull(r, 'actor'),
      reason: strOrNull(r, 'reason'),
      at: date(r, 'at'),
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
      set?: TransitionChanges;
    } = {},
  ): Promise<boolean> {
    const now = this.clock.now();
    const params: unknown[] = [id, from, to, now, options.actor ?? null, options.reason ?? null];
    const sets = ['status = $3', 'updated_at = $4'];
    const changes = options.set ?? {};
    for (const [key, column] of CHANGE_COLUMNS) {
      if (!Object.hasOwn(changes, key)) continue;
      params.push(changes[key] ?? null);
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
    const rows = await this.db.query(
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
  ): Promise<number> {
    const run = async (q: Queryable) => {
      const now = this.clock.now();
      const [v] = await q.query(
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
      if (!v) throw new Error('the insert returned no row');
      return num(v, 'version');
    };
    // Two statements: in the caller's transaction when bound to one, else in one of their own.
    return isDatabase(this.db) ? this.db.transaction(run) : run(this.db);
  }

  async latestResult(id: string): Promise<{ version: number; result: DocumentResult } | undefined> {
    const [row] = await this.db.query(
      'select version, result from document_results where document_id = $1 order by version desc limit 1',
      [id],
    );
    return row && { version: num(row, 'version'), result: stored<DocumentResult>(row, 'result') };
  }

  async firstResult(id: string): Promise<DocumentResult | undefined> {
    const [row] = await this.db.query(
      'select result from document_results where document_id = $1 order by version limit 1',
      [id],
    );
    return row && stored<DocumentResult>(row, 'result');
  }

  /** The number of the latest stored result, or null when the document has none. */
  async latestVersion(id: string): Promise<number | null> {
    const [row] = await this.db.query(
      'select max(version)::int as version from document_results where document_id = $1',
      [id],
    );
    return row ? numOrNull(row, 'version') : null;
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
    /** Only documents first read before this time: those read before this one, when it was read before. */
    readBefore?: Date | null,
  ): Promise<HistoryEntry[]> {
    const rows = await this.db.query(
      `select d.id, d.file_name, d.sha256, d.vendor_key, d.invoice_number_key
       from documents d
       where d.id <> $1
         and d.status in ('auto_approved', 'needs_review', 'awaiting_approval', 'approved')
         and (d.sha256 = $2 or (d.vendor_key = $3 and d.invoice_number_key = $4))
         and ($5::timestamptz is null or (d.first_read_at, d.id) < ($5::timestamptz, $1))
       order by d.first_read_at, d.id`,
      // Absent keys are null, which matches nothing (a NUL byte, used before, is refused by PostgreSQL).
      [id, sha256, vendorKey ?? null, invoiceNumberKey ?? null, readBefore ?? null],
    );
    return rows.map((r) => ({
      id: str(r, 'id'),
      file: str(r, 'file_name'),
      sha256: str(r, 'sha256'),
      vendorKey: strOrNull(r, 'vendor_key') ?? undefined,
      invoiceNumber: strOrNull(r, 'invoice_number_key') ?? undefined,
    }));
  }

  /**
   * Inside a transaction (a repository bound to one): waits until no other reading with the same bytes or
   * the same vendor and invoice number is between its duplicate check and its commit, so two copies cannot
   * miss each other. The locks are the transaction's: they go at its commit or rollback.
   */
  async lockDuplicateKeys(sha256: string, vendorKey?: string, invoiceNumberKey?: string): Promise<void> {
    if (isDatabase(this.db))
      throw new Error('lockDuplicateKeys holds its locks until a commit: call it in a transaction');
    const keys = [`sha:${sha256}`];
    if (vendorKey && invoiceNumberKey) keys.push(`invoice:${vendorKey}|${invoiceNumberKey}`);
    // Always in the same order, so two readings never wait on each other's second lock.
    for (const key of keys.sort()) await this.db.query('select pg_advisory_xact_lock(hashtext($1))', [key]);
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

  /** Documents in `statuses` with their latest result, oldest decision first, for the ERP's batch import. */
  async exportRows(filter: ExportFilter): Promise<ExportRow[]> {
    const params: unknown[] = [filter.statuses];
    const where = ['d.status = any($1::text[])'];
    const at = 'coalesce(d.decided_at, d.processed_at, d.received_at)';
    if (filter.from) where.push(`${at} >= $${params.push(filter.from)}`);
    if (filter.to) where.push(`${at} < $${params.push(filter.to)}`);
    if (filter.scope) where.push(scopeCondition(filter.scope, (v) => `$${params.push(v)}`, 'd.'));
    const rows = await this.db.query(
      `select d.id, d.external_ref, d.status, d.file_name, d.source, d.origin, ${at} as decided_at, r.version, r.result
       from documents d
       left join lateral (select version, result from document_results where document_id = d.id
                          order by version desc limit 1) r on true
       where ${where.join(' and ')} order by ${at}, d.id limit $${params.push(filter.limit)}`,
      params,
    );
    return rows.map((r) => ({
      id: str(r, 'id'),
      externalRef: strOrNull(r, 'external_ref'),
      status: oneOf(r, 'status', DOCUMENT_STATUSES),
      fileName: str(r, 'file_name'),
      origin: originOf(r),
      decidedAt: date(r, 'decided_at'),
      version: numOrNull(r, 'version'),
      result: r.result == null ? null : stored<DocumentResult>(r, 'result'),
    }));
  }
}
