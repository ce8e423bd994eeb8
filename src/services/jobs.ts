// The work services hand to the job queues, as a port: queues/ implements it (jobPort in queues/queues.ts),
// so nothing in src/ below the composition root imports queues/. Jobs carry ids only.

/** One reading of a document: its id and the processing round it belongs to. */
export interface ReadingJob {
  documentId: string;
  round: number;
}

/** One webhook delivery. */
export interface DeliveryJob {
  deliveryId: string;
}

export interface JobPort {
  /** Queues a reading; a no-op when that reading's job exists already (the job id is derived from the job). */
  enqueueReading(job: ReadingJob): Promise<void>;
  /** Makes sure the reading's job is waiting or running; true when it was (re)added. */
  ensureReading(job: ReadingJob): Promise<boolean>;
  /**
   * Makes sure the delivery's job is waiting or running; with `now`, one waiting out a retry backoff runs at
   * once. True when it was (re)added.
   */
  ensureDelivery(job: DeliveryJob, options?: { now?: boolean }): Promise<boolean>;
}

export type EnqueueReading = JobPort['enqueueReading'];
export type EnsureDelivery = JobPort['ensureDelivery'];
