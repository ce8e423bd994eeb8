// The back office's figures over a time range, computed in SQL from the records the service keeps:
// documents, document_events (every change of status, append-only), document_results, review_items and
// audit_events. Every figure is defined here and in the README ("Figures: what the back office can show"); the range is [from, to).
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
//                       corrected; unchanged = reviewed and no 'correct' audit event for it;
//                       accuracy = unchanged / reviewed. `overall` pools every field.
//   throughput          processed per hour of the range (processed / hours), and readings per clock hour.
//   bySource            received documents by source (api, upload, …).
import type { Queryable } from '../storage/database.ts';

export interface Range {
  from: Date;
  to: Date;
}

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
}

const ratio = (a: number, b: number) => (b === 0 ? null : Math.round((a / b) * 10_000) / 10_000);
const num = (v: unknown) => (v == null ? null : Math.round(Number(v) * 1000) / 1000);

/** Readings: status events out of `processing` into a read state. */
const READINGS = `from document_events e where e.from_status = 'processing'
  and e.to_status in ('auto_approved', 'needs_review', 'failed') and e.at >= $1 and e.at < $2`;

export async function summarize(db: Queryable, range: Range, now: Date): Promise<Summary> {
  const p = [range.from, range.to];
  const [counts] = await db.query<Record<string, string>>(
    `select
       (select count(*) from documents where received_at >= $1 and received_at < $2) as received,
       (select count(*) ${READINGS}) as processed,
       (select count(*) ${READINGS} and e.to_status = 'auto_approved') as auto_approved,
       (select count(*) ${READINGS} and e.to_status = 'needs_review') as exceptions,
       (select count(*) ${READINGS} and e.to_status = 'failed') as failures`,
    p,
  );
  const received = Number(counts!.received);
  const processed = Number(counts!.processed);
  const autoApproved = Number(counts!.auto_approved);
  const exceptions = Number(counts!.exceptions);

  // The reasons are the event's reason: the codes the reading was routed with, joined by ', '.
  const reasonRows = await db.query<{ reason: string; n: string }>(
    `select trim(r) as reason, count(*) as n
     from (select regexp_split_to_table(coalesce(e.reason, 'unspecified'), ',') as r ${READINGS}
           and e.to_status = 'needs_review') x
     group by 1 order by 2 desc, 1`,
    p,
  );
  const failureRows = await db.query<{ reason: string; n: string }>(
    `select coalesce(d.error_code, 'unknown') as reason, count(*) as n
     from document_events e join documents d on d.id = e.document_id
     where e.from_status = 'processing' and e.to_status = 'failed' and e.at >= $1 and e.at < $2
     group by 1 order by 2 desc, 1`,
    p,
  );

  // Review rounds: each entry into needs_review paired with the next event of that document.
  const rounds = `select e.document_id, e.at as entered, x.at as left_at, x.to_status
    from document_events e
    join lateral (select n.at, n.to_status from document_events n
                  where n.document_id = e.document_id and n.id > e.id order by n.id limit 1) x on true
    where e.to_status = 'needs_review' and x.at >= $1 and x.at < $2`;
  const [resolution] = await db.query<Record<string, unknown>>(
    `select count(*) as n, avg(s) as mean, percentile_cont(0.5) within group (order by s) as median,
       percentile_cont(0.9) within group (order by s) as p90, coalesce(array_agg(s order by s), '{}') as seconds
     from (select extract(epoch from (left_at - entered))::float8 as s from (${rounds}) r) t`,
    p,
  );

  const [sla] = await db.query<Record<string, string>>(
    `select
       (select count(*) from review_items where decided_at >= $1 and decided_at < $2
          and decided_at > sla_deadline)
       + (select count(*) from review_items where decided_at is null and sla_deadline >= $1
          and sla_deadline < $2 and sla_deadline < $3) as breaches,
       (select count(*) from review_items where decided_at is null and sla_deadline <= $3) as overdue,
       (select count(*) from review_items where decided_at is null and sla_deadline > $3
          and sla_deadline - $3 <= least((sla_deadline - created_at) * 0.25, interval '2 hours')) as at_risk,
       (select count(*) from review_items where decided_at is null and sla_deadline > $3
          and sla_deadline - $3 > least((sla_deadline - created_at) * 0.25, interval '2 hours')) as on_time`,
    [...p, now],
  );

  const [rework] = await db.query<Record<string, string>>(
    `with reopened as (
       select distinct document_id from audit_events where action = 'reopen' and at >= $1 and at < $2),
     corrected as (
       select distinct a.document_id from audit_events a
       where a.action = 'correct' and a.at >= $1 and a.at < $2
         and exists (select 1 from document_events e where e.document_id = a.document_id
                     and e.to_status in ('approved', 'auto_approved') and e.at < a.at)),
     resubmitted as (
       select distinct d.id as document_id from documents d
       where d.received_at >= $1 and d.received_at < $2
         and exists (select 1 from documents o where o.id <> d.id
                     and (o.received_at, o.id) < (d.received_at, d.id)
                     and o.status in ('approved', 'auto_approved', 'rejected')
                     and (o.sha256 = d.sha256 or (o.vendor_key = d.vendor_key
                          and o.invoice_number_key = d.invoice_number_key)))),
     all_rework as (select document_id from reopened union select document_id from corrected
                    union select document_id from resubmitted)
     select (select count(*) from all_rework) as total, (select count(*) from reopened) as reopened,
       (select count(*) from corrected) as corrected, (select count(*) from resubmitted) as resubmitted`,
    p,
  );

  // First pass: the fields of the last reading (not a correction) against the fields corrected.
  const fieldRows = await db.query<{ field: string; reviewed: string; unchanged: string }>(
    `with decided as (
       select distinct r.document_id, r.left_at from (${rounds}) r where r.to_status in ('approved', 'rejected')),
     read_fields as (
       select d.document_id, f.key as field from decided d
       join lateral (select result from document_results
                     where document_id = d.document_id and kind <> 'correction'
                     order by version desc limit 1) res on true
       cross join lateral jsonb_each(res.result -> 'fields') f
       where jsonb_typeof(f.value) = 'object'),
     corrected as (
       select distinct a.document_id, a.field from audit_events a join decided d on d.document_id = a.document_id
       where a.action = 'correct' and a.field is not null and a.at <= d.left_at),
     reviewed as (select document_id, field from read_fields union select document_id, field from corrected)
     select v.field, count(*) as reviewed,
       count(*) filter (where c.document_id is null) as unchanged
     from reviewed v left join corrected c on c.document_id = v.document_id and c.field = v.field
     group by v.field order by v.field`,
    p,
  );
  const fields: FieldAccuracy[] = fieldRows.map((r) => ({
    field: r.field,
    reviewed: Number(r.reviewed),
    unchanged: Number(r.unchanged),
    accuracy: ratio(Number(r.unchanged), Number(r.reviewed)),
  }));
  const reviewedAll = fields.reduce((a, f) => a + f.reviewed, 0);
  const unchangedAll = fields.reduce((a, f) => a + f.unchanged, 0);

  const hourRows = await db.query<{ hour: string; n: string }>(
    `select to_char(date_trunc('hour', e.at at time zone 'UTC'), 'YYYY-MM-DD"T"HH24:00:00"Z"') as hour,
       count(*) as n ${READINGS} group by 1 order by 1`,
    p,
  );
  const sourceRows = await db.query<{ source: string; n: string }>(
    `select source, count(*) as n from documents where received_at >= $1 and received_at < $2
     group by 1 order by 1`,
    p,
  );
  const hours = (range.to.getTime() - range.from.getTime()) / 3_600_000;
  const reworkCount = Number(rework!.total);

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
      byReason: Object.fromEntries(reasonRows.map((r) => [r.reason, Number(r.n)])),
    },
    failures: {
      count: Number(counts!.failures),
      byReason: Object.fromEntries(failureRows.map((r) => [r.reason, Number(r.n)])),
    },
    resolution: {
      count: Number(resolution!.n),
      meanSeconds: num(resolution!.mean),
      medianSeconds: num(resolution!.median),
      p90Seconds: num(resolution!.p90),
      seconds: (resolution!.seconds as number[]).map((s) => num(s)!),
    },
    sla: {
      breaches: Number(sla!.breaches),
      open: { overdue: Number(sla!.overdue), atRisk: Number(sla!.at_risk), onTime: Number(sla!.on_time) },
    },
    rework: {
      count: reworkCount,
      rate: ratio(reworkCount, processed),
      reopened: Number(rework!.reopened),
      correctedAfterApproval: Number(rework!.corrected),
      resubmitted: Number(rework!.resubmitted),
    },
    firstPassAccuracy: {
      overall: ratio(unchangedAll, reviewedAll),
      reviewed: reviewedAll,
      unchanged: unchangedAll,
      fields,
    },
    throughput: {
      perHour: hours > 0 ? Math.round((processed / hours) * 1000) / 1000 : 0,
      byHour: hourRows.map((r) => ({
        hour: r.hour,
        processed: Number(r.n),
      })),
    },
    bySource: Object.fromEntries(sourceRows.map((r) => [r.source, Number(r.n)])),
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
