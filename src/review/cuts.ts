// A reviewer moves, adds or removes the cuts of a split file. Parts whose pages are unchanged stay as they are;
// a part whose pages changed is superseded (kept, with its reading and trail, but no longer a document to pay) and
// the new parts are made from the file and queued to be read from their own pages.
import type { DocumentResult, PageRange, SplitPart } from '../contract/result.ts';
import { AppError } from '../services/errors.ts';
import type { Principal } from '../services/keys.ts';
import { documentEventData } from '../services/processing.ts';
import { newDocumentId } from '../storage/documents.repository.ts';
import type { Repositories } from '../storage/repositories.ts';
import {
  audit,
  documentOf,
  heldByOther,
  type ReviewDeps,
  rejudge,
  requireVersion,
  saveCorrection,
} from './items.ts';

export interface CutsOutcome {
  parts: (PageRange & { pages: number[]; documentId: string; changed: boolean })[];
  /** The parts replaced by the new cut (now `superseded`). */
  superseded: string[];
  resultVersion: number;
}

const rangeText = (parts: readonly PageRange[]) => parts.map((p) => `${p.first}–${p.last}`).join(', ');

/** The parts a person's ranges make: each range's pages without the separator sheets and blank pages; 400 when the
 * ranges do not cover every page of the file once, in order, or a range holds no page of a document. */
export function partsOfRanges(
  pageCount: number,
  ranges: readonly PageRange[],
  dropped: readonly number[],
): (PageRange & { pages: number[] })[] {
  const refuse = (message: string) => new AppError(400, 'invalid_cuts', message);
  if (!ranges.length) throw refuse('Give at least one part.');
  let next = 1;
  for (const r of ranges) {
    if (r.first > r.last)
      throw refuse(`A part cannot end (page ${r.last}) before it begins (page ${r.first}).`);
    if (r.first !== next) {
      throw refuse(
        r.first < next
          ? `Page ${r.first} is in two parts: each page belongs to one part, in order.`
          : `Pages ${next}–${r.first - 1} are in no part: the parts must cover every page of the file.`,
      );
    }
    next = r.last + 1;
  }
  if (next - 1 !== pageCount) {
    throw refuse(
      next - 1 > pageCount
        ? `The file has ${pageCount} pages; a part ends at page ${next - 1}.`
        : `Pages ${next}–${pageCount} are in no part: the parts must cover every page of the file.`,
    );
  }
  const skip = new Set(dropped);
  return ranges.map((r) => {
    const pages = Array.from({ length: r.last - r.first + 1 }, (_, i) => r.first + i).filter(
      (n) => !skip.has(n),
    );
    if (!pages.length) {
      throw refuse(
        `Pages ${r.first}–${r.last} are only separator sheets or blank pages: join them to a document beside them.`,
      );
    }
    return { first: pages[0]!, last: pages.at(-1)!, pages };
  });
}

export class CutService {
  constructor(private readonly deps: ReviewDeps) {}

  /** A part left as it was by a person's cut is cut where a person said: judged again as certain, it no longer
   * waits on `split_uncertain` (it stays in review, for the person to approve). */
  private async confirmCut(tx: Repositories, documentId: string, principal: Principal): Promise<void> {
    const doc = await tx.documents.get(documentId);
    const latest = await tx.documents.latestResult(documentId);
    const confidence = latest?.result.splitConfidence;
    if (doc?.status !== 'needs_review' || !latest || confidence === undefined || confidence >= 1) return;
    // Judged on the transaction: its history sees the parts this cut replaced as they now are.
    const result = await rejudge({ ...this.deps, repos: tx }, doc, latest.result, {
      ...latest.result,
      splitConfidence: 1,
    });
    await saveCorrection(tx, documentId, result, principal);
  }

