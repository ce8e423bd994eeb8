// E-invoices through the service: uploaded as XML or inside a PDF, read from their elements, judged by the
// EN 16931 rules, and shown to a reviewer with the element each field came from. Real HTTP, Redis, PostgreSQL.
import { readFileSync } from 'node:fs';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formWith, startTestService, type TestService } from '../support/service.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/einvoice/${name}`, import.meta.url));
const CII = fixture('cii-xrechnung.xml').toString('utf8');
// The amount due no longer follows from the total and the advance payment (BR-CO-16).
const TAMPERED_UBL = fixture('ubl-invoice.xml')
  .toString('utf8')
  .replace('<cbc:PayableAmount currencyID="EUR">256.85', '<cbc:PayableAmount currencyID="EUR">356.85');

/** A Factur-X-like PDF whose page prints another total than its attached XML. */
async function hybridWithOtherTotal(): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const page = pdf.addPage([595, 842]);
  [
    'Feinmechanik Ostertag GmbH, Werkstrasse 5, 70173 Stuttgart',
    'Rechnung Nr. RE-2026-117 vom 02.11.2026',
    'Wartungspauschale November 400,00',
    'Dichtung 40 mm 100,00',
    'Nettobetrag 550,00 EUR, USt. 19 % 104,50 EUR',
    'Gesamtbetrag 954,50 EUR',
  ].forEach((text, i) => {
    page.drawText(text, { x: 50, y: 780 - i * 22, size: 11, font });
  });
  await pdf.attach(new TextEncoder().encode(CII), 'factur-x.xml', { mimeType: 'text/xml' });
  return pdf.save();
}

// biome-ignore lint/suspicious/noExplicitAny: the answers are JSON the assertions walk into
type Json = Record<string, any>;

describe('e-invoices through the service', () => {
  let svc: TestService;
  let reviewer: string;
  const ids: Record<'cii' | 'ubl' | 'hybrid', string> = {} as never;

  beforeAll(async () => {
    svc = await startTestService();
    reviewer = await svc.key('review');
    const res = await svc.request('/v1/documents', {
      method: 'POST',
      body: formWith([
        { name: 'xrechnung.xml', bytes: Buffer.from(CII), type: 'application/xml' },
        { name: 'peppol.xml', bytes: Buffer.from(TAMPERED_UBL), type: 'text/xml' },
        { name: 'factur-x.pdf', bytes: await hybridWithOtherTotal(), type: 'application/pdf' },
      ]),
    });
    expect(res.status).toBe(202);
    const docs = ((await res.json()) as { documents: { id: string }[] }).documents;
    [ids.cii, ids.ubl, ids.hybrid] = docs.map((d) => d.id) as [string, string, string];
  }, 120_000);

  afterAll(async () => {
    await svc?.stop();
  });

  const detail = async (id: string): Promise<Json> => {
    const res = await svc.request(`/v1/review/items/${id}`, { key: reviewer });
    expect(res.status).toBe(200);
    return (await res.json()) as Json;
  };

  it('reads a consistent XRechnung from its elements and lets it through', async () => {
    const doc = await svc.waitForFinal(ids.cii);
    expect(doc).toMatchObject({
      status: 'auto_approved',
      mediaType: 'application/xml',
      totalAmount: '654.50',
    });
    expect((doc.result as Json).format).toBe('cii-xml');
    expect((doc.result as Json).fields.amountDue.source.xpath).toMatch(/ram:DuePayableAmount$/);
  });

  it('sends a UBL invoice that breaks BR-CO-16 to review, and shows where each field came from', async () => {
    const doc = await svc.waitForFinal(ids.ubl);
    expect(doc.status).toBe('needs_review');
    expect((doc.review as Json).reasons).toEqual(['einvoice_amount_due']);
    const item = await detail(ids.ubl);
    expect(item.pages).toEqual([]);
    expect(item.einvoice).toEqual({ syntax: 'ubl', attachment: null });
    const due = item.fields.find((f: Json) => f.name === 'amountDue');
    expect(due).toMatchObject({
      value: '356.85',
      bbox: null,
      source: { xpath: '/Invoice/cac:LegalMonetaryTotal/cbc:PayableAmount' },
      issues: [
        { code: 'einvoice_amount_due', severity: 'error', message: expect.stringMatching(/^BR-CO-16: /) },
      ],
    });
    expect(item.lineItems[0]).toMatchObject({ description: 'Laser toner cartridge', taxRate: '19' });
  });

  it('sends a hybrid PDF whose page shows another total to review, with its page to look at', async () => {
    const doc = await svc.waitForFinal(ids.hybrid);
    expect(doc.status).toBe('needs_review');
    expect((doc.result as Json).format).toBe('einvoice-pdf');
    // The same invoice came as XML a moment before: a duplicate too.
    expect((doc.review as Json).reasons).toEqual(['duplicate_invoice', 'einvoice_mismatch']);
    const item = await detail(ids.hybrid);
    expect(item.einvoice).toEqual({ syntax: 'cii', attachment: 'factur-x.xml' });
    expect(item.pages).toEqual([
      { number: 1, url: `/v1/documents/${ids.hybrid}/pages/1`, width: 595, height: 842 },
    ]);
    const total = item.fields.find((f: Json) => f.name === 'totalAmount');
    expect(total.value).toBe('654.50');
    expect(total.issues[0].message).toMatch(
      /total of factur-x\.xml, 654\.50 EUR, is not printed on the PDF's pages/,
    );
    const page = await svc.request(`/v1/documents/${ids.hybrid}/pages/1?width=300`);
    expect(page.status).toBe(200);
  });

  it('refuses an order at intake, saying what it is', async () => {
    const order =
      '<?xml version="1.0"?><Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"/>';
    const res = await svc.request('/v1/documents', {
      method: 'POST',
      body: formWith([{ name: 'order.xml', bytes: Buffer.from(order) }]),
    });
    expect(res.status).toBe(415);
    expect(((await res.json()) as Json).message).toMatch(/a UBL Order, not an invoice or credit note/);
  });

  it('ends an e-invoice with a DOCTYPE as failed, with the reason', async () => {
    const evil = CII.replace(
      '<rsm:CrossIndustryInvoice',
      '<!DOCTYPE x [<!ENTITY a "b">]><rsm:CrossIndustryInvoice',
    );
    const res = await svc.request('/v1/documents', {
      method: 'POST',
      body: formWith([{ name: 'evil.xml', bytes: Buffer.from(evil) }]),
    });
    expect(res.status).toBe(202);
    const id = ((await res.json()) as { documents: { id: string }[] }).documents[0]!.id;
    const doc = await svc.waitForFinal(id);
    expect(doc.status).toBe('failed');
    expect(doc.error).toMatchObject({ code: 'corrupt_file', message: expect.stringMatching(/DOCTYPE/) });
  });
});
