// The worker entry point: one BullMQ worker per queue, each job parsed against the registry before its
// processor runs. Start-up fails when a queue has no processor.
import { UnrecoverableError, Worker } from 'bullmq';
import type { AppContext } from '../src/server/context.ts';
import { workerConnection } from './connection.ts';
import { deliverWebhook, deliverWebhookGaveUp } from './deliver-webhook.ts';
import { processDocument, processDocumentGaveUp } from './process-document.ts';
import { JOB_NAMES, JOBS, type JobName } from './registry.ts';

type Processor = (payload: never) => Promise<unknown>;
type GaveUp = (payload: never, error: Error) => Promise<unknown>;

/** The processors, and what happens when one gives up for good. */
function processors(
  ctx: AppContext,
): Record<JobName, { run: Processor; gaveUp: GaveUp; concurrency: number }> {
  return {
    'process-document': {
      run: processDocument(ctx),
      gaveUp: processDocumentGaveUp(ctx),
      concurrency: ctx.config.WORKER_CONCURRENCY,
    },
    'deliver-webhook': { run: deliverWebhook(ctx), gaveUp: deliverWebhookGaveUp(ctx), concurrency: 8 },
  };
}

export interface RunningWorkers {
  workers: Worker[];
  close(): Promise<void>;
}

export async function startWorkers(ctx: AppContext): Promise<RunningWorkers> {
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
          ctx.log.error(
            { queue: name, jobId: job.id, err: (e as Error).message },
            'could not record the failure',
          ),
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
