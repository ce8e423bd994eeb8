-- Approval chains: a document approved in review (or read without an exception) whose rules file declares
-- stages for it waits in `awaiting_approval` while each stage is approved in turn. Each stage a document
-- enters is a row; the `approver` role; a person away names a delegate; the audit says on whose behalf.
alter table documents drop constraint documents_status_check;
alter table documents add constraint documents_status_check check (status in
  ('received', 'processing', 'auto_approved', 'needs_review', 'awaiting_approval', 'approved', 'rejected',
   'failed', 'split'));

alter table api_keys drop constraint api_keys_role_check;
alter table api_keys add constraint api_keys_role_check check (role in ('ingest', 'review', 'approver', 'admin'));
alter table users drop constraint users_role_check;
alter table users add constraint users_role_check check (role in ('ingest', 'review', 'approver', 'admin'));

-- Away until this time; meanwhile the delegate (a user or key id) may approve stages in their name.
alter table users add column away_until timestamptz;
alter table users add column delegate_id text;

-- An action taken by a delegate names the person it was taken for.
alter table audit_events add column on_behalf_of text;
alter table audit_events add column on_behalf_of_name text;

create table approval_stages (
  document_id text not null references documents (id) on delete cascade,
  -- A document approved again after a reopening goes through the chain again: a new round.
  round integer not null,
  position integer not null,
  name text not null,
  role text not null,
  -- Only these people (user ids, emails or key ids) may approve; null: anyone with the role.
  approvers text[],
  -- A different person from every earlier approval of the document (review and stages).
  distinct_approver boolean not null,
  sla_hours numeric not null,
  -- Why the stage applies ("total 12,400.00 USD over 10,000.00").
  matched text not null,
  -- Set when the stage becomes the current one; its deadline is entered_at + sla_hours.
  entered_at timestamptz,
  sla_deadline timestamptz,
  decision text check (decision in ('approved', 'rejected')),
  decided_by text,
  decided_by_name text,
  on_behalf_of text,
  on_behalf_of_name text,
  decided_at timestamptz,
  reason text,
  primary key (document_id, round, position)
);
create index approval_stages_open_idx on approval_stages (decided_at, sla_deadline);
