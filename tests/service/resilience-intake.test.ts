// Intake under retries and abuse: Idempotency-Key replays, size/count/rate limits that store nothing, and a raw
// body upload that works like a multipart one. Real HTTP, real Redis, a fresh PostgreSQL database each.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedFields, sample } from '../support/processes.ts';
import { formWith, startTestService, type TestService } from '../support/service.ts';

const DIGITAL = 'invoice-en-digital.pdf';
const SCAN = 'invoice-en-scan.pdf';

interface IntakeAnswer {
  documents: { id: string; fileName: string; status: string; url: string }[];
}

/** Every document the service holds, whatever its status. */
async function allDocuments(svc: TestService): Promise<{ id: string; fileName: string }[]> {
  const res = await svc.request('/v1/documents?limit=100');
  expect(res.status).toBe(200);
  return ((await res.json()) as { documents: { id: string; fileName: string }[] }).documents;
}

/** Files in the blob store. */
function blobCount(dir: string): number {
  let n = 0;
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const name of names) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else n++;
    }
  };
  walk(dir);
  return n;
}

describe('Idempotency-Key and raw-body uploads', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService();
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('the same upload sent twice with one Idempotency-Key is one document; another body with that key is 422', async () => {
    const send = (name: string) =>
      svc.request('/v1/documents', {
        method: 'POST',
        headers: { 'idempotency-key': 'erp-batch-0042' },
        body: formWith([{ name, bytes: sample(name) }], { externalRef: 'ERP-42' }),
      });
    const first = await send(DIGITAL);
    expect(first.status).toBe(202);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const firstBody = (await first.json()) as IntakeAnswer;

    const second = await send(DIGITAL);
    expect(second.status).toBe(202);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await second.json()).toEqual(firstBody);

    const other = await send('invoice-pt-digital.pdf');
    expect(other.status).toBe(422);
    const refusal = (await other.json()) as { error: string; message: string };
    expect(refusal.error).toBe('idempotency_key_reused');
    expect(refusal.message).toMatch(/different request/);

    const docs = (await allDocuments(svc)).filter((d) => d.fileName !== 'factura-raw.pdf');
    expect(docs.map((d) => d.id)).toEqual([firstBody.documents[0]!.id]);
    const doc = await svc.waitForFinal(firstBody.documents[0]!.id);
    expect(doc.status).toBe('auto_approved');
  });

  it('a raw application/pdf body with ?filename= is read like a multipart upload', async () => {
    // A file not sent before in this service: the same bytes again would (rightly) be flagged a duplicate.
    const name = 'invoice-es-digital.pdf';
    const raw = await svc.request('/v1/documents?filename=factura-raw.pdf&externalRef=ERP-RAW-1', {
      method: 'POST',
      headers: { 'content-type': 'application/pdf' },
      body: Buffer.from(sample(name)),
    });
    expect(raw.status).toBe(202);
    const answer = (await raw.json()) as IntakeAnswer;
    expect(answer.documents).toHaveLength(1);
    expect(answer.documents[0]).toMatchObject({ fileName: 'factura-raw.pdf', status: 'received' });

    const doc = await svc.waitForFinal(answer.documents[0]!.id);
    expect(doc).toMatchObject({
      status: 'auto_approved',
      fileName: 'factura-raw.pdf',
      mediaType: 'application/pdf',
      externalRef: 'ERP-RAW-1',
      source: 'api',
      sizeBytes: sample(name).length,
    });
    // Read to the same fields a multipart upload of this sample is held to (its expected.json).
    const fields = Object.fromEntries(
      Object.entries((doc.result as { fields: Record<string, { value: unknown } | null> }).fields)
        .filter(([, v]) => v != null)
        .map(([k, v]) => [k, v?.value]),
    );
    expect(fields).toMatchObject(expectedFields(name));
    // The original comes back as sent.
    const file = await svc.request(`/v1/documents/${answer.documents[0]!.id}/file`);
    expect(Buffer.from(await file.arrayBuffer()).equals(Buffer.from(sample(name)))).toBe(true);
  });
});

describe('intake limits', () => {
  let svc: TestService;
  const MAX_BYTES = 100_000;
  beforeAll(async () => {
    svc = await startTestService({
      env: { MAX_UPLOAD_BYTES: String(MAX_BYTES), MAX_FILES_PER_REQUEST: '2', RATE_LIMIT_PER_MINUTE: '3' },
    });
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('a file over MAX_UPLOAD_BYTES is 413 with a reason, multipart or raw, and nothing is stored', async () => {
    const scan = sample(SCAN);
    expect(scan.length).toBeGreaterThan(MAX_BYTES);
    const multipart = await svc.request('/v1/documents', {
      method: 'POST',
      body: formWith([{ name: SCAN, bytes: scan }]),
    });
    expect(multipart.status).toBe(413);
    const body = (await multipart.json()) as { error: string; message: string };
    expect(body.error).toBe('file_too_large');
    expect(body.message).toContain(String(MAX_BYTES));

    const raw = await svc.request('/v1/documents?filename=scan.pdf', {
      method: 'POST',
      headers: { 'content-type': 'application/pdf' },
      body: Buffer.from(scan),
    });
    expect(raw.status).toBe(413);
    expect(((await raw.json()) as { error: string }).error).toBe('file_too_large');

    expect(await allDocuments(svc)).toEqual([]);
    expect(blobCount(svc.config.blobDir)).toBe(0);
  });

  it('more files than MAX_FILES_PER_REQUEST is 413 and stores none of them', async () => {
    const res = await svc.request('/v1/documents', {
      method: 'POST',
      body: formWith(
        ['invoice-en-digital.pdf', 'invoice-pt-digital.pdf', 'invoice-es-digital.pdf'].map((name) => ({
          name,
          bytes: sample(name),
        })),
      ),
    });
    expect(res.status).toBe(413);
    const body = (await res.json()) as { error: string; message: string };
    expect(body.error).toBe('too_many_files');
    expect(body.message).toMatch(/At most 2 files/);
    expect(await allDocuments(svc)).toEqual([]);
    expect(blobCount(svc.config.blobDir)).toBe(0);
  });

  it('more uploads than RATE_LIMIT_PER_MINUTE is 429 with a reason; the refused one is not stored', async () => {
    const key = await svc.key('ingest');
    const upload = (k: string) =>
      svc.request('/v1/documents', {
        method: 'POST',
        key: k,
        body: formWith([{ name: 'receipt-en-digital.pdf', bytes: sample('receipt-en-digital.pdf') }]),
      });
    for (let i = 0; i < 3; i++) expect((await upload(key)).status).toBe(202);
    const refused = await upload(key);
    expect(refused.status).toBe(429);
    const body = (await refused.json()) as { error: string; message: string };
    expect(body.error).toBe('rate_limited');
    expect(body.message).toMatch(/at most 3 per minute/);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await allDocuments(svc)).toHaveLength(3);
    // The limit is per key: another sender is not held back by this one.
    expect((await upload(await svc.key('ingest'))).status).toBe(202);
    expect(await allDocuments(svc)).toHaveLength(4);
  });
});
