// The back office's figures over a time range, from the records the service keeps: documents, document_events
// (every change of status, append-only), document_results, review_items and audit_events, counted by the
// queries in src/storage/figures.repository.ts. Every figure is defined here and in docs/figures.md ("The
// back-office figures"); the range is [from, to).
//
//   received            documents whose received_at is in the range.
//   processed           readings that reached a read state (processing → auto_approved | needs_review |
//                       failed) in the range; a document read again (reprocess) counts once per reading.
//   autoApproved        of those, the ones that went processing → auto_approved.
//   straightThroughRate autoApproved / processed (null when nothing was processed).
//   exceptions          readings that went processing → needs_review; byReason counts each reason code the
//                       reading was routed with (a reading with two reasons counts under both).
//   exceptionRate       exceptions / processed.
//   failures            readings that went processing → failed, by the document's error code.
//   resolution          review rounds decided in the range: from entering needs_review to leaving it
//                       (approved, rejected, or sent back for reprocessing); mean, median and p90 (linear
//                       interpolation, PostgreSQL percentile_cont) in seconds.
//   sla.breaches        review items decided in the range after their deadline, plus items still open
//                       whose deadline fell in the range and before now.
//   sla.open            open items (no decision) as of now: overdue (deadline passed), at risk (deadline
//                       within 25% of the item's SLA or 2 h, whichever is smaller) or on time.
//   rework              distinct documents with, in the range, an audit 'reopen', or a 'correct' after the
//                       document had been approved; plus re-submissions: documents received in the range
//                       whose sha256, or vendor key + invoice number, matches an earlier document that is
//                       approved, auto-approved or rejected. reworkRate = rework / processed.
//   firstPassAccuracy   over documents whose review round was decided (approved or rejected) in the range:
//                       per field, reviewed = the field was read (present in the last reading's result) or
//                       corrected (a line item's cells by column: lineItems.amount, lineItems for a
//                       line added or removed, lineItems.order); unchanged = reviewed and no 'correct'
//                       audit event for it;
//                       accuracy = unchanged / reviewed. `overall` pools every field.
//   throughput          processed per hour of the range (processed / hours), and readings per clock hour.
//   bySource            received documents by source (api, upload, …).
//   approvals.stages    per approval stage (by its name in the rules file): pending = documents waiting at it
//                       now, overdue = of those, past the stage's deadline; approved and rejected = decided in
//                       the range; slaBreaches = decided in the range after the deadline, plus waiting ones
//                       whose deadline fell in the range and before now; mean and median seconds from
//                       reaching the stage to its decision, over those decided in the range. A reading that
//                       went processing → awaiting_approval (no exception, but the chain applies) counts as
//                       autoApproved above: nobody had to correct it.
//   byChannel           per channel (api, upload, email, folder: the recorded origin's; api or upload from
//                       the source for a document without one): received, processed and autoApproved as
//                       above, and straightThroughRate = autoApproved / processed. Every channel is present.
import { CHANNELS } from '../contract/origin.ts';
import type { FiguresRepository, Range } from '../storage/figures.repository.ts';

export type { Range };

export interface FieldAccuracy {
  field: string;
  reviewed: number;
  unchanged: number;
  accuracy: number | null;
}

export interface Summary {
  from: string;
  to: string;
  received: number;
  processed: number;
  autoApproved: number;
  straightThroughRate: number | null;
  exceptions: { count: number; rate: number | null; byReason: Record<string, number> };
  failures: { count: number; byReason: Record<string, number> };
  resolution: {
    count: number;
    meanSeconds: number | null;
    medianSeconds: number | null;
    p90Seconds: number | null;
    /** Each decided round's time, for the distribution chart. */
    seconds: number[];
  };
  sla: { breaches: number; open: { overdue: number; atRisk: number; onTime: number } };
  rework: {
    count: number;
    rate: number | null;
    reopened: number;
    correctedAfterApproval: number;
    resubmitted: number;
  };
  firstPassAccuracy: { overall: number | null; reviewed: number; unchanged: number; fields: FieldAccuracy[] };
  throughput: { perHour: number; byHour: { hour: string; processed: number }[] };
  bySource: Record<string, number>;
  byChannel: Record<
    string,
    { received: number; processed: number; autoApproved: number; straightThroughRate: number | null }
  >;
  approvals: { stages: ApprovalStageFigures[] };
}

