// Nothing is lost: documents left `received` or `processing` with no live job, and webhook deliveries whose
// job vanished, are found in the database and enqueued again (Redis holds queues only).
import type { Logger } from 'pino';
import type { JobQueues } from '../../queues/queues.ts';
import { JOBS } from '../../queues/registry.ts';
import type { Clock } from '../storage/clock.ts';
import type { DocumentsRepository } from '../storage/documents.ts';
import type { WebhookService } from './webhooks.ts';

const LIVE = new Set(['active', 'waiting', 'delayed', 'prioritized', 'waiting-children']);

export class RecoveryService {
  constructor(
    private readonly documents: DocumentsRepository,
    private readonly webhooks: WebhookService,
    private readonly queues: JobQueues,
    private readonly clock: Clock,
    private readonly graceSeconds: number,
  ) {}

  /** One sweep; returns what it re-enqueued. `graceSeconds` overrides the configured grace (0 at start-up). */
  async sweep(
    log?: Logger,
    options: { graceSeconds?: number } = {},
  ): Promise<{ documents: string[]; deliveries: string[] }> {
    const grace = options.graceSeconds ?? this.graceSeconds;
    const olderThan = new Date(this.clock.now().getTime() - grace * 1000);
    const documents: string[] = [];
    for (const doc of await this.documents.unfinished(olderThan)) {
      const jobId = JOBS['process-document'].jobId({ documentId: doc.id, round: doc.processingRound });
      const state = await this.queues.state('process-document', jobId);
      if (state && LIVE.has(state)) continue;
      // A finished job on an unfinished document (it died between the two): clear it so the id is free.
      if (state) await this.queues.remove('process-document', jobId).catch(() => {});
      await this.queues.add('process-document', { documentId: doc.id, round: doc.processingRound });
      documents.push(doc.id);
    }
    const deliveries: string[] = [];
    for (const d of await this.webhooks.stalled(olderThan)) {
      const ids = new Set(
        [0, d.attempts].map((a) => JOBS['deliver-webhook'].jobId({ deliveryId: d.id, attempt: a })),
      );
      let live = false;
      for (const id of ids) {
        const state = await this.queues.state('deliver-webhook', id);
        if (state && LIVE.has(state)) live = true;
      }
      if (live) continue;
      for (const id of ids) await this.queues.remove('deliver-webhook', id).catch(() => {});
      await this.queues.add('deliver-webhook', { deliveryId: d.id, attempt: d.attempts });
      deliveries.push(d.id);
    }
    if (documents.length || deliveries.length) {
      log?.warn(
        { documents: documents.length, deliveries: deliveries.length },
        're-enqueued work whose job was lost',
      );
    }
    return { documents, deliveries };
  }
}
