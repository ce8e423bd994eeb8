// Receipt fields from layouts transcribed from real receipt OCR (SROIE scans read by tesseract.js), OCR slips included.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadDefaultRuleSet } from '../../src/config/config-file.ts';
import { extractReceiptFields, receiptRereads } from '../../src/pipeline/extract/receipt.ts';
import type { Layout } from '../../src/pipeline/layout.ts';
import { layoutOf as rowsLayout, rowsOf } from '../support/receipt-layout.ts';

const fixture = (name: string): Layout =>
  JSON.parse(
    readFileSync(new URL(`../fixtures/receipts/${name}.layout.json`, import.meta.url), 'utf8'),
  ) as Layout;

/** Under this confidence the shipped rules send a receipt's field to a person (see default-rules.yaml). */
const REVIEW_BELOW = (() => {
  const rule = loadDefaultRuleSet().documentTypes.receipt?.rules.find((r) => r.code === 'low_confidence');
  return rule?.code === 'low_confidence' ? (rule.params.threshold ?? 0.6) : 0.6;
})();

/** A one-page layout from text lines, one word per token, laid out top to bottom. */
const layoutOf = (lines: string[]): Layout => rowsLayout(rowsOf(lines));

describe('extractReceiptFields on real receipt OCR', () => {
  it('takes the shop name below a handwritten lower-case line, and the total beside its label', () => {
    const f = extractReceiptFields(fixture('sroie-000'), { language: 'en' });
    expect(f.vendorName?.value).toBe('BOOK TA .K (TAMAN DAYA) SDN BHD');
    expect(f.invoiceDate?.value).toBe('2018-12-25');
    expect(f.totalAmount?.value).toBe('9.00');
    expect(f.currency?.value).toBe('MYR');
  });

  it('prefers the rounded total over the total before the rounding adjustment', () => {
    // TOTAL RM 33.92 / ROUNDING ADJUSTMENT -RM 0.02 / TOTAL ROUNDED RM 33.90
    const f = extractReceiptFields(fixture('sroie-002'), { language: 'en' });
    expect(f.totalAmount?.value).toBe('33.90');
    // "HC03-7 - 15" is an item code, not a date; the date is the one printed beside the time of sale.
    expect(f.invoiceDate?.value).toBe('2019-01-12');
  });

  it('decides the total by cash minus change when OCR garbled the total line', () => {
    // "Total Amount: TsO" / "Cash Received: 101.00" / "Change : 70.00"
    const f = extractReceiptFields(fixture('sroie-005'), { language: 'en' });
    expect(f.totalAmount?.value).toBe('31.00');
    expect(f.vendorName?.value).toBe('ABC HO TRADING');
    expect(f.invoiceDate?.value).toBe('2019-01-09');
  });

  it('reads "Total (incl GST)" as the total, not as a tax amount, and keeps the legal name in title case', () => {
    const f = extractReceiptFields(fixture('sroie-009'), { language: 'en' });
    expect(f.totalAmount?.value).toBe('26.60');
    expect(f.vendorName?.value.toUpperCase()).toBe('GERBANG ALAF RESTAURANTS SDN BHD');
    expect(f.vendorTaxId?.value).toBe('000504664064');
  });

  it('adds subtotal and GST when the total line lost its amount and the subtotal lost its decimal point', () => {
    // "Total Sales (Excluding GST) 5142" / "Total GST 3.08" / "Rounding 0.00" / "Total Sales (Inclusive of GST)"
    const f = extractReceiptFields(fixture('sroie-020'), { language: 'en' });
    expect(f.totalAmount?.value).toBe('54.50');
    expect(f.totalAmount?.confidence).toBeLessThan(REVIEW_BELOW);
    expect(f.vendorName?.value).toBe('SYL ROASTED DELIGHTS SDN. BHD.');
  });

  it('reads a small receipt on a full-page scan: total after adjustment, confirmed by cash and change', () => {
    const f = extractReceiptFields(fixture('sroie-031'), { language: 'en' });
    expect(f.totalAmount?.value).toBe('75.00');
    expect(f.invoiceDate?.value).toBe('2018-03-06');
    expect(f.vendorName?.value).toBe('AEON CO. (M) BHD');
  });

  it('gives every field a page and a box inside the page', () => {
    const layout = fixture('sroie-031');
    const page = layout.pages[0];
    for (const field of Object.values(extractReceiptFields(layout))) {
      if (!field) continue;
      expect(field.page).toBe(1);
      expect(field.bbox[2]).toBeLessThanOrEqual(page?.width ?? 0);
      expect(field.confidence).toBeGreaterThan(0);
      expect(field.confidence).toBeLessThanOrEqual(1);
    }
  });
});

