// A reviewer moves the cuts of an uncertain split, through the service: a batch of three invoices whose second page
// is damaged splits around that page (every part held for a person), and the reviewer joins the damaged page to the
// invoice before it. Real HTTP, Redis and PostgreSQL.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBatch, damagePage } from '../../scripts/invoices/batches.ts';
import { formWith, startTestService, type TestService } from '../support/service.ts';

// biome-ignore lint/suspicious/noExplicitAny: the answers are JSON the assertions walk into
type Json = Record<string, any>;

describe('moving the cuts of a split file', () => {
  let svc: TestService;
  let ana: string;
  let bruno: string;
  let fileId: string;
  let parts: Json[];
  const received: Json[] = [];
  let receiver: Server;

  const call = async (path: string, key: string, method = 'GET', body?: unknown) => {
    const res = await svc.request(path, {
      method,
      key,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as Json };
  };
  const cut = (key: string, ranges: number[][], resultVersion: number) =>
    call(`/v1/review/documents/${fileId}/cuts`, key, 'PUT', {
      parts: ranges.map(([first, last]) => ({ first, last })),
      resultVersion,
    });

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json);
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    svc = await startTestService();
    const hook = await svc.request('/v1/webhooks', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/erp`,
        events: ['document.split'],
      }),
    });
    expect(hook.status).toBe(201);
    ana = (await svc.service.ctx.keys.create('review', 'Ana Souza')).key;
    bruno = (await svc.service.ctx.keys.create('review', 'Bruno Lima')).key;
    const batch = await buildBatch({ seed: 5, index: 1, kind: 'digital', separators: false, documents: 3 });
    const bytes = await damagePage(batch.bytes, 2);
    const res = await svc.request('/v1/documents', {
      method: 'POST',
      body: formWith([{ name: 'stack.pdf', bytes: Buffer.from(bytes), type: 'application/pdf' }]),
    });
    expect(res.status).toBe(202);
    fileId = ((await res.json()) as { documents: { id: string }[] }).documents[0]!.id;
    const file = (await svc.waitForFinal(fileId)) as Json;
    expect(file.status).toBe('split');
    parts = file.result.split.parts;
  }, 120_000);

  afterAll(async () => {
    await svc?.stop();
    await new Promise((r) => receiver?.close(r));
  });

  it('splits a batch around its damaged page: the other invoices are read, the damaged page is held with its reason', async () => {
    expect(parts.map((p) => [p.first, p.last])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    const docs = await Promise.all(parts.map(async (p) => (await svc.waitForFinal(p.documentId)) as Json));
    expect(docs.map((d) => d.status)).toEqual(['needs_review', 'needs_review', 'needs_review']);
    const codes = docs.map((d) => (d.result.validation.issues as Json[]).map((i) => i.code));
    expect(docs[0]!.result.fields.invoiceNumber.value).toBeTruthy();
    expect(docs[2]!.result.fields.invoiceNumber.value).toBeTruthy();
    expect(codes[0]).not.toContain('page_unreadable');
    expect(codes[2]).not.toContain('page_unreadable');
    expect(codes[1]).toContain('page_unreadable');
    const damaged = (docs[1]!.result.validation.issues as Json[]).find((i) => i.code === 'page_unreadable');
    expect(damaged?.message).toMatch(/Page 1 of this document \(in pages 2–2 of the file.*could not be read/);
    // The cut around the damaged page is uncertain: every part waits for a person.
    for (const c of codes) expect(c).toContain('split_uncertain');
  });

  it('refuses cuts that leave a page out, put one in two parts or run past the file, and says why', async () => {
    const version = ((await call(`/v1/documents/${fileId}`, ana)).body as Json).resultVersion as number;
    await call(`/v1/review/items/${parts[0]!.documentId}/claim`, ana, 'POST');
    const gap = await cut(
      ana,
      [
        [1, 1],
        [3, 3],
      ],
      version,
    );
    expect(gap.status).toBe(400);
    expect(gap.body).toMatchObject({
      error: 'invalid_cuts',
      message: expect.stringContaining('Pages 2–2 are in no part'),
    });
    const twice = await cut(
      ana,
      [
        [1, 2],
        [2, 3],
      ],
      version,
    );
    expect(twice.body.message).toContain('Page 2 is in two parts');
    const past = await cut(
      ana,
      [
        [1, 2],
        [3, 4],
      ],
      version,
    );
    expect(past.body.message).toContain('The file has 3 pages');
    const backwards = await cut(
      ana,
      [
        [1, 3],
        [3, 2],
      ],
      version,
    );
    expect(backwards.status).toBe(400);
    // Nothing changed.
    expect(((await call(`/v1/documents/${fileId}`, ana)).body as Json).resultVersion).toBe(version);
  });

  it('refuses a reviewer who holds none of the parts, and one whose part is held by someone else', async () => {
    const version = ((await call(`/v1/documents/${fileId}`, ana)).body as Json).resultVersion as number;
    const unclaimed = await cut(
      bruno,
      [
        [1, 2],
        [3, 3],
      ],
      version,
    );
    expect(unclaimed.status).toBe(409);
    expect(unclaimed.body.error).toBe('not_claimed');
    // Bruno holds the third part; Ana's new cut would replace it.
    await call(`/v1/review/items/${parts[2]!.documentId}/claim`, bruno, 'POST');
    const held = await cut(
      ana,
      [
        [1, 1],
        [2, 3],
      ],
      version,
    );
    expect(held.status).toBe(409);
    expect(held.body).toMatchObject({ error: 'claimed', message: expect.stringContaining('Bruno Lima') });
    await call(`/v1/review/items/${parts[2]!.documentId}/release`, bruno, 'POST');
  });

  it('joins the damaged page to the invoice before it: that part is replaced and read again, the last one stays', async () => {
    const version = ((await call(`/v1/documents/${fileId}`, ana)).body as Json).resultVersion as number;
    const moved = await cut(
      ana,
      [
        [1, 2],
        [3, 3],
      ],
      version,
    );
    expect(moved.status).toBe(200);
    expect(moved.body.parts.map((p: Json) => [p.first, p.last, p.changed])).toEqual([
      [1, 2, true],
      [3, 3, false],
    ]);
    expect(moved.body.parts[1].documentId).toBe(parts[2]!.documentId);
    expect(moved.body.superseded.sort()).toEqual([parts[0]!.documentId, parts[1]!.documentId].sort());

    // The same cut moved again on the version Ana saw (another tab, a second reviewer) is stale.
    const stale = await cut(
      bruno,
      [
        [1, 1],
        [2, 3],
      ],
      version,
    );
    expect(stale.status).toBe(409);

    // The new part is read from pages 1–2 of the file and routed: its invoice, and the damaged page, are there.
    const joined = (await svc.waitForFinal(moved.body.parts[0].documentId)) as Json;
    expect(joined).toMatchObject({
      parentId: fileId,
      pageRange: { first: 1, last: 2 },
      status: 'needs_review',
    });
    expect(joined.result.pages).toBe(2);
    expect(joined.result.fields.invoiceNumber.value).toBeTruthy();
    const codes = (joined.result.validation.issues as Json[]).map((i) => i.code);
    expect(codes).toContain('page_unreadable');
    expect(codes).not.toContain('split_uncertain');
    expect(codes).not.toContain('duplicate_file');
    const items = (await call('/v1/review/items', ana)).body.items as Json[];
    expect(items.map((i) => i.documentId)).toContain(joined.id);

    // The part the cut left alone is now cut where a person said: it no longer waits on split_uncertain, and it
    // stays in the queue for that person to approve.
    const last = (await call(`/v1/documents/${parts[2]!.documentId}`, ana)).body as Json;
    expect(last.status).toBe('needs_review');
    expect((last.result.validation.issues as Json[]).map((i) => i.code)).not.toContain('split_uncertain');
    expect(items.map((i) => i.documentId)).toContain(last.id);

    // The replaced parts end superseded, out of the queue, with the reason on their trail.
    for (const old of [parts[0]!, parts[1]!]) {
      expect(((await call(`/v1/documents/${old.documentId}`, ana)).body as Json).status).toBe('superseded');
      expect(items.map((i) => i.documentId)).not.toContain(old.documentId);
      const trail = (await call(`/v1/documents/${old.documentId}/audit`, ana)).body.events as Json[];
      expect(trail.at(-1)).toMatchObject({ action: 'supersede', actor: { name: 'Ana Souza' } });
      expect(trail.at(-1)!.reason).toContain('pages 1–2, 3–3');
    }
    // The file lists its new parts, and its trail says who cut it and how.
    const file = (await call(`/v1/documents/${fileId}`, ana)).body as Json;
    expect(file.result.split.parts.map((p: Json) => p.documentId)).toEqual(
      moved.body.parts.map((p: Json) => p.documentId),
    );
    expect(file.result.split.uncertain).toBe(false);
    const trail = (await call(`/v1/documents/${fileId}/audit`, ana)).body.events as Json[];
    expect(trail.at(-1)).toMatchObject({
      action: 'cut',
      before: [
        { first: 1, last: 1 },
        { first: 2, last: 2 },
        { first: 3, last: 3 },
      ],
      after: [
        { first: 1, last: 2 },
        { first: 3, last: 3 },
      ],
    });

    // The ERP hears of the new cut.
    const end = Date.now() + 20_000;
    let hook: Json | undefined;
    while (!hook && Date.now() < end) {
      hook = received.find((r) => r.event === 'document.split' && r.data.cutBy === 'Ana Souza');
      if (!hook) await new Promise((r) => setTimeout(r, 100));
    }
    expect(hook?.data.parts.map((p: Json) => [p.first, p.last])).toEqual([
      [1, 2],
      [3, 3],
    ]);
    expect(hook?.data.superseded.sort()).toEqual([parts[0]!.documentId, parts[1]!.documentId].sort());
  }, 130_000);
});
