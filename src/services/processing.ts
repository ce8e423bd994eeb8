// Reading one document in the service: load the blob, read it off the event loop, judge it against the
// rules with the database as history, store the result and move the document to its final state.
import type { Logger } from 'pino';
import type { DocumentFailure, DocumentResult, Extraction } from '../contract/result.ts';
import { readOffPages, withMemory } from '../pipeline/extract/memory/recall.ts';
import type { Layout } from '../pipeline/layout.ts';
import type { ReadingPool } from '../reading/reading-pool.ts';
import { approvalStagesFor } from '../rules/approval.ts';
import { invoiceNumberKey, masterDataQueryOf, vendorKeyOf } from '../rules/context.ts';
import { judge } from '../rules/judge.ts';
import type { MasterData, MasterDataView } from '../rules/master-data.ts';
import type { RuleSet } from '../rules/schema.ts';
import type { BlobStore } from '../storage/blobs.ts';
import type { Clock } from '../storage/clock.ts';
import {
  type DocumentRecord,
  type DocumentsRepository,
  FINAL_STATUSES,
  newDocumentId,
} from '../storage/documents.repository.ts';
import type { Repositories, Transaction } from '../storage/repositories.ts';
import { approvalFactsOf, enterStages, stageEvent } from './approval-chain.ts';
import type { MemoryService } from './memory.ts';
import type { PageImageService } from './page-images.ts';
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
    parentId: doc.parentId,
    pageRange:
      doc.pageFirst !== null && doc.pageLast !== null ? { first: doc.pageFirst, last: doc.pageLast } : null,
  };
}

export type ProcessOutcome =
  | 'auto_approved'
  | 'needs_review'
  | 'awaiting_approval'
  | 'failed'
  | 'already_done'
  | 'superseded'
  | 'split'
  | 'gone';

/** Where a reading leaves a document: approved, in review, or (read without an exception) at its first approval stage. */
export type ReadStatus = 'auto_approved' | 'needs_review' | 'awaiting_approval';

/**
 * Where a judged reading goes, and the stages it enters first when the rules file's approval chain asks for
 * them: a document read without an exception is not paid unseen if, say, it is over the chain's amount.
 */
function routeOf(result: DocumentResult, doc: DocumentRecord, ruleSet: RuleSet) {
  if (result.route !== 'auto') return { status: 'needs_review' as const, stages: [] };
  const stages = approvalStagesFor(ruleSet.approval, approvalFactsOf(result, doc, []));
  return { status: stages.length ? ('awaiting_approval' as const) : ('auto_approved' as const), stages };
}

/** Who the audit names for what the reading itself did. */
const READER = { id: 'worker', name: 'automatic reading' };

/** The webhook events of a stored reading; a document entering the chain is not approved yet. */
async function readingEvents(
  tx: Pick<Repositories, 'approvals' | 'audit'>,
  documentId: string,
  route: ReturnType<typeof routeOf>,
  event: Record<string, unknown>,
  now: Date,
) {
  const events: {
    event: 'document.processed' | 'document.approved' | 'document.needs_review' | 'document.approval_stage';
    data: unknown;
  }[] = [{ event: 'document.processed', data: event }];
  if (route.status === 'awaiting_approval') {
    const first = await enterStages(tx, documentId, route.stages, READER, now);
    events.push({
      event: 'document.approval_stage',
      data: { ...event, stage: stageEvent(first, route.stages.length, 'entered') },
    });
  } else {
    events.push({
      event: route.status === 'auto_approved' ? 'document.approved' : 'document.needs_review',
      data: { ...event, approvedBy: route.status === 'auto_approved' ? 'auto' : undefined },
    });
  }
  return events;
}

/** Told what each reading came to (the Prometheus metrics listen here); errors in it are not the reading's. */
export interface ProcessingObserver {
  read(result: DocumentResult, status: ReadStatus): void;
  failed(code: string): void;
}

export class ProcessingService {
  observer?: ProcessingObserver;

