// E-invoice XML as structured input: UBL, CII, ZUGFeRD 1.0 and Facturae read from their elements, whatever prefixes
// the sender chose, and bad files answered with a clear code. The fixtures in tests/fixtures/einvoice/ were written
// for these tests (the Facturae one from the published 3.2.2 schema: there is no public sample to use).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadDefaultRuleSet } from '../../src/config/config-file.ts';
import type { DocumentFailure, Extraction } from '../../src/contract/result.ts';
import { detectFormat } from '../../src/formats/registry.ts';
import { isDocumentError } from '../../src/pipeline/errors.ts';
import { readEInvoiceXml } from '../../src/pipeline/extract/einvoice/index.ts';
import { DocumentReader } from '../../src/reading/read-document.ts';
import { judge } from '../../src/rules/judge.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/einvoice/${name}`, import.meta.url), 'utf8');
const UBL = fixture('ubl-invoice.xml');
const CREDIT_NOTE = fixture('ubl-credit-note.xml');
const CII = fixture('cii-xrechnung.xml');
const ZUGFERD1 = fixture('zugferd1-comfort.xml');
const FACTURAE = fixture('facturae-3.2.2.xml');

const values = (fields: Record<string, { value: string } | null | undefined>) =>
  Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v?.value]));
const sources = (fields: Record<string, { source?: { xpath: string } } | null | undefined>) =>
  Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v?.source?.xpath]));

