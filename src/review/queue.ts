// The review queue: open items filtered and sorted for a reviewer, and one item with everything its page shows.
import { fieldLabel, fieldSpec, REVIEWED_FIELDS } from '../contract/fields.ts';
import { masterDataQueryOf } from '../rules/context.ts';
import { type Principal, scopeOf } from '../services/keys.ts';
import { bankAccountView } from './bank-account.ts';
import { documentOf, itemOf, itemView, latestOf, type QueueItem, type ReviewDeps } from './items.ts';
import type { SlaState } from './sla.ts';

export interface QueueFilter {
  reason?: string | undefined;
  vendor?: string | undefined;
  sla?: SlaState | undefined;
  assignee?: string | undefined;
  minAgeHours?: number | undefined;
  sort?: 'sla' | 'priority' | 'amount' | undefined;
}

const SLA_ORDER: Record<SlaState, number> = { overdue: 0, at_risk: 1, on_time: 2 };

export class ReviewQueue {
  constructor(private readonly deps: Pick<ReviewDeps, 'repos' | 'clock' | 'rules'>) {}

  /** Open items (no decision), filtered and sorted; SLA order: overdue first, then nearest deadline. */
  async list(filter: QueueFilter, principal: Principal): Promise<QueueItem[]> {
    const now = this.deps.clock.now();
    const rows = await this.deps.repos.reviewItems.listOpen({
      reason: filter.reason,
      vendor: filter.vendor,
      createdBefore:
        filter.minAgeHours === undefined
          ? undefined
          : new Date(now.getTime() - filter.minAgeHours * 3_600_000),
      assignee: !filter.assignee
        ? undefined
        : filter.assignee === 'none'
          ? { none: true, now }
          : { id: filter.assignee === 'me' ? principal.id : filter.assignee, now },
      scope: scopeOf(principal),
    });
    let items = rows.map((r) => itemView(r, now));
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

  /** Every field a reviewer checks, read or not, in contract order, with its issues. */
  async detail(documentId: string) {
    const doc = await documentOf(this.deps, documentId);
    const item = await itemOf(this.deps.repos.reviewItems, documentId);
    const result = await latestOf(this.deps, documentId);
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
        // Read from an XML: the element it came from, shown where a page would show the box.
        source: f?.source ?? null,
        learned: f?.learned ?? null,
        issues: issues
          .filter((i) => i.field === name)
          .map((i) => ({
            code: i.code,
            severity: i.severity,
            message: i.message,
            ...(i.documentId ? { documentId: i.documentId } : {}),
          })),
      };
    });
    // An XML's nominal page has no image to show.
    const pages = Array.from({ length: result.pages }, (_, i) => {
      const size = result.pageSizes?.[i];
      return {
        number: i + 1,
        url: `/v1/documents/${documentId}/pages/${i + 1}`,
        width: size?.width ?? null,
        height: size?.height ?? null,
        source: size?.source,
      };
    })
      .filter((p) => p.source !== 'xml')
      .map(({ source: _source, ...page }) => page);
    return {
      doc,
      item: itemView(item, this.deps.clock.now()),
      fields,
      issues,
      pages,
      lineItems: result.lineItems,
      bankAccount: bankAccountView(
        result,
        (await this.deps.rules().masterData.lookup(masterDataQueryOf(result))).vendors,
      ),
      einvoice: result.einvoice
        ? { syntax: result.einvoice.syntax, attachment: result.einvoice.attachment ?? null }
        : null,
    };
  }
}
