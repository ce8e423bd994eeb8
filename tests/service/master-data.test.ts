// Vendor master data, purchase orders and goods receipts through the API, and the rules judging documents by
// them: a changed bank account, an unknown vendor, a total over the vendor's limit, a quantity billed beyond
// what was received. Real HTTP, Redis and PostgreSQL.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formWith, startTestService, type TestService } from '../support/service.ts';

const UBL = readFileSync(new URL('../fixtures/einvoice/ubl-invoice.xml', import.meta.url), 'utf8');
const ORDER_REFERENCE = /<cac:OrderReference>\s*<cbc:ID>PO-77812<\/cbc:ID>\s*<\/cac:OrderReference>/;

/** The Nordlicht invoice of the fixtures under another number, changed as each case needs. */
function invoice(number: string, change: (xml: string) => string = (x) => x): Buffer {
  return Buffer.from(change(UBL.replaceAll('INV-2026-0042', number)));
}
const withoutOrder = (xml: string) => xml.replace(ORDER_REFERENCE, '');

const NORDLICHT = {
  externalId: 'ERP-V-100',
  legalName: 'Nordlicht Bürotechnik GmbH',
  aliases: ['Nordlicht'],
  taxIds: ['DE136695976'],
  bankAccounts: ['DE89 3704 0044 0532 0130 00'],
  emailDomains: ['nordlicht.de'],
  website: 'https://www.nordlicht.de',
  phone: '+49 40 1234 5678',
  approvalLimit: '1000.00',
  defaultCurrency: 'EUR',
};

// biome-ignore lint/suspicious/noExplicitAny: the answers are JSON the assertions walk into
type Json = Record<string, any>;

