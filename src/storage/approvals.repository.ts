// Approval stages: the stages of the chain a document entered, which one it waits at, who decided each and
// on whose behalf. The approvers' queue is read here.
import type { Queryable, Row } from './database.ts';
import { ROLES, type Role } from './roles.ts';
import { dateOrNull, num, oneOf, oneOfOrNull, str, strings, strOrNull } from './rows.ts';
import { type ScopeFilter, scopeCondition } from './scope.ts';

export interface NewApprovalStage {
  name: string;
  role: Role;
  approvers?: string[] | undefined;
  distinct: boolean;
  slaHours: number;
  matched: string;
}

export interface ApprovalStageRecord {
  documentId: string;
  round: number;
  position: number;
  name: string;
  role: Role;
  approvers: string[] | null;
  distinct: boolean;
  slaHours: number;
  matched: string;
  enteredAt: Date | null;
  slaDeadline: Date | null;
  decision: 'approved' | 'rejected' | null;
  decidedBy: { id: string; name: string } | null;
  onBehalfOf: { id: string; name: string } | null;
  decidedAt: Date | null;
  reason: string | null;
}

/** A stage waiting for its approver, with what the queue shows of its document. */
export interface WaitingStage extends ApprovalStageRecord {
  fileName: string;
  vendorName: string | null;
  totalAmount: string | null;
  currency: string | null;
  /** How many stages the document's chain has in this round. */
  of: number;
}

const DECISIONS = ['approved', 'rejected'] as const;
const COLUMNS = `s.document_id, s.round, s.position, s.name, s.role, s.approvers, s.distinct_approver,
  s.sla_hours::float8 as sla_hours, s.matched, s.entered_at, s.sla_deadline, s.decision, s.decided_by,
  s.decided_by_name, s.on_behalf_of, s.on_behalf_of_name, s.decided_at, s.reason`;

const person = (r: Row, id: string, name: string) => {
  const who = strOrNull(r, id);
  return who ? { id: who, name: strOrNull(r, name) ?? who } : null;
};

function toStage(r: Row): ApprovalStageRecord {
  return {
    documentId: str(r, 'document_id'),
    round: num(r, 'round'),
    position: num(r, 'position'),
    name: str(r, 'name'),
    role: oneOf(r, 'role', ROLES),
    approvers: r.approvers == null ? null : strings(r, 'approvers'),
    distinct: r.distinct_approver === true,
    slaHours: num(r, 'sla_hours'),
    matched: str(r, 'matched'),
    enteredAt: dateOrNull(r, 'entered_at'),
    slaDeadline: dateOrNull(r, 'sla_deadline'),
    decision: oneOfOrNull(r, 'decision', DECISIONS),
    decidedBy: person(r, 'decided_by', 'decided_by_name'),
    onBehalfOf: person(r, 'on_behalf_of', 'on_behalf_of_name'),
    decidedAt: dateOrNull(r, 'decided_at'),
    reason: strOrNull(r, 'reason'),
  };
}

export class ApprovalsRepository {
  constructor(private readonly db: Queryable) {}

