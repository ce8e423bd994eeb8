// Claims: a reviewer holds an item for a while so two people never work one item; admins give items away.
import { AppError } from '../services/errors.ts';
import type { Principal } from '../services/keys.ts';
import {
  audit,
  claimedError,
  claimUntil,
  heldByOther,
  openItemOf,
  type Person,
  type ReviewDeps,
} from './items.ts';

export class ClaimService {
  constructor(private readonly deps: Pick<ReviewDeps, 'repos' | 'transaction' | 'clock' | 'claimMinutes'>) {}

  async claim(documentId: string, principal: Principal): Promise<{ assignee: Person; claimedUntil: string }> {
    return this.deps.transaction(async (tx) => {
      const now = this.deps.clock.now();
      const item = await openItemOf(tx, documentId, true);
      if (heldByOther(item, principal, now)) throw claimedError(item);
      const until = claimUntil(this.deps, now);
      await tx.reviewItems.assign(documentId, principal, until);
      const renewing =
        item.assignee === principal.id && item.claimedUntil !== null && item.claimedUntil > now;
      if (!renewing) await audit(this.deps, tx, documentId, principal, 'claim');
      return { assignee: { id: principal.id, name: principal.name }, claimedUntil: until.toISOString() };
    });
  }

  async release(documentId: string, principal: Principal): Promise<void> {
    await this.deps.transaction(async (tx) => {
      const now = this.deps.clock.now();
      const item = await openItemOf(tx, documentId, true);
      if (heldByOther(item, principal, now) && principal.role !== 'admin') throw claimedError(item);
      if (!item.assignee) return;
      await tx.reviewItems.unassign(documentId);
      await audit(this.deps, tx, documentId, principal, 'release', {
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
      const item = await openItemOf(tx, documentId, true);
      const until = claimUntil(this.deps, this.deps.clock.now());
      await tx.reviewItems.assign(documentId, person, until);
      await audit(this.deps, tx, documentId, principal, 'reassign', {
        before: item.assignee ? { id: item.assignee, name: item.assigneeName } : null,
        after: person,
      });
      return { assignee: person, claimedUntil: until.toISOString() };
    });
  }
}
