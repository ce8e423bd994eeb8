-- Scopes: a key, a user (and so their sessions) or a webhook may be limited to some documents: those it sent
-- (own), those of a business unit (unit:<name>) or of named vendors (vendors:<tax id>,…). Null: every one.
alter table api_keys add column scope text;
alter table users add column scope text;
alter table sessions add column scope text;
alter table webhooks add column scope text;
-- The business unit a document belongs to, given at intake (or the unit of the key that sent it).
alter table documents add column business_unit text;
create index documents_unit_idx on documents (business_unit, received_at);
create index documents_submitted_by_idx on documents (submitted_by, received_at);
