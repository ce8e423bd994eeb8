-- Master data kept by the service: vendors, purchase orders with their lines, goods receipts, and the trail of
-- every change to them (append-only, like audit_events).

create table vendors (
  id text primary key,
  external_id text unique,
  legal_name text not null,
  aliases text[] not null default '{}',
  tax_ids text[] not null default '{}',
  bank_accounts text[] not null default '{}',
  email_domains text[] not null default '{}',
  website text,
  phone text,
  approval_limit numeric,
  default_currency text,
  -- The currencies it may bill in; null: any.
  currencies text[],
  active boolean not null default true,
  -- What documents are matched on, in the normal forms of src/rules/master-data.ts (vendorKeys).
  tax_id_keys text[] not null default '{}',
  bank_account_keys text[] not null default '{}',
  email_domain_keys text[] not null default '{}',
  web_host_keys text[] not null default '{}',
  phone_keys text[] not null default '{}',
  name_keys text[] not null default '{}',
  created_at timestamptz not null,
  updated_at timestamptz not null
);
create index vendors_tax_id_keys_idx on vendors using gin (tax_id_keys);
create index vendors_bank_account_keys_idx on vendors using gin (bank_account_keys);
create index vendors_email_domain_keys_idx on vendors using gin (email_domain_keys);
create index vendors_web_host_keys_idx on vendors using gin (web_host_keys);
create index vendors_phone_keys_idx on vendors using gin (phone_keys);
create index vendors_name_keys_idx on vendors using gin (name_keys);
create index vendors_list_idx on vendors (lower(legal_name), id);

create table purchase_orders (
  id text primary key,
  number text not null,
  -- The number without spaces, upper case: how a document's purchase order finds it.
  number_key text not null unique,
  vendor_id text not null references vendors (id),
  currency text,
  -- The order's total when given; the sum of its lines otherwise.
  amount numeric,
  order_date date,
  status text not null default 'open',
  created_at timestamptz not null,
  updated_at timestamptz not null
);
create index purchase_orders_vendor_idx on purchase_orders (vendor_id);
create index purchase_orders_list_idx on purchase_orders (created_at, id);

create table purchase_order_lines (
  purchase_order_id text not null references purchase_orders (id) on delete cascade,
  line integer not null,
  sku text,
  description text not null,
  quantity numeric not null,
  unit_price numeric not null,
  primary key (purchase_order_id, line)
);

create table goods_receipts (
  id text primary key,
  purchase_order_id text not null references purchase_orders (id),
  -- The receiving document's own number (delivery note), when given.
  reference text,
  received_on date not null,
  note text,
  created_at timestamptz not null,
  updated_at timestamptz not null
);
create index goods_receipts_po_idx on goods_receipts (purchase_order_id);
create index goods_receipts_list_idx on goods_receipts (created_at, id);

create table goods_receipt_lines (
  goods_receipt_id text not null references goods_receipts (id) on delete cascade,
  -- The purchase order's line it receives.
  line integer not null,
  quantity numeric not null,
  primary key (goods_receipt_id, line)
);

create table master_data_events (
  id bigserial primary key,
  -- vendor, purchase_order or goods_receipt
  entity text not null,
  entity_id text not null,
  actor text not null,
  actor_name text,
  -- created, updated, deactivated, imported
  action text not null,
  before jsonb,
  after jsonb,
  at timestamptz not null
);
create index master_data_events_entity_idx on master_data_events (entity, entity_id, id);

create function master_data_events_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'master data events cannot be changed or deleted';
end;
$$;
create trigger master_data_events_no_change before update or delete on master_data_events
  for each row execute function master_data_events_append_only();
