// Two copies of one invoice sent together are read at the same moment; exactly one of them is the duplicate.
import { readFileSync } from 'node:fs';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { formWith, startTestService, type TestService } from '../support/service.ts';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({ env: { WORKER_CONCURRENCY: '2' } });
});
afterAll(async () => {
  await svc?.stop();
});

const original = new Uint8Array(
  readFileSync(new URL('../../samples/invoice-en-digital.pdf', import.meta.url)),
);

/** The same invoice in other bytes (a re-saved PDF with another title), as a second scan or export would be. */
async function resaved(title: string): Promise<Uint8Array<ArrayBuffer>> {
  const pdf = await PDFDocument.load(original);
  pdf.setTitle(title);
  return new Uint8Array(await pdf.save()) as Uint8Array<ArrayBuffer>;
}

async function sendTogether(files: { name: string; bytes: Uint8Array<ArrayBuffer> }[]) {
  const res = await svc.request('/v1/documents', { method: 'POST', body: formWith(files) });
  expect(res.status).toBe(202);
  const { documents } = (await res.json()) as { documents: { id: string }[] };
  return Promise.all(
    documents.map(async (d) => {
      const doc = (await svc.waitForFinal(d.id)) as { status: string; issues: { code: string }[] };
      return { status: doc.status, codes: doc.issues.map((i) => i.code) };
    }),
  );
}

it('flags exactly one of two copies of an invoice read at once (same number, other bytes)', async () => {
  const outcomes = await sendTogether([
    { name: 'copy-a.pdf', bytes: await resaved('a') },
    { name: 'copy-b.pdf', bytes: await resaved('b') },
  ]);
  const flagged = outcomes.filter((o) => o.codes.includes('duplicate_invoice'));
  expect(flagged).toHaveLength(1);
  expect(flagged[0]!.status).toBe('needs_review');
  expect(outcomes.filter((o) => o.status === 'auto_approved')).toHaveLength(1);
});

it('flags exactly one of two identical files read at once', async () => {
  const bytes = await resaved('identical');
  const outcomes = await sendTogether([
    { name: 'same-1.pdf', bytes },
    { name: 'same-2.pdf', bytes },
  ]);
  // The first copy sent above is already on file, so both of these are duplicates of it; the second of the
  // pair is also the same file as the first.
  expect(outcomes.every((o) => o.codes.includes('duplicate_invoice'))).toBe(true);
  expect(outcomes.filter((o) => o.codes.includes('duplicate_file'))).toHaveLength(1);
});

it('keeps an original clean when it is read again after its copy was flagged', async () => {
  const { SAMPLES } = await import('../../scripts/samples/specs.ts');
  const { totalsOf } = await import('../../scripts/samples/model.ts');
  const { renderPdf } = await import('../../scripts/samples/render-pdf.ts');
  const base = SAMPLES.find((s) => s.name === 'invoice-en-digital')!;
  const spec = { ...base, name: 'reread', invoiceNumber: 'INV-REREAD-1' } as typeof base;
  (spec as { printedTotal?: string }).printedTotal = totalsOf(spec as never)
    .total.plus('100.00')
    .toFixed(2);
  const original = new Uint8Array(await renderPdf(spec as never)) as Uint8Array<ArrayBuffer>;
  const send = async (name: string, bytes: Uint8Array<ArrayBuffer>) => {
    const res = await svc.request('/v1/documents', { method: 'POST', body: formWith([{ name, bytes }]) });
    const id = ((await res.json()) as { documents: { id: string }[] }).documents[0]!.id;
    return { id, doc: (await svc.waitForFinal(id)) as { status: string; issues: { code: string }[] } };
  };
  const x = await send('original.pdf', original);
  expect(x.doc.issues.map((i) => i.code)).not.toContain('duplicate_invoice');
  const copy = await PDFDocument.load(original);
  copy.setTitle('copy');
  const y = await send('copy.pdf', new Uint8Array(await copy.save()) as Uint8Array<ArrayBuffer>);
  expect(y.doc.issues.map((i) => i.code)).toContain('duplicate_invoice');

  const reviewer = await svc.key('review');
  const post = (path: string, body?: unknown) =>
    svc.request(path, {
      method: 'POST',
      key: reviewer,
      ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
    });
  expect((await post(`/v1/review/items/${x.id}/claim`)).status).toBe(200);
  expect((await post(`/v1/review/items/${x.id}/reprocess`, { reason: 'read it again' })).status).toBe(202);
  await new Promise((r) => setTimeout(r, 300));
  const again = (await svc.waitForFinal(x.id)) as { issues: { code: string }[] };
  expect(again.issues.map((i) => i.code)).not.toContain('duplicate_invoice');
  expect(again.issues.map((i) => i.code)).toContain('total_mismatch');
});
