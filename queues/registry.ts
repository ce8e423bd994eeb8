// Every queue of the service in one place: its name, its job payload (ids only) and its retry policy.
import type { JobsOptions } from 'bullmq';
import { z } from 'zod';

export const JOBS = {
  'process-document': {
    payload: z.object({ documentId: z.string().startsWith('doc_'), round: z.number().int().positive() }),
    /** Transient faults (database, a crashed reading thread) retry with backoff; documents never do. */
    options: { attempts: 5, backoff: { type: 'exponential', delay: 2_000 } } satisfies JobsOptions,
    /** The job id: one job per document and reading round, so a double submit is one job. */
    jobId: (p: { documentId: string; round: number }) => `${p.documentId}-r${p.round}`,
  },
  'deliver-webhook': {
    payload: z.object({ deliveryId: z.string().startsWith('dlv_') }),
    // 1 s, 2 s, 4 s, … about 4.5 hours in all.
    options: { attempts: 15, backoff: { type: 'exponential', delay: 1_000 } } satisfies JobsOptions,
    /** One job per delivery: its retries are the job's attempts; a redelivery replaces a finished job. */
    jobId: (p: { deliveryId: string }) => p.deliveryId,
  },
} as const;

export type JobName = keyof typeof JOBS;
export type JobPayload<N extends JobName> = z.infer<(typeof JOBS)[N]['payload']>;
export const JOB_NAMES = Object.keys(JOBS) as JobName[];

/** Finished jobs are kept a while for the queues' dashboard, then trimmed. */
export const RETENTION: Pick<JobsOptions, 'removeOnComplete' | 'removeOnFail'> = {
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 5000 },
};
