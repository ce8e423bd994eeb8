// Scoped keys and users: a key limited to a business unit, to its own uploads or to named vendors reads,
// downloads, lists, exports and reviews only those documents; anything else is 404, exactly like a document
// that does not exist. Webhooks with a scope hear only about their documents.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { formWith, startTestService, type TestService } from '../support/service.ts';

// biome-ignore lint/suspicious/noExplicitAny: the answers are JSON the assertions walk into
type Json = Record<string, any>;

const sample = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../../samples/${name}`, import.meta.url)));

let svc: TestService;
let receiver: Server;
const heard: string[] = [];
const keys = {} as Record<'north' | 'south' | 'own' | 'vendor' | 'northAdmin', string>;
/** The documents: north (unit north), northCopy (admin, unit north), south, own (the own-scoped key's). */
const docs = {} as Record<'north' | 'northCopy' | 'south' | 'own', string>;

const createKey = async (role: string, scope?: string) => {
  const res = await svc.request('/v1/keys', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ role, name: `${role} ${scope ?? 'all'}`, ...(scope ? { scope } : {}) }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  const body = (await res.json()) as Json;
  expect(body.scope).toBe(scope ?? null);
  return body.key as string;
};
const upload = async (key: string, file: string, fields: Record<string, string> = {}) => {
  const res = await svc.request('/v1/documents', {
    method: 'POST',
    key,
    body: formWith([{ name: file, bytes: sample(file) }], fields),
  });
  expect(res.status, await res.clone().text()).toBe(202);
  const id = ((await res.json()) as Json).documents[0].id as string;
  await svc.waitForFinal(id);
  return id;
};
const get = async (path: string, key: string) => {
  const res = await svc.request(path, { key });
  return { status: res.status, body: (await res.json().catch(() => null)) as Json };
};

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      heard.push((JSON.parse(Buffer.concat(chunks).toString()) as Json).data.document.id);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  svc = await startTestService();
  const port = (receiver.address() as AddressInfo).port;
  const hook = await svc.request('/v1/webhooks', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      url: `http://127.0.0.1:${port}/south`,
      events: ['document.processed'],
      scope: 'unit:south',
    }),
  });
  expect(hook.status).toBe(201);
  expect(((await hook.json()) as Json).scope).toBe('unit:south');

  keys.north = await createKey('ingest', 'unit:north');
  keys.south = await createKey('ingest', 'unit:south');
  keys.own = await createKey('ingest', 'own');
  keys.vendor = await createKey('review', 'vendors:31 482 9175');
  keys.northAdmin = await createKey('admin', 'unit:north');
  docs.north = await upload(keys.north, 'invoice-en-digital.pdf');
  docs.northCopy = await upload(svc.adminKey, 'invoice-en-digital.pdf', { businessUnit: 'north' });
  docs.south = await upload(keys.south, 'invoice-es-digital.pdf');
  docs.own = await upload(keys.own, 'invoice-es-digital.pdf');
}, 240_000);
afterAll(async () => {
  await svc?.stop();
  await new Promise((r) => receiver?.close(r));
});

it('gives each document its business unit: the key’s own, or the one sent', async () => {
  expect((await get(`/v1/documents/${docs.north}`, svc.adminKey)).body.businessUnit).toBe('north');
  expect((await get(`/v1/documents/${docs.northCopy}`, svc.adminKey)).body.businessUnit).toBe('north');
  expect((await get(`/v1/documents/${docs.own}`, svc.adminKey)).body.businessUnit).toBeNull();
  // A unit's key cannot file a document under another unit.
  const res = await svc.request('/v1/documents', {
    method: 'POST',
    key: keys.north,
    body: formWith([{ name: 'x.pdf', bytes: sample('invoice-en-digital.pdf') }], { businessUnit: 'south' }),
  });
  expect(res.status).toBe(403);
});

it('answers 404 for another scope’s document, its file and its pages, as for one that does not exist', async () => {
  const missing = await get('/v1/documents/doc_0000000000000nothing', keys.south);
  expect(missing.status).toBe(404);
  for (const path of ['', '/file', '/pages/1']) {
    const refused = await get(`/v1/documents/${docs.north}${path}`, keys.south);
    expect(refused.status, path).toBe(404);
    expect(refused.body, path).toEqual(missing.body);
    expect((await svc.request(`/v1/documents/${docs.north}${path}`, { key: keys.north })).status, path).toBe(
      200,
    );
  }
  // Own: what it sent, nothing else.
  expect((await get(`/v1/documents/${docs.own}`, keys.own)).status).toBe(200);
  expect((await get(`/v1/documents/${docs.south}`, keys.own)).status).toBe(404);
  // Vendors: documents of that vendor, whoever sent them; the audit trail too.
  expect((await get(`/v1/documents/${docs.northCopy}`, keys.vendor)).status).toBe(200);
  expect((await get(`/v1/documents/${docs.northCopy}/audit`, keys.vendor)).status).toBe(200);
  expect((await get(`/v1/documents/${docs.south}`, keys.vendor)).status).toBe(404);
  expect((await get(`/v1/documents/${docs.south}/audit`, keys.vendor)).status).toBe(404);
});

