// Faults that stop a document: each has a stable code and a message a person can act on.
import type { ErrorCode } from '../contract/result.ts';

export class DocumentError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DocumentError';
  }
}

export function isDocumentError(e: unknown): e is DocumentError {
  return e instanceof DocumentError;
}
