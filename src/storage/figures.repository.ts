// The queries behind the back office's figures (src/metrics/summary.ts defines each figure) and the
// Prometheus gauges: counts over documents, document_events, document_results, review_items and audit_events.
import type { Queryable } from './database.ts';
import { num, numbers, numOrNull, str } from './rows.ts';

/** A half-open time range [from, to). */
export interface Range {
  from: Date;
  to: Date;
}

export interface Count {
  key: string;
  n: number;
}

/** Readings: status events out of `processing` into a read state. */
const READINGS = `from document_events e where e.from_status = 'processing'
  and e.to_status in ('auto_approved', 'awaiting_approval', 'needs_review', 'failed') and e.at >= $1 and e.at < $2`;

// Review rounds: each entry into needs_review paired with the next event of that document.
const ROUNDS = `select e.document_id, e.at as entered, x.at as left_at, x.to_status
  from document_events e
  join lateral (select n.at, n.to_status from document_events n
                where n.document_id = e.document_id and n.id > e.id order by n.id limit 1) x on true
  where e.to_status = 'needs_review' and x.at >= $1 and x.at < $2`;

const counts = (rows: Record<string, unknown>[], key: string): Count[] =>
  rows.map((r) => ({ key: str(r, key), n: num(r, 'n') }));

export class FiguresRepository {
  constructor(private readonly db: Queryable) {}

  async readings(range: Range) {
    const [r] = await this.db.query(
      `select
         (select count(*) from documents where received_at >= $1 and received_at < $2) as received,
         (select count(*) ${READINGS}) as processed,
         (select count(*) ${READINGS} and e.to_status in ('auto_approved', 'awaiting_approval')) as auto_approved,
         (select count(*) ${READINGS} and e.to_status = 'needs_review') as exceptions,
         (select count(*) ${READINGS} and e.to_status = 'failed') as failures`,
      [range.from, range.to],
    );
    if (!r) throw new Error('the counts returned no row');
    return {
      received: num(r, 'received'),
      processed: num(r, 'processed'),
      autoApproved: num(r, 'auto_approved'),
      exceptions: num(r, 'exceptions'),
      failures: num(r, 'failures'),
    };
  }

  /** Readings routed to review, per reason code they were routed with. */
  async exceptionReasons(range: Range): Promise<Count[]> {
    // The reasons are the event's reason: the codes the reading was routed with, joined by ', '.
    const rows = await this.db.query(
      `select trim(r) as reason, count(*) as n
       from (select regexp_split_to_table(coalesce(e.reason, 'unspecified'), ',') as r ${READINGS}
             and e.to_status = 'needs_review') x
       group by 1 order by 2 desc, 1`,
      [range.from, range.to],
    );
    return counts(rows, 'reason');
  }

  /** Readings that failed, per the document's error code. */
  async failureReasons(range: Range): Promise<Count[]> {
    const rows = await this.db.query(
      `select coalesce(d.error_code, 'unknown') as reason, count(*) as n
       from document_events e join documents d on d.id = e.document_id
       where e.from_status = 'processing' and e.to_status = 'failed' and e.at >= $1 and e.at < $2
       group by 1 order by 2 desc, 1`,
      [range.from, range.to],
    );
    return counts(rows, 'reason');
  }

  /** Review rounds decided in the range: their count and durations in seconds (percentiles interpolated). */
  async resolution(range: Range) {
    const [r] = await this.db.query(
      `select count(*) as n, avg(s) as mean, percentile_cont(0.5) within group (order by s) as median,
         percentile_cont(0.9) within group (order by s) as p90, coalesce(array_agg(s order by s), '{}') as seconds
       from (select extract(epoch from (left_at - entered))::float8 as s from (${ROUNDS}) r) t`,
      [range.from, range.to],
    );
    if (!r) throw new Error('the resolution query returned no row');
    return {
      count: num(r, 'n'),
      mean: numOrNull(r, 'mean'),
      median: numOrNull(r, 'median'),
      p90: numOrNull(r, 'p90'),
      seconds: numbers(r, 'seconds'),
    };
  }

  async sla(range: Range, now: Date) {
    const [r] = await this.db.query(
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
      [range.from, range.to, now],
    );
    if (!r) throw new Error('the SLA query returned no row');
    return {
      breaches: num(r, 'breaches'),
      overdue: num(r, 'overdue'),
      atRisk: num(r, 'at_risk'),
      onTime: num(r, 'on_time'),
    };
  }

  async rework(range: Range) {
    const [r] = await this.db.query(
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
      [range.from, range.to],
    );
    if (!r) throw new Error('the rework query returned no row');
    return {
      total: num(r, 'total'),
      reopened: num(r, 'reopened'),
      corrected: num(r, 'corrected'),
      resubmitted: num(r, 'resubmitted'),
    };
  }