function errorOf(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (e) {
    if (isDocumentError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected a DocumentError');
}

// A reader whose adapters must never be touched: XML needs no PDF, image or OCR work.
const untouchable = new Proxy(
  {},
  {
    get: () => {
      throw new Error('adapter used for XML');
    },
  },
);
const reader = (maxBytes?: number) =>
  new DocumentReader(
    { pdf: untouchable as never, images: untouchable as never, ocr: () => untouchable as never },
    maxBytes ? { limits: { maxBytes } } : {},
  );

describe('UBL 2.1 (Peppol BIS Billing 3.0)', () => {
  it('reads the header fields, each with the element it came from', () => {
    const r = readEInvoiceXml(UBL);
    expect(r.documentType).toBe('invoice');
    expect(r.language).toBe('de');
    expect(values(r.fields)).toEqual({
      // The legal name (BT-27), not the trading name "Nordlicht"; character references decoded.
      vendorName: 'Nordlicht Bürotechnik GmbH',
      vendorTaxId: 'DE136695976',
      vendorAddress: 'Hafenstraße 12, 20457 Hamburg, DE',
      customerName: 'Huisman Logistiek B.V.',
      customerTaxId: 'NL820098395B01',
      invoiceNumber: 'INV-2026-0042',
      invoiceDate: '2026-10-15',
      dueDate: '2026-11-14',
      purchaseOrder: 'PO-77812',
      currency: 'EUR',
      // Lines 308.50 − allowance 10.00 + freight 5.00.
      subtotal: '303.50',
      // The TaxTotal in EUR, not the one in the tax currency (DKK 398.07), though that one comes first.
      taxAmount: '53.35',
      totalAmount: '356.85',
      // 100.00 was paid in advance.
      amountDue: '256.85',
      bankAccount: 'DE89370400440532013000',
    });
    expect(sources(r.fields)).toMatchObject({
      vendorName: '/Invoice/cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName',
      taxAmount: '/Invoice/cac:TaxTotal[2]/cbc:TaxAmount',
      amountDue: '/Invoice/cac:LegalMonetaryTotal/cbc:PayableAmount',
      bankAccount: '/Invoice/cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID',
    });
    for (const f of Object.values(r.fields)) {
      expect(f).toMatchObject({ confidence: 1, page: 1, bbox: [0, 0, 0, 0] });
    }
  });

  it('reads the lines with their tax rate, a price per base quantity as a unit price', () => {
    expect(readEInvoiceXml(UBL).lineItems).toEqual([
      {
        description: 'Laser toner cartridge',
        quantity: '4',
        unitPrice: '62.50',
        amount: '250.00',
        taxRate: '19',
        page: 1,
      },
      // 0.90 per 100 sheets.
      {
        description: 'Copy paper A4',
        quantity: '2500',
        unitPrice: '0.009',
        amount: '22.50',
        taxRate: '19',
        page: 1,
      },
      {
        description: 'Printed manual "Toner & Care"',
        quantity: '3',
        unitPrice: '12.00',
        amount: '36.00',
        taxRate: '7',
        page: 1,
      },
    ]);
  });

  it('keeps what the EN 16931 rules need: type, specification, totals without a field, tax breakdown', () => {
    expect(readEInvoiceXml(UBL).einvoice).toEqual({
      syntax: 'ubl',
      specification: 'urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0',
      typeCode: '380',
      sellerCountry: 'DE',
      buyerCountry: 'NL',
      totals: { lineTotal: '308.50', allowanceTotal: '10.00', chargeTotal: '5.00', prepaid: '100.00' },
      taxes: [
        { category: 'S', rate: '19', taxable: '267.50', tax: '50.83' },
        { category: 'S', rate: '7', taxable: '36.00', tax: '2.52' },
      ],
    });
  });

  it('reads a credit note as one, its due date from the payment means', () => {
    const r = readEInvoiceXml(CREDIT_NOTE);
    expect(r.documentType).toBe('credit_note');
    expect(r.einvoice.typeCode).toBe('381');
    expect(values(r.fields)).toMatchObject({
      invoiceNumber: 'CN-2026-0007',
      dueDate: '2026-11-19',
      totalAmount: '148.75',
    });
    expect(r.lineItems).toEqual([
      expect.objectContaining({
        description: 'Laser toner cartridge (returned)',
        quantity: '2',
        amount: '125.00',
      }),
    ]);
  });

  it('takes an invoice with a negative total for the credit note it is', () => {
    const negative = UBL.replace(
      /<cbc:TaxInclusiveAmount currencyID="EUR">356.85/,
      '<cbc:TaxInclusiveAmount currencyID="EUR">-356.85',
    );
    expect(readEInvoiceXml(negative).documentType).toBe('credit_note');
  });
});

describe('namespaces written in unusual ways', () => {
  const ns = {
    inv: 'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2',
    cac: 'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2',
    cbc: 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2',
  };
  const body = UBL.slice(UBL.indexOf('<cbc:CustomizationID>'), UBL.lastIndexOf('</Invoice>'));
  const variants: Record<string, string> = {
    'other prefixes': `<i:Invoice xmlns:i="${ns.inv}" xmlns:agg="${ns.cac}" xmlns:basic="${ns.cbc}">${body
      .replace(/<(\/?)cac:/g, '<$1agg:')
      .replace(/<(\/?)cbc:/g, '<$1basic:')}</i:Invoice>`,
    // The basic components as the default namespace, so most elements carry no prefix at all.
    'a default namespace for the components': `<i:Invoice xmlns:i="${ns.inv}" xmlns="${ns.cbc}" xmlns:x="${ns.cac}">${body
      .replace(/<(\/?)cbc:/g, '<$1')
      .replace(/<(\/?)cac:/g, '<$1x:')}</i:Invoice>`,
    // Every element declares its own namespace, and a foreign element rebinds the cbc prefix.
    'declarations on each element': `<Invoice xmlns="${ns.inv}"><cbc:ID xmlns:cbc="urn:example:not-ubl">DECOY</cbc:ID>${body
      .replace(/<cac:([A-Za-z]+)>/g, `<cac:$1 xmlns:cac="${ns.cac}">`)
      .replace(/<cbc:([A-Za-z]+)([ >])/g, `<cbc:$1 xmlns:cbc="${ns.cbc}"$2`)}</Invoice>`,
  };

  for (const [name, xml] of Object.entries(variants)) {
    it(`reads the same invoice with ${name}`, async () => {
      const r = readEInvoiceXml(xml);
      const base = readEInvoiceXml(UBL);
      expect(values(r.fields)).toEqual(values(base.fields));
      expect(r.lineItems).toEqual(base.lineItems);
      // Paths use the standard's prefixes, not the sender's.
      expect(r.fields.amountDue?.source?.xpath).toBe('/Invoice/cac:LegalMonetaryTotal/cbc:PayableAmount');
      await expect(detectFormat(Buffer.from(xml))).resolves.toMatchObject({ format: { id: 'ubl-xml' } });
    });
  }

  it('does not take an element of another namespace for the one it is named like', () => {
    const xml = `<Invoice xmlns="${ns.inv}" xmlns:cbc="urn:example:not-ubl"><cbc:ID>DECOY</cbc:ID></Invoice>`;
    expect(readEInvoiceXml(xml).fields.invoiceNumber).toBeUndefined();
  });
});

describe('UN/CEFACT CII (XRechnung, Factur-X, ZUGFeRD)', () => {
  it('reads a D16B invoice, the payee account and not the buyer’s debited one', () => {
    const r = readEInvoiceXml(CII);
    expect(r.einvoice.syntax).toBe('cii');
    expect(values(r.fields)).toEqual({
      vendorName: 'Feinmechanik Ostertag GmbH',
      // The VAT identifier (schemeID VA), not the local tax number listed before it.
      vendorTaxId: 'DE811907980',
      vendorAddress: 'Werkstraße 5, 70173 Stuttgart, DE',
      customerName: 'Stadtwerke Beispielstadt',
      invoiceNumber: 'RE-2026-117',
      invoiceDate: '2026-11-02',
      // The earliest of two payment terms.
      dueDate: '2026-11-17',
      purchaseOrder: 'PO-88123',
      currency: 'EUR',
      subtotal: '550.00',
      // The EUR amount of the two TaxTotalAmount (the other is in the tax currency, CHF).
      taxAmount: '104.50',
      totalAmount: '654.50',
      amountDue: '654.50',
      bankAccount: 'DE89370400440532013000',
    });
    expect(r.fields.amountDue?.source?.xpath).toBe(
      '/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement/ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:DuePayableAmount',
    );
    expect(r.lineItems[1]).toMatchObject({
      description: 'Dichtung 40 mm',
      quantity: '20',
      unitPrice: '5.00',
      amount: '100.00',
      taxRate: '19',
    });
    expect(r.einvoice.totals).toEqual({
      lineTotal: '500.00',
      allowanceTotal: '0.00',
      chargeTotal: '50.00',
      prepaid: '0.00',
    });
  });

  it('reads ZUGFeRD 1.0 under its older element names', () => {
    const r = readEInvoiceXml(ZUGFERD1);
    expect(r.einvoice).toMatchObject({
      syntax: 'zugferd1',
      specification: 'urn:ferd:CrossIndustryDocument:invoice:1p0:comfort',
    });
    expect(values(r.fields)).toMatchObject({
      vendorName: 'Kraxi GmbH',
      invoiceNumber: '2026-1001',
      invoiceDate: '2026-10-05',
      dueDate: '2026-11-04',
      purchaseOrder: 'ABC-123',
      subtotal: '200.00',
      taxAmount: '38.00',
      totalAmount: '238.00',
      amountDue: '238.00',
      bankAccount: 'DE88200800000970375700',
    });
    expect(r.lineItems).toEqual([
      { description: 'Storch', quantity: '10', unitPrice: '20.00', amount: '200.00', taxRate: '19', page: 1 },
    ]);
  });

  it('takes type code 381 for a credit note', () => {
    expect(
      readEInvoiceXml(CII.replace('<ram:TypeCode>380</ram:TypeCode>', '<ram:TypeCode>381</ram:TypeCode>'))
        .documentType,
    ).toBe('credit_note');
  });
});

describe('Facturae 3.2.2', () => {
  it('reads the invoice, its number with its series, and the IRPF withheld from the total', () => {
    const r = readEInvoiceXml(FACTURAE);
    expect(r.language).toBe('es');
    expect(values(r.fields)).toEqual({
      vendorName: 'Suministros Industriales del Norte, S.L.',
      vendorTaxId: 'B12345674',
      vendorAddress: 'Calle de la Industria 14, 48013 Bilbao, Bizkaia, ESP',
      customerName: 'Ayuntamiento de Ejemplo',
      customerTaxId: 'P2800000H',
      invoiceNumber: 'A2026-0042',
      invoiceDate: '2026-10-20',
      dueDate: '2026-11-19',
      purchaseOrder: 'PED-2026-77',
      currency: 'EUR',
      subtotal: '1090.00',
      taxAmount: '228.90',
      // 1090.00 + 228.90 IVA − 163.50 IRPF.
      totalAmount: '1155.40',
      amountDue: '1155.40',
      bankAccount: 'ES9121000418450200051332',
    });
    expect(r.fields.totalAmount?.source?.xpath).toBe(
      '/fe:Facturae/Invoices/Invoice/InvoiceTotals/InvoiceTotal',
    );
    expect(r.einvoice.totals).toMatchObject({ lineTotal: '1090.00', withheld: '163.50' });
    // The discounted line counts at its amount after the discount.
    expect(r.lineItems[1]).toMatchObject({
      description: 'Junta tórica 40 mm',
      quantity: '4',
      unitPrice: '25.00',
      amount: '90.00',
      taxRate: '21',
    });
  });

  it('reads the elements the same when the sender put them in the default namespace', () => {
    const ns = 'http://www.facturae.gob.es/formato/Versiones/Facturaev3_2_2.xml';
    const qualified = FACTURAE.replace(`<fe:Facturae xmlns:fe="${ns}"`, `<Facturae xmlns="${ns}"`).replace(
      '</fe:Facturae>',
      '</Facturae>',
    );
    expect(values(readEInvoiceXml(qualified).fields)).toEqual(values(readEInvoiceXml(FACTURAE).fields));
  });

  it('refuses a batch of several invoices rather than reading one of them', () => {
    const invoice = FACTURAE.slice(FACTURAE.indexOf('<Invoice>'), FACTURAE.indexOf('</Invoices>'));
    const batch = FACTURAE.replace('</Invoices>', `${invoice}</Invoices>`);
    expect(errorOf(() => readEInvoiceXml(batch))).toMatchObject({
      code: 'unsupported_type',
      message: expect.stringMatching(/batch of 2/),
    });
  });
});

describe('bad e-invoice XML', () => {
  it('refuses a DOCTYPE or an entity and never expands it', () => {
    const evil = UBL.replace(
      '<Invoice ',
      '<!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<Invoice ',
    ).replace('Huisman Logistiek B.V.', '&xxe;');
    const e = errorOf(() => readEInvoiceXml(evil));
    expect(e.code).toBe('corrupt_file');
    expect(e.message).toMatch(/DOCTYPE/);
    expect(e.message).not.toMatch(/root:/);
    expect(
      errorOf(() =>
        readEInvoiceXml(CII.replace('<rsm:ExchangedDocument>', '<!ENTITY x "y"><rsm:ExchangedDocument>')),
      ).code,
    ).toBe('corrupt_file');
  });

  it('reports a cut-off file and an amount that is not a number as corrupt, saying where', () => {
    expect(
      errorOf(() => readEInvoiceXml(UBL.slice(0, UBL.indexOf('<cac:LegalMonetaryTotal>')))),
    ).toMatchObject({
      code: 'corrupt_file',
      message: expect.stringMatching(/malformed/),
    });
    expect(errorOf(() => readEInvoiceXml(UBL.replace('>256.85<', '>256,85<')))).toMatchObject({
      code: 'corrupt_file',
      message:
        'The UBL invoice has an invalid number in /Invoice/cac:LegalMonetaryTotal/cbc:PayableAmount: "256,85".',
    });
    expect(errorOf(() => readEInvoiceXml(CII.replace('20261102', '20261399'))).message).toMatch(
      /invalid date/,
    );
  });

  it('names an order for what it is, and refuses it as a type that is not read', async () => {
    const order =
      '<?xml version="1.0"?><Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"><cbc:ID xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">O-1</cbc:ID></Order>';
    await expect(detectFormat(Buffer.from(order))).rejects.toMatchObject({
      code: 'unsupported_type',
      message: expect.stringMatching(
        /^This looks like a UBL Order, not an invoice or credit note\. Supported documents are/,
      ),
    });
    const ciiOrder =
      '<rsm:SCRDMCCBDACIOMessageStructure xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryOrder:100"/>';
    await expect(detectFormat(Buffer.from(ciiOrder))).rejects.toMatchObject({
      message: expect.stringMatching(/CrossIndustryOrder, not an invoice/),
    });
    await expect(detectFormat(Buffer.from('<Invoice><ID>1</ID></Invoice>'))).rejects.toMatchObject({
      message: expect.stringMatching(/root <Invoice> is not in the namespace of its standard/),
    });
  });

  it('answers each bad file with a code through the reader, never a hang or a crash', async () => {
    const read = (xml: string, r = reader()) =>
      r.read({ bytes: Buffer.from(xml), file: 'bad.xml' }) as Promise<DocumentFailure>;
    expect((await read(UBL.slice(0, 3000))).error.code).toBe('corrupt_file');
    expect((await read(UBL.replace('<Invoice ', '<!DOCTYPE x [<!ENTITY a "b">]><Invoice '))).error.code).toBe(
      'corrupt_file',
    );
    // Nested past any invoice's depth.
    const deep = CII.replace(
      '<ram:Name>Dichtung 40 mm</ram:Name>',
      `${'<ram:X>'.repeat(150)}${'</ram:X>'.repeat(150)}`,
    );
    expect((await read(deep)).error.code).toBe('corrupt_file');
    // Over the upload limit: refused before anything is parsed.
    const huge = UBL.replace('<cbc:Note>', `<cbc:Note>${'x'.repeat(300_000)}`);
    expect((await read(huge, reader(256 * 1024))).error).toMatchObject({ code: 'file_too_large' });
  });
});

describe('e-invoice XML through the reader', () => {
  const cases: [string, string, string][] = [
    ['ubl-invoice.xml', UBL, 'ubl-xml'],
    ['ubl-credit-note.xml', CREDIT_NOTE, 'ubl-xml'],
    ['cii-xrechnung.xml', CII, 'cii-xml'],
    ['zugferd1-comfort.xml', ZUGFERD1, 'cii-xml'],
    ['facturae-3.2.2.xml', FACTURAE, 'facturae-xml'],
  ];
  for (const [file, xml, format] of cases) {
    it(`reads ${file} as ${format}, and a consistent file passes the rules`, async () => {
      const { result, layout } = await reader().readWithLayout({ bytes: Buffer.from(xml), file });
      const doc = judge(result as Extraction, {
        ruleSet: loadDefaultRuleSet(),
        context: { now: new Date('2026-11-05T12:00:00Z'), history: [] },
      });
      expect(doc).toMatchObject({ format, mimeType: 'application/xml', pages: 1 });
      expect(layout?.pages[0]?.source).toBe('xml');
      expect(doc.einvoice?.syntax).toBeDefined();
      expect(doc.validation.issues).toEqual([]);
      expect(doc.route).toBe('auto');
    });
  }
});
