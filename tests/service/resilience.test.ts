// A worker killed with SIGKILL in the middle of a document: once its job lock expires, a new worker takes the
// job over and the document still reaches its final state. Real HTTP, real Redis, real PostgreSQL, real processes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ChildWorker,
  envOf,
  expectedFields,
  killWorker,
  sample,
  spawnWorker,
} from '../support/processes.ts';
import { formWith, startTestService, type TestService } from '../support/service.ts';

const SCAN = 'invoice-en-scan.pdf';

describe('a worker killed mid-job', () => {
  let svc: TestService;
  const workers: ChildWorker[] = [];
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    svc = await startTestService({ role: 'api' });
    // Short locks so the test does not wait out BullMQ's 30 s default; one document at a time.
    env = envOf(svc.config, {
      WORKER_CONCURRENCY: '1',
      JOB_LOCK_SECONDS: '3',
      JOB_STALLED_CHECK_SECONDS: '1',
    });
  });
  afterAll(async () => {
    for (const w of workers) await killWorker(w);
    await svc?.stop();
  });

  async function status(id: string): Promise<Record<string, unknown>> {
    return (await (await svc.request(`/v1/documents/${id}`)).json()) as Record<string, unknown>;
  }

  it('is replaced by a new worker that brings the document to its final state', async () => {
    const first = spawnWorker(env);
    workers.push(first);
    const res = await svc.request('/v1/documents', {
      method: 'POST',
      body: formWith([{ name: SCAN, bytes: sample(SCAN) }]),
    });
    expect(res.status).toBe(202);
    const id = ((await res.json()) as { documents: { id: string }[] }).documents[0]!.id;

    // Catch the document while the first worker is reading it (OCR takes seconds), then kill the worker.
    const until = Date.now() + 90_000;
    let seen = (await status(id)).status;
    while (seen === 'received') {
      if (Date.now() > until || first.child.exitCode !== null)
        throw new Error(`the worker never picked the document up:\n${first.output()}`);
      await new Promise((r) => setTimeout(r, 100));
      seen = (await status(id)).status;
    }
    expect(seen).toBe('processing');
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    const killedAt = Date.now();

    // Nobody is reading it now: it stays `processing` (the killed worker did not finish it).
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await status(id)).status).toBe('processing');

    const second = spawnWorker(env);
    workers.push(second);
    let doc: Record<string, unknown>;
    try {
      doc = await svc.waitForFinal(id, 120_000);
    } catch (e) {
      throw new Error(`${(e as Error).message}\nsecond worker said:\n${second.output()}`);
    }
    const recoveredInMs = Date.now() - killedAt;
    expect(['auto_approved', 'needs_review']).toContain(doc.status);
    const result = doc.result as { fields: Record<string, { value: string } | null> };
    expect(result.fields.totalAmount?.value).toBe(expectedFields(SCAN).totalAmount);
    expect(result.fields.invoiceNumber?.value).toBe(expectedFields(SCAN).invoiceNumber);
    // One reading round, one result: the take-over is not a second document or a second result version.
    expect(doc.resultVersion).toBe(1);
    expect((doc.history as { to: string }[]).map((h) => h.to)).toEqual([
      'received',
      'processing',
      doc.status,
    ]);
    console.info(
      `worker SIGKILLed mid-job: final state ${String(doc.status)} ${recoveredInMs} ms after the kill`,
    );
  }, 240_000);
});
