// The e-invoice rules: EN 16931's sums and mandatory terms, each message naming its rule, and the check that a
// hybrid PDF's pages say what its XML says. Documents that are not e-invoices pass them untouched.
import { describe, expect, it } from 'vitest';
import type { EInvoice, Field, LineItem } from '../../src/contract/result.ts';
import type { RuleContext, RuleDocument } from '../../src/rules/context.ts';
import { evaluate } from '../../src/rules/engine.ts';
import { RuleSet } from '../../src/rules/schema.ts';

const xml = (value: string, xpath = '/Invoice/x'): Field => ({
  value,
  confidence: 1,
  page: 1,
  bbox: [0, 0, 0, 0],
  source: { xpath },
});
const onPage = (value: string): Field => ({ value, confidence: 0.9, page: 1, bbox: [10, 10, 50, 20] });

const LINES: LineItem[] = [
  { description: 'Toner', quantity: '4', unitPrice: '62.50', amount: '250.00', taxRate: '19' },
  // Its quantity × price is not its net amount: a line allowance the line items do not carry.
  { description: 'Paper', quantity: '10', unitPrice: '6.00', amount: '58.50', taxRate: '19' },
];

/** A consistent e-invoice: lines 308.50 − 10.00 allowance + 5.00 charge = 303.50 net, VAT 57.67, 100.00 prepaid. */
function einvoice(
  fields: Record<string, string | null> = {},
  e: Partial<EInvoice> = {},
  extra: Partial<RuleDocument> = {},
): RuleDocument {
  const base: Record<string, string | null> = {
    vendorName: 'Nordlicht Bürotechnik GmbH',
    customerName: 'Huisman Logistiek B.V.',
    invoiceNumber: 'INV-2026-0042',
    invoiceDate: '2026-10-15',
    currency: 'EUR',
    subtotal: '303.50',
    taxAmount: '57.67',
    totalAmount: '361.17',
    amountDue: '261.17',
    bankAccount: 'DE89370400440532013000',
    ...fields,
  };
  return {
    id: 'doc_e',
    file: 'invoice.xml',
    sha256: 'e'.repeat(64),
    documentType: 'invoice',
    lineItems: LINES,
    fields: Object.fromEntries(
      Object.entries(base)
        .filter((kv): kv is [string, string] => kv[1] !== null)
        .map(([k, v]) => [k, xml(v)]),
    ),
    einvoice: {
      syntax: 'ubl',
      specification: 'urn:cen.eu:en16931:2017',
      typeCode: '380',
      sellerCountry: 'DE',
      buyerCountry: 'NL',
      totals: { lineTotal: '308.50', allowanceTotal: '10.00', chargeTotal: '5.00', prepaid: '100.00' },
      taxes: [{ category: 'S', rate: '19', taxable: '303.50', tax: '57.67' }],
      ...e,
    },
    ...extra,
  };
}

const CONTEXT: RuleContext = { now: new Date('2026-10-20T12:00:00Z'), history: [] };
const ONLY = (...codes: string[]) => RuleSet.parse({ rules: codes.map((code) => ({ code })) });
const EINVOICE_RULES = ONLY(
  'einvoice_missing',
  'einvoice_lines_net',
  'einvoice_total',
  'einvoice_amount_due',
  'einvoice_mismatch',
);
const issues = (doc: RuleDocument, rules = EINVOICE_RULES) =>
  evaluate(doc, rules, CONTEXT).issues.map((i) => ({ code: i.code, field: i.field, message: i.message }));

