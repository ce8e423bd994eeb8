-- A person who leaves is disabled, not deleted: their name stays on the audit trail, their sign-in stops.
alter table users add column disabled_at timestamptz;
