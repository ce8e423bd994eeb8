-- Vendor memory: per vendor layout, what reviewers taught about where its fields are (src/pipeline/extract/memory/).
-- One row per layout; its fields and their sources are one JSON document, read and written whole.
create table vendor_memory (
  layout_id text primary key,
  vendor_key text not null,
  layout jsonb not null,
  updated_at timestamptz not null
);
create index vendor_memory_vendor_idx on vendor_memory (vendor_key);

-- The words and their boxes as a document was read: what a later correction learns the fields' places from.
create table document_layouts (
  document_id text primary key references documents (id) on delete cascade,
  layout jsonb not null,
  created_at timestamptz not null default now()
);
