-- Every way documents arrive: the origin of each document (its channel is `source`; the details are here),
-- the mailboxes and watched folders the service takes documents from, the e-mails already taken, and the
-- files refused on the way in with their reason.

-- {"channel":"email","mailbox":"…","messageId":"…","from":"…","subject":"…","attachment":"…"} or
-- {"channel":"folder","folder":"…","path":"…"}; null for documents sent before it was recorded.
alter table documents add column origin jsonb;
create index documents_source_idx on documents (source, received_at);

create table inboxes (
  id text primary key,
  name text not null unique,
  host text not null,
  port integer not null,
  tls boolean not null,
  username text not null,
  -- AES-256-GCM under SECRETS_KEY: iv, tag and ciphertext, base64url, joined with dots. Never sent back.
  password_sealed text not null,
  folder text not null default 'INBOX',
  processed_folder text not null default 'Processed',
  refused_folder text not null default 'Refused',
  -- Which senders, which attachment types, externalRef from the subject, business unit, replies.
  rules jsonb not null default '{}',
  enabled boolean not null default true,
  created_at timestamptz not null default now(),
  last_checked_at timestamptz,
  last_error text,
  -- One process reads an inbox at a time (serve and `retaguarda mail` may both run): it holds the lease.
  lease_owner text,
  lease_until timestamptz
);

-- One row per e-mail taken (or refused) from an inbox, by Message-ID: a message seen again (a crash between
-- storing its documents and moving it, a copy sent twice) creates no second document.
create table inbox_messages (
  inbox_id text not null references inboxes (id) on delete cascade,
  message_id text not null,
  outcome text not null check (outcome in ('stored', 'refused', 'ignored')),
  sender text,
  subject text,
  document_ids text[] not null default '{}',
  taken_at timestamptz not null default now(),
  primary key (inbox_id, message_id)
);

create table watch_folders (
  id text primary key,
  path text not null unique,
  business_unit text,
  enabled boolean not null default true,
  created_at timestamptz not null default now()
);

-- Files refused on the way in by a channel that has no one to answer (an e-mail attachment, a dropped
-- file): what, from where and why, for the upload page's recent list and the sender's reply.
create table intake_refusals (
  id bigserial primary key,
  source text not null,
  origin jsonb,
  file_name text not null,
  code text not null,
  message text not null,
  at timestamptz not null default now()
);
create index intake_refusals_at_idx on intake_refusals (at);
