-- Documents, their results and every change of state: the record the back office's figures come from.

create table documents (
  id text primary key,
  sha256 text not null,
  file_name text not null,
  media_type text not null,
  size_bytes integer not null,
  -- Where the document came from: api, upload (the upload page), …
  source text not null default 'api',
  external_ref text,
  -- The API key (or user) that sent it.
  submitted_by text,
  status text not null check (status in
    ('received', 'processing', 'auto_approved', 'needs_review', 'approved', 'rejected', 'failed')),
  route text check (route in ('auto', 'review')),
  error_code text,
  error_message text,
  -- Bumped each time the document is sent (back) for reading; part of its job id.
  processing_round integer not null default 1,
  -- Copied from the latest result for filters, duplicates and exports.
  document_type text,
  vendor_name text,
  vendor_tax_id text,
  vendor_key text,
  invoice_number text,
  invoice_number_key text,
  total_amount numeric,
  currency text,
  received_at timestamptz not null default now(),
  processed_at timestamptz,
  decided_at timestamptz,
  updated_at timestamptz not null default now()
);
create index documents_status_idx on documents (status, received_at);
create index documents_received_idx on documents (received_at, id);
create index documents_sha_idx on documents (sha256);
create index documents_invoice_idx on documents (vendor_key, invoice_number_key);

-- Results are versioned: version 1 is the extraction, later versions are corrections or re-readings.
create table document_results (
  document_id text not null references documents (id) on delete cascade,
  version integer not null,
  kind text not null check (kind in ('extraction', 'correction', 'reprocess')),
  result jsonb not null,
  created_by text,
  created_at timestamptz not null default now(),
  primary key (document_id, version)
);

-- Each change of status, with its time: the document's history in the API and the base of the figures.
create table document_events (
  id bigserial primary key,
  document_id text not null references documents (id) on delete cascade,
  from_status text,
  to_status text not null,
  actor text,
  reason text,
  at timestamptz not null default now()
);
create index document_events_doc_idx on document_events (document_id, id);
create index document_events_at_idx on document_events (at);
