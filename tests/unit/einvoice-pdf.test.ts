// Hybrid e-invoices: PDFs built here with pdf-lib, their visible text saying one thing and their attached XML
// another, read through the real PDF reader. The fields come from the XML; the pages are read too and must say
// what the XML says.
import { readFileSync } from 'node:fs';
import { PDFDocument, PDFName, StandardFonts } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { loadDefaultRuleSet } from '../../src/config/config-file.ts';
import type { DocumentFailure, Extraction } from '../../src/contract/result.ts';
import { detectFormat } from '../../src/formats/registry.ts';
import { createReadTools, DocumentReader } from '../../src/reading/read-document.ts';
import { judge } from '../../src/rules/judge.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/einvoice/${name}`, import.meta.url), 'utf8');
const CII = fixture('cii-xrechnung.xml');

/** The visible page of the CII fixture, as its issuer would print it. */
const PAGE = [
  'Feinmechanik Ostertag GmbH, Werkstrasse 5, 70173 Stuttgart',
  'Stadtwerke Beispielstadt, Am Markt 1, 10115 Berlin',
  'Rechnung Nr. RE-2026-117',
  'Rechnungsdatum: 02.11.2026',
  'Wartungspauschale November 1 400,00 400,00',
  'Dichtung 40 mm 20 5,00 100,00',
  'Anfahrt 50,00',
  'Nettobetrag 550,00 EUR',
  'USt. 19 % 104,50 EUR',
  'Gesamtbetrag 654,50 EUR',
  'Bankverbindung: IBAN DE89 3704 0044 0532 0130 00',
];

interface Attachment {
  name: string;
  text: string;
}

async function pdfWith(lines: string[], attachments: Attachment[] = [], xmp?: string): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const page = pdf.addPage([595, 842]);
  lines.forEach((text, i) => {
    page.drawText(text, { x: 50, y: 780 - i * 22, size: 11, font });
  });
  for (const a of attachments) {
    await pdf.attach(new TextEncoder().encode(a.text), a.name, {
      mimeType: 'text/xml',
      description: 'Factur-X',
    });
  }
  if (xmp) {
    const meta = pdf.context.stream(xmp, { Type: 'Metadata', Subtype: 'XML' });
    pdf.catalog.set(PDFName.of('Metadata'), pdf.context.register(meta));
  }
  return pdf.save();
}

const swap = (lines: string[], from: string, to: string) => lines.map((l) => l.replace(from, to));

// OCR must never be needed: every page here has a text layer.
const reader = new DocumentReader({
  ...createReadTools(),
  ocr: () => {
    throw new Error('OCR used for a page with a text layer');
  },
});

async function read(bytes: Uint8Array): Promise<Extraction> {
  const result = await reader.read({ bytes, file: 'rechnung.pdf' });
  if ('error' in result) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result;
}

async function failure(bytes: Uint8Array): Promise<DocumentFailure['error']> {
  const result = await reader.read({ bytes, file: 'rechnung.pdf' });
  if (!('error' in result)) throw new Error('expected the PDF to fail');
  return result.error;
}

const mismatches = (doc: Extraction) =>
  judge(doc, {
    ruleSet: loadDefaultRuleSet(),
    context: { now: new Date('2026-11-05T12:00:00Z'), history: [] },
  })
    .validation.issues.filter((i) => i.code === 'einvoice_mismatch')
    .map((i) => i.field);