  constructor(
    private readonly transaction: Transaction,
    private readonly documents: DocumentsRepository,
    private readonly blobs: Pick<BlobStore, 'localPath'>,
    private readonly reading: Pick<ReadingPool, 'read'>,
    private readonly webhooks: Pick<WebhookService, 'record' | 'recordAll' | 'dispatch'>,
    private readonly clock: Clock,
    private readonly rules: () => RulesConfig,
    /** Draws and keeps a document's page images once it is read. */
    private readonly pageImages?: Pick<PageImageService, 'keepAll'>,
    private readonly memory?: Pick<MemoryService, 'current'>,
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
    // A part is read from its file cut where the file's latest result says (a reviewer may have moved the cuts).
    const cuts = doc.parentId
      ? (await this.documents.latestResult(doc.parentId))?.result.split?.parts
      : undefined;
    const { result, layout } = await this.reading.read({
      path: await this.blobs.localPath(doc.sha256),
      file: doc.fileName,
      id: documentId,
      ...(cuts ? { parts: cuts.map(({ first, last }) => ({ first, last })) } : {}),
    });
    if ('error' in result) return this.fail(doc, round, result.error);
    if (doc.parentId) {
      // A part read again: the file is read whole and cut the same way; the part keeps its own pages.
      const part = result.split?.parts.find((p) => p.first === doc.pageFirst && p.last === doc.pageLast);
      if (!part?.reading) {
        return this.fail(doc, round, {
          code: 'internal_error',
          message: `Pages ${doc.pageFirst}–${doc.pageLast} of ${doc.parentId} are no longer read as one document; read the file again instead.`,
        });
      }
      return this.finish(doc, round, { ...part.reading, id: doc.id }, undefined, log);
    }
    return this.finish(doc, round, await this.remembered(result, layout), layout, log);
  }