describe('EN 16931 rules', () => {
  it('pass a consistent e-invoice, and anything that is not an e-invoice', () => {
    expect(issues(einvoice())).toEqual([]);
    const { einvoice: _e, ...page } = einvoice({ customerName: null, subtotal: '1.00' });
    expect(issues(page)).toEqual([]);
  });

  it('BR-CO-10: a tampered line amount no longer adds up to the line total', () => {
    const doc = einvoice(
      {},
      {},
      { lineItems: [LINES[0] as LineItem, { ...(LINES[1] as LineItem), amount: '68.50' }] },
    );
    expect(issues(doc)).toEqual([
      {
        code: 'einvoice_lines_net',
        field: 'subtotal',
        message:
          'BR-CO-10: the 2 line net amounts add up to 318.50, but the e-invoice gives their sum (BT-106) as 308.50 (difference 10.00).',
      },
    ]);
  });

  it('BR-CO-13, BR-CO-15: a net total that forgets the allowance breaks both sums it is part of', () => {
    const found = issues(einvoice({ subtotal: '313.50' }));
    expect(found.map((i) => i.message.slice(0, 9))).toEqual(['BR-CO-13:', 'BR-CO-15:']);
    expect(found[1]).toMatchObject({
      code: 'einvoice_total',
      field: 'totalAmount',
      message:
        'BR-CO-15: total without VAT 313.50 + VAT 57.67 = 371.17 EUR, but the total with VAT (BT-112) is 361.17 EUR (difference 10.00).',
    });
  });

  it('BR-CO-14: the VAT total must be the sum of its breakdown', () => {
    const doc = einvoice({}, { taxes: [{ category: 'S', rate: '19', taxable: '303.50', tax: '57.00' }] });
    expect(issues(doc)).toEqual([
      expect.objectContaining({ code: 'einvoice_total', message: expect.stringMatching(/^BR-CO-14: /) }),
    ]);
  });

  it('BR-CO-16: the amount due is the total less what was paid in advance', () => {
    expect(issues(einvoice({ amountDue: '361.17' }))).toEqual([
      {
        code: 'einvoice_amount_due',
        field: 'amountDue',
        message:
          'BR-CO-16: total 361.17 − paid in advance 100.00 = 261.17 EUR, but the amount due (BT-115) is 361.17 EUR (difference 100.00).',
      },
    ]);
  });

  it('take Facturae’s withheld taxes and retained amounts into the sums', () => {
    const facturae = einvoice(
      { subtotal: '1090.00', taxAmount: '228.90', totalAmount: '1155.40', amountDue: '1105.40' },
      {
        syntax: 'facturae',
        specification: 'Facturae 3.2.2',
        totals: { lineTotal: '1090.00', withheld: '163.50', retained: '50.00' },
        taxes: [{ category: '01', rate: '21', taxable: '1090.00', tax: '228.90' }],
      },
      { lineItems: [{ description: 'Servicio', quantity: '1', unitPrice: '1090.00', amount: '1090.00' }] },
    );
    // No type code nor BT-24 in Facturae: BR-01 and BR-04 are not asked of it.
    const { typeCode: _t, ...noTypeCode } = facturae.einvoice as EInvoice;
    expect(issues({ ...facturae, einvoice: noTypeCode })).toEqual([]);
  });

  it('BR-01 … BR-16: each missing term is named, with the field it concerns', () => {
    const doc = einvoice(
      { customerName: null, invoiceDate: null, amountDue: null },
      { specification: undefined, buyerCountry: undefined },
      { lineItems: [] },
    );
    expect(issues(doc).map((i) => [i.field, i.message])).toEqual([
      [null, 'BR-01: the e-invoice does not state the specification identifier (BT-24).'],
      ['invoiceDate', 'BR-03: the e-invoice does not state the issue date (BT-2).'],
      ['customerName', "BR-07: the e-invoice does not state the buyer's name (BT-44)."],
      [null, "BR-11: the e-invoice does not state the buyer's country (BT-55)."],
      ['amountDue', 'BR-15: the e-invoice does not state the amount due (BT-115).'],
      [null, 'BR-16: the e-invoice does not state at least one invoice line (BG-25).'],
    ]);
  });

  it('do not ask a Factur-X MINIMUM invoice for the lines its profile leaves out', () => {
    const minimum = einvoice(
      { amountDue: '361.17' },
      { specification: 'urn:factur-x.eu:1p0:minimum', buyerCountry: undefined, totals: {}, taxes: [] },
      { lineItems: [] },
    );
    expect(issues(minimum)).toEqual([]);
  });

  it('leave the general arithmetic to them on an e-invoice (allowances, line charges)', () => {
    const general = ONLY('line_amount_mismatch', 'lines_subtotal_mismatch', 'total_mismatch');
    expect(issues(einvoice(), general)).toEqual([]);
    const { einvoice: _e, ...page } = einvoice();
    expect(issues(page, general).map((i) => i.code)).toEqual([
      'line_amount_mismatch',
      'lines_subtotal_mismatch',
    ]);
  });
});

