// Reading one document in the service: load the blob, read it off the event loop, judge it against the
// rules with the database as history, store the result and move the document to its final state.
import type { Logger } from 'pino';
import type { DocumentFailure, DocumentResult, Extraction } from '../contract/result.ts';
import type { ReadingPool } from '../reading/reading-pool.ts';
import { invoiceNumberKey, masterDataQueryOf, vendorKeyOf } from '../rules/context.ts';
import { judge } from '../rules/judge.ts';
import type { MasterData } from '../rules/master-data.ts';
import type { RuleSet } from '../rules/schema.ts';
import type { BlobStore } from '../storage/blobs.ts';
import type { Clock } from '../storage/clock.ts';
import {
  type DocumentRecord,
  type DocumentsRepository,
  FINAL_STATUSES,
} from '../storage/documents.repository.ts';
import type { Transaction } from '../storage/repositories.ts';
import type { WebhookService } from './webhooks.ts';

export interface RulesConfig {
  ruleSet: RuleSet;
  /** Vendors and purchase orders: the database, and the files named in the environment. */
  masterData: MasterData;
}

/** Data sent with document webhooks: the document, its result (when read) and where to fetch more. */
export async function documentEventData(documents: DocumentsRepository, doc: DocumentRecord) {
  const latest = await documents.latestResult(doc.id);
  return {
    document: eventDocument(doc),
    result: latest?.result ?? null,
    resultVersion: latest?.version ?? null,
  };
}

/** The document part of webhook data. */
function eventDocument(doc: DocumentRecord) {
  return {
    id: doc.id,
    status: doc.status,
    externalRef: doc.externalRef,
    source: doc.source,
    fileName: doc.fileName,
    sha256: doc.sha256,
    receivedAt: doc.receivedAt.toISOString(),
    error: doc.errorCode ? { code: doc.errorCode, message: doc.errorMessage } : null,
  };
}

export type ProcessOutcome =
  | 'auto_approved'
  | 'needs_review'
  | 'failed'
  | 'already_done'
  | 'superseded'
  | 'gone';

/** Told what each reading came to (the Prometheus metrics listen here); errors in it are not the reading's. */
export interface ProcessingObserver {
  read(result: DocumentResult, status: 'auto_approved' | 'needs_review'): void;
  failed(code: string): void;
}

export class ProcessingService {
  observer?: ProcessingObserver;

  constructor(
    private readonly transaction: Transaction,
    private readonly documents: DocumentsRepository,
    private readonly blobs: Pick<BlobStore, 'pathOf'>,
    private readonly reading: Pick<ReadingPool, 'read'>,
    private readonly webhooks: Pick<WebhookService, 'record' | 'recordAll' | 'dispatch'>,
    private readonly clock: Clock,
    private readonly rules: () => RulesConfig,
  ) {}

  /** Idempotent: a redelivered job finds the document done (or superseded by a newer round) and stops. */
  async process(documentId: string, round: number, log?: Logger): Promise<ProcessOutcome> {
    const doc = await this.documents.get(documentId);
    if (!doc) return 'gone';
    if (doc.processingRound !== round) return 'superseded';
    if (FINAL_STATUSES.includes(doc.status)) return 'already_done';
    if (doc.status === 'received') {
      await this.documents.transition(documentId, ['received'], 'processing', { round, actor: 'worker' });
    }
    log?.info({ stage: 'load' }, 'reading');
    const result = await this.reading.read({
      path: this.blobs.pathOf(doc.sha256),
      file: doc.fileName,
      id: documentId,
    });
    if ('error' in result) return this.fail(doc, round, result.error);
    return this.finish(doc, round, result, log);
  }

  /** When the queue gives up on a reading (attempts spent): the document fails with the last fault, never hangs. */
  async giveUp(documentId: string, round: number, error: Error): Promise<void> {
    const doc = await this.documents.get(documentId);
    if (!doc || doc.processingRound !== round) return;
    await this.fail(doc, round, {
      code: 'internal_error',
      message: `The document could not be read after several attempts: ${error.message}`,
    });
  }

  /** Marks a document failed with a reason a person can read; used for permanent faults. */
  async fail(doc: DocumentRecord, round: number, error: DocumentFailure['error']): Promise<ProcessOutcome> {
    const failed = { ...doc, status: 'failed' as const, errorCode: error.code, errorMessage: error.message };
    const data = await documentEventData(this.documents, failed);
    // Inside a transaction only `tx` may be queried: PGlite runs one connection, so another query would wait forever.
    const deliveries = await this.transaction(async (tx) => {
      const moved = await tx.documents.transition(doc.id, ['received', 'processing'], 'failed', {
        round,
        actor: 'worker',
        reason: error.message,
        set: { errorCode: error.code, errorMessage: error.message, processedAt: this.clock.now() },
      });
      if (!moved) return undefined;
      return this.webhooks.record(tx.webhooks, 'document.failed', doc.id, data);
    });
    if (!deliveries) return 'already_done';
    this.observer?.failed(error.code);
    await this.webhooks.dispatch(deliveries);
    return 'failed';
  }

  private async finish(
    doc: DocumentRecord,
    round: number,
    read: Extraction,
    log?: Logger,
  ): Promise<ProcessOutcome> {
    const { ruleSet, masterData } = this.rules();
    const vendorKey = vendorKeyOf(read);
    const numberKey = invoiceNumberKey(read.fields.invoiceNumber?.value);
    const now = this.clock.now();
    // Read before the transaction: master data is not what duplicates lock on.
    const master = await masterData.lookup(masterDataQueryOf(read));
    const outcome = await this.transaction(async (tx) => {
      // Duplicates are judged inside the transaction that stores the result, one reading of the same
      // bytes or invoice at a time, so two copies read at once cannot both pass.
      await tx.documents.lockDuplicateKeys(doc.sha256, vendorKey, numberKey);
      // Read again (sent back by a reviewer): judged against what was read before its first reading.
      const history = await tx.documents.history(doc.id, doc.sha256, vendorKey, numberKey, doc.firstReadAt);
      const result = judge(read, { ruleSet, context: { ...master, now, history } });
      const status = result.route === 'auto' ? 'auto_approved' : 'needs_review';
      // The result and its version are the ones stored below: no need to fetch the previous ones.
      const data = { document: eventDocument({ ...doc, status }), result };
      const moved = await tx.documents.transition(doc.id, ['processing'], status, {
        round,
        actor: 'worker',
        reason: result.review ? result.review.reasons.join(', ') : null,
        set: {
          processedAt: now,
          firstReadAt: doc.firstReadAt ?? now,
          errorCode: null,
          errorMessage: null,
        },
      });
      if (!moved) return undefined;
      const resultVersion = await tx.documents.saveResult(
        doc.id,
        result,
        round === 1 ? 'extraction' : 'reprocess',
        'worker',
        { vendorKey, invoiceNumberKey: numberKey },
      );
      if (result.route === 'review') await tx.reviewItems.open(doc.id, result, now);
      const event = { ...data, resultVersion };
      const deliveries = await this.webhooks.recordAll(tx.webhooks, doc.id, [
        { event: 'document.processed', data: event },
        {
          event: status === 'auto_approved' ? 'document.approved' : 'document.needs_review',
          data: { ...event, approvedBy: status === 'auto_approved' ? 'auto' : undefined },
        },
      ]);
      return { result, status, deliveries } as const;
    });
    if (!outcome) return 'already_done';
    const { result, status, deliveries } = outcome;
    log?.info({ stage: 'route', route: result.route, status }, 'processed');
    this.observer?.read(result, status);
    await this.webhooks.dispatch(deliveries);
    return status;
  }
}
