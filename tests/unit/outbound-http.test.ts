// The outbound guard: which addresses a webhook may reach, that the address dialled is the one checked (DNS
// rebinding), and the category each kind of failure is told by. Receivers are real servers on 127.0.0.1.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboundGuard, type Resolver } from '../../src/adapters/outbound-http.ts';

const strict = new OutboundGuard({ allowPrivate: false, allowCidrs: [] });

describe('which addresses may be reached', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'CGNAT'],
    ['169.254.169.254', 'metadata'],
    ['169.254.1.1', 'link-local'],
    ['fd00:ec2::254', 'metadata'],
    ['fc00::1', 'unique local'],
    ['fe80::1', 'link-local'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:a00:1', 'private'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['64:ff9b::a00:1', 'rfc6052'],
  ])('refuses %s', (address, words) => {
    expect(strict.refusalOf(address)).toMatch(new RegExp(words, 'i'));
  });

  it.each(['93.184.215.14', '8.8.8.8', '2606:4700:4700::1111'])('lets %s through', (address) => {
    expect(strict.refusalOf(address)).toBeUndefined();
  });

  it('opens private ranges only as configured, and never the metadata service or 0.0.0.0', () => {
    const cidrs = new OutboundGuard({ allowPrivate: false, allowCidrs: ['10.20.0.0/16', 'fd12::/64'] });
    expect(cidrs.refusalOf('10.20.3.4')).toBeUndefined();
    expect(cidrs.refusalOf('fd12::9')).toBeUndefined();
    expect(cidrs.refusalOf('10.21.0.1')).toMatch(/private/);
    const open = new OutboundGuard({ allowPrivate: true, allowCidrs: [] });
    expect(open.refusalOf('192.168.0.10')).toBeUndefined();
    expect(open.refusalOf('127.0.0.1')).toBeUndefined();
    expect(open.refusalOf('169.254.169.254')).toMatch(/metadata/);
    expect(open.refusalOf('fd00:ec2::254')).toMatch(/metadata/);
    expect(open.refusalOf('0.0.0.0')).toMatch(/unspecified/);
  });

  it.each([
    'http://127.0.0.1:6379/',
    'http://localhost:6379/',
    'http://2130706433:6379/',
    'http://0x7f000001/',
    'http://0177.0.0.1/',
    'http://127.1/',
    'http://0.0.0.0:3000/',
    'http://[::]/',
    'http://[::ffff:127.0.0.1]/',
    'http://169.254.169.254/latest/meta-data/',
    'http://metadata.google.internal/computeMetadata/v1/',
    'http://[fd00:ec2::254]/',
    'https://user:secret@erp.example.com/hook',
    'ftp://erp.example.com/',
  ])('refuses the URL %s before any connection', async (url) => {
    await expect(strict.checkUrl(url)).rejects.toMatchObject({ category: 'refused_target' });
    const out = await strict.post(url, { headers: {}, body: '{}', timeoutMs: 2_000 });
    expect(out).toMatchObject({ ok: false, failure: 'refused_target', statusCode: null });
  });

  it('refuses a name any of whose addresses is refused', async () => {
    const resolve: Resolver = async () => [
      { address: '93.184.215.14', family: 4 },
      { address: '10.0.0.5', family: 4 },
    ];
    const guard = new OutboundGuard({ allowPrivate: false, allowCidrs: [] }, resolve);
    await expect(guard.checkUrl('https://erp.example.com/hook')).rejects.toThrow(
      /erp\.example\.com resolves to a private/,
    );
  });
});

describe('posting', () => {
  let server: Server;
  let port: number;
  const hits: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      hits.push(String(req.url));
      req.resume();
      if (req.url === '/slow') return; // never answers
      const status = Number(req.url?.slice(1)) || 200;
      res.writeHead(status).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const local = (resolve?: Resolver) =>
    new OutboundGuard({ allowPrivate: false, allowCidrs: ['127.0.0.1/32'] }, resolve);
  const post = (guard: OutboundGuard, url: string, timeoutMs = 5_000) =>
    guard.post(url, { headers: { 'content-type': 'application/json' }, body: '{}', timeoutMs });

  it('dials the address the check resolved: a name only the test resolver knows reaches the receiver', async () => {
    const before = hits.length;
    const out = await post(
      local(async () => [{ address: '127.0.0.1', family: 4 }]),
      `http://hooks.erp.test:${port}/200`,
    );
    expect(out).toEqual({ ok: true, statusCode: 200 });
    expect(hits.length).toBe(before + 1);
  });

  it('DNS rebinding: a name public at registration and private at delivery is refused, nothing is sent', async () => {
    let calls = 0;
    const rebinding: Resolver = async () =>
      ++calls === 1 ? [{ address: '93.184.215.14', family: 4 }] : [{ address: '10.0.0.5', family: 4 }];
    const guard = new OutboundGuard({ allowPrivate: false, allowCidrs: [] }, rebinding);
    await expect(guard.checkUrl(`http://rebind.erp.test:${port}/200`)).resolves.toBeUndefined();
    const before = hits.length;
    const out = await post(guard, `http://rebind.erp.test:${port}/200`);
    expect(out).toMatchObject({ ok: false, failure: 'refused_target', statusCode: null });
    expect(out.ok ? '' : out.message).toMatch(/rebind\.erp\.test resolves to a private/);
    expect(calls).toBe(2);
    expect(hits.length).toBe(before);
  });

  it('tells each failure by its category, never by the socket error', async () => {
    const guard = local();
    expect(await post(guard, `http://127.0.0.1:${port}/404`)).toMatchObject({
      failure: 'http_4xx',
      statusCode: 404,
      message: 'the endpoint answered 404',
    });
    expect(await post(guard, `http://127.0.0.1:${port}/503`)).toMatchObject({ failure: 'http_5xx' });
    expect(await post(guard, `http://127.0.0.1:${port}/302`)).toMatchObject({ failure: 'http_3xx' });
    expect(await post(guard, `http://127.0.0.1:${port}/slow`, 300)).toMatchObject({
      failure: 'timeout',
      message: 'no answer in time',
    });
    // A port nobody listens on: the receiver's port once its server is gone.
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    expect(await post(guard, `http://127.0.0.1:${closedPort}/`)).toMatchObject({
      failure: 'connection_refused',
      message: 'the endpoint refused the connection',
    });
    // TLS spoken to a plain HTTP port.
    expect(await post(guard, `https://127.0.0.1:${port}/200`)).toMatchObject({ failure: 'tls_error' });
    const unresolvable = local(async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    });
    expect(await post(unresolvable, `http://nowhere.erp.test:${port}/`)).toMatchObject({
      failure: 'dns_failed',
      message: 'the host name does not resolve',
    });
  });
});