describe('einvoice_mismatch: the pages must say what the XML says', () => {
  const hybrid = (
    visible: Partial<NonNullable<EInvoice['visible']>> = {},
    fields: Record<string, string | null> = {},
  ): RuleDocument =>
    einvoice(
      fields,
      {
        attachment: 'factur-x.xml',
        visible: {
          fields: { totalAmount: onPage('361.17'), invoiceNumber: onPage('INV-2026-0042') },
          shown: { invoiceNumber: true, invoiceDate: true, totalAmount: true, bankAccount: true },
          ibans: ['DE89370400440532013000'],
          hasText: true,
          ...visible,
        },
      },
      { file: 'invoice.pdf' },
    );
  const mismatches = (doc: RuleDocument) => issues(doc, ONLY('einvoice_mismatch'));

  it('passes pages that print the XML’s values, and plain XML that has no pages', () => {
    expect(mismatches(hybrid())).toEqual([]);
    expect(mismatches(einvoice())).toEqual([]);
    // A page reader that took the VAT total for the total is not a tampered page: that amount is the XML's.
    expect(mismatches(hybrid({ fields: { totalAmount: onPage('57.67') } }))).toEqual([]);
  });

  it('fires when the pages do not print the XML’s total, number or date', () => {
    const doc = hybrid({
      fields: { totalAmount: onPage('461.17'), invoiceNumber: onPage('INV-2026-0043') },
      shown: { invoiceNumber: false, invoiceDate: false, totalAmount: false, bankAccount: true },
    });
    expect(mismatches(doc)).toEqual([
      {
        code: 'einvoice_mismatch',
        field: 'invoiceNumber',
        message:
          'The invoice number of factur-x.xml, "INV-2026-0042", is not printed on the PDF\'s pages; the page reads "INV-2026-0043".',
      },
      {
        code: 'einvoice_mismatch',
        field: 'invoiceDate',
        message: "The issue date of factur-x.xml, 2026-10-15, is not printed on the PDF's pages.",
      },
      {
        code: 'einvoice_mismatch',
        field: 'totalAmount',
        message:
          "The total of factur-x.xml, 361.17 EUR, is not printed on the PDF's pages; the page gives 461.17 as the total.",
      },
    ]);
  });

  it('fires when the page’s total is an amount the XML never states, even if the XML’s total is printed too', () => {
    expect(mismatches(hybrid({ fields: { totalAmount: onPage('461.17') } }))).toEqual([
      expect.objectContaining({
        field: 'totalAmount',
        message: expect.stringMatching(/give 461\.17 as the total, an amount factur-x\.xml does not state/),
      }),
    ]);
  });

  it('fires when the pages ask for payment to another IBAN', () => {
    expect(mismatches(hybrid({ ibans: ['NL91ABNA0417164300'] }))).toEqual([
      {
        code: 'einvoice_mismatch',
        field: 'bankAccount',
        message:
          "The PDF's pages ask for payment to NL91ABNA0417164300, but factur-x.xml names the account DE89370400440532013000.",
      },
    ]);
    expect(mismatches(hybrid({ ibans: ['NL91ABNA0417164300'] }, { bankAccount: null }))[0]?.message).toMatch(
      /an account factur-x\.xml does not name/,
    );
    // Pages that print no IBAN say nothing against the XML's.
    expect(mismatches(hybrid({ ibans: [] }))).toEqual([]);
  });

  it('judges a value a reviewer typed against the page’s own reading', () => {
    const corrected = hybrid({ shown: { totalAmount: false } }, {});
    corrected.fields.totalAmount = { value: '361.17', confidence: 1, page: 1, bbox: [0, 0, 0, 0] };
    expect(mismatches(corrected)).toEqual([]);
    corrected.fields.totalAmount = { value: '300.00', confidence: 1, page: 1, bbox: [0, 0, 0, 0] };
    expect(mismatches(corrected).map((i) => i.field)).toEqual(['totalAmount']);
  });

  it('says so when the pages have no text to compare with', () => {
    expect(mismatches(hybrid({ hasText: false, fields: {} }))).toEqual([
      expect.objectContaining({ field: null, message: expect.stringMatching(/no readable text/) }),
    ]);
  });
});