export interface ApprovalStageFigures {
  name: string;
  pending: number;
  overdue: number;
  approved: number;
  rejected: number;
  slaBreaches: number;
  meanSeconds: number | null;
  medianSeconds: number | null;
}

const ratio = (a: number, b: number) => (b === 0 ? null : Math.round((a / b) * 10_000) / 10_000);
const round3 = (v: number) => Math.round(v * 1000) / 1000;
const round3OrNull = (v: number | null) => (v === null ? null : round3(v));
const byKey = (rows: { key: string; n: number }[]) => Object.fromEntries(rows.map((r) => [r.key, r.n]));

export async function summarize(figures: FiguresRepository, range: Range, now: Date): Promise<Summary> {
  const counts = await figures.readings(range);
  const { received, processed, autoApproved, exceptions } = counts;
  const reasons = await figures.exceptionReasons(range);
  const failureReasons = await figures.failureReasons(range);
  const resolution = await figures.resolution(range);
  const sla = await figures.sla(range, now);
  const rework = await figures.rework(range);
  const fields: FieldAccuracy[] = (await figures.firstPassFields(range)).map((r) => ({
    ...r,
    accuracy: ratio(r.unchanged, r.reviewed),
  }));
  const reviewedAll = fields.reduce((a, f) => a + f.reviewed, 0);
  const unchangedAll = fields.reduce((a, f) => a + f.unchanged, 0);
  const hourRows = await figures.readingsByHour(range);
  const sources = await figures.receivedBySource(range);
  const channels = await figures.byChannel(range);
  const hours = (range.to.getTime() - range.from.getTime()) / 3_600_000;
  const stages = await figures.approvalStages(range, now);

  return {
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    received,
    processed,
    autoApproved,
    straightThroughRate: ratio(autoApproved, processed),
    exceptions: {
      count: exceptions,
      rate: ratio(exceptions, processed),
      byReason: byKey(reasons),
    },
    failures: {
      count: counts.failures,
      byReason: byKey(failureReasons),
    },
    resolution: {
      count: resolution.count,
      meanSeconds: round3OrNull(resolution.mean),
      medianSeconds: round3OrNull(resolution.median),
      p90Seconds: round3OrNull(resolution.p90),
      seconds: resolution.seconds.map(round3),
    },
    sla: {
      breaches: sla.breaches,
      open: { overdue: sla.overdue, atRisk: sla.atRisk, onTime: sla.onTime },
    },
    rework: {
      count: rework.total,
      rate: ratio(rework.total, processed),
      reopened: rework.reopened,
      correctedAfterApproval: rework.corrected,
      resubmitted: rework.resubmitted,
    },
    firstPassAccuracy: {
      overall: ratio(unchangedAll, reviewedAll),
      reviewed: reviewedAll,
      unchanged: unchangedAll,
      fields,
    },
    throughput: {
      perHour: hours > 0 ? Math.round((processed / hours) * 1000) / 1000 : 0,
      byHour: hourRows.map((r) => ({ hour: r.key, processed: r.n })),
    },
    bySource: byKey(sources),
    approvals: {
      stages: stages.map((st) => ({
        name: st.name,
        pending: st.pending,
        overdue: st.overdue,
        approved: st.approved,
        rejected: st.rejected,
        slaBreaches: st.breaches,
        meanSeconds: round3OrNull(st.mean),
        medianSeconds: round3OrNull(st.median),
      })),
    },
    byChannel: Object.fromEntries(
      [...new Set([...CHANNELS, ...channels.map((c) => c.channel)])].map((channel) => {
        const c = channels.find((x) => x.channel === channel);
        const [received, processed, auto] = [c?.received ?? 0, c?.processed ?? 0, c?.autoApproved ?? 0];
        return [
          channel,
          { received, processed, autoApproved: auto, straightThroughRate: ratio(auto, processed) },
        ];
      }),
    ),
  };
}

/** UTC days of a range, for the per-day series. */
export function daysOf(range: Range): Range[] {
  const out: Range[] = [];
  let start = new Date(
    Date.UTC(range.from.getUTCFullYear(), range.from.getUTCMonth(), range.from.getUTCDate()),
  );
  while (start < range.to) {
    const end = new Date(start.getTime() + 86_400_000);
    out.push({ from: start < range.from ? range.from : start, to: end > range.to ? range.to : end });
    start = end;
  }
  return out;
}
