// The audit trail of a document as the API shows it: every reviewer action in order, who, what, from, to.
import { documentOf, type Person, type ReviewDeps } from './items.ts';

export interface AuditEntry {
  id: number;
  at: string;
  actor: Person;
  action: string;
  field: string | null;
  before: unknown;
  after: unknown;
  reason: string | null;
  /** A delegate's action: the person away it was taken for. */
  onBehalfOf: Person | null;
}

export class AuditTrail {
  constructor(private readonly deps: Pick<ReviewDeps, 'repos'>) {}

  async events(documentId: string): Promise<AuditEntry[]> {
    await documentOf(this.deps, documentId);
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
      onBehalfOf: e.onBehalfOf,
    }));
  }
}
