// Webhooks cannot be pointed inside the network: loopback, private, link-local, metadata and the service itself
// are refused at registration, and again at delivery on the address actually dialled (DNS rebinding).
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Resolver, systemResolver } from '../../src/adapters/outbound-http.ts';
import { formWith, startTestService, type TestService } from '../support/service.ts';

let svc: TestService;
let receiver: Server;
let port: number;
const hits: string[] = [];
/** How often the service asked for rebind.erp.test: public the first time, loopback after. */
let rebindLookups = 0;

const resolveHost: Resolver = async (hostname) => {
  if (hostname === 'rebind.erp.test') {
    rebindLookups++;
    return rebindLookups === 1
      ? [{ address: '93.184.215.14', family: 4 }]
      : [{ address: '127.0.0.1', family: 4 }];
  }
  if (hostname === 'intranet.erp.test') return [{ address: '10.20.30.40', family: 4 }];
  return systemResolver(hostname);
};

beforeAll(async () => {
  receiver = createServer((req, res) => {
    hits.push(String(req.url));
    req.resume();
    res.writeHead(200).end();
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  port = (receiver.address() as AddressInfo).port;
  // No private range allowed here, not even the loopback the other webhook tests use.
  svc = await startTestService({ env: { WEBHOOK_ALLOW_CIDRS: '' }, resolveHost });
});
afterAll(async () => {
  await svc?.stop();
  await new Promise((r) => receiver?.close(r));
});

const register = (url: string) =>
  svc.request('/v1/webhooks', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ url, events: ['document.processed'] }),
  });

it('refuses every internal target at registration with a clear 400, and stores none', async () => {
  const targets: [string, RegExp][] = [
    ['http://169.254.169.254/latest/meta-data/iam/', /metadata/],
    ['http://[fd00:ec2::254]/', /metadata/],
    ['http://metadata.google.internal/computeMetadata/v1/', /metadata/],
    ['http://localhost:6379/', /loopback/],
    [`http://127.0.0.1:${port}/`, /loopback/],
    ['http://2130706433:6379/', /127\.0\.0\.1 is a loopback/],
    ['http://0x7f000001:6379/', /loopback/],
    ['http://0177.0.0.1:6379/', /loopback/],
    ['http://0.0.0.0:3000/', /unspecified/],
    ['http://[::]:3000/', /unspecified/],
    ['http://[::ffff:127.0.0.1]:6379/', /loopback/],
    ['http://10.0.0.1/', /private/],
    ['http://172.16.5.4/', /private/],
    ['http://192.168.0.1/', /private/],
    ['http://100.64.0.1/', /CGNAT/],
    ['http://[fc00::1]/', /unique local/],
    ['http://[fe80::1]/', /link-local/],
    ['http://intranet.erp.test/hook', /intranet\.erp\.test resolves to a private/],
    [`${svc.url}/v1/keys`, /loopback/],
    ['https://erp:s3cret@erp.example.com/hook', /user name or password/],
  ];
  for (const [url, why] of targets) {
    const res = await register(url);
    const body = (await res.json()) as { error: string; message: string };
    expect(res.status, url).toBe(400);
    expect(body.error, url).toBe('refused_target');
    expect(body.message, url).toMatch(why);
    // A refused URL is not echoed back with its credentials.
    expect(body.message).not.toContain('s3cret');
  }
  const listed = (await (await svc.request('/v1/webhooks')).json()) as { webhooks: unknown[] };
  expect(listed.webhooks).toEqual([]);
  expect(hits).toEqual([]);
});

it('refuses at delivery a name that resolved to a public address at registration and to loopback since', async () => {
  const res = await register(`http://rebind.erp.test:${port}/hook`);
  expect(res.status).toBe(201);
  const hook = (await res.json()) as { id: string };
  expect(rebindLookups).toBe(1);

  const bytes = new Uint8Array(
    readFileSync(new URL('../../samples/invoice-en-digital.pdf', import.meta.url)),
  );
  await svc.request('/v1/documents', { method: 'POST', body: formWith([{ name: 'a.pdf', bytes }]) });

  type Delivery = {
    attempts: number;
    lastFailure: string | null;
    lastError: string | null;
    lastStatusCode: number | null;
    attemptLog: { failure: string | null; error: string | null; statusCode: number | null }[];
  };
  const end = Date.now() + 60_000;
  let delivery: Delivery | undefined;
  while (!delivery && Date.now() < end) {
    const list = (await (await svc.request(`/v1/webhooks/${hook.id}/deliveries`)).json()) as {
      deliveries: Delivery[];
    };
    delivery = list.deliveries.find((d) => d.attempts >= 1);
    if (!delivery) await new Promise((r) => setTimeout(r, 200));
  }
  expect(delivery).toBeDefined();
  expect(delivery!.lastFailure).toBe('refused_target');
  expect(delivery!.lastStatusCode).toBeNull();
  expect(delivery!.attemptLog[0]).toMatchObject({ failure: 'refused_target', statusCode: null });
  expect(delivery!.lastError).toMatch(/rebind\.erp\.test resolves to a loopback address/);
  // No raw socket error, and the receiver listening on that loopback port was never called.
  expect(delivery!.lastError).not.toMatch(/ECONN|EHOST|getaddrinfo/);
  expect(rebindLookups).toBeGreaterThanOrEqual(2);
  expect(hits).toEqual([]);
});
