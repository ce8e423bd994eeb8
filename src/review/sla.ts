// SLA state of a review item: overdue, at risk (close to its deadline) or on time.
export type SlaState = 'overdue' | 'at_risk' | 'on_time';

const TWO_HOURS = 2 * 3_600_000;

/** at_risk: the deadline is within 25% of the item's SLA or 2 h, whichever is smaller. */
export function slaStateOf(deadline: Date, openedAt: Date, now: Date): SlaState {
  const left = deadline.getTime() - now.getTime();
  if (left <= 0) return 'overdue';
  const sla = Math.max(0, deadline.getTime() - openedAt.getTime());
  return left <= Math.min(sla * 0.25, TWO_HOURS) ? 'at_risk' : 'on_time';
}
