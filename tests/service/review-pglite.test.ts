// The review flow on the embedded database (PGlite has one connection: a query outside the transaction would hang).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvoiceSpec } from '../../scripts/samples/model.ts';
import { totalsOf } from '../../scripts/samples/model.ts';
import { renderPdf } from '../../scripts/samples/render-pdf.ts';
import { SAMPLES } from '../../scripts/samples/specs.ts';
import { ManualClock } from '../../src/storage/clock.ts';
import { formWith, startTestService, type TestService } from '../support/service.ts';

describe('review API on PGlite', () => {
  let svc: TestService;
  let id: string;
  beforeAll(async () => {
    svc = await startTestService({
      database: 'pglite',
      clock: new ManualClock(new Date('2025-03-20T09:00:00Z')),
    });
    const base = SAMPLES.find((s) => s.name === 'invoice-en-digital') as InvoiceSpec;
    const spec: InvoiceSpec = { ...base, name: 'pglite-review', invoiceNumber: 'INV-PGLITE-1' };
    spec.printedTotal = totalsOf(spec).total.plus('100.00').toFixed(2);
    const res = await svc.request('/v1/documents', {
      method: 'POST',
      body: formWith([{ name: 'pglite-review.pdf', bytes: await renderPdf(spec) }]),
    });
    id = ((await res.json()) as { documents: { id: string }[] }).documents[0]!.id;
    expect((await svc.waitForFinal(id)).status).toBe('needs_review');
  }, 120_000);
  afterAll(async () => {
    await svc?.stop();
  });

  it('claims, corrects, approves and keeps the audit trail', async () => {
    const post = (path: string, body?: unknown, method = 'POST') =>
      svc.request(path, {
        method,
        ...(body ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
      });
    expect((await post(`/v1/review/items/${id}/claim`)).status).toBe(200);
    const fixed = await post(
      `/v1/review/items/${id}/fields`,
      { fields: { totalAmount: '1144.29' } },
      'PATCH',
    );
    expect(fixed.status).toBe(200);
    expect(((await fixed.json()) as { route: string }).route).toBe('auto');
    expect((await post(`/v1/review/items/${id}/approve`, {})).status).toBe(200);
    const audit = (await (await svc.request(`/v1/documents/${id}/audit`)).json()) as {
      events: { action: string }[];
    };
    // The approval taught vendor memory the layout, on PGlite's one connection as on PostgreSQL.
    expect(audit.events.map((e) => e.action)).toEqual(['claim', 'correct', 'approve', 'memory_learn']);
    await expect(svc.service.ctx.db.query('delete from audit_events')).rejects.toThrow(/cannot be changed/);
  });
});
