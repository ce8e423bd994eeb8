// The intake API end to end: real HTTP, real Redis, a fresh PostgreSQL database, the real pipeline.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formWith, startTestService, type TestService } from '../support/service.ts';

const sample = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../../samples/${name}`, import.meta.url)));

describe('intake API', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService();
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('accepts a digital invoice and brings it to auto_approved with its result and history', async () => {
    const res = await svc.request('/v1/documents', {
      method: 'POST',
      body: formWith([{ name: 'invoice-en-digital.pdf', bytes: sample('invoice-en-digital.pdf') }], {
        externalRef: 'ERP-1',
      }),
    });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { documents: { id: string; url: string; status: string }[] };
    expect(body.documents).toHaveLength(1);
    expect(body.documents[0]!.status).toBe('received');
    const doc = await svc.waitForFinal(body.documents[0]!.id);
    expect(doc.status).toBe('auto_approved');
    expect(doc.externalRef).toBe('ERP-1');
    const result = doc.result as { fields: Record<string, { value: string }> };
    expect(result.fields.totalAmount?.value).toBe('1144.29');
    expect((doc.history as { to: string }[]).map((h) => h.to)).toEqual([
      'received',
      'processing',
      'auto_approved',
    ]);
  });

  it('refuses a request without a key (401) and a text file (415) and says why', async () => {
    const anonymous = await svc.request('/v1/documents', { method: 'POST', key: '' });
    expect(anonymous.status).toBe(401);
    const text = await svc.request('/v1/documents', {
      method: 'POST',
      body: formWith([{ name: 'notes.pdf', bytes: new TextEncoder().encode('just some notes, not a PDF') }]),
    });
    expect(text.status).toBe(415);
    expect(((await text.json()) as { message: string }).message).toMatch(/plain text/);
  });
});