  /** The fields vendor memory knows for the document's layout chosen over the reader's (the same choice as
   * understandDocument makes with a memory: the reading processes hold none). */
  private async remembered(read: Extraction, layout: Layout | undefined): Promise<Extraction> {
    if (!this.memory || !layout || !readOffPages(read)) return read;
    return withMemory(read, layout, await this.memory.current());
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

  /**
   * A file that held several documents: each part becomes a document of its own, judged and routed on its own
   * reading, and the file ends `split`, keeping its bytes and listing its parts. All in one transaction, so a
   * part never exists without its file's record of the cut, nor the cut without its parts.
   */
  private async finishSplit(doc: DocumentRecord, round: number, read: Extraction, log?: Logger) {
    const { ruleSet, masterData } = this.rules();
    const split = read.split!;
    const now = this.clock.now();
    // Read before the transaction, as for one document: master data is not what duplicates lock on.
    const masters = await Promise.all(
      split.parts.map((p) => masterData.lookup(masterDataQueryOf(p.reading!))),
    );
    const fileMaster = await masterData.lookup(masterDataQueryOf(read));
    const outcome = await this.transaction(async (tx) => {
      // The file first: a redelivered job finds it split already and makes no second set of parts.
      const moved = await tx.documents.transition(doc.id, ['processing'], 'split', {
        round,
        actor: 'worker',
        reason: `${split.parts.length} documents: ${split.parts.map((p) => `pages ${p.first}–${p.last}`).join(', ')}`,
        set: { processedAt: now, firstReadAt: doc.firstReadAt ?? now, errorCode: null, errorMessage: null },
      });
      if (!moved) return undefined;
      const deliveries = [];
      const routed: Routed[] = [];
      for (const [i, part] of split.parts.entries()) {
        const child = await tx.documents.createPart(doc, newDocumentId(now), part);
        const reading = { ...part.reading!, id: child.id };
        const done = await this.route(tx, child, reading, {
          ruleSet,
          master: masters[i]!,
          now,
          round: 1,
        });
        // A part made in this transaction is `processing`: anything else is a fault, and undoes the whole cut.
        if (!done) throw new Error(`Part ${child.id} of ${doc.id} was not processing when it was routed.`);
        routed.push(done);
        deliveries.push(...done.deliveries);
      }
      // The file keeps the whole reading and where it was cut; the parts' readings live with the parts.
      const parts = split.parts.map(({ reading: _reading, ...p }, i) => ({
        ...p,
        documentId: routed[i]!.id,
      }));
      const fileResult = judge(
        { ...read, split: { ...split, parts } },
        { ruleSet, context: { ...fileMaster, now, history: [] } },
      );
      // No duplicate keys: the file is not an invoice of its own, its parts are.
      await tx.documents.saveResult(
        doc.id,
        fileResult,
        round === 1 ? 'extraction' : 'reprocess',
        'worker',
        {},
      );
      deliveries.push(
        ...(await this.webhooks.recordAll(tx.webhooks, doc.id, [
          {
            event: 'document.split',
            data: { document: eventDocument({ ...doc, status: 'split' }), parts, uncertain: split.uncertain },
          },
        ])),
      );
      return { deliveries, routed };
    });
    if (!outcome) return 'already_done' as const;
    log?.info({ stage: 'split', parts: outcome.routed.length }, 'split');
    await this.webhooks.dispatch(outcome.deliveries);
    return 'split' as const;
  }

  private async finish(
    doc: DocumentRecord,
    round: number,
    read: Extraction,
    layout: Layout | undefined,
    log?: Logger,
  ): Promise<ProcessOutcome> {
    if (read.split && read.split.parts.length > 1 && read.split.parts.every((p) => p.reading)) {
      return this.finishSplit(doc, round, read, log);
    }
    const { ruleSet, masterData } = this.rules();
    const now = this.clock.now();
    // Read before the transaction: master data is not what duplicates lock on.
    const master = await masterData.lookup(masterDataQueryOf(read));
    const outcome = await this.transaction(async (tx) => {
      const routed = await this.route(tx, doc, read, { ruleSet, master, now, round });
      // What a reviewer's corrections will be learned from: only page layouts, an XML's fields are its own.
      if (routed && layout && readOffPages(read)) await tx.vendorMemory.saveDocumentLayout(doc.id, layout);
      return routed;
    });
    if (!outcome) return 'already_done';
    const { result, status, deliveries } = outcome;
    log?.info({ stage: 'route', route: result.route, status }, 'processed');
    this.observer?.read(result, status);
    await this.webhooks.dispatch(deliveries);
    // After the document is final: a reviewer's page is then already drawn, and nobody waits for it here.
    this.pageImages
      ?.keepAll(
        doc.sha256,
        read.pages,
        (read.pageSizes ?? []).map((p) => p.rotation ?? 0),
      )
      .catch((e: Error) => log?.warn({ err: e }, 'page images not kept'));
    return status;
  }

  /**
   * One reading judged against what was read before it and routed, inside the transaction that stores it: its
   * status, result version, review item and events. Duplicates are judged there, one reading of the same bytes
   * or invoice at a time, so two copies read at once cannot both pass. Undefined when the document was no
   * longer `processing` (a redelivered job).
   */
  private async route(
    tx: Repositories,
    doc: DocumentRecord,
    read: Extraction,
    how: { ruleSet: RuleSet; master: MasterDataView; now: Date; round: number },
  ): Promise<Routed | undefined> {
    const { now, round } = how;
    const vendorKey = vendorKeyOf(read);
    const numberKey = invoiceNumberKey(read.fields.invoiceNumber?.value);
    await tx.documents.lockDuplicateKeys(doc.sha256, vendorKey, numberKey);
    // Read again (sent back by a reviewer): judged against what was read before its first reading. The parts of
    // a file share its bytes: each other's history, and the file's, would make every part a duplicate.
    const history = doc.parentId
      ? (await tx.documents.history(doc.id, doc.sha256, vendorKey, numberKey, null)).filter(
          (h) => h.sha256 !== doc.sha256,
        )
      : await tx.documents.history(doc.id, doc.sha256, vendorKey, numberKey, doc.firstReadAt);
    const result = judge(read, { ruleSet: how.ruleSet, context: { ...how.master, now, history } });
    const route = routeOf(result, doc, how.ruleSet);
    const status = route.status;
    const moved = await tx.documents.transition(doc.id, ['processing'], status, {
      round,
      actor: 'worker',
      reason: result.review ? result.review.reasons.join(', ') : null,
      set: { processedAt: now, firstReadAt: doc.firstReadAt ?? now, errorCode: null, errorMessage: null },
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
    // The result and its version are the ones stored here: no need to fetch the previous ones.
    const event = { document: eventDocument({ ...doc, status }), result, resultVersion };
    const deliveries = await this.webhooks.recordAll(
      tx.webhooks,
      doc.id,
      await readingEvents(tx, doc.id, route, event, now),
    );
    return { id: doc.id, result, status, deliveries };
  }
}

/** A document judged and routed, with the events to deliver once its transaction is committed. */
interface Routed {
  id: string;
  result: DocumentResult;
  status: ReadStatus;
  deliveries: Awaited<ReturnType<WebhookService['recordAll']>>;
}
