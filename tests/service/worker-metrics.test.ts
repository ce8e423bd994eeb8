// A split `worker` serves its own Prometheus metrics: the stage durations only it can observe.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RunningService, startService } from '../../src/server/run.ts';
import { freePort } from '../support/processes.ts';
import { formWith, startTestService, type TestService } from '../support/service.ts';

let api: TestService;
let worker: RunningService;
let port: number;

beforeAll(async () => {
  api = await startTestService({ role: 'api' });
  port = await freePort();
  worker = await startService('worker', { ...api.config, WORKER_METRICS_PORT: port });
});
afterAll(async () => {
  await worker?.stop();
  await api?.stop();
});

it('a worker started with WORKER_METRICS_PORT reports the stages of the documents it read', async () => {
  const bytes = new Uint8Array(
    readFileSync(new URL('../../samples/invoice-en-digital.pdf', import.meta.url)),
  );
  const res = await api.request('/v1/documents', {
    method: 'POST',
    body: formWith([{ name: 'invoice-en-digital.pdf', bytes }]),
  });
  const { documents } = (await res.json()) as { documents: { id: string }[] };
  expect((await api.waitForFinal(documents[0]!.id)).status).toBe('auto_approved');
  const health = await fetch(`http://127.0.0.1:${port}/healthz`);
  expect(health.status).toBe(200);
  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  expect(metrics).toMatch(/retaguarda_stage_duration_ms_count\{[^}]*stage="load"[^}]*\} 1/);
  expect(metrics).toMatch(/retaguarda_readings_total\{[^}]*outcome="auto_approved"[^}]*\} 1/);
});
