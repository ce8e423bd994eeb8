// Vendor memory in the service: a reviewer corrects the vendor on one document of a layout, the next document of
// that layout is read with the right vendor, an admin sees why and can make the service forget it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GeneratedInvoice, generateInvoices } from '../../scripts/invoices/generate.ts';
import { vendorKeyOf } from '../../src/rules/context.ts';
import { ManualClock } from '../../src/storage/clock.ts';
import { formWith, startTestService, type TestService } from '../support/service.ts';

// biome-ignore lint/suspicious/noExplicitAny: the answers are JSON the assertions walk into
type Json = Record<string, any>;

describe('vendor memory', () => {
  let svc: TestService;
  let ana: string;
  let docs: GeneratedInvoice[];
  let vendorKey: string;
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
  const upload = async (doc: GeneratedInvoice): Promise<Json> => {
    const res = await svc.request('/v1/documents', {
      method: 'POST',
      body: formWith([{ name: doc.file, bytes: doc.bytes }]),
    });
    expect(res.status).toBe(202);
    const id = ((await res.json()) as { documents: { id: string }[] }).documents[0]!.id;
    await svc.waitForFinal(id);
    return (await call(`/v1/documents/${id}`, svc.adminKey)).body;
  };

  beforeAll(async () => {
    // One issuer whose layout (the summary first) the reader misreads the vendor of, on all three invoices.
    const corpus = await generateInvoices({ seed: 9199, count: 3, delivery: 'digital', vendors: 1 });
    docs = corpus.documents;
    svc = await startTestService({ clock: new ManualClock(corpus.now) });
    ana = (await svc.service.ctx.keys.create('review', 'Ana Souza')).key;
    const truth = docs[0]!.truth.fields;
    vendorKey = vendorKeyOf({
      fields: {
        vendorName: { value: truth.vendorName!, confidence: 1, page: 1, bbox: [0, 0, 0, 0] },
        ...(truth.vendorTaxId
          ? { vendorTaxId: { value: truth.vendorTaxId, confidence: 1, page: 1, bbox: [0, 0, 0, 0] } }
          : {}),
      },
    } as never)!;
  }, 120_000);

  afterAll(async () => {
    await svc?.stop();
  });

  it('after one correction, the next document of the layout is read with the right vendor', async () => {
    const first = await upload(docs[0]!);
    const truth = docs[0]!.truth.fields;
    expect(first.result.fields.vendorName?.value).not.toBe(truth.vendorName);
    if (first.status !== 'needs_review') {
      const reopened = await call(`/v1/review/documents/${first.id}/reopen`, ana, 'POST', {
        reason: 'wrong vendor',
      });
      expect(reopened.status).toBe(200);
    }
    expect((await call(`/v1/review/items/${first.id}/claim`, ana, 'POST')).status).toBe(200);
    const corrected = await call(`/v1/review/items/${first.id}/fields`, ana, 'PATCH', {
      fields: { vendorName: truth.vendorName, vendorTaxId: truth.vendorTaxId ?? null },
    });
    expect(corrected.status).toBe(200);
    const approved = await call(`/v1/review/items/${first.id}/approve`, ana, 'POST', {});
    if (approved.status === 409) {
      await call(`/v1/review/items/${first.id}/approve`, ana, 'POST', {
        overrideReason: 'checked against the PDF',
      });
    }

    const second = await upload(docs[1]!);
    expect(second.result.fields.vendorName.value).toBe(docs[1]!.truth.fields.vendorName);
    expect(second.result.fields.vendorName.learned).toMatchObject({ corrections: 1, lastBy: 'Ana Souza' });
    if (second.status === 'needs_review') {
      const item = await call(`/v1/review/items/${second.id}`, ana);
      const vendor = item.body.fields.find((f: Json) => f.name === 'vendorName');
      expect(vendor.learned).toMatchObject({ corrections: 1, lastBy: 'Ana Souza' });
    }
  });

  it('shows an admin what was learned and from which document, and forgets it on request', async () => {
    const path = `/v1/vendors/${encodeURIComponent(vendorKey)}/memory`;
    expect((await call(path, ana)).status).toBe(403);
    const memory = await call(path, svc.adminKey);
    expect(memory.status).toBe(200);
    const layout = memory.body.layouts[0];
    expect(layout.fields.vendorName.value).toBe(docs[0]!.truth.fields.vendorName);
    // The memory page's list: the vendor, what was learned about it, and a reviewer may not see it.
    expect((await call('/v1/memory/vendors', ana)).status).toBe(403);
    const listed = await call('/v1/memory/vendors', svc.adminKey);
    expect(listed.body.vendors).toEqual([
      expect.objectContaining({
        vendorKey,
        vendorName: docs[0]!.truth.fields.vendorName,
        layouts: memory.body.layouts.length,
        fields: Object.keys(layout.fields).length,
      }),
    ]);
    const from = layout.fields.vendorName.sources[0];
    expect(from).toMatchObject({ how: 'correction', actorName: 'Ana Souza' });
    expect(layout.fields.bankAccount).toBeUndefined();

    // Named by the vendor's master record, the same memory; the list links the two.
    const truth = docs[0]!.truth.fields;
    const master = await call('/v1/vendors', svc.adminKey, 'POST', {
      legalName: truth.vendorName,
      taxIds: truth.vendorTaxId ? [truth.vendorTaxId] : [],
    });
    expect(master.status).toBe(201);
    const byMaster = await call(`/v1/vendors/${master.body.id}/memory`, svc.adminKey);
    expect(byMaster.body.layouts.map((l: Json) => l.id)).toEqual(memory.body.layouts.map((l: Json) => l.id));
    expect((await call('/v1/memory/vendors', svc.adminKey)).body.vendors[0].vendorId).toBe(master.body.id);
    expect((await call('/v1/vendors/vnd_0000000000000000/memory', svc.adminKey)).status).toBe(404);

    const forgotten = await call(`${path}/vendorName`, svc.adminKey, 'DELETE');
    expect(forgotten.body).toMatchObject({ vendorKey, fields: 1 });
    const trail = await call(`/v1/documents/${from.documentId}/audit`, svc.adminKey);
    expect(JSON.stringify(trail.body)).toContain('memory_forget');
    expect(JSON.stringify(trail.body)).toContain('memory_learn');

    const third = await upload(docs[2]!);
    expect(third.result.fields.vendorName?.learned).toBeUndefined();
    expect((await call(`${path}/vendorName`, svc.adminKey, 'DELETE')).status).toBe(404);
    expect((await call(path, svc.adminKey, 'DELETE')).status).toBe(200);
    expect((await call(path, svc.adminKey)).body.layouts).toEqual([]);
  });
});
