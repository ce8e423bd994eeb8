-- When a document was first read: re-reading it (sent back by a reviewer) keeps its place in the order
-- duplicates are judged in, so an original never becomes the duplicate of its own later copy.
alter table documents add column first_read_at timestamptz;
update documents set first_read_at = processed_at where processed_at is not null;
create index documents_first_read_idx on documents (first_read_at);