  /**
   * Cuts the file `fileId` into `ranges` (its pages, each in one part, in order). `resultVersion` is the version of
   * the file's result the reviewer saw: a cut moved meanwhile by someone else answers 409 stale_result.
   */
  async cut(
    fileId: string,
    ranges: readonly PageRange[],
    resultVersion: number,
    principal: Principal,
  ): Promise<CutsOutcome> {
    const file = await documentOf(this.deps, fileId);
    if (file.status !== 'split') {
      throw new AppError(
        409,
        'wrong_status',
        `Only a file cut into documents has cuts to move; this one is ${file.status}.`,
      );
    }
    const now = this.deps.clock.now();
    const made: string[] = [];
    const outcome = await this.deps.transaction(async (tx) => {
      // Holds the file's row until commit: two reviewers moving the same cuts go one after the other.
      const held = await tx.documents.transition(fileId, ['split'], 'split', {
        actor: principal.id,
        reason: `cut again by ${principal.name}: pages ${rangeText(ranges)}`,
      });
      if (!held) throw new AppError(409, 'wrong_status', 'This file is no longer split.');
      await requireVersion(tx, fileId, resultVersion);
      const latest = await tx.documents.latestResult(fileId);
      const split = latest?.result.split;
      if (!latest || !split) throw new AppError(409, 'not_read', 'This file has no cuts to move.');
      const parts = partsOfRanges(latest.result.pages, ranges, [...split.separators, ...split.blank]);
      const same = (a: PageRange, b: PageRange) => a.first === b.first && a.last === b.last;
      const kept = (p: SplitPart) => parts.some((n) => same(n, p) && n.pages.join() === p.pages.join());
      const replaced = split.parts.filter((p) => !kept(p));

      // The reviewer works from one of the file's parts, claimed; the parts replaced must be free to replace.
      const items = await Promise.all(
        split.parts.map((p) => (p.documentId ? tx.reviewItems.get(p.documentId, { lock: true }) : undefined)),
      );
      const holds = items.some(
        (i) => i && !i.decision && i.assignee === principal.id && i.claimedUntil && i.claimedUntil > now,
      );
      if (!holds) {
        throw new AppError(409, 'not_claimed', 'Claim one of this file’s parts first (POST …/claim).');
      }
      for (const part of replaced) {
        const item = items[split.parts.indexOf(part)];
        const doc = part.documentId ? await tx.documents.get(part.documentId) : undefined;
        if (doc && (doc.status === 'received' || doc.status === 'processing')) {
          throw new AppError(
            409,
            'not_read',
            `Pages ${part.first}–${part.last} are still being read: move their cuts once they are in review.`,
          );
        }
        if (!doc || !item || item.decision || doc.status !== 'needs_review') {
          throw new AppError(
            409,
            'decided',
            `Pages ${part.first}–${part.last} (${part.documentId}) were decided already (${doc?.status ?? 'gone'}): reopen that document before moving its cuts.`,
          );
        }
        if (heldByOther(item, principal, now)) {
          const who = item.assigneeName ?? item.assignee;
          throw new AppError(409, 'claimed', `Pages ${part.first}–${part.last} are held by ${who}.`, {
            holder: { id: item.assignee, name: who },
          });
        }
      }

      const why = `the file ${fileId} was cut again by ${principal.name}: pages ${rangeText(parts)}`;
      for (const part of replaced) {
        const id = part.documentId!;
        await tx.documents.transition(id, ['needs_review'], 'superseded', {
          actor: principal.id,
          reason: `replaced: ${why}`,
          set: { decidedAt: now },
        });
        await tx.reviewItems.close(id, 'superseded', principal.id, now);
        await audit(this.deps, tx, id, principal, 'supersede', { reason: `replaced: ${why}` });
      }
      const next = [];
      for (const part of parts) {
        const old = split.parts.find((p) => kept(p) && same(p, part));
        if (old?.documentId) {
          next.push({ ...part, documentId: old.documentId, changed: false });
          await this.confirmCut(tx, old.documentId, principal);
          continue;
        }
        const child = await tx.documents.createPart(file, newDocumentId(now), part, 'received');
        made.push(child.id);
        next.push({ ...part, documentId: child.id, changed: true });
      }

      const result: DocumentResult = {
        ...latest.result,
        split: {
          ...split,
          parts: next.map(({ changed: _changed, ...p }) => p),
          cuts: next.slice(1).map((p) => ({
            before: p.first,
            confidence: 1,
            reasons: [`cut by ${principal.name}`],
          })),
          uncertain: false,
        },
      };
      const version = await tx.documents.saveResult(fileId, result, 'correction', principal.id, {});
      await audit(this.deps, tx, fileId, principal, 'cut', {
        field: 'split.parts',
        before: split.parts.map(({ first, last }) => ({ first, last })),
        after: parts.map(({ first, last }) => ({ first, last })),
        reason: replaced.length ? `replaced ${replaced.map((p) => p.documentId).join(', ')}` : null,
      });
      const data = await documentEventData(tx.documents, file);
      const deliveries = await this.deps.webhooks.record(tx.webhooks, 'document.split', fileId, {
        document: data.document,
        parts: result.split!.parts,
        uncertain: false,
        cutBy: principal.name,
        superseded: replaced.map((p) => p.documentId),
      });
      return {
        parts: next,
        superseded: replaced.map((p) => p.documentId!),
        resultVersion: version,
        deliveries,
      };
    });
    await this.deps.webhooks.dispatch(outcome.deliveries);
    // After commit: should Redis be down now, the recovery sweep finds the new parts `received` and queues them.
    for (const documentId of made) await this.deps.enqueueReading({ documentId, round: 1 }).catch(() => {});
    return { parts: outcome.parts, superseded: outcome.superseded, resultVersion: outcome.resultVersion };
  }
}
