-- Files cut into several documents (a batch scan, a merged export): each part is a document of its own that
-- names the file it came from and its pages there; the file itself ends `split` and keeps its bytes.
alter table documents add column parent_id text references documents (id) on delete cascade;
alter table documents add column page_first integer;
alter table documents add column page_last integer;
alter table documents drop constraint documents_status_check;
alter table documents add constraint documents_status_check check (status in
  ('received', 'processing', 'auto_approved', 'needs_review', 'approved', 'rejected', 'failed', 'split'));
create index documents_parent_idx on documents (parent_id);