// PGlite too: the embedded database runs the same migration, arrays and advisory locks.
describe.each(['postgres', 'pglite'] as const)('master data through the API (%s)', (database) => {
  let svc: TestService;
  let reviewer: string;
  let nordlichtId: string;

  const send = async (path: string, method: string, body: unknown, key?: string) => {
    const res = await svc.request(path, {
      method,
      headers: { 'content-type': typeof body === 'string' ? 'text/csv' : 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
      ...(key ? { key } : {}),
    });
    return { status: res.status, body: (await res.json()) as Json };
  };
  const upload = async (files: Record<string, Buffer>): Promise<string[]> => {
    const res = await svc.request('/v1/documents', {
      method: 'POST',
      body: formWith(
        Object.entries(files).map(([name, bytes]) => ({ name, bytes, type: 'application/xml' })),
      ),
    });
    expect(res.status).toBe(202);
    return ((await res.json()) as { documents: { id: string }[] }).documents.map((d) => d.id);
  };
  const issuesOf = (doc: Json) => (doc.issues as Json[]).map((i) => `${i.code}: ${i.message}`);

  beforeAll(async () => {
    svc = await startTestService({ database });
    reviewer = await svc.key('review');
  }, 60_000);

  afterAll(async () => {
    await svc?.stop();
  });

  it('adds a vendor, refusing a tax ID or an IBAN whose check digits are wrong', async () => {
    const badCnpj = await send('/v1/vendors', 'POST', {
      legalName: 'Papelaria X',
      taxIds: ['11.222.333/0001-80'],
    });
    expect(badCnpj.status).toBe(400);
    expect(badCnpj.body.message).toMatch(/"11\.222\.333\/0001-80" is not a valid CNPJ/);
    const badIban = await send('/v1/vendors', 'POST', {
      ...NORDLICHT,
      bankAccounts: ['DE89 3704 0044 0532 0130 01'],
    });
    expect(badIban.status).toBe(400);
    expect(badIban.body.message).toMatch(/not a valid IBAN/);

    const created = await send('/v1/vendors', 'POST', NORDLICHT);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      legalName: 'Nordlicht Bürotechnik GmbH',
      active: true,
      approvalLimit: '1000.00',
    });
    nordlichtId = created.body.id;

    const again = await send('/v1/vendors', 'POST', {
      legalName: 'Nordlicht Kopie',
      taxIds: ['DE 136 695 976'],
    });
    expect(again).toMatchObject({
      status: 409,
      body: { error: 'vendor_exists', message: expect.stringContaining(nordlichtId) },
    });
  });

  it('lets a reviewer find vendors by name or tax ID, with bank accounts masked, but not change them', async () => {
    const byName = await svc.request('/v1/vendors?q=burotechnik', { key: reviewer });
    const found = ((await byName.json()) as Json).vendors as Json[];
    expect(found.map((v) => v.id)).toEqual([nordlichtId]);
    expect(found[0]!.bankAccounts).toEqual(['•••• 3000']);
    const byTaxId = (await (
      await svc.request('/v1/vendors?q=DE-136695976', { key: reviewer })
    ).json()) as Json;
    expect(byTaxId.vendors).toHaveLength(1);
    expect(
      (await send(`/v1/vendors/${nordlichtId}`, 'PATCH', { phone: '040 999 9999' }, reviewer)).status,
    ).toBe(403);
    // Master data spans every document: a key limited to a business unit reads none of it.
    const scoped = await send('/v1/keys', 'POST', {
      role: 'review',
      name: 'unit reviewer',
      scope: 'unit:filial-sp',
    });
    const refused = await svc.request('/v1/vendors', { key: scoped.body.key });
    expect(refused.status).toBe(403);
  });

  it('imports a CSV: new vendors added, known ones updated by tax ID, a bad row reported by its line', async () => {
    const csv = [
      'externalId,legalName,aliases,taxIds,bankAccounts,approvalLimit,defaultCurrency',
      'ERP-V-200,Papelaria Central Ltda.,Papelaria Central,11.222.333/0001-81,,20000.00,BRL',
      ',Nordlicht Bürotechnik GmbH,Nordlicht | Nordlicht Hamburg,DE136695976,DE89 3704 0044 0532 0130 00,1000.00,EUR',
      'ERP-V-300,Broken Bank GmbH,,,DE00 1234 5678 9012 3456 78,,EUR',
    ].join('\n');
    const first = await send('/v1/vendors/import', 'POST', csv);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ created: 1, updated: 1, unchanged: 0, failed: 1 });
    expect(first.body.rows[1]).toMatchObject({ row: 3, status: 'updated', id: nordlichtId });
    expect(first.body.rows[2]).toMatchObject({ row: 4, status: 'error' });
    expect(first.body.rows[2].error).toMatch(
      /bankAccounts\.0: "DE00 1234 5678 9012 3456 78" is not a valid IBAN/,
    );

    // The same file again changes nothing.
    const second = await send('/v1/vendors/import', 'POST', csv);
    expect(second.body).toMatchObject({ created: 0, updated: 0, unchanged: 2, failed: 1 });

    const nordlicht = (await (await svc.request(`/v1/vendors/${nordlichtId}`)).json()) as Json;
    expect(nordlicht.aliases).toEqual(['Nordlicht', 'Nordlicht Hamburg']);
    const audit = (await (
      await svc.request(`/v1/vendors/${nordlichtId}/audit`, { key: reviewer })
    ).json()) as Json;
    expect(audit.changes.map((c: Json) => c.action)).toEqual(['created', 'imported']);
    expect(audit.changes[1]).toMatchObject({
      actorName: 'test admin',
      before: { aliases: ['Nordlicht'] },
      after: { aliases: ['Nordlicht', 'Nordlicht Hamburg'] },
    });
  });

  it('judges documents by the master data: bank account, unknown vendor, three-way match', async () => {
    const order = await send('/v1/purchase-orders', 'POST', {
      number: 'PO-77812',
      vendorTaxId: 'DE136695976',
      currency: 'EUR',
      lines: [
        { sku: 'TN-245', description: 'Laser toner cartridge', quantity: '4', unitPrice: '62.50' },
        { description: 'Copy paper A4, 80 g', quantity: '2500', unitPrice: '0.009' },
        { description: 'Printed manual "Toner & Care"', quantity: '3', unitPrice: '12.00' },
      ],
    });
    expect(order.status).toBe(201);
    const dated = await send(`/v1/purchase-orders/${order.body.id}`, 'PATCH', { orderDate: '2026-10-01' });
    expect(dated.body).toMatchObject({ orderDate: '2026-10-01', lines: order.body.lines });
    const orderAudit = (await (
      await svc.request(`/v1/purchase-orders/${order.body.id}/audit`)
    ).json()) as Json;
    expect(orderAudit.changes.map((c: Json) => c.action)).toEqual(['created', 'updated']);
    const receipt = await send('/v1/goods-receipts', 'POST', {
      purchaseOrder: 'po-77812',
      reference: 'LS-5531',
      receivedOn: '2026-10-10',
      lines: [
        { sku: 'TN-245', quantity: '4' },
        { line: 2, quantity: '2500' },
        { line: 3, quantity: '2' },
      ],
    });
    expect(receipt.status).toBe(201);
    expect(receipt.body.lines).toEqual([
      { line: 1, quantity: '4' },
      { line: 2, quantity: '2500' },
      { line: 3, quantity: '2' },
    ]);

    const [clean, otherBank, stranger, overBilled] = await upload({
      'clean.xml': invoice('INV-1', withoutOrder),
      'other-bank.xml': invoice('INV-2', (x) =>
        withoutOrder(x).replace('DE89 3704 0044 0532 0130 00', 'DE02 1203 0000 0000 2020 51'),
      ),
      'stranger.xml': invoice('INV-3', (x) =>
        withoutOrder(x).replaceAll('Nordlicht', 'Südwind').replaceAll('DE136695976', 'ATU13585627'),
      ),
      'over-billed.xml': invoice('INV-4'),
    });

    expect(await svc.waitForFinal(clean!)).toMatchObject({ status: 'auto_approved' });

    const changed = (await svc.waitForFinal(otherBank!)) as Json;
    expect(changed.status).toBe('needs_review');
    expect(changed.review.reasons).toEqual(['bank_details_changed']);
    expect(issuesOf(changed)).toContainEqual(
      expect.stringMatching(
        /^bank_details_changed: The bank account on the document \(DE02120300000000202051\) is not the one on file/,
      ),
    );

    const unknown = (await svc.waitForFinal(stranger!)) as Json;
    expect(unknown.review.reasons).toEqual(['unknown_vendor']);
    expect(issuesOf(unknown)).toContain(
      'unknown_vendor: The vendor "Südwind Bürotechnik GmbH" (tax ID ATU13585627) is not in the vendor master data.',
    );

    const billed = (await svc.waitForFinal(overBilled!)) as Json;
    expect(billed.review.reasons).toEqual(['po_mismatch']);
    expect(issuesOf(billed)).toEqual([
      'po_mismatch: Line 3 ("Printed manual "Toner & Care"") bills 3, but only 2 of the 3 ordered on purchase order PO-77812 line 3 were received.',
    ]);
  }, 120_000);

  it("sends a total over the vendor's approval limit to review", async () => {
    expect((await send(`/v1/vendors/${nordlichtId}`, 'PATCH', { approvalLimit: '300.00' })).status).toBe(200);
    const [id] = await upload({ 'over-limit.xml': invoice('INV-5', withoutOrder) });
    const doc = (await svc.waitForFinal(id!)) as Json;
    expect(doc.review.reasons).toEqual(['amount_over_limit']);
    expect(issuesOf(doc)).toEqual([
      'amount_over_limit: The total 356.85 EUR is over the approval limit of 300.00 EUR set for this vendor.',
    ]);
  }, 60_000);

  it('forgets a deactivated vendor: its documents are from an unknown vendor again', async () => {
    const res = await svc.request(`/v1/vendors/${nordlichtId}`, { method: 'DELETE' });
    expect(res.status).toBe(204);
    const listed = (await (await svc.request('/v1/vendors?active=false')).json()) as Json;
    expect(listed.vendors.map((v: Json) => v.id)).toEqual([nordlichtId]);
    const [id] = await upload({ 'after.xml': invoice('INV-6', withoutOrder) });
    const doc = (await svc.waitForFinal(id!)) as Json;
    expect(doc.review.reasons).toEqual(['unknown_vendor']);
  }, 60_000);
});
