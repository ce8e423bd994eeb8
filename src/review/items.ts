// What every review action shares: its dependencies, the item as a reviewer sees it, the checks that refuse
// (no item, item closed, claim held by someone else, result changed meanwhile) and the audit write.
import type { DocumentResult } from '../contract/result.ts';
import { invoiceNumberKey, masterDataQueryOf, vendorKeyOf } from '../rules/context.ts';
import { judge } from '../rules/judge.ts';
import { AppError } from '../services/errors.ts';
import type { EnqueueReading } from '../services/jobs.ts';
import type { Principal } from '../services/keys.ts';
import type { MemoryService } from '../services/memory.ts';
import type { RulesConfig } from '../services/processing.ts';
import type { WebhookService } from '../services/webhooks.ts';
import type { Clock } from '../storage/clock.ts';
import type { DocumentRecord } from '../storage/documents.repository.ts';
import type { Repositories, Transaction } from '../storage/repositories.ts';
import type { ReviewItemRecord, ReviewItemsRepository } from '../storage/review-items.repository.ts';
import { type SlaState, slaStateOf } from './sla.ts';

export interface ReviewDeps {
  repos: Pick<Repositories, 'documents' | 'reviewItems' | 'users' | 'audit' | 'approvals'>;
  transaction: Transaction;
  webhooks: Pick<WebhookService, 'record' | 'recordAll' | 'dispatch'>;
  clock: Clock;
  rules: () => RulesConfig;
  /** How long a claim holds without an action of its holder. */
  claimMinutes: number;
  /** Queues a document's next reading. */
  enqueueReading: EnqueueReading;
  /** Learns from corrections and approvals (absent: nothing is learned). */
  memory?: Pick<MemoryService, 'learn'>;
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

export const issuesOf = (r: DocumentResult) =>
  r.validation.issues.map((i) => ({ ...i, field: i.field ?? null }));

/** The item as the queue and the item page show it at `now`: an expired claim shows no assignee. */
export function itemView(r: ReviewItemRecord, now: Date): QueueItem {
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

/** The item of a document, or 404; `lock` holds its row for the rest of the transaction. */
export async function itemOf(
  items: ReviewItemsRepository,
  documentId: string,
  lock = false,
): Promise<ReviewItemRecord> {
  const item = await items.get(documentId, { lock });
  if (!item) throw new AppError(404, 'not_found', `No review item for document ${documentId}.`);
  return item;
}

/** The open item, or 409 when it was decided already. */
export async function openItemOf(
  tx: Pick<Repositories, 'reviewItems'>,
  documentId: string,
  lock = false,
): Promise<ReviewItemRecord> {
  const item = await itemOf(tx.reviewItems, documentId, lock);
  if (item.decision) {
    throw new AppError(
      409,
      'decided',
      `This item was closed already (${item.decision}); reopen the document to review it again.`,
    );
  }
  return item;
}

export function claimUntil(deps: Pick<ReviewDeps, 'claimMinutes'>, now: Date): Date {
  return new Date(now.getTime() + deps.claimMinutes * 60_000);
}

export function heldByOther(item: ReviewItemRecord, principal: Principal, now: Date): boolean {
  const until = item.claimedUntil;
  return !!item.assignee && item.assignee !== principal.id && !!until && until > now;
}

export function claimedError(item: ReviewItemRecord): AppError {
  const id = item.assignee ?? '';
  const holder = { id, name: item.assigneeName ?? id };
  return new AppError(409, 'claimed', `Held by ${holder.name} until ${item.claimedUntil?.toISOString()}.`, {
    holder,
  });
}

/** Inside a transaction: refuses unless `principal` holds the claim; renews it (any action of the holder does). */
export async function requireClaim(
  deps: Pick<ReviewDeps, 'clock' | 'claimMinutes'>,
  tx: Pick<Repositories, 'reviewItems'>,
  documentId: string,
  principal: Principal,
): Promise<void> {
  const now = deps.clock.now();
  const item = await openItemOf(tx, documentId, true);
  if (heldByOther(item, principal, now)) throw claimedError(item);
  const until = item.claimedUntil;
  if (item.assignee !== principal.id || !until || until <= now) {
    throw new AppError(409, 'not_claimed', 'Claim this item first (POST …/claim).');
  }
  await tx.reviewItems.extendClaim(documentId, claimUntil(deps, now));
}

/**
 * Inside the transaction, once the item's row is locked: the result the action was worked out on must
 * still be the latest, or a correction saved meanwhile (another tab) would be undone or approved unseen.
 */
export async function requireVersion(
  tx: Pick<Repositories, 'documents'>,
  documentId: string,
  version: number,
): Promise<void> {
  if ((await tx.documents.latestVersion(documentId)) !== version) {
    throw new AppError(
      409,
      'stale_result',
      'The document changed while you were working on it (a correction was saved elsewhere): reload it and try again.',
    );
  }
}

export async function documentOf(
  deps: Pick<ReviewDeps, 'repos'>,
  documentId: string,
): Promise<DocumentRecord> {
  const doc = await deps.repos.documents.get(documentId);
  if (!doc) throw new AppError(404, 'not_found', `No document ${documentId}.`);
  return doc;
}

/** The latest result and its version, or 409 when the document has not been read yet. */
export async function latestVersionedOf(
  deps: Pick<ReviewDeps, 'repos'>,
  documentId: string,
): Promise<{ version: number; result: DocumentResult }> {
  const latest = await deps.repos.documents.latestResult(documentId);
  if (!latest) throw new AppError(409, 'not_read', 'This document has not been read yet.');
  return latest;
}

export async function latestOf(deps: Pick<ReviewDeps, 'repos'>, documentId: string): Promise<DocumentResult> {
  return (await latestVersionedOf(deps, documentId)).result;
}

/** Records an action in the transaction that makes it. */
export async function audit(
  deps: Pick<ReviewDeps, 'clock'>,
  tx: Pick<Repositories, 'audit'>,
  documentId: string,
  actor: Person,
  action: string,
  extra: {
    field?: string;
    before?: unknown;
    after?: unknown;
    reason?: string | null | undefined;
    onBehalfOf?: Person | undefined;
  } = {},
): Promise<void> {
  await tx.audit.append({ documentId, actor, action, ...extra, at: deps.clock.now() });
}

/**
 * The rules run again on a reviewer's draft (a dry run while they type, or the version being stored), judged as
 * when the document was first read: documents read after it do not make it a duplicate now. The item keeps the
 * deadline it was given when it was routed; re-running the rules must not move it.
 */
/** Stores a person's change to a document's result, with the keys its duplicates are found by, and the queue's
 * copy of its amount and vendor. */
export async function saveCorrection(
  tx: Pick<Repositories, 'documents' | 'reviewItems'>,
  documentId: string,
  result: DocumentResult,
  principal: Principal,
): Promise<void> {
  await tx.documents.saveResult(documentId, result, 'correction', principal.id, {
    vendorKey: vendorKeyOf(result),
    invoiceNumberKey: invoiceNumberKey(result.fields.invoiceNumber?.value),
  });
  await tx.reviewItems.updateFromResult(documentId, result);
}

export async function rejudge(
  deps: Pick<ReviewDeps, 'repos' | 'rules' | 'clock'>,
  doc: DocumentRecord,
  current: DocumentResult,
  draft: DocumentResult,
): Promise<DocumentResult> {
  const { ruleSet, masterData } = deps.rules();
  const master = await masterData.lookup(masterDataQueryOf(draft));
  const history = await deps.repos.documents.history(
    doc.id,
    doc.sha256,
    vendorKeyOf(draft),
    invoiceNumberKey(draft.fields.invoiceNumber?.value),
    doc.firstReadAt,
  );
  const result = judge(draft, { ruleSet, context: { ...master, now: deps.clock.now(), history } });
  if (current.review && result.review) result.review.slaDeadline = current.review.slaDeadline;
  return result;
}