it('lists and exports only the documents in scope', async () => {
  const listed = async (key: string) =>
    ((await get('/v1/documents', key)).body.documents as Json[]).map((d) => d.id).sort();
  expect(await listed(keys.north)).toEqual([docs.north, docs.northCopy].sort());
  expect(await listed(keys.south)).toEqual([docs.south]);
  expect(await listed(keys.own)).toEqual([docs.own]);
  expect(await listed(keys.vendor)).toEqual([docs.north, docs.northCopy].sort());
  expect((await listed(svc.adminKey)).length).toBe(4);

  for (const status of ['approved', 'needs_review']) {
    const json = await get(`/v1/exports?format=json&status=${status}`, keys.south);
    for (const row of json.body.documents as Json[]) expect(row.documentId).toBe(docs.south);
    const csv = await (await svc.request(`/v1/exports?status=${status}`, { key: keys.south })).text();
    expect(csv).not.toContain(docs.north);
    expect(csv).not.toContain(docs.northCopy);
    expect(csv).not.toContain(docs.own);
  }
  const everything = (await get('/v1/exports?format=json&status=needs_review', svc.adminKey)).body
    .documents as Json[];
  expect(everything.map((r) => r.documentId).sort()).toEqual([docs.northCopy, docs.own].sort());
});

it('shows a scoped reviewer only the review items of its vendors, and refuses the rest', async () => {
  const items = (await get('/v1/review/items', keys.vendor)).body.items as Json[];
  expect(items.map((i) => i.documentId)).toEqual([docs.northCopy]);
  expect((await get(`/v1/review/items/${docs.own}`, keys.vendor)).status).toBe(404);
  const claim = await svc.request(`/v1/review/items/${docs.own}/claim`, { method: 'POST', key: keys.vendor });
  expect(claim.status).toBe(404);
  expect((await get(`/v1/review/items/${docs.northCopy}`, keys.vendor)).status).toBe(200);
});

it('keeps a scoped admin away from what spans every document: keys, users, webhooks, figures, queues', async () => {
  for (const path of ['/v1/keys', '/v1/webhooks', '/v1/metrics/summary']) {
    const res = await get(path, keys.northAdmin);
    expect(res.status, path).toBe(403);
    expect(res.body.message, path).toMatch(/limited to unit:north/);
  }
  for (const path of ['/metrics', '/admin/queues/api/queues']) {
    expect((await svc.request(path, { key: keys.northAdmin })).status, path).toBe(403);
    expect((await svc.request(path)).status, path).toBe(200);
  }
  const create = await svc.request('/v1/keys', {
    method: 'POST',
    key: keys.northAdmin,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ role: 'admin' }),
  });
  expect(create.status).toBe(403);
  expect(((await get('/v1/documents', keys.northAdmin)).body.documents as Json[]).length).toBe(2);
});

it('signs a scoped user in with that scope', async () => {
  const created = await svc.request('/v1/users', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      email: 'sul@example.com',
      name: 'Sul Reviewer',
      role: 'review',
      password: 'pelican-saddle-marble-27',
      scope: 'unit:south',
    }),
  });
  expect(created.status).toBe(201);
  expect(((await created.json()) as Json).scope).toBe('unit:south');
  const session = await svc.request('/v1/session', {
    method: 'POST',
    key: '',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'sul@example.com', password: 'pelican-saddle-marble-27' }),
  });
  const cookie = session.headers.get('set-cookie')!.split(';')[0]!;
  const list = await svc.request('/v1/documents', { key: '', headers: { cookie } });
  expect(((await list.json()) as Json).documents.map((d: Json) => d.id)).toEqual([docs.south]);
  expect(
    (await svc.request(`/v1/documents/${docs.north}/file`, { key: '', headers: { cookie } })).status,
  ).toBe(404);
});

it('delivers a scoped webhook only the events of its documents', async () => {
  const end = Date.now() + 30_000;
  while (heard.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 500));
  expect(heard).toEqual([docs.south]);
});

it('refuses a scope that does not read', async () => {
  for (const scope of ['everything', 'unit:', 'vendors:', 'unit:a/b']) {
    const res = await svc.request('/v1/keys', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'ingest', scope }),
    });
    expect(res.status, scope).toBe(400);
  }
});
