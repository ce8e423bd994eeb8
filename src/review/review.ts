// The review's services, built from one set of dependencies: the queue, claims, corrections (fields and line
// items), decisions, the approval stages after review and the audit trail.
import { ApprovalService } from './approvals.ts';
import { AuditTrail } from './audit-trail.ts';
import { ClaimService } from './claims.ts';
import { CorrectionService } from './corrections.ts';
import { CutService } from './cuts.ts';
import { DecisionService } from './decisions.ts';
import type { ReviewDeps } from './items.ts';
import { LineItemService } from './line-items.ts';
import { ReviewQueue } from './queue.ts';

export type { ReviewDeps };

export interface ReviewServices {
  queue: ReviewQueue;
  claims: ClaimService;
  corrections: CorrectionService;
  lines: LineItemService;
  decisions: DecisionService;
  approvals: ApprovalService;
  cuts: CutService;
  audit: AuditTrail;
}

export function createReviewServices(deps: ReviewDeps): ReviewServices {
  return {
    queue: new ReviewQueue(deps),
    claims: new ClaimService(deps),
    corrections: new CorrectionService(deps),
    lines: new LineItemService(deps),
    decisions: new DecisionService(deps),
    approvals: new ApprovalService(deps),
    cuts: new CutService(deps),
    audit: new AuditTrail(deps),
  };
}
