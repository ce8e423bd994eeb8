// Nothing is lost: documents left `received` or `processing` with no live job, and webhook deliveries whose
// job vanished, are found in the database and enqueued again (Redis holds queues only).
import type { Logger } from 'pino';
import type { Clock } from '../storage/clock.ts';
import type { DocumentsRepository } from '../storage/documents.repository.ts';
import type { JobPort } from './jobs.ts';
import type { WebhookService } from './webhooks.ts';

export class RecoveryService {
  constructor(
    private readonly documents: Pick<DocumentsRepository, 'unfinished'>,
    private readonly webhooks: Pick<WebhookService, 'stalled'>,
    private readonly jobs: Pick<JobPort, 'ensureReading' | 'ensureDelivery'>,
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
      // A finished job on an unfinished document (it died between the two) is replaced; a live one is left.
      if (await this.jobs.ensureReading({ documentId: doc.id, round: doc.processingRound })) {
        documents.push(doc.id);
      }
    }
    const deliveries: string[] = [];
    for (const d of await this.webhooks.stalled(olderThan)) {
      if (await this.jobs.ensureDelivery({ deliveryId: d.id })) deliveries.push(d.id);
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
