// What a back office notices on an invoice: the vendor is the party that issued it, and the number, dates and
// totals are the ones it states, whatever the layout puts first or prints largest.
import { describe, expect, it } from 'vitest';
import { extractFields } from '../../src/pipeline/extract/fields.ts';
import { groupIntoLines, type Layout, type Word } from '../../src/pipeline/layout.ts';

/** [x, y, text, fontSize?]: a run of words starting at x on the line at y, 0.5 em per character. */
type Run = [number, number, string, number?];

function layout(runs: Run[]): Layout {
  const words: Word[] = [];
  for (const [x, y, text, font = 10] of runs) {
    let cx = x;
    for (const t of text.split(' ').filter(Boolean)) {
      const w = t.length * font * 0.5;
      words.push({ text: t, bbox: [cx, y, cx + w, y + font], confidence: 0.98, source: 'text-layer' });
      cx += w + font * 0.3;
    }
  }
  return {
    pages: [
      { number: 1, width: 600, height: 800, source: 'text-layer', rotation: 0, lines: groupIntoLines(words) },
    ],
  };
}

const items: Run[] = [
  [50, 330, 'Description'],
  [330, 330, 'Qty'],
  [400, 330, 'Unit Price'],
  [500, 330, 'Amount'],
  [50, 350, 'Consulting hours'],
  [330, 350, '10'],
  [400, 350, '80.00'],
  [500, 350, '800.00'],
  [50, 365, 'Travel expenses'],
  [330, 365, '1'],
  [400, 365, '200.00'],
  [500, 365, '200.00'],
];

