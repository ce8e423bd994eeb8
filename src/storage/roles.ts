// The roles an API key, a user or a session carries, as the tables store them (least to most). An approver
// can review too (approving a stage means reading the document as a reviewer would); admin can do everything.
export const ROLES = ['ingest', 'review', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];
