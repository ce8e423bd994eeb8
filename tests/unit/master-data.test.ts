// Matching a document to the vendor master data, and the three-way match of its lines against a purchase
// order and the goods received on it.
import { describe, expect, it } from 'vitest';
import type { LineItem } from '../../src/contract/result.ts';
import { identityOf, type PurchaseOrder, resolveVendor, type Vendor } from '../../src/rules/master-data.ts';
import { pairLines, threeWayMatch } from '../../src/rules/three-way-match.ts';

const NORDLICHT: Vendor = {
  id: 'vnd_nordlicht',
  names: ['Nordlicht Bürotechnik GmbH', 'Nordlicht'],
  taxIds: ['DE136695976'],
  bankAccounts: ['DE89 3704 0044 0532 0130 00'],
  emailDomains: ['nordlicht.de'],
  websites: ['https://www.nordlicht-buero.de/'],
  phones: ['+49 40 1234 5678'],
};
const PAPELARIA: Vendor = {
  id: 'vnd_papelaria',
  names: ['Papelaria Central Ltda.'],
  taxId: '11.222.333/0001-81',
};
const NO_TAX_ID: Vendor = {
  id: 'vnd_harbor',
  names: ['Harbor Point Office Supply, Inc.'],
  phones: ['(212) 555-0187'],
};
const VENDORS = [NORDLICHT, PAPELARIA, NO_TAX_ID];

const resolve = (fields: Parameters<typeof identityOf>[0]) => {
  const match = resolveVendor(VENDORS, identityOf(fields));
  return match && { id: match.vendor.id, by: match.by };
};

describe('resolving a document to the vendor master', () => {
  it.each([
    ['the tax ID, printed with punctuation', { vendorTaxId: '11.222.333/0001-81' }, 'vnd_papelaria', 'taxId'],
    [
      'the IBAN, spaced another way',
      { bankAccount: 'DE8937040044 0532013000' },
      'vnd_nordlicht',
      'bankAccount',
    ],
    [
      'an e-mail address in the vendor block',
      { vendorAddress: 'Hafenstraße 12, Hamburg\nrechnung@Nordlicht.de' },
      'vnd_nordlicht',
      'emailDomain',
    ],
    ['the web address', { vendorAddress: 'www.nordlicht-buero.de/kontakt' }, 'vnd_nordlicht', 'website'],
    ['a labelled phone number', { vendorAddress: 'Tel: 040 1234-5678' }, 'vnd_nordlicht', 'phone'],
    ['an alias, without case or accents', { vendorName: 'NORDLICHT' }, 'vnd_nordlicht', 'name'],
    ['the legal name', { vendorName: 'Papelaria Central Ltda' }, 'vnd_papelaria', 'name'],
  ])('by %s', (_what, fields, id, by) => {
    expect(resolve(fields)).toEqual({ id, by });
  });

  it('prefers the tax ID to a name that belongs to someone else', () => {
    expect(resolve({ vendorTaxId: 'DE136695976', vendorName: 'Papelaria Central Ltda.' })).toEqual({
      id: 'vnd_nordlicht',
      by: 'taxId',
    });
  });

  it('leaves a look-alike with another tax ID unknown, even with the same name or bank account', () => {
    expect(
      resolve({ vendorTaxId: '99.888.777/0001-66', vendorName: 'Papelaria Central Ltda.' }),
    ).toBeUndefined();
    expect(resolve({ vendorTaxId: 'DE811111111', bankAccount: 'DE89370400440532013000' })).toBeUndefined();
  });

  it('matches a vendor without a tax ID on file by its name even when the document shows one', () => {
    expect(resolve({ vendorTaxId: '31-4829175', vendorName: 'Harbor Point Office Supply Inc' })).toEqual({
      id: 'vnd_harbor',
      by: 'name',
    });
  });

  it('finds no one for a document that shows nothing known', () => {
    expect(resolve({ vendorName: 'Someone Else S.A.', vendorAddress: 'Tel. 11 2' })).toBeUndefined();
  });
});

