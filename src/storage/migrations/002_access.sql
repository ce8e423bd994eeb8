-- API keys (stored hashed), idempotent requests, webhooks and their deliveries.

create table api_keys (
  id text primary key,
  name text not null,
  role text not null check (role in ('ingest', 'review', 'admin')),
  -- sha256 of the key; the key itself is shown once, when it is created.
  key_hash text not null unique,
  -- The first characters, so a person can tell keys apart in lists and logs.
  key_prefix text not null,
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);

create table idempotency_keys (
  api_key_id text not null,
  key text not null,
  request_hash text not null,
  status_code integer,
  response jsonb,
  created_at timestamptz not null default now(),
  primary key (api_key_id, key)
);

create table webhooks (
  id text primary key,
  url text not null,
  -- Events delivered to this endpoint, e.g. {document.processed, document.approved}.
  events text[] not null,
  secret text not null,
  description text,
  active boolean not null default true,
  created_at timestamptz not null default now()
);

create table webhook_deliveries (
  id text primary key,
  webhook_id text not null references webhooks (id) on delete cascade,
  event text not null,
  document_id text,
  payload jsonb not null,
  status text not null check (status in ('pending', 'delivered', 'failed')),
  attempts integer not null default 0,
  last_status_code integer,
  last_error text,
  created_at timestamptz not null default now(),
  delivered_at timestamptz
);
create index webhook_deliveries_hook_idx on webhook_deliveries (webhook_id, created_at);

create table webhook_attempts (
  id bigserial primary key,
  delivery_id text not null references webhook_deliveries (id) on delete cascade,
  attempt integer not null,
  status_code integer,
  error text,
  duration_ms integer,
  at timestamptz not null default now()
);
