// The process-document processor: reads one document; a fault in our side throws so BullMQ retries it.
import type { AppContext } from '../src/server/context.ts';
import type { JobPayload } from './registry.ts';

export function processDocument(ctx: AppContext) {
  return async (payload: JobPayload<'process-document'>) => {
    const log = ctx.log.child({ documentId: payload.documentId, round: payload.round });
    return ctx.processing.process(payload.documentId, payload.round, log);
  };
}

/** When BullMQ gives up (attempts spent), the document is marked failed with the last fault, never left hanging. */
export function processDocumentGaveUp(ctx: AppContext) {
  return async (payload: JobPayload<'process-document'>, error: Error) => {
    const doc = await ctx.documents.get(payload.documentId);
    if (!doc || doc.processingRound !== payload.round) return;
    await ctx.processing.fail(doc, payload.round, {
      code: 'internal_error',
      message: `The document could not be read after several attempts: ${error.message}`,
    });
  };
}