  /** Writes a new round of the document's chain and makes its first stage the current one. */
  async enter(
    documentId: string,
    stages: readonly NewApprovalStage[],
    now: Date,
  ): Promise<ApprovalStageRecord> {
    const [r] = await this.db.query(
      'select coalesce(max(round), 0) + 1 as round from approval_stages where document_id = $1',
      [documentId],
    );
    const round = r ? num(r, 'round') : 1;
    for (const [i, s] of stages.entries()) {
      const first = i === 0;
      await this.db.query(
        `insert into approval_stages (document_id, round, position, name, role, approvers, distinct_approver,
           sla_hours, matched, entered_at, sla_deadline)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [
          documentId,
          round,
          i + 1,
          s.name,
          s.role,
          s.approvers ?? null,
          s.distinct,
          s.slaHours,
          s.matched,
          first ? now : null,
          first ? new Date(now.getTime() + s.slaHours * 3_600_000) : null,
        ],
      );
    }
    const current = await this.current(documentId);
    if (!current) throw new Error(`no stage entered for ${documentId}`);
    return current;
  }

  /** The stage the document waits at (its latest round's first undecided one); `lock` holds its row. */
  async current(
    documentId: string,
    options: { lock?: boolean } = {},
  ): Promise<ApprovalStageRecord | undefined> {
    const [row] = await this.db.query(
      `select ${COLUMNS} from approval_stages s
       where s.document_id = $1 and s.decision is null
         and s.round = (select max(round) from approval_stages where document_id = $1)
       order by s.position limit 1${options.lock ? ' for update' : ''}`,
      [documentId],
    );
    return row && toStage(row);
  }

  /** Every stage of the document's latest round, in order. */
  async chain(documentId: string): Promise<ApprovalStageRecord[]> {
    const rows = await this.db.query(
      `select ${COLUMNS} from approval_stages s
       where s.document_id = $1 and s.round = (select max(round) from approval_stages where document_id = $1)
       order by s.position`,
      [documentId],
    );
    return rows.map(toStage);
  }

  /**
   * Records the decision on the current stage; false when it was decided meanwhile. An approval makes the
   * next stage current (its SLA starts now) and returns it.
   */
  async decide(
    stage: ApprovalStageRecord,
    decision: {
      decision: 'approved' | 'rejected';
      by: { id: string; name: string };
      onBehalfOf?: { id: string; name: string } | undefined;
      reason?: string | null | undefined;
      at: Date;
    },
  ): Promise<{ decided: boolean; next?: ApprovalStageRecord | undefined }> {
    const rows = await this.db.query(
      `update approval_stages set decision = $4, decided_by = $5, decided_by_name = $6, on_behalf_of = $7,
         on_behalf_of_name = $8, reason = $9, decided_at = $10
       where document_id = $1 and round = $2 and position = $3 and decision is null returning position`,
      [
        stage.documentId,
        stage.round,
        stage.position,
        decision.decision,
        decision.by.id,
        decision.by.name,
        decision.onBehalfOf?.id ?? null,
        decision.onBehalfOf?.name ?? null,
        decision.reason ?? null,
        decision.at,
      ],
    );
    if (rows.length === 0) return { decided: false };
    if (decision.decision === 'rejected') return { decided: true };
    const [next] = await this.db.query(
      `update approval_stages set entered_at = $4::timestamptz, sla_deadline = $4::timestamptz + sla_hours * interval '1 hour'
       where document_id = $1 and round = $2 and position = $3 returning ${COLUMNS.replaceAll('s.', '')}`,
      [stage.documentId, stage.round, stage.position + 1, decision.at],
    );
    return { decided: true, next: next && toStage(next) };
  }

  /** Stages waiting now, with their documents; soonest deadline first. */
  async waiting(scope?: ScopeFilter): Promise<WaitingStage[]> {
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const inScope = scope ? ` and ${scopeCondition(scope, p, 'd.')}` : '';
    const rows = await this.db.query(
      `select ${COLUMNS}, d.file_name, d.vendor_name as doc_vendor_name, d.total_amount::text as doc_total_amount,
         d.currency,
         (select count(*) from approval_stages o where o.document_id = s.document_id and o.round = s.round) as stage_count
       from approval_stages s join documents d on d.id = s.document_id
       where s.entered_at is not null and s.decision is null and d.status = 'awaiting_approval'${inScope}
       order by s.sla_deadline, s.document_id`,
      params,
    );
    return rows.map((r) => ({
      ...toStage(r),
      fileName: str(r, 'file_name'),
      vendorName: strOrNull(r, 'doc_vendor_name'),
      totalAmount: strOrNull(r, 'doc_total_amount'),
      currency: strOrNull(r, 'currency'),
      of: num(r, 'stage_count'),
    }));
  }
}