const PO: PurchaseOrder = {
  number: 'PO-77812',
  currency: 'EUR',
  lines: [
    {
      line: 1,
      sku: 'TN-245',
      description: 'Laser toner cartridge',
      quantity: '4',
      unitPrice: '62.50',
      received: '4',
    },
    { line: 2, description: 'Copy paper A4, 80 g', quantity: '30', unitPrice: '4.50', received: '20' },
  ],
};
const line = (description: string, quantity: string, unitPrice: string): LineItem => ({
  description,
  quantity,
  unitPrice,
  amount: String(Number(quantity) * Number(unitPrice)),
});
const tolerances = { quantityPercent: 0, pricePercent: 0, requireReceipt: false };

describe('the three-way match', () => {
  it('pairs lines by SKU, then by description', () => {
    const pairs = pairLines(
      [line('Copy paper A4 80g', '20', '4.50'), line('Toner TN-245 black', '4', '62.50')],
      PO.lines!,
    );
    expect(pairs.map((p) => p.poLine?.line)).toEqual([2, 1]);
  });

  it('passes lines billed as ordered, priced as agreed and received', () => {
    expect(
      threeWayMatch(
        [line('Laser toner cartridge', '4', '62.50'), line('Copy paper A4, 80 g', '20', '4.50')],
        PO,
        tolerances,
      ),
    ).toEqual([]);
  });

  it('catches a quantity billed beyond what was received, though it was ordered', () => {
    const findings = threeWayMatch([line('Copy paper A4, 80 g', '30', '4.50')], PO, tolerances);
    expect(findings).toEqual([
      {
        field: 'lineItems[0].quantity',
        message:
          'Line 1 ("Copy paper A4, 80 g") bills 30, but only 20 of the 30 ordered on purchase order PO-77812 line 2 were received.',
      },
    ]);
  });

  it('lets the quantity and price tolerances absorb small differences', () => {
    const billed = [line('Copy paper A4, 80 g', '21', '4.60')];
    expect(threeWayMatch(billed, PO, tolerances).map((f) => f.field)).toEqual([
      'lineItems[0].quantity',
      'lineItems[0].unitPrice',
    ]);
    expect(threeWayMatch(billed, PO, { ...tolerances, quantityPercent: 5, pricePercent: 3 })).toEqual([]);
  });

  it('compares with the ordered quantity when receipts are not recorded, and can ask for one', () => {
    const unreceived: PurchaseOrder = { ...PO, lines: PO.lines!.map(({ received: _r, ...l }) => l) };
    expect(threeWayMatch([line('Copy paper A4, 80 g', '30', '4.50')], unreceived, tolerances)).toEqual([]);
    expect(
      threeWayMatch([line('Copy paper A4, 80 g', '31', '4.50')], unreceived, tolerances)[0]?.message,
    ).toBe('Line 1 ("Copy paper A4, 80 g") bills 31, but purchase order PO-77812 line 2 orders 30.');
    expect(
      threeWayMatch([line('Copy paper A4, 80 g', '30', '4.50')], unreceived, {
        ...tolerances,
        requireReceipt: true,
      })[0]?.message,
    ).toMatch(/No goods receipt is recorded for purchase order PO-77812/);
  });

  it('names a line that is not on the order, and a price over the agreed one', () => {
    const findings = threeWayMatch(
      [line('Express delivery surcharge', '1', '25'), line('Laser toner cartridge', '4', '70')],
      PO,
      tolerances,
    );
    expect(findings.map((f) => f.message)).toEqual([
      'Line 1 ("Express delivery surcharge") is not on purchase order PO-77812.',
      'Line 2 ("Laser toner cartridge") bills 70.00 EUR a unit, over the 62.50 EUR agreed on purchase order PO-77812 line 1.',
    ]);
  });
});
