// A scripted back-office week for the figures, driven through the HTTP API with a manual clock: documents
// that pass, exceptions of several reasons resolved at known times, one SLA breach, one failure, a
// re-submission and one correction after approval. tests/service/metrics.test.ts checks every figure of it;
// tests/browser/dashboard.test.ts shows it on the dashboard.
import { readFileSync } from 'node:fs';
import type { InvoiceSpec } from '../../scripts/samples/model.ts';
import { totalsOf } from '../../scripts/samples/model.ts';
import { renderPdf } from '../../scripts/samples/render-pdf.ts';
import { SAMPLES } from '../../scripts/samples/specs.ts';
import { ManualClock } from '../../src/storage/clock.ts';
import { formWith, startTestService, type TestService } from './service.ts';

const sample = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../../samples/${name}`, import.meta.url)));

/** The English digital invoice's spec with a planted anomaly and a number of its own. */
async function planted(number: string, change: (spec: InvoiceSpec) => void): Promise<Uint8Array> {
  const base = SAMPLES.find((s) => s.name === 'invoice-en-digital') as InvoiceSpec;
  const spec: InvoiceSpec = structuredClone(base);
  spec.name = `planted-${number}`;
  spec.invoiceNumber = number;
  change(spec);
  return renderPdf(spec);
}

export interface FiguresScenario {
  svc: TestService;
  clock: ManualClock;
  reviewKey: string;
  ids: Record<string, string>;
  /** The total the reviewer typed for the wrong-total invoice. */
  correctedTotal: string;
}

export async function runFiguresScenario(): Promise<FiguresScenario> {
  const clock = new ManualClock(new Date('2025-03-17T09:00:00Z'));
  const svc = await startTestService({ clock });
  const reviewKey = await svc.key('review');
  const ids: Record<string, string> = {};
  const enSpec = SAMPLES.find((s) => s.name === 'invoice-en-digital') as InvoiceSpec;
  const correctTotal = totalsOf(enSpec).total;
  const wrongTotal = await planted('INV-2025-0901', (s) => {
    s.printedTotal = correctTotal.plus(100).toFixed(2);
  });
  const dueBeforeIssue = await planted('INV-2025-0902', (s) => {
    s.dueDate = '2025-03-01';
  });
  const futureDate = await planted('INV-2025-0903', (s) => {
    s.invoiceDate = '2025-04-30';
    s.dueDate = '2025-05-30';
  });
  const pt = sample('invoice-pt-digital.pdf');

  const upload = async (name: string, at: string, file: string, bytes: Uint8Array, source?: string) => {
    clock.set(at);
    const res = await svc.request('/v1/documents', {
      method: 'POST',
      body: formWith([{ name: file, bytes }], source ? { source } : {}),
    });
    if (res.status !== 202) throw new Error(`upload of ${file}: ${res.status} ${await res.text()}`);
    const id = ((await res.json()) as { documents: { id: string }[] }).documents[0]!.id;
    ids[name] = id;
    await svc.waitForFinal(id, 60_000);
  };
  const review = async (at: string, method: string, path: string, body?: unknown) => {
    clock.set(at);
    const res = await svc.request(path, {
      method,
      key: reviewKey,
      body: JSON.stringify(body ?? {}),
      headers: { 'content-type': 'application/json' },
    });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  };
  const item = (name: string) => `/v1/review/items/${ids[name]}`;

  // Monday 17 March 2025.
  await upload('passes1', '2025-03-17T09:00:00Z', 'invoice-en-digital.pdf', sample('invoice-en-digital.pdf'));
  await upload('passes2', '2025-03-17T09:05:00Z', 'invoice-pt-digital.pdf', pt, 'upload');
  await upload('wrongTotal', '2025-03-17T09:10:00Z', 'wrong-total.pdf', wrongTotal);
  await upload('dueBeforeIssue', '2025-03-17T09:15:00Z', 'due-before-issue.pdf', dueBeforeIssue);
  // The same file as passes1, sent again: a re-submission, routed as a duplicate.
  await upload(
    'resubmitted',
    '2025-03-17T09:20:00Z',
    'invoice-en-digital-again.pdf',
    sample('invoice-en-digital.pdf'),
  );
  // Corrected and approved 2 h after it came in.
  await review('2025-03-17T11:10:00Z', 'POST', `${item('wrongTotal')}/claim`);
  await review('2025-03-17T11:10:00Z', 'PATCH', `${item('wrongTotal')}/fields`, {
    fields: { totalAmount: correctTotal.toFixed(2) },
  });
  await review('2025-03-17T11:10:00Z', 'POST', `${item('wrongTotal')}/approve`);
  // Approved over its error 4 h after it came in.
  await review('2025-03-17T13:15:00Z', 'POST', `${item('dueBeforeIssue')}/claim`);
  await review('2025-03-17T13:15:00Z', 'POST', `${item('dueBeforeIssue')}/approve`, {
    overrideReason: 'Vendor confirmed the due date by phone.',
  });

  // Tuesday 18 March.
  const truncated = pt.slice(0, Math.floor(pt.length / 2));
  await upload('failed', '2025-03-18T09:00:00Z', 'truncated.pdf', truncated);
  await upload('passes3', '2025-03-18T10:00:00Z', 'invoice-es-digital.pdf', sample('invoice-es-digital.pdf'));
  await upload('futureDate', '2025-03-18T10:30:00Z', 'future-date.pdf', futureDate);
  // Rework: the first straight-through invoice reopened, its PO corrected and approved again an hour later.
  await review('2025-03-18T12:00:00Z', 'POST', `/v1/review/documents/${ids.passes1}/reopen`, {
    reason: 'The ERP holds another purchase order for it.',
  });
  await review('2025-03-18T13:00:00Z', 'POST', `${item('passes1')}/claim`);
  await review('2025-03-18T13:00:00Z', 'PATCH', `${item('passes1')}/fields`, {
    fields: { purchaseOrder: 'PO-77813' },
  });
  await review('2025-03-18T13:00:00Z', 'POST', `${item('passes1')}/approve`);

  // Wednesday 19 March: the duplicate is rejected 6 h after its 48 h deadline (the SLA breach).
  await review('2025-03-19T15:20:00Z', 'POST', `${item('resubmitted')}/claim`);
  await review('2025-03-19T15:20:00Z', 'POST', `${item('resubmitted')}/reject`, {
    reason: 'Duplicate of an invoice already paid.',
  });

  // Thursday 20 March, 08:45: the future-dated invoice is due at 10:30 (1 h 45 left of 48 h: at risk).
  clock.set('2025-03-20T08:45:00Z');
  return { svc, clock, reviewKey, ids, correctedTotal: correctTotal.toFixed(2) };
}
