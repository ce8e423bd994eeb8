// A failing endpoint gets one series of retries per delivery, whatever redeliveries and recovery sweeps
// happen meanwhile; a finished delivery can still be sent again on request.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { formWith, startTestService, type TestService } from '../support/service.ts';

let svc: TestService;
let receiver: Server;
let answer = 500;
const hits: string[] = [];

beforeAll(async () => {
  svc = await startTestService();
  receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      hits.push(String(req.headers['retaguarda-delivery']));
      res.writeHead(answer).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
});
afterAll(async () => {
  await svc?.stop();
  await new Promise((r) => receiver?.close(r));
});

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

it('keeps one retry series per delivery through redeliveries and sweeps', async () => {
  const { port } = receiver.address() as AddressInfo;
  const hookRes = await svc.request('/v1/webhooks', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ url: `http://127.0.0.1:${port}/hook`, events: ['document.processed'] }),
  });
  const hook = (await hookRes.json()) as { id: string };
  const bytes = new Uint8Array(
    readFileSync(new URL('../../samples/invoice-en-digital.pdf', import.meta.url)),
  );
  await svc.request('/v1/documents', { method: 'POST', body: formWith([{ name: 'a.pdf', bytes }]) });
  const deliveryId = await until('the first refused attempt', async () =>
    hits.length >= 1 ? hits[0] : undefined,
  );
  const queues = svc.service.ctx.queues;
  const deliveryJobs = async () =>
    (await queues.queues['deliver-webhook'].getJobs(['waiting', 'delayed', 'active', 'prioritized'])).filter(
      (j) => (j.data as { deliveryId: string }).deliveryId === deliveryId,
    );
  // The job is waiting out its backoff: a redelivery sends it now instead of starting a second series,
  // and a sweep leaves it alone.
  // (The receiver answers before the worker has recorded the attempt and scheduled the retry.)
  await until('the retry backoff', async () =>
    (await queues.state('deliver-webhook', deliveryId!)) === 'delayed' ? true : undefined,
  );
  const again = await svc.request(`/v1/webhooks/${hook.id}/deliveries/${deliveryId}/redeliver`, {
    method: 'POST',
  });
  expect(again.status).toBe(202);
  expect(await queues.state('deliver-webhook', deliveryId!)).not.toBe('delayed');
  const swept = await svc.service.ctx.recovery.sweep(undefined, { graceSeconds: 0 });
  expect(swept.deliveries).toEqual([]);
  expect(await deliveryJobs()).toHaveLength(1);

  // The endpoint recovers: the series ends delivered, and a redelivery then sends it once more.
  answer = 200;
  await until('the delivery to succeed', async () => {
    const res = await svc.request(`/v1/webhooks/${hook.id}/deliveries`);
    const { deliveries } = (await res.json()) as { deliveries: { id: string; status: string }[] };
    return deliveries.find((d) => d.id === deliveryId)?.status === 'delivered' ? true : undefined;
  });
  const before = hits.length;
  expect(
    (await svc.request(`/v1/webhooks/${hook.id}/deliveries/${deliveryId}/redeliver`, { method: 'POST' }))
      .status,
  ).toBe(202);
  await until('the redelivery', async () => (hits.length > before ? true : undefined));
  await new Promise((r) => setTimeout(r, 1_500));
  expect(hits.length).toBe(before + 1);
});
