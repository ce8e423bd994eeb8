// Line items corrected through the review API: a line the reader missed is added, the rules agree again
// without an override, and every changed cell is on the audit trail and in the figures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvoiceSpec } from '../../scripts/samples/model.ts';
import { renderPdf } from '../../scripts/samples/render-pdf.ts';
import { SAMPLES } from '../../scripts/samples/specs.ts';
import { ManualClock } from '../../src/storage/clock.ts';
import { formWith, startTestService, type TestService } from '../support/service.ts';

const base = SAMPLES.find((s) => s.name === 'invoice-en-digital') as InvoiceSpec;

// biome-ignore lint/suspicious/noExplicitAny: the answers are JSON the assertions walk into
type Json = Record<string, any>;

describe('review API: line items', () => {
  const clock = new ManualClock(new Date('2025-03-20T09:00:00Z'));
  let svc: TestService;
  let key: string;
  let id: string;

  const call = async (path: string, method = 'GET', body?: unknown) => {
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

  beforeAll(async () => {
    svc = await startTestService({ clock });
    key = await svc.key('review');
    // The last line ("Delivery and handling", 1 × 35.00) counts in the subtotal but is not printed.
    const spec: InvoiceSpec = {
      ...base,
      name: 'missed-line',
      invoiceNumber: 'INV-LINES-1',
      unprintedItems: 1,
    };
    const res = await svc.request('/v1/documents', {
      method: 'POST',
      body: formWith([{ name: 'missed-line.pdf', bytes: await renderPdf(spec), type: 'application/pdf' }]),
    });
    id = ((await res.json()) as Json).documents[0].id;
    expect((await svc.waitForFinal(id)).status).toBe('needs_review');
  });

  afterAll(async () => {
    await svc?.stop();
  });

  it('adding the missed line clears lines_subtotal_mismatch; each changed cell is audited', async () => {
    const item = await call(`/v1/review/items/${id}`);
    expect(item.body.item.reasons).toContain('lines_subtotal_mismatch');
    const read = item.body.lineItems as Json[];
    expect(read).toHaveLength(4);
    const kept = read.map((l, i) => ({
      from: i + 1,
      description: l.description,
      quantity: l.quantity,
      unitPrice: l.unitPrice,
      amount: l.amount,
    }));
    const missed = { description: 'Delivery and handling', quantity: '1', unitPrice: '35.00', amount: '35' };

    // Checked as typed: a bad cell says why and names itself; the rules see the lines as they stand.
    const typo = await call(`/v1/review/items/${id}/lines/validate`, 'POST', {
      lines: [...kept, { ...missed, amount: '35,0x' }],
    });
    expect(typo.status).toBe(200);
    expect(typo.body.lines[4].errors.amount).toMatch(/not an amount/);
    const dry = await call(`/v1/review/items/${id}/lines/validate`, 'POST', { lines: [...kept, missed] });
    expect(dry.body.issues.map((i: Json) => i.code)).not.toContain('lines_subtotal_mismatch');
    expect(dry.body.lines[4]).toMatchObject({ line: 5, amount: '35' });

    // Stored: needs the claim; then a new version, and the approval needs no override.
    expect((await call(`/v1/review/items/${id}/lines`, 'PUT', { lines: [...kept, missed] })).status).toBe(
      409,
    );
    expect((await call(`/v1/review/items/${id}/claim`, 'POST')).status).toBe(200);
    const bad = await call(`/v1/review/items/${id}/lines`, 'PUT', {
      lines: [...kept, { ...missed, quantity: 'two' }],
    });
    expect(bad.status).toBe(422);
    expect(bad.body.field).toBe('lineItems[4].quantity');
    // Put where it belongs, two lines swapped, and the first line's description tidied in the same save.
    const moved = [
      { ...kept[0]!, description: 'Copy paper, letter (case of 10 reams)' },
      missed,
      kept[2]!,
      kept[1]!,
      kept[3]!,
    ];
    const saved = await call(`/v1/review/items/${id}/lines`, 'PUT', { lines: moved });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body.issues.map((i: Json) => i.code)).not.toContain('lines_subtotal_mismatch');
    const after = await call(`/v1/review/items/${id}`);
    expect(after.body.lineItems.map((l: Json) => l.description).slice(1, 4)).toEqual([
      'Delivery and handling',
      read[2]!.description,
      read[1]!.description,
    ]);
    // The lines kept their boxes on the page; the added one has none.
    expect(after.body.lineItems[0].bbox).toHaveLength(4);
    expect(after.body.lineItems[1].bbox).toBeUndefined();

    const audit = await call(`/v1/documents/${id}/audit`);
    const corrections = (audit.body.events as Json[]).filter((e) => e.action === 'correct');
    expect(corrections.map((e) => e.field)).toEqual(
      expect.arrayContaining(['lineItems[0].description', 'lineItems[1]', 'lineItems.order']),
    );
    expect(corrections.find((e) => e.field === 'lineItems.order')).toMatchObject({
      before: [0, 1, 2, 3],
      after: [0, 2, 1, 3],
    });
    expect(corrections.find((e) => e.field === 'lineItems[1]')?.after).toMatchObject({
      description: 'Delivery and handling',
      amount: '35',
    });

    const approved = await call(`/v1/review/items/${id}/approve`, 'POST', {});
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);

    // The figures count the corrected line cells by column, whichever line they were on.
    const figures = await call('/v1/metrics/summary?from=2025-03-01&to=2025-04-01');
    const fields = JSON.stringify(figures.body);
    expect(fields).toContain('lineItems.description');
  });
});
