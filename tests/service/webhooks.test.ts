// Webhooks end to end: a real receiver on a free port gets signed deliveries, refuses the first one,
// sees it retried by the queue, and an admin can list deliveries and redeliver one.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formWith, startTestService, type TestService } from '../support/service.ts';

const sample = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../../samples/${name}`, import.meta.url)));

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  answered: number;
  at: number;
}

/** What a receiver in the ERP would do: check the signature with the shared secret, and its age. */
function verifySignature(secret: string, header: string | undefined, body: string): boolean {
  const parts = Object.fromEntries((header ?? '').split(',').map((p) => p.split('=') as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !parts.v1) return false;
  if (Math.abs(Date.now() / 1000 - t) > 300) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 30_000) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('webhooks', () => {
  let svc: TestService;
  let receiver: Server;
  let receiverUrl: string;
  const received: Received[] = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        // The first request is refused, as an ERP that is briefly down would.
        const answered = received.length === 0 ? 500 : 200;
        received.push({
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          answered,
          at: Date.now(),
        });
        res.writeHead(answered, { 'content-type': 'text/plain' }).end(answered === 200 ? 'ok' : 'down');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/retaguarda`;
    svc = await startTestService();
  });
  afterAll(async () => {
    await svc?.stop();
    await new Promise((r) => receiver?.close(r));
  });

  it('delivers signed events, retries a refused one, lists the attempts and redelivers on request', async () => {
    const registered = await svc.request('/v1/webhooks', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        url: receiverUrl,
        events: ['document.processed', 'document.approved'],
        description: 'ERP',
      }),
    });
    expect(registered.status).toBe(201);
    const hook = (await registered.json()) as { id: string; secret: string; events: string[] };
    expect(hook.id).toMatch(/^whk_/);
    expect(hook.secret).toMatch(/^whsec_/);
    expect(hook.events).toEqual(['document.processed', 'document.approved']);
    // The secret is shown once: the list does not carry it.
    const listed = (await (await svc.request('/v1/webhooks')).json()) as { webhooks: object[] };
    expect(JSON.stringify(listed)).not.toContain(hook.secret);

    const upload = await svc.request('/v1/documents', {
      method: 'POST',
      body: formWith([{ name: 'invoice-en-digital.pdf', bytes: sample('invoice-en-digital.pdf') }], {
        externalRef: 'ERP-77',
      }),
    });
    const documentId = ((await upload.json()) as { documents: { id: string }[] }).documents[0]!.id;
    expect((await svc.waitForFinal(documentId)).status).toBe('auto_approved');

    // Two events, the refused one retried: three requests, two of them accepted.
    await until('three requests', () => (received.length >= 3 ? true : undefined));
    await new Promise((r) => setTimeout(r, 300));
    expect(received).toHaveLength(3);
    expect(received[0]!.answered).toBe(500);
    for (const r of received) {
      expect(r.headers['content-type']).toBe('application/json');
      expect(verifySignature(hook.secret, r.headers['retaguarda-signature'] as string, r.body)).toBe(true);
      // A wrong secret or a changed body does not verify.
      expect(verifySignature(`${hook.secret}x`, r.headers['retaguarda-signature'] as string, r.body)).toBe(
        false,
      );
      expect(verifySignature(hook.secret, r.headers['retaguarda-signature'] as string, `${r.body} `)).toBe(
        false,
      );
    }
    const bodies = received.map(
      (r) =>
        JSON.parse(r.body) as {
          id: string;
          event: string;
          data: {
            document: { id: string; status: string; externalRef: string };
            result: { fields: Record<string, { value: string }> };
          };
        },
    );
    const firstDeliveryId = received[0]!.headers['retaguarda-delivery'];
    const retried = received.slice(1).find((r) => r.headers['retaguarda-delivery'] === firstDeliveryId);
    expect(retried, 'the refused delivery comes again').toBeDefined();
    expect(retried!.body).toBe(received[0]!.body);
    // The retry waits for the queue's backoff (1 s at first).
    expect(retried!.at - received[0]!.at).toBeGreaterThanOrEqual(900);
    expect(new Set(bodies.map((b) => b.event))).toEqual(new Set(['document.processed', 'document.approved']));
    for (const b of bodies) {
      expect(b.data.document).toMatchObject({
        id: documentId,
        status: 'auto_approved',
        externalRef: 'ERP-77',
      });
      expect(b.data.result.fields.totalAmount!.value).toBe('1144.29');
    }

    const deliveries = async () =>
      (
        (await (await svc.request(`/v1/webhooks/${hook.id}/deliveries`)).json()) as {
          deliveries: {
            id: string;
            event: string;
            documentId: string;
            status: string;
            attempts: number;
            lastStatusCode: number;
            lastFailure: string | null;
            attemptLog: {
              attempt: number;
              statusCode: number | null;
              error: string | null;
              failure: string | null;
            }[];
          }[];
        }
      ).deliveries;
    const listing = await until('both delivered', async () => {
      const ds = await deliveries();
      return ds.length === 2 && ds.every((d) => d.status === 'delivered') ? ds : undefined;
    });
    const refused = listing.find((d) => d.id === firstDeliveryId)!;
    expect(refused).toMatchObject({ documentId, attempts: 2, lastStatusCode: 200 });
    expect(refused.attemptLog.map((a) => [a.attempt, a.statusCode, a.error, a.failure])).toEqual([
      [1, 500, 'the endpoint answered 500', 'http_5xx'],
      [2, 200, null, null],
    ]);
    expect(refused.lastFailure).toBeNull();
    const other = listing.find((d) => d.id !== firstDeliveryId)!;
    expect(other.attempts).toBe(1);

    const again = await svc.request(`/v1/webhooks/${hook.id}/deliveries/${other.id}/redeliver`, {
      method: 'POST',
    });
    expect(again.status).toBe(202);
    await until('the redelivery', () => (received.length >= 4 ? true : undefined));
    expect(received[3]!.headers['retaguarda-delivery']).toBe(other.id);
    expect(
      verifySignature(hook.secret, received[3]!.headers['retaguarda-signature'] as string, received[3]!.body),
    ).toBe(true);
    await until('the redelivery logged', async () => {
      const d = (await deliveries()).find((x) => x.id === other.id)!;
      return d.attempts === 2 && d.status === 'delivered' ? d : undefined;
    });

    const unknown = await svc.request(`/v1/webhooks/${hook.id}/deliveries/dlv_nope/redeliver`, {
      method: 'POST',
    });
    expect(unknown.status).toBe(404);
  });

  it('keeps webhooks to admins: ingest and review keys get 403', async () => {
    for (const role of ['ingest', 'review'] as const) {
      const key = await svc.key(role);
      const create = await svc.request('/v1/webhooks', {
        method: 'POST',
        key,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ url: receiverUrl, events: ['document.processed'] }),
      });
      expect(create.status).toBe(403);
      expect(((await create.json()) as { message: string }).message).toContain('admin role');
      expect((await svc.request('/v1/webhooks', { key })).status).toBe(403);
    }
    const bad = await svc.request('/v1/webhooks', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'ftp://example.com/x', events: ['document.processed'] }),
    });
    expect(bad.status).toBe(400);
  });
});