describe('extractReceiptFields on small layouts', () => {
  it('takes the cash from a "Cash … Change …" line, so a misread total loses to cash minus change', () => {
    const lines = [
      'KEDAI RUNCIT BAHAGIA SDN BHD',
      'Date 10/03/2018 18:24',
      'Nasi Lemak 2 x 4.10 8.20',
      'Teh Tarik 1 x 2.00 2.00',
      'Nett Total: 160.20',
      'Cash 20.00 Change 9.80',
    ];
    const f = extractReceiptFields(layoutOf(lines));
    expect(f.totalAmount?.value).toBe('10.20');
    // Worked out, not read: low enough to send the receipt to review.
    expect(f.totalAmount?.confidence).toBeLessThan(REVIEW_BELOW);
    // Read as printed, the labelled total stands.
    const printed = extractReceiptFields(layoutOf(lines.with(4, 'Nett Total: 10.20')));
    expect(printed.totalAmount?.value).toBe('10.20');
    expect(printed.totalAmount?.confidence).toBeGreaterThan(0.8);
    // The other way round the first amount is the change, not the cash.
    const swapped = [
      'KEDAI RUNCIT',
      'Nasi Lemak 8.20',
      'Teh Tarik 2.00',
      'Total: 10.20',
      'Change 9.80 Cash 20.00',
    ];
    const other = extractReceiptFields(layoutOf(swapped));
    expect(other.totalAmount?.value).toBe('10.20');
    expect(other.totalAmount?.confidence).toBeGreaterThan(0.8);
  });

  it('joins a legal form wrapped onto its own line, and skips the title and the address', () => {
    const f = extractReceiptFields(
      layoutOf([
        'TAX INVOICE',
        'UNIHAKKA INTERNATIONAL',
        'SDN BHD',
        'NO 12, JALAN MERANTI 3,',
        '81100 JOHOR BAHRU',
        'Date: 05/03/2018 12:01',
        'NASI LEMAK 8.20',
        'TOTAL RM 8.20',
        'CASH RM 10.00',
        'CHANGE RM 1.80',
      ]),
    );
    expect(f.vendorName?.value).toBe('UNIHAKKA INTERNATIONAL SDN BHD');
    expect(f.vendorAddress?.value).toBe('NO 12, JALAN MERANTI 3, 81100 JOHOR BAHRU');
    expect(f.totalAmount?.value).toBe('8.20');
    expect(f.totalAmount?.confidence).toBeGreaterThan(0.8);
  });

  it('joins a name cut mid-way: "… SDN" / "BHD", a line ending in "&", and a form read above its name', () => {
    const tail = ['NO 28, JALAN ASTANA 1C,', 'Date: 05/03/2018', 'TOTAL RM 8.20'];
    const cut = extractReceiptFields(layoutOf(['LIGHTROOM GALLERY SDN', 'BHD', ...tail]));
    expect(cut.vendorName?.value).toBe('LIGHTROOM GALLERY SDN BHD');
    const amp = extractReceiptFields(layoutOf(['HOME MASTER HARDWARE &', 'ELECTRICAL', ...tail]));
    expect(amp.vendorName?.value).toBe('HOME MASTER HARDWARE & ELECTRICAL');
    const above = extractReceiptFields(layoutOf(['BHD', 'LIGHTROOM GALLERY SDV', ...tail]));
    expect(above.vendorName?.value).toBe('LIGHTROOM GALLERY SDN BHD');
    const slip = extractReceiptFields(layoutOf(['KEDAI MAJU SDN 8HD', ...tail]));
    expect(slip.vendorName?.value).toBe('KEDAI MAJU SDN BHD');
  });

  it('reads comma decimals, R$ and the Brazilian date order', () => {
    const f = extractReceiptFields(
      layoutOf([
        'PADARIA BOM PAO LTDA',
        'Rua das Flores, 100',
        'Data 03/04/2025 10:22',
        'Subtotal R$ 40,00',
        'TOTAL R$ 42,50',
      ]),
      { language: 'pt' },
    );
    expect(f.totalAmount?.value).toBe('42.50');
    expect(f.currency?.value).toBe('BRL');
    expect(f.invoiceDate?.value).toBe('2025-04-03');
    expect(f.vendorName?.value).toBe('PADARIA BOM PAO LTDA');
  });

  const totalOf = (lines: string[]) =>
    extractReceiptFields(layoutOf(['KEDAI MAJU SDN BHD', 'Date: 05/03/2018 12:01', ...lines])).totalAmount
      ?.value;

  it('adds service charge and GST to the subtotal; a service charge is not change given', () => {
    // The total line lost its amount; 295.00 + 29.50 + 19.47 - 0.02.
    expect(
      totalOf([
        'SUB TOTAL 295.00',
        'SERVICE CHARGE 10% 29.50',
        'GST 6% 19.47',
        'ROUNDING ADJ -0.02',
        'TOTAL',
      ]),
    ).toBe('343.95');
  });

  it('does not take an amount under half the subtotal as the total (its first digits were lost)', () => {
    expect(
      totalOf(['SUB-TOTAL (EX) : 26.00', 'TOTAL TAX : 1.56', 'ROUNDING : -0.01', 'TOTAL 7.55', 'CHANGE :']),
    ).toBe('27.55');
    // The minus of the adjustment dropped: 144.68 + 8.68 - 0.01 is the rounded one.
    expect(totalOf(['SUB-TOTAL 144.68', 'TOTAL TAX 8.68', 'ROUNDING 0.01', 'TOTA 3.35'])).toBe('153.35');
  });

  it('prefers the rounded total over an unrounded one when an adjustment is printed', () => {
    expect(
      totalOf(['Total (Inclusive of GST): 23.26', 'Rounding Adj: -0.01', 'TOTAL: 23.25', 'CASH 50.00']),
    ).toBe('23.25');
    // "Total After Rounding" with its first word garbled is the total, not the adjustment.
    expect(totalOf(['Total 85.12', 'Rounding Adjustment -0.02', 'iolel After Rounding 85.10'])).toBe('85.10');
  });

  it('reads an "RM" that lost its R, and takes no time of sale after a date for an amount', () => {
    // "21 51" at the end of a line that prints a date is the time (its colon lost), not 21.51 paid.
    expect(totalOf(['Paid Time 30/04/2017 (Sun) 21 51', 'Total M1 00', 'Paid M1.00', 'Change M0 00'])).toBe(
      '1.00',
    );
  });

  it('reads the tendered amount above the change when its label is garbled', () => {
    expect(
      totalOf(['TOTAL AMT RM 80.31', 'ROUNDING ADJ -0.0t', 'RM 60.30', 'CARN: RM 70.30', 'CHANGE RM 10.00']),
    ).toBe('60.30');
  });

  it('takes the amount a tax line brings a "total" to as the total including tax', () => {
    expect(
      totalOf(['Gross Amount : 40.00', 'Total GST Amt : 2.40', 'Sub Total : 42.40', 'Total (RM) :']),
    ).toBe('42.40');
  });

  const dateOf = (lines: string[]) =>
    extractReceiptFields(layoutOf(['KEDAI MAJU SDN BHD', ...lines, 'TOTAL RM 8.20'])).invoiceDate?.value;

  it('reads a month whose 0 OCR took for a 6, and skips the time printed after the date', () => {
    expect(dateOf(['Table 3', '30/63/2018 11:11 PM'])).toBe('2018-03-30');
    // "12.17.26" after the date is the time of sale (it would read as 2026-12-17).
    expect(dateOf(['Date 06/01/18 12.17.26 PM'])).toBe('2018-01-06');
  });

  it('undoes a slip in the printed year with the date inside the document number', () => {
    expect(dateOf(['Invoice No: 2018030610100030493', '06/03/2016 20:01'])).toBe('2018-03-06');
    // A document number with another day says nothing about the year.
    expect(dateOf(['Invoice No: 2018040610100030493', '06/03/2016 20:01'])).toBe('2016-03-06');
  });

  it('sets a time of sale glued to the date apart, and reads eight digits beside the time as the date', () => {
    expect(dateOf(['Date & time 16/02/201812:04:58'])).toBe('2018-02-16');
    expect(dateOf(['Date: 2018-03-1813:18:48'])).toBe('2018-03-18');
    expect(dateOf(['00440010036 25032018 13:11:54 0003'])).toBe('2018-03-25');
    // Eight digits with neither a date label nor a time beside them are some other number.
    expect(dateOf(['Member 25032018'])).toBeUndefined();
  });

  it('asks the second reader for a date line OCR garbled, and takes the date it reads there', () => {
    const layout = layoutOf([
      'KEDAI MAJU SDN BHD',
      'Doc No CSN0241999 Cate’ 03/0.42018',
      'Cashier WOON Time 08:37:00',
      'TOTAL RM 8.20',
    ]);
    expect(extractReceiptFields(layout).invoiceDate).toBeUndefined();
    const asked = receiptRereads(layout);
    expect(asked).toContain(1);
    expect(asked).toContain(2);
    const second = new Map([[1, { text: 'Doc No CS0241999 Date: 03/02/2018', confidence: 0.95 }]]);
    expect(extractReceiptFields(layout, { second }).invoiceDate?.value).toBe('2018-02-03');
    // A date the first reading is sure of is read again all the same: a slipped digit looks as sure.
    expect(
      receiptRereads(layoutOf(['KEDAI MAJU SDN BHD', 'Date: 16/03/2018 17:34', 'TOTAL RM 8.20'])),
    ).toContain(1);
  });

  it('takes the name above a strapline naming the kind of shop, and cuts the registration number off', () => {
    const tail = ['109, SS21/1A,', 'Date: 05/03/2018', 'TOTAL RM 8.20'];
    expect(
      extractReceiptFields(layoutOf(['THREE STOOGES', 'BISTRO & CAFE', ...tail])).vendorName?.value,
    ).toBe('THREE STOOGES');
    expect(
      extractReceiptFields(layoutOf(['AEON CO. (M) BHD. (126926-H) °', ...tail])).vendorName?.value,
    ).toBe('AEON CO. (M) BHD.');
    // The S of "S/B" read as a 5.
    expect(extractReceiptFields(layoutOf(['99 SPEED MART 5/B (519537-X)', ...tail])).vendorName?.value).toBe(
      '99 SPEED MART S/B',
    );
  });

  it('leaves out what is not printed instead of guessing', () => {
    const f = extractReceiptFields(layoutOf(['THANK YOU', 'PLEASE COME AGAIN']));
    expect(f.totalAmount).toBeUndefined();
    expect(f.invoiceDate).toBeUndefined();
    expect(f.currency).toBeUndefined();
    expect(extractReceiptFields({ pages: [] })).toEqual({});
  });
});
