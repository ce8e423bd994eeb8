-- The review queue, the audit trail and what reviewers corrected per vendor.

create table review_items (
  document_id text primary key references documents (id) on delete cascade,
  reasons text[] not null,
  priority integer not null,
  sla_deadline timestamptz not null,
  total_amount numeric,
  vendor_name text,
  assignee text,
  claimed_until timestamptz,
  created_at timestamptz not null default now(),
  -- Set when a reviewer decides; the item stays for the figures.
  decision text check (decision in ('approved', 'rejected', 'reprocess')),
  decided_by text,
  decided_at timestamptz
);
create index review_items_open_idx on review_items (decided_at, sla_deadline);

-- Append-only: a trigger refuses updates and deletes.
create table audit_events (
  id bigserial primary key,
  document_id text not null,
  actor text not null,
  action text not null,
  field text,
  before jsonb,
  after jsonb,
  reason text,
  at timestamptz not null default now()
);
create index audit_events_doc_idx on audit_events (document_id, id);

create function audit_events_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'audit events cannot be changed or deleted';
end;
$$;
create trigger audit_events_no_change before update or delete on audit_events
  for each row execute function audit_events_append_only();

create table vendor_corrections (
  id bigserial primary key,
  vendor_key text not null,
  document_id text not null,
  field text not null,
  read_value text,
  corrected_value text,
  actor text not null,
  at timestamptz not null default now()
);
create index vendor_corrections_vendor_idx on vendor_corrections (vendor_key, field);

-- Reviewers who sign in on the web pages (keys with the review role can sign in too).
create table users (
  id text primary key,
  email text not null unique,
  name text not null,
  role text not null check (role in ('ingest', 'review', 'admin')),
  password_hash text not null,
  created_at timestamptz not null default now()
);

create table sessions (
  id_hash text primary key,
  principal_id text not null,
  principal_name text not null,
  role text not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null
);