describe('invoice fields chosen among candidates', () => {
  it('names the issuer, not the customer whose block comes first and larger', () => {
    const doc = layout([
      [50, 40, 'Bill to:', 12],
      [50, 58, 'Globex Corporation', 20],
      [50, 84, '500 Market St, San Francisco, CA 94105'],
      [400, 40, 'INVOICE', 22],
      [400, 70, 'Invoice No: INV-2025-0193'],
      [400, 84, 'Invoice Date: 03/04/2025'],
      [400, 98, 'Due Date: 04/03/2025'],
      [50, 150, 'From:'],
      [50, 165, 'Harborview Systems Co.'],
      [50, 180, '8200 Elm Avenue, Suite 100'],
      [50, 195, 'Columbus, OH 43215'],
      [50, 210, 'EIN 12-3456789'],
      ...items,
      [400, 400, 'Subtotal'],
      [500, 400, '1,000.00'],
      [400, 415, 'Sales Tax 8%'],
      [500, 415, '80.00'],
      [400, 430, 'Total Due'],
      [500, 430, '1,080.00'],
    ]);
    const { fields } = extractFields(doc, { language: 'en' });
    expect(fields.vendorName?.value).toBe('Harborview Systems Co.');
    expect(fields.invoiceNumber?.value).toBe('INV-2025-0193');
    expect(fields.totalAmount?.value).toBe('1080.00');
    expect(fields.subtotal?.value).toBe('1000.00');
    expect(fields.taxAmount?.value).toBe('80.00');
  });

  it('names the issuer whose name shares its line with a date, and takes the tax ID of its block', () => {
    const doc = layout([
      [250, 20, 'INVOICE', 16],
      [50, 50, 'From:'],
      [330, 50, 'No. INV000657'],
      [50, 65, 'Harborview Systems Co.'],
      [330, 65, 'Dated March 20, 2025'],
      [50, 80, 'Columbus, OH 43215, 8200 Elm Avenue'],
      [50, 95, 'EIN 12-3456789'],
      [50, 150, 'To:'],
      [50, 165, 'Oak Hollow Industrial Supply Corp.'],
      [50, 180, '3079 Main Street, Suite 300, Tulsa, OK 74103'],
      [50, 195, 'EIN 98-7654321'],
      ...items,
      [400, 430, 'Total Due'],
      [500, 430, 'US$1,000.00'],
    ]);
    const { fields } = extractFields(doc, { language: 'en' });
    expect(fields.vendorName?.value).toBe('Harborview Systems Co.');
    expect(fields.vendorTaxId?.value).toBe('12-3456789');
    expect(fields.customerName?.value).toBe('Oak Hollow Industrial Supply Corp.');
    expect(fields.invoiceDate?.value).toBe('2025-03-20');
    expect(fields.totalAmount?.value).toBe('1000.00');
  });

  it('does not take a big title for the vendor', () => {
    const doc = layout([
      [50, 30, 'FACTUUR.', 28],
      [50, 80, 'Van Dijk Logistiek B.V.', 12],
      [50, 95, 'Keizersgracht 221'],
      [50, 110, '1016 DV Amsterdam'],
      [50, 125, 'VAT NL123456789B01'],
      [400, 80, 'Invoice No: 2025-0412'],
      [400, 95, 'Date: 12/05/2025'],
      [50, 200, 'Customer:'],
      [50, 215, 'Mercadinho Boa Esperança'],
      ...items,
      [400, 400, 'Net total'],
      [500, 400, '1.000,00'],
      [400, 415, 'VAT 21%'],
      [500, 415, '210,00'],
      [400, 430, 'Total'],
      [500, 430, '1.210,00'],
    ]);
    const { fields } = extractFields(doc, { language: 'en' });
    expect(fields.vendorName?.value).toBe('Van Dijk Logistiek B.V.');
    expect(fields.totalAmount?.value).toBe('1210.00');
  });

  it('reads a German letter: the addressee under the sender line, compound labels, a written-out date', () => {
    const doc = layout([
      [320, 30, 'Kraxi GmbH', 16],
      [400, 60, 'Flugzeugallee 17'],
      [400, 75, '12345 Papierfeld'],
      [50, 90, 'Kraxi GmbH · Flugzeugallee 17 · 12345 Papierfeld · Deutschland', 7],
      [50, 105, 'Papierflieger-Vertriebs-GmbH', 11],
      [50, 120, 'Rabattstr. 25', 11],
      [50, 135, '34567 Osterhausen', 11],
      [50, 200, 'Rechnungsnummer: 2014-03'],
      [300, 200, 'Rechnungsdatum: 11. Juli 2014'],
      [300, 215, 'Kundennummer: 987-654'],
      ...items,
      [400, 400, 'Rechnungssumme netto'],
      [500, 400, '1.000,00'],
      [400, 415, 'zuzüglich 19% MwSt.'],
      [500, 415, '190,00'],
      [400, 430, 'Rechnungssumme brutto'],
      [500, 430, '1.190,00'],
      [50, 700, 'Kraxi GmbH  USt-IdNr DE123456789  IBAN DE28700100809999999999', 8],
    ]);
    const { fields } = extractFields(doc, { language: 'en' });
    expect(fields.customerName?.value).toBe('Papierflieger-Vertriebs-GmbH');
    expect(fields.vendorName?.value).toBe('Kraxi GmbH');
    expect(fields.invoiceNumber?.value).toBe('2014-03');
    expect(fields.invoiceDate?.value).toBe('2014-07-11');
    expect(fields.totalAmount?.value).toBe('1190.00');
  });

  it('takes "VAT total" for the tax and "Amount payable" for the total', () => {
    const doc = layout([
      [50, 40, 'Bei Spiel GmbH', 16],
      [50, 60, 'Ecke 12, 12345 Stadthausen'],
      [400, 80, 'Invoice # RE-2020/508'],
      [400, 95, 'Date: 2020-06-20'],
      ...items,
      [50, 400, 'Net total: 1,000.00'],
      [50, 430, 'VAT total: 190.00'],
      [50, 445, 'Amount payable: 1,190.00'],
    ]);
    const { fields } = extractFields(doc, { language: 'en' });
    expect(fields.taxAmount?.value).toBe('190.00');
    expect(fields.totalAmount?.value).toBe('1190.00');
  });

  it('takes no letterhead line with a street and a town for a sender line over an addressee', () => {
    const doc = layout([
      [50, 30, 'Acme Supplies Corp', 18],
      [50, 55, 'Acme Supplies Corp | 2500 Market Street | Philadelphia, PA 19103', 8],
      [50, 70, 'Orders and accounts since 1982'],
      [400, 80, 'Invoice No: 2025-0412'],
      [400, 95, 'Date: 12/05/2025'],
      [50, 200, 'Bill to:'],
      [50, 215, 'Globex Corporation'],
      ...items,
      [400, 430, 'Total'],
      [500, 430, '1,000.00'],
    ]);
    const { fields } = extractFields(doc, { language: 'en' });
    expect(fields.customerName?.value).toBe('Globex Corporation');
    expect(fields.vendorName?.value).toBe('Acme Supplies Corp');
  });

  it('takes "Rechnung RE1001" for the title and its number, never for the vendor', () => {
    const doc = layout([
      [50, 40, 'shopware.de | Hauptstraße 7 | 10115 Berlin', 7],
      [400, 40, 'shopware.de', 12],
      [400, 55, 'Hauptstraße 7'],
      [400, 70, '10115 Berlin'],
      [50, 55, 'Muster AG', 11],
      [50, 70, 'Feldweg 3', 11],
      [50, 85, '54321 Musterstadt', 11],
      [50, 150, 'Rechnung RE1001', 18],
      [50, 180, 'Kunden-Nr.: 10000'],
      [300, 180, 'Belegdatum: 26.10.22'],
      ...items,
      [300, 400, 'Summe netto'],
      [500, 400, '1.000,00'],
      [300, 415, 'USt. 19%'],
      [500, 415, '190,00'],
      [300, 430, 'Endsumme'],
      [500, 430, '1.190,00'],
    ]);
    const { fields } = extractFields(doc, { language: 'en' });
    expect(fields.vendorName?.value).not.toMatch(/Rechnung/);
    expect(fields.invoiceNumber?.value).toBe('RE1001');
    expect(fields.totalAmount?.value).toBe('1190.00');
    expect(fields.customerName?.value).toBe('Muster AG');
  });

  it('keeps the total apart from the balance left after a deposit', () => {
    const doc = layout([
      [50, 40, 'Kestrel Print Works Limited', 16],
      [50, 62, '12 Mill Lane, Leeds LS1 4AB'],
      [400, 40, 'INVOICE', 20],
      [400, 70, 'Invoice No: 2162'],
      [400, 84, 'Invoice Date: 14/02/2025'],
      [50, 150, 'Bill to:'],
      [50, 165, 'Oak Hollow Supplies Ltd'],
      ...items,
      [400, 400, 'Subtotal'],
      [500, 400, '1,000.00'],
      [400, 415, 'VAT 20%'],
      [500, 415, '200.00'],
      [400, 430, 'Total'],
      [500, 430, '1,200.00'],
      [400, 445, 'Deposit received'],
      [500, 445, '600.00'],
      [400, 460, 'Balance due'],
      [500, 460, '600.00'],
    ]);
    const { fields } = extractFields(doc, { language: 'en' });
    expect(fields.totalAmount?.value).toBe('1200.00');
    expect(fields.vendorName?.value).toBe('Kestrel Print Works Limited');
  });
});
