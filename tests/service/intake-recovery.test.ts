// Intake when things go wrong half-way: Redis lost after the documents were stored, a first request whose
// process died before it answered.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { IntakeService } from '../../src/services/intake.ts';
import { formWith, startTestService, type TestService } from '../support/service.ts';

const pdf = () =>
  new Uint8Array(readFileSync(new URL('../../samples/invoice-en-digital.pdf', import.meta.url)));

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(async () => {
  await svc?.stop();
});

it('answers 202 when the job cannot be queued after the document was stored, and the sweep reads it later', async () => {
  const queues = svc.service.ctx.queues;
  const add = queues.add.bind(queues);
  queues.add = async () => {
    throw new Error('Connection is closed.');
  };
  let res: Response;
  try {
    res = await svc.request('/v1/documents', {
      method: 'POST',
      headers: { 'idempotency-key': 'redis-lost-1' },
      body: formWith([{ name: 'invoice.pdf', bytes: pdf() }]),
    });
  } finally {
    queues.add = add;
  }
  expect(res.status).toBe(202);
  const { documents } = (await res.json()) as { documents: { id: string }[] };
  // The retry the ERP would send gets the same answer, not a second document.
  const retry = await svc.request('/v1/documents', {
    method: 'POST',
    headers: { 'idempotency-key': 'redis-lost-1' },
    body: formWith([{ name: 'invoice.pdf', bytes: pdf() }]),
  });
  expect(((await retry.json()) as { documents: { id: string }[] }).documents[0]!.id).toBe(documents[0]!.id);
  const doc = await svc.waitForFinal(documents[0]!.id, 60_000);
  expect(doc.status).toBe('auto_approved');
});

it('takes over an Idempotency-Key whose first request never answered (its process died)', async () => {
  const principal = (await svc.service.ctx.keys.verify(svc.adminKey)) as { id: string };
  const bytes = pdf();
  const fingerprint = IntakeService.fingerprint([{ fileName: 'invoice.pdf', bytes: Buffer.from(bytes) }], {
    source: 'api',
  });
  const unanswered = (key: string, age: string) =>
    svc.service.ctx.db.query(
      `insert into idempotency_keys (api_key_id, key, request_hash, created_at)
       values ($1, $2, $3, now() - $4::interval)`,
      [principal.id, key, fingerprint, age],
    );
  const send = (key: string) =>
    svc.request('/v1/documents', {
      method: 'POST',
      headers: { 'idempotency-key': key },
      body: formWith([{ name: 'invoice.pdf', bytes }]),
    });
  await unanswered('crashed-1', '10 minutes');
  expect((await send('crashed-1')).status).toBe(202);
  // One that started seconds ago may still be running: the retry is told to wait.
  await unanswered('running-1', '5 seconds');
  const waiting = await send('running-1');
  expect(waiting.status).toBe(409);
  expect(((await waiting.json()) as { error: string }).error).toBe('idempotency_key_in_progress');
});
