// The worker entry point: one BullMQ worker per queue, each job parsed against the registry before its
// processor runs. Start-up fails when a queue has no processor.

import { UnrecoverableError, Worker } from 'bullmq';
import type { Logger } from 'pino';
import type { ServiceConfig } from '../src/config/env.ts';
import { messageOf } from '../src/services/errors.ts';
import { workerConnection } from './connection.ts';
import { type DeliverWebhookDeps, deliverWebhook, deliverWebhookGaveUp } from './deliver-webhook.ts';
import { type ProcessDocumentDeps, processDocument, processDocumentGaveUp } from './process-document.ts';
import { JOB_NAMES, JOBS, type JobName } from './registry.ts';

type Processor = (payload: never) => Promise<unknown>;
type GaveUp = (payload: never, error: Error) => Promise<unknown>;

export interface WorkerDeps extends ProcessDocumentDeps, DeliverWebhookDeps {
  log: Logger;
  config: Pick<
    ServiceConfig,
    'REDIS_URL' | 'QUEUE_PREFIX' | 'WORKER_CONCURRENCY' | 'JOB_LOCK_SECONDS' | 'JOB_STALLED_CHECK_SECONDS'
  >;
}

/** The processors, and what happens when one gives up for good. */
function processors(
  deps: WorkerDeps,
): Record<JobName, { run: Processor; gaveUp: GaveUp; concurrency: number }> {
  return {
    'process-document': {
      run: processDocument(deps),
      gaveUp: processDocumentGaveUp(deps),
      concurrency: deps.config.WORKER_CONCURRENCY,
    },
    'deliver-webhook': { run: deliverWebhook(deps), gaveUp: deliverWebhookGaveUp(deps), concurrency: 8 },
  };
}

export interface RunningWorkers {
  workers: Worker[];
  close(): Promise<void>;
}

export async function startWorkers(ctx: WorkerDeps): Promise<RunningWorkers> {
  const table = processors(ctx);
  for (const name of JOB_NAMES) if (!table[name]) throw new Error(`no processor for the ${name} queue`);
  const workers: Worker[] = [];
  const connections: ReturnType<typeof workerConnection>[] = [];
  for (const name of JOB_NAMES) {
    const spec = JOBS[name];
    const { run, gaveUp, concurrency } = table[name];
    const connection = workerConnection(ctx.config.REDIS_URL);
    connection.on('error', () => {});
    connections.push(connection);
    const worker = new Worker(
      name,
      async (job) => {
        const parsed = spec.payload.safeParse(job.data);
        if (!parsed.success) throw new UnrecoverableError(`bad ${name} payload: ${parsed.error.message}`);
        return run(parsed.data as never);
      },
      {
        connection,
        prefix: ctx.config.QUEUE_PREFIX,
        concurrency,
        autorun: true,
        lockDuration: ctx.config.JOB_LOCK_SECONDS * 1000,
        stalledInterval: ctx.config.JOB_STALLED_CHECK_SECONDS * 1000,
      },
    );
    worker.on('failed', (job, error) => {
      if (!job) return;
      const spent = job.attemptsMade >= (job.opts.attempts ?? 1) || error instanceof UnrecoverableError;
      ctx.log.warn(
        { queue: name, jobId: job.id, attempt: job.attemptsMade, err: error.message, final: spent },
        'job failed',
      );
      if (spent) {
        gaveUp(job.data as never, error).catch((e) =>
          ctx.log.error({ queue: name, jobId: job.id, err: messageOf(e) }, 'could not record the failure'),
        );
      }
    });
    worker.on('error', (error) => ctx.log.error({ queue: name, err: error.message }, 'worker error'));
    workers.push(worker);
  }
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  return {
    workers,
    async close() {
      // Stops taking jobs and waits for the running ones; what does not finish is redelivered (stalled).
      await Promise.all(workers.map((w) => w.close()));
      // BullMQ does not close a connection it was handed.
      for (const c of connections) c.disconnect();
    },
  };
}
