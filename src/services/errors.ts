// The one error a request can be refused with: an HTTP status, a stable code and a message a person can act
// on, with optional extra body fields. Services throw it; src/api turns it into `{ error, message, …extra }`.
export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
    /** Headers the answer carries with it, e.g. retry-after on a 429. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** What went wrong, from anything thrown. */
export const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));