  /** Per field, over review rounds approved or rejected in the range: reviewed and unchanged counts. */
  async firstPassFields(range: Range): Promise<{ field: string; reviewed: number; unchanged: number }[]> {
    // First pass: the fields of the last reading (not a correction) against the fields corrected.
    const rows = await this.db.query(
      `with decided as (
         select distinct r.document_id, r.left_at from (${ROUNDS}) r
         where r.to_status in ('approved', 'awaiting_approval', 'rejected')),
       read_fields as (
         select d.document_id, f.key as field from decided d
         join lateral (select result from document_results
                       where document_id = d.document_id and kind <> 'correction'
                       order by version desc limit 1) res on true
         cross join lateral jsonb_each(res.result -> 'fields') f
         where jsonb_typeof(f.value) = 'object'),
       -- A line item's cell counts under its column (lineItems[3].amount → lineItems.amount), whichever line.
       corrected as (
         select distinct a.document_id, regexp_replace(a.field, '[[0-9]+]', '') as field
         from audit_events a join decided d on d.document_id = a.document_id
         where a.action = 'correct' and a.field is not null and a.at <= d.left_at),
       reviewed as (select document_id, field from read_fields union select document_id, field from corrected)
       select v.field, count(*) as reviewed,
         count(*) filter (where c.document_id is null) as unchanged
       from reviewed v left join corrected c on c.document_id = v.document_id and c.field = v.field
       group by v.field order by v.field`,
      [range.from, range.to],
    );
    return rows.map((r) => ({
      field: str(r, 'field'),
      reviewed: num(r, 'reviewed'),
      unchanged: num(r, 'unchanged'),
    }));
  }

  /**
   * Per approval stage (by name): open now, overdue now, decided in the range (approved, rejected), SLA
   * breaches (decided in the range after the deadline, or open with the deadline in the range and passed),
   * and the time from entering to a decision of those decided in the range.
   */
  async approvalStages(range: Range, now: Date) {
    const rows = await this.db.query(
      `select name,
         count(*) filter (where decision is null and entered_at is not null) as pending,
         count(*) filter (where decision is null and sla_deadline <= $3) as overdue,
         count(*) filter (where decided_at >= $1 and decided_at < $2 and decision = 'approved') as approved,
         count(*) filter (where decided_at >= $1 and decided_at < $2 and decision = 'rejected') as rejected,
         count(*) filter (where (decided_at >= $1 and decided_at < $2 and decided_at > sla_deadline)
           or (decision is null and sla_deadline >= $1 and sla_deadline < $2 and sla_deadline < $3)) as breaches,
         avg(extract(epoch from (decided_at - entered_at))::float8)
           filter (where decided_at >= $1 and decided_at < $2) as mean,
         percentile_cont(0.5) within group (order by extract(epoch from (decided_at - entered_at))::float8)
           filter (where decided_at >= $1 and decided_at < $2) as median
       from approval_stages s
       where (s.decision is null and s.entered_at is not null) or (s.decided_at >= $1 and s.decided_at < $2)
         or (s.sla_deadline >= $1 and s.sla_deadline < $2)
       group by name order by min(position), name`,
      [range.from, range.to, now],
    );
    return rows.map((r) => ({
      name: str(r, 'name'),
      pending: num(r, 'pending'),
      overdue: num(r, 'overdue'),
      approved: num(r, 'approved'),
      rejected: num(r, 'rejected'),
      breaches: num(r, 'breaches'),
      mean: numOrNull(r, 'mean'),
      median: numOrNull(r, 'median'),
    }));
  }

  /** Readings per UTC clock hour (`YYYY-MM-DDTHH:00:00Z`). */
  async readingsByHour(range: Range): Promise<Count[]> {
    const rows = await this.db.query(
      `select to_char(date_trunc('hour', e.at at time zone 'UTC'), 'YYYY-MM-DD"T"HH24:00:00"Z"') as hour,
         count(*) as n ${READINGS} group by 1 order by 1`,
      [range.from, range.to],
    );
    return counts(rows, 'hour');
  }

  async receivedBySource(range: Range): Promise<Count[]> {
    const rows = await this.db.query(
      `select source, count(*) as n from documents where received_at >= $1 and received_at < $2
       group by 1 order by 1`,
      [range.from, range.to],
    );
    return counts(rows, 'source');
  }

  /**
   * Per channel: documents received in the range, and readings that ended in it with those straight
   * through. The channel is the recorded origin's; a document without one came by the API, or the upload
   * page when it says so.
   */
  async byChannel(
    range: Range,
  ): Promise<{ channel: string; received: number; processed: number; autoApproved: number }[]> {
    const rows = await this.db.query(
      `with channel_of as (
         select id, received_at,
           coalesce(origin ->> 'channel', case when source = 'upload' then 'upload' else 'api' end) as channel
         from documents),
       received as (
         select channel, count(*) as n from channel_of where received_at >= $1 and received_at < $2 group by 1),
       readings as (
         select c.channel, count(*) as processed, count(*) filter (where e.to_status in ('auto_approved', 'awaiting_approval')) as auto
         ${READINGS.replace('from document_events e', 'from document_events e join channel_of c on c.id = e.document_id')}
         group by 1)
       select coalesce(r.channel, p.channel) as channel, coalesce(r.n, 0) as received,
         coalesce(p.processed, 0) as processed, coalesce(p.auto, 0) as auto_approved
       from received r full join readings p on p.channel = r.channel order by 1`,
      [range.from, range.to],
    );
    return rows.map((r) => ({
      channel: str(r, 'channel'),
      received: num(r, 'received'),
      processed: num(r, 'processed'),
      autoApproved: num(r, 'auto_approved'),
    }));
  }

  /** Every document by its current status. */
  async documentsByStatus(): Promise<Count[]> {
    return counts(
      await this.db.query('select status, count(*) as n from documents group by status'),
      'status',
    );
  }

  /** Open review items: overdue at `now`, and not. */
  async openItems(now: Date): Promise<{ overdue: number; notOverdue: number }> {
    const [r] = await this.db.query(
      `select count(*) filter (where sla_deadline <= $1) as overdue,
         count(*) filter (where sla_deadline > $1) as open
       from review_items where decided_at is null`,
      [now],
    );
    return { overdue: r ? num(r, 'overdue') : 0, notOverdue: r ? num(r, 'open') : 0 };
  }
}
