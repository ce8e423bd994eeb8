// The API surface a client sees: listing and paging, a document and its file and pages, exports, keys
// and roles, health and the OpenAPI docs. Real HTTP, real Redis, a fresh PostgreSQL, the real pipeline.
import { existsSync, readFileSync } from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formWith, startTestService, type TestService } from '../support/service.ts';

const sample = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../../samples/${name}`, import.meta.url)));

const DIGITAL = [
  'invoice-en-digital.pdf',
  'invoice-es-digital.pdf',
  'invoice-pt-digital.pdf',
  'receipt-en-digital.pdf',
  'invoice-en-eu-digital.pdf',
  'receipt-pt-digital.pdf',
];

interface Summary {
  id: string;
  status: string;
  fileName: string;
  vendorName: string | null;
  receivedAt: string;
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47];

describe('API surface', () => {
  let svc: TestService;
  let ingestKey: string;
  /** Upload order; each has its own receivedAt. */
  const docs: { id: string; file: string; status: string; receivedAt: string; vendorName: string | null }[] =
    [];
  let mineId: string;
  let imageId: string;

  const json = async <T>(res: Response | Promise<Response>) => (await (await res).json()) as T;

  beforeAll(async () => {
    svc = await startTestService();
    for (const file of DIGITAL) {
      const res = await svc.request('/v1/documents', {
        method: 'POST',
        body: formWith([{ name: file, bytes: sample(file) }]),
      });
      expect(res.status).toBe(202);
      const { documents } = await json<{ documents: { id: string }[] }>(res);
      const final = await svc.waitForFinal(documents[0]!.id);
      docs.push({
        id: final.id as string,
        file,
        status: final.status as string,
        receivedAt: final.receivedAt as string,
        vendorName: final.vendorName as string | null,
      });
      // Distinct receive times, so the time filters have edges to cut at.
      await new Promise((r) => setTimeout(r, 15));
    }
    ingestKey = await svc.key('ingest');
    // An image of a page: rendered from SVG text, sent by the ingest key.
    const png = await sharp(
      Buffer.from(
        '<svg xmlns="http://www.w3.org/2000/svg" width="900" height="600"><rect width="900" height="600" fill="white"/>' +
          '<text x="60" y="120" font-size="48" font-family="sans-serif">RECEIPT 42</text>' +
          '<text x="60" y="220" font-size="40" font-family="sans-serif">TOTAL 12.50</text></svg>',
      ),
    )
      .png()
      .toBuffer();
    const res = await svc.request('/v1/documents', {
      method: 'POST',
      key: ingestKey,
      body: formWith([{ name: 'photo.png', bytes: new Uint8Array(png) }]),
    });
    expect(res.status).toBe(202);
    imageId = mineId = (await json<{ documents: { id: string }[] }>(res)).documents[0]!.id;
    await svc.waitForFinal(imageId);
  }, 180_000);
  afterAll(async () => {
    await svc?.stop();
  });

  it('pages through documents with a cursor: newest first, no duplicates, no gaps', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { documents: Summary[]; nextCursor: string | null } = await json(
        svc.request(`/v1/documents?limit=2${cursor ? `&cursor=${cursor}` : ''}`),
      );
      expect(page.documents.length).toBeLessThanOrEqual(2);
      seen.push(...page.documents.map((d) => d.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 20);
    expect(pages).toBe(4);
    expect(seen).toEqual([mineId, ...docs.map((d) => d.id).reverse()]);
    const bad = await svc.request('/v1/documents?cursor=not-a-cursor');
    expect(bad.status).toBe(400);
  });

  it('filters by status, vendor, time and sender', async () => {
    const ids = async (query: string, key?: string) =>
      (
        await json<{ documents: Summary[] }>(svc.request(`/v1/documents?${query}`, key ? { key } : {}))
      ).documents.map((d) => d.id);
    const auto = docs.filter((d) => d.status === 'auto_approved').map((d) => d.id);
    expect(auto.length).toBeGreaterThan(0);
    expect(await ids('status=auto_approved')).toEqual([...auto].reverse());
    const others = [
      mineId,
      ...docs
        .filter((d) => d.status !== 'auto_approved')
        .map((d) => d.id)
        .reverse(),
    ];
    expect(new Set(await ids('status=needs_review,failed,received,processing,approved,rejected'))).toEqual(
      new Set(others),
    );
    const harbor = docs.find((d) => d.file === 'invoice-en-digital.pdf')!;
    expect(harbor.vendorName).toBe('Harbor Point Office Supply, Inc.');
    expect(await ids('vendor=harbor%20point')).toEqual([harbor.id]);
    const papelaria = docs.find((d) => d.file === 'invoice-pt-digital.pdf')!;
    expect(await ids(`vendor=${encodeURIComponent('11.222.333/0001-81')}`)).toEqual([papelaria.id]);
    expect(await ids('vendor=nobody-sells-this')).toEqual([]);
    const third = docs[2]!;
    const fifth = docs[4]!;
    expect(
      await ids(`from=${encodeURIComponent(third.receivedAt)}&to=${encodeURIComponent(fifth.receivedAt)}`),
    ).toEqual([docs[3]!.id, third.id]);
    expect(await ids('mine=true', ingestKey)).toEqual([mineId]);
    expect(await ids('mine=true')).toEqual(docs.map((d) => d.id).reverse());
    expect((await svc.request('/v1/documents?status=lost')).status).toBe(400);
  });

  it('shows a document, 404 for an unknown id, 400 for a malformed one', async () => {
    const d = docs[0]!;
    const body = await json<{ id: string; links: { file: string; pages: string[] } }>(
      svc.request(`/v1/documents/${d.id}`),
    );
    expect(body.id).toBe(d.id);
    expect(body.links.pages).toEqual([`/v1/documents/${d.id}/pages/1`]);
    const unknown = await svc.request('/v1/documents/doc_0000000000000000000');
    expect(unknown.status).toBe(404);
    expect((await json<{ error: string }>(unknown)).error).toBe('not_found');
    const malformed = await svc.request('/v1/documents/not-an-id');
    expect(malformed.status).toBe(400);
    expect((await json<{ message: string }>(malformed)).message).toMatch(/not a document id/);
  });

  it('serves the original as an attachment with nosniff, byte for byte', async () => {
    const d = docs[0]!;
    const res = await svc.request(`/v1/documents/${d.id}/file`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="invoice-en-digital\.pdf"/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await res.arrayBuffer()).equals(Buffer.from(sample(d.file)))).toBe(true);
  });

  it('renders pages as PNG for a PDF and for an image; 404 past the last page', async () => {
    for (const id of [docs[0]!.id, imageId]) {
      const res = await svc.request(`/v1/documents/${id}/pages/1?width=600`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/png');
      const png = Buffer.from(await res.arrayBuffer());
      expect([...png.subarray(0, 4)]).toEqual(PNG_MAGIC);
      const meta = await sharp(png).metadata();
      expect(meta.width).toBeLessThanOrEqual(600);
      expect(meta.width).toBeGreaterThan(100);
      const past = await svc.request(`/v1/documents/${id}/pages/2`);
      expect(past.status).toBe(404);
    }
  });

  it('keeps the page images drawn when the document was read, and serves them with an ETag the browser can reuse', async () => {
    const id = docs[0]!.id;
    const doc = (await (await svc.request(`/v1/documents/${id}`)).json()) as { sha256: string };
    const kept = `${await svc.service.ctx.blobs.localPath(doc.sha256)}.page-1-w1400.png`;
    // Drawn right after the reading, in the page-image process.
    for (let i = 0; i < 300 && !existsSync(kept); i++) await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(kept)).toBe(true);
    const first = await svc.request(`/v1/documents/${id}/pages/1`);
    expect(first.status).toBe(200);
    expect(Buffer.from(await first.arrayBuffer()).equals(readFileSync(kept))).toBe(true);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^".+"$/);
    expect(first.headers.get('cache-control')).toMatch(/max-age=\d+/);
    const again = await svc.request(`/v1/documents/${id}/pages/1`, { headers: { 'if-none-match': etag! } });
    expect(again.status).toBe(304);
  });

  it('exports approved results as CSV and JSON with the fields of the auto-approved invoice', async () => {
    const harbor = docs.find((d) => d.file === 'invoice-en-digital.pdf')!;
    expect(harbor.status).toBe('auto_approved');
    const csvRes = await svc.request('/v1/exports?status=approved&format=csv');
    expect(csvRes.status).toBe(200);
    expect(csvRes.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await csvRes.text()).trim().split('\n');
    const header = lines[0]!.split(',');
    expect(header.slice(0, 3)).toEqual(['documentId', 'externalRef', 'status']);
    const row = lines.find((l) => l.startsWith(harbor.id))!;
    expect(row).toBeDefined();
    expect(row).toContain('"Harbor Point Office Supply, Inc."');
    expect(row).toContain('INV-2025-0318');
    expect(row).toContain('1144.29');
    expect(row).toContain('2025-03-15');
    expect(lines).toHaveLength(1 + docs.filter((d) => d.status === 'auto_approved').length);

    const exported = await json<{ documents: Record<string, unknown>[] }>(
      svc.request('/v1/exports?status=approved&format=json'),
    );
    const record = exported.documents.find((r) => r.documentId === harbor.id)!;
    expect(record).toMatchObject({
      status: 'auto_approved',
      vendorName: 'Harbor Point Office Supply, Inc.',
      vendorTaxId: '31-4829175',
      invoiceNumber: 'INV-2025-0318',
      invoiceDate: '2025-03-15',
      currency: 'USD',
      totalAmount: '1144.29',
      resultVersion: 1,
    });
    expect(Array.isArray(record.lineItems)).toBe(true);
  });

  it('keys and roles: 401 without or with a revoked key, 403 naming the role, new keys work', async () => {
    expect((await svc.request('/v1/documents', { key: '' })).status).toBe(401);
    expect((await svc.request('/v1/documents', { key: 'rtg_admin_madeup' })).status).toBe(401);
    const malformedHeader = await svc.request('/v1/documents', { headers: { authorization: 'Basic abc' } });
    expect(malformedHeader.status).toBe(401);

    const forbidden = await svc.request('/v1/keys', { key: ingestKey });
    expect(forbidden.status).toBe(403);
    expect((await json<{ message: string }>(forbidden)).message).toMatch(/needs the admin role.*ingest role/);

    const created = await svc.request('/v1/keys', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'review', name: 'Ana' }),
    });
    expect(created.status).toBe(201);
    const key = await json<{ id: string; key: string; role: string }>(created);
    expect(key.role).toBe('review');
    const listed = await svc.request('/v1/documents?limit=1', { key: key.key });
    expect(listed.status).toBe(200);
    const keys = await json<{ keys: { id: string; lastUsedAt: string | null }[] }>(svc.request('/v1/keys'));
    expect(JSON.stringify(keys)).not.toContain(key.key);
    expect(keys.keys.some((k) => k.id === key.id)).toBe(true);

    expect((await svc.request(`/v1/keys/${key.id}`, { method: 'DELETE' })).status).toBe(204);
    const revoked = await svc.request('/v1/documents', { key: key.key });
    expect(revoked.status).toBe(401);
    expect((await json<{ message: string }>(revoked)).message).toMatch(/revoked/);
    expect((await svc.request(`/v1/keys/${key.id}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('answers health and readiness without a key, and serves the OpenAPI docs', async () => {
    const health = await svc.request('/healthz', { key: '' });
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await svc.request('/readyz', { key: '' });
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', database: 'ok', redis: 'ok' });

    const page = await svc.request('/docs', { key: '' });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toMatch(/swagger/i);
    const spec = await json<{ openapi: string; paths: Record<string, Record<string, unknown>> }>(
      svc.request('/docs/json', { key: '' }),
    );
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/v1/documents', '/v1/documents/{id}', '/v1/exports', '/v1/webhooks']),
    );
    expect(spec.paths['/v1/documents']).toHaveProperty('post');
    expect(spec.paths['/v1/documents']).toHaveProperty('get');
  });

  it('takes an NF-e XML as a raw body: read from its tags, no page images', async () => {
    const xml = readFileSync(new URL('../fixtures/nfe/nfe-small.xml', import.meta.url));
    const res = await svc.request('/v1/documents?filename=nota.xml', {
      method: 'POST',
      headers: { 'content-type': 'application/xml' },
      body: xml,
    });
    expect(res.status).toBe(202);
    const { documents } = await json<{ documents: { id: string }[] }>(res);
    const final = await svc.waitForFinal(documents[0]!.id);
    const result = final.result as {
      format: string;
      mimeType: string;
      fields: Record<string, { value: string }>;
    };
    expect(result).toMatchObject({ format: 'nfe-xml', mimeType: 'application/xml' });
    expect(result.fields.totalAmount?.value).toBe('685.89');
    const page = await svc.request(`/v1/documents/${documents[0]!.id}/pages/1`);
    expect(page.status).toBe(404);
    expect(await page.json()).toMatchObject({
      error: 'no_pages',
      message: expect.stringContaining('NF-e XML'),
    });
  });
});
