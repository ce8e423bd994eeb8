// Two corrections sent at once (two tabs of one reviewer) must not undo each other: each one that is
// answered 200 is in the stored result, and one built on an outdated result is refused with 409.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { InvoiceSpec } from '../../scripts/samples/model.ts';
import { totalsOf } from '../../scripts/samples/model.ts';
import { renderPdf } from '../../scripts/samples/render-pdf.ts';
import { SAMPLES } from '../../scripts/samples/specs.ts';
import { formWith, startTestService, type TestService } from '../support/service.ts';

const base = SAMPLES.find((s) => s.name === 'invoice-en-digital') as InvoiceSpec;

let svc: TestService;
let reviewer: string;
beforeAll(async () => {
  svc = await startTestService();
  reviewer = await svc.key('review');
});
afterAll(async () => {
  await svc?.stop();
});

it('keeps every correction it answered 200 for when several arrive at once', async () => {
  const spec: InvoiceSpec = { ...base, name: 'race', invoiceNumber: 'INV-RACE-1' };
  spec.printedTotal = totalsOf(spec).total.plus('100.00').toFixed(2);
  const bytes = new Uint8Array(await renderPdf(spec));
  const res = await svc.request('/v1/documents', {
    method: 'POST',
    body: formWith([{ name: 'race.pdf', bytes }]),
  });
  const id = ((await res.json()) as { documents: { id: string }[] }).documents[0]!.id;
  expect((await svc.waitForFinal(id)).status).toBe('needs_review');
  const call = (path: string, method: string, body?: unknown) =>
    svc.request(path, {
      method,
      key: reviewer,
      ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
    });
  expect((await call(`/v1/review/items/${id}/claim`, 'POST')).status).toBe(200);

  const edits: Record<string, string> = {
    purchaseOrder: 'PO-RACE-1',
    customerName: 'Race Customer One',
    invoiceNumber: 'INV-RACE-2',
    dueDate: '2025-05-01',
  };
  const answers = await Promise.all(
    Object.entries(edits).map(([field, value]) =>
      call(`/v1/review/items/${id}/fields`, 'PATCH', { fields: { [field]: value } }).then(async (r) => ({
        field,
        status: r.status,
        body: (await r.json()) as { error?: string },
      })),
    ),
  );
  for (const a of answers) {
    expect([200, 409]).toContain(a.status);
    if (a.status === 409) expect(a.body.error).toBe('stale_result');
  }
  const doc = (await (await svc.request(`/v1/documents/${id}`)).json()) as {
    result: { fields: Record<string, { value: string } | undefined> };
  };
  for (const a of answers.filter((x) => x.status === 200)) {
    expect(doc.result.fields[a.field]?.value, a.field).toBe(edits[a.field]);
  }
  expect(answers.some((a) => a.status === 200)).toBe(true);
});