describe('hybrid PDFs (Factur-X, ZUGFeRD, XRechnung in a PDF)', () => {
  it('are told from a plain PDF by their bytes, with a higher score', async () => {
    const hybrid = await detectFormat(await pdfWith(PAGE, [{ name: 'factur-x.xml', text: CII }]));
    expect({ id: hybrid.format.id, score: hybrid.score, mediaType: hybrid.mediaType }).toEqual({
      id: 'einvoice-pdf',
      score: 2,
      mediaType: 'application/pdf',
    });
    expect((await detectFormat(await pdfWith(PAGE))).format.id).toBe('pdf');
  });

  it('take their fields from the XML, and read their pages too', async () => {
    const doc = await read(await pdfWith(PAGE, [{ name: 'factur-x.xml', text: CII }]));
    expect(doc).toMatchObject({
      format: 'einvoice-pdf',
      mimeType: 'application/pdf',
      documentType: 'invoice',
      pages: 1,
    });
    expect(doc.pageSizes).toEqual([{ width: 595, height: 842, rotation: 0, source: 'text-layer' }]);
    expect(doc.fields.totalAmount).toEqual({
      value: '654.50',
      confidence: 1,
      page: 1,
      bbox: [0, 0, 0, 0],
      source: {
        xpath:
          '/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement/ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:GrandTotalAmount',
      },
    });
    expect(doc.lineItems).toHaveLength(2);
    expect(doc.einvoice).toMatchObject({
      syntax: 'cii',
      attachment: 'factur-x.xml',
      visible: {
        shown: { invoiceNumber: true, invoiceDate: true, totalAmount: true, bankAccount: true },
        ibans: ['DE89370400440532013000'],
        hasText: true,
      },
    });
    // The page's own reading keeps its boxes, for the reviewer.
    expect(doc.einvoice?.visible?.fields.invoiceNumber?.bbox).not.toEqual([0, 0, 0, 0]);
    expect(mismatches(doc)).toEqual([]);
  });

  it('raise einvoice_mismatch when the visible total was changed', async () => {
    const doc = await read(
      await pdfWith(swap(PAGE, 'Gesamtbetrag 654,50', 'Gesamtbetrag 754,50'), [
        { name: 'factur-x.xml', text: CII },
      ]),
    );
    expect(doc.einvoice?.visible?.shown.totalAmount).toBe(false);
    expect(mismatches(doc)).toEqual(['totalAmount']);
  });

  it('raise it when the XML’s total was changed and the page left alone', async () => {
    const xml = CII.replace('<ram:GrandTotalAmount>654.50', '<ram:GrandTotalAmount>754.50').replace(
      '<ram:DuePayableAmount>654.50',
      '<ram:DuePayableAmount>754.50',
    );
    const doc = await read(await pdfWith(PAGE, [{ name: 'factur-x.xml', text: xml }]));
    expect(mismatches(doc)).toEqual(['totalAmount']);
  });

  it('raise it for a changed number, date or IBAN, each on its field', async () => {
    const page = swap(
      swap(swap(PAGE, 'RE-2026-117', 'RE-2026-118'), '02.11.2026', '03.11.2026'),
      'DE89 3704 0044 0532 0130 00',
      'NL91 ABNA 0417 1643 00',
    );
    const doc = await read(await pdfWith(page, [{ name: 'factur-x.xml', text: CII }]));
    expect(mismatches(doc)).toEqual(['invoiceNumber', 'invoiceDate', 'bankAccount']);
  });

  it('find the XML’s values in the notations pages print them in', async () => {
    const english = swap(
      swap(PAGE, '02.11.2026', '2 November 2026'),
      'Gesamtbetrag 654,50 EUR',
      'Total due: EUR 654.50',
    );
    expect(mismatches(await read(await pdfWith(english, [{ name: 'factur-x.xml', text: CII }])))).toEqual([]);
    const german = swap(PAGE, '02.11.2026', '2. Nov. 2026');
    expect(mismatches(await read(await pdfWith(german, [{ name: 'factur-x.xml', text: CII }])))).toEqual([]);
  });

  it('prefer factur-x.xml when two invoices are attached, whatever their order', async () => {
    const bytes = await pdfWith(PAGE, [
      { name: 'ZUGFeRD-invoice.xml', text: fixture('zugferd1-comfort.xml') },
      { name: 'factur-x.xml', text: CII },
    ]);
    const doc = await read(bytes);
    expect(doc.einvoice).toMatchObject({ syntax: 'cii', attachment: 'factur-x.xml' });
    expect(doc.fields.invoiceNumber?.value).toBe('RE-2026-117');
  });

  it('read an invoice attached under another name, UBL included', async () => {
    const doc = await read(
      await pdfWith(
        [
          'Nordlicht Buerotechnik GmbH, Hafenstrasse 12, 20457 Hamburg',
          'Invoice INV-2026-0042 of 15 October 2026',
          'Laser toner cartridge 4 x 62.50 = 250.00',
          'Total 356.85 EUR, paid in advance 100.00 EUR, due 256.85 EUR',
        ],
        [{ name: 'invoice.xml', text: fixture('ubl-invoice.xml') }],
      ),
    );
    expect(doc.einvoice).toMatchObject({ syntax: 'ubl', attachment: 'invoice.xml' });
  });
});

describe('broken hybrids', () => {
  it('name a corrupt attachment, and the PDF fails with corrupt_file', async () => {
    const cut = await pdfWith(PAGE, [{ name: 'factur-x.xml', text: CII.slice(0, 2500) }]);
    expect(await failure(cut)).toMatchObject({
      code: 'corrupt_file',
      message: expect.stringMatching(
        /^The e-invoice attached to this PDF \(factur-x\.xml\) cannot be read: The CII invoice is malformed XML/,
      ),
    });
    const evil = CII.replace(
      '<rsm:CrossIndustryInvoice',
      '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><rsm:CrossIndustryInvoice',
    );
    expect((await failure(await pdfWith(PAGE, [{ name: 'factur-x.xml', text: evil }]))).message).toMatch(
      /DOCTYPE/,
    );
  });

  it('say what sits where the invoice belongs when it is not one', async () => {
    const order =
      '<?xml version="1.0"?><Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"/>';
    expect(await failure(await pdfWith(PAGE, [{ name: 'factur-x.xml', text: order }]))).toMatchObject({
      code: 'corrupt_file',
      message: expect.stringMatching(
        /carries factur-x\.xml, where its e-invoice belongs, but it is a UBL Order/,
      ),
    });
    expect(
      (await failure(await pdfWith(PAGE, [{ name: 'factur-x.xml', text: 'not xml at all' }]))).code,
    ).toBe('corrupt_file');
  });

  it('fail when the metadata declares an invoice that is not attached', async () => {
    const xmp = `<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:fx="urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"><fx:DocumentFileName>factur-x.xml</fx:DocumentFileName></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>`;
    const bytes = await pdfWith(PAGE, [], xmp);
    expect((await detectFormat(bytes)).format.id).toBe('einvoice-pdf');
    expect(await failure(bytes)).toMatchObject({
      code: 'corrupt_file',
      message: expect.stringMatching(
        /declares an attached e-invoice \(factur-x\.xml\), but it cannot be found/,
      ),
    });
  });

  it('read a PDF whose attachment is something else as the plain PDF it is', async () => {
    const doc = await read(await pdfWith(PAGE, [{ name: 'notes.txt', text: 'delivery at the back door' }]));
    expect(doc.format).toBe('pdf');
    expect(doc.einvoice).toBeUndefined();
  });
});
