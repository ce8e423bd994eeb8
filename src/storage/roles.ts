// The roles an API key, a user or a session carries, as the tables store them (least to most).
export const ROLES = ['ingest', 'review', 'admin'] as const;
export type Role = (typeof ROLES)[number];
