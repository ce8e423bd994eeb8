-- Names next to ids, so the queue and the audit trail say who without a lookup (a key or user may be gone later).
alter table review_items add column assignee_name text;
alter table audit_events add column actor_name text;
create index sessions_expires_idx on sessions (expires_at);
