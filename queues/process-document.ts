// The process-document processor: reads one document; a fault in our side throws so BullMQ retries it.
import type { Logger } from 'pino';
import type { ProcessingService } from '../src/services/processing.ts';
import type { JobPayload } from './registry.ts';

export interface ProcessDocumentDeps {
  processing: Pick<ProcessingService, 'process' | 'giveUp'>;
  log: Logger;
}

export function processDocument({ processing, log }: ProcessDocumentDeps) {
  return async (payload: JobPayload<'process-document'>) => {
    const child = log.child({ documentId: payload.documentId, round: payload.round });
    return processing.process(payload.documentId, payload.round, child);
  };
}

/** When BullMQ gives up (attempts spent), the document is marked failed with the last fault, never left hanging. */
export function processDocumentGaveUp({ processing }: ProcessDocumentDeps) {
  return async (payload: JobPayload<'process-document'>, error: Error) =>
    processing.giveUp(payload.documentId, payload.round, error);
}
