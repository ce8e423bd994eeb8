-- A part of a split file that a reviewer's new cut replaced: kept, with its reading and audit trail, but no longer a
-- document to pay or export; its review item closes with the same word.
alter table documents drop constraint documents_status_check;
alter table documents add constraint documents_status_check check (status in
  ('received', 'processing', 'auto_approved', 'needs_review', 'awaiting_approval', 'approved', 'rejected',
   'failed', 'split', 'superseded'));
alter table review_items drop constraint review_items_decision_check;
alter table review_items add constraint review_items_decision_check check (decision in
  ('approved', 'rejected', 'reprocess', 'superseded'));
