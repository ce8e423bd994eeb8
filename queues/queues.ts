// The producer side: one BullMQ queue per job name, adding jobs with the registry's ids and options.
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { JobPort } from '../src/services/jobs.ts';
import { JOB_NAMES, JOBS, type JobName, type JobPayload, RETENTION } from './registry.ts';

export type JobState =
  | 'active'
  | 'waiting'
  | 'delayed'
  | 'prioritized'
  | 'waiting-children'
  | 'completed'
  | 'failed'
  | 'unknown';

const LIVE_STATES = new Set<JobState>(['active', 'waiting', 'delayed', 'prioritized', 'waiting-children']);

export class JobQueues {
  readonly queues: Record<JobName, Queue>;

  constructor(
    readonly connection: Redis,
    readonly prefix: string,
  ) {
    this.queues = Object.fromEntries(
      JOB_NAMES.map((name) => [name, new Queue(name, { connection, prefix })]),
    ) as Record<JobName, Queue>;
    for (const q of Object.values(this.queues)) q.on('error', () => {});
  }

  /** Adds a job; adding one whose id exists already is a no-op (BullMQ keeps the first). */
  async add<N extends JobName>(name: N, payload: JobPayload<N>): Promise<string> {
    const spec = JOBS[name];
    const data = spec.payload.parse(payload);
    const jobId = spec.jobId(payload as never);
    await this.queues[name].add(name, data, { ...spec.options, ...RETENTION, jobId });
    return jobId;
  }

  /**
   * Makes sure the job for `payload` is waiting or running: nothing when it is live, otherwise a finished
   * (completed or failed) job of that id is removed and the job added again. True when it was (re)added.
   */
  async ensure<N extends JobName>(
    name: N,
    payload: JobPayload<N>,
    options: { /** A job waiting out a retry backoff runs now instead. */ now?: boolean } = {},
  ): Promise<boolean> {
    const jobId = JOBS[name].jobId(payload as never);
    const state = await this.state(name, jobId);
    if (state === 'delayed' && options.now) {
      await (await this.queues[name].getJob(jobId))?.promote().catch(() => {});
      return false;
    }
    if (state && LIVE_STATES.has(state)) return false;
    // Another sweep may have replaced it meanwhile: then the add below is a no-op, and that is fine.
    if (state) await this.remove(name, jobId).catch(() => {});
    await this.add(name, payload);
    return true;
  }

  async state(name: JobName, jobId: string): Promise<JobState | undefined> {
    const job = await this.queues[name].getJob(jobId);
    if (!job) return undefined;
    return (await job.getState()) as JobState;
  }

  async remove(name: JobName, jobId: string): Promise<void> {
    await this.queues[name].remove(jobId);
  }

  /** True while the producer connection is up: a job added now reaches Redis. */
  ready(): boolean {
    return this.connection.status === 'ready';
  }

  /** 'ok', or why Redis is not reachable, for the readiness check. */
  async health(): Promise<string> {
    if (!this.ready()) return `unreachable: ${this.connection.status}`;
    return this.connection.ping().then(
      () => 'ok',
      (e: Error) => `unreachable: ${e.message}`,
    );
  }

  /** Jobs waiting or running per queue, for readiness and the figures. */
  async depths(): Promise<Record<JobName, Record<string, number>>> {
    const out = {} as Record<JobName, Record<string, number>>;
    for (const name of JOB_NAMES) {
      out[name] = await this.queues[name].getJobCounts(
        'waiting',
        'active',
        'delayed',
        'failed',
        'prioritized',
      );
    }
    return out;
  }

  async close(): Promise<void> {
    await Promise.all(Object.values(this.queues).map((q) => q.close()));
  }
}

/**
 * The services' job port on these queues. Each call looks the queue method up when it runs, so a queue
 * replaced or wrapped after start-up (tests simulate Redis failing that way) is the one used.
 */
export function jobPort(queues: JobQueues): JobPort {
  return {
    enqueueReading: async (job) => {
      await queues.add('process-document', job);
    },
    ensureReading: (job) => queues.ensure('process-document', job),
    ensureDelivery: (job, options) => queues.ensure('deliver-webhook', job, options),
  };
}
