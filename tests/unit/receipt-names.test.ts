// The shop's name and the date of sale on receipts whose OCR carries logo specks, stray bars, owner lines and a
// misread day: each rule on a small layout built from the pattern, with OCR confidence and print height per word.
import { describe, expect, it } from 'vitest';
import { extractReceiptFields } from '../../src/pipeline/extract/receipt.ts';
import { layoutOf, rowsOf, type Token } from '../support/receipt-layout.ts';

const tail = rowsOf([
  'NO 7, JALAN MAWAR 2,',
  '43000 KAJANG, SELANGOR',
  'Date: 14/02/2018 10:11',
  'TOTAL 12.50',
]);
const name = (rows: Token[][]) => extractReceiptFields(layoutOf(rows), { language: 'en' }).vendorName?.value;

describe('the shop name on a receipt', () => {
  it('drops a low-confidence speck far smaller than the print, even between two words of the name', () => {
    expect(name([['KL', { text: 'XQ', conf: 0.2, h: 4 }, 'MAJU', 'TRADING'], ...tail])).toBe(
      'KL MAJU TRADING',
    );
  });

  it('keeps unsure initials as tall as the name beside them, and drops unsure letters of another size', () => {
    expect(name([[{ text: 'AB', conf: 0.4 }, 'TAN', 'HARDWARE', 'SDN', 'BHD'], ...tail])).toBe(
      'AB TAN HARDWARE SDN BHD',
    );
    expect(name([[{ text: 'TY', conf: 0.4, h: 34 }, 'TAN', 'HARDWARE', 'SDN', 'BHD'], ...tail])).toBe(
      'TAN HARDWARE SDN BHD',
    );
  });

  it('drops a bar and an unsure lower-case scrap before the name, but keeps an ampersand that ends it', () => {
    expect(name([['|', { text: 'ab', conf: 0.3 }, 'SINAR', 'REST', 'AREA'], ...tail])).toBe(
      'SINAR REST AREA',
    );
    expect(name([['|', 'SINAR', 'REST', 'AREA', '|'], ...tail])).toBe('SINAR REST AREA');
    expect(name([['SINAR', 'BAKERY', '&'], ['CONFECTIONERY'], ...tail])).toBe('SINAR BAKERY & CONFECTIONERY');
  });

  it('passes over a notice printed above the name, and joins a name broken at an ampersand or before its form', () => {
    expect(
      name([['GOODS', 'SOLD', 'ARE', 'NOT', 'RETURNABLE'], ['SINAR', 'CASH', '&', 'CARRY'], ...tail]),
    ).toBe('SINAR CASH & CARRY');
    expect(name([['KL', 'MAJU', 'HARDWARE'], ['TRADING'], ...tail])).toBe('KL MAJU HARDWARE TRADING');
    expect(name([['THE', 'GOLDEN', 'BEAN'], ['&', 'TEA', 'HOUSE', '(M)', 'SDN', 'BHD'], ...tail])).toMatch(
      /^THE GOLDEN BEAN &? ?TEA HOUSE \(M\) SDN BHD$/,
    );
  });

  it('keeps a short number that is part of the name, and cuts a registration number', () => {
    expect(name([['SEVEN', 'STAR', 'ENTERPRISE', '777'], ...tail])).toBe('SEVEN STAR ENTERPRISE 777');
    expect(name([['SEVEN', 'STAR', 'ENTERPRISE', '(123456-X)'], ...tail])).toBe('SEVEN STAR ENTERPRISE');
    expect(name([['SEVEN', 'STAR', 'ENTERPRISE', '0012345678'], ...tail])).toBe('SEVEN STAR ENTERPRISE');
  });

  it('joins a title-case name to its legal form alone on the next line', () => {
    expect(name([...rowsOf(["Kopi Tiam's Corner Malaysia", 'Sdn Bhd']), ...tail])).toBe(
      "Kopi Tiam's Corner Malaysia Sdn Bhd",
    );
  });

  it('takes the company that owns a trade name when the receipt prints it with its legal form', () => {
    expect(name([...rowsOf(['Kopi Corner', 'Dimiliki: kopi corner sdn bhd 1234567-A']), ...tail])).toBe(
      'kopi corner sdn bhd',
    );
    expect(name([...rowsOf(['SUNRISE DINER', 'Owned by: Sunrise Foods Sdn Bhd (765432-K)']), ...tail])).toBe(
      'Sunrise Foods Sdn Bhd',
    );
    // An owner line without a legal form is no company name; a trade name with its own legal form stands.
    expect(name([...rowsOf(['SUNRISE DINER', 'Owned by: the Lim family']), ...tail])).toBe('SUNRISE DINER');
    expect(name([...rowsOf(['SUNRISE DINER SDN BHD', 'Owned by: Sunrise Foods Sdn Bhd']), ...tail])).toBe(
      'SUNRISE DINER SDN BHD',
    );
  });
});

describe('OCR slips the shop name shows by itself', () => {
  it('repairs a common company word one letter off, and leaves plurals and short words alone', () => {
    expect(name([['UNIHAKKA', 'INTERNATIGNAL', 'SDN', 'BHD'], ...tail])).toBe(
      'UNIHAKKA INTERNATIONAL SDN BHD',
    );
    expect(name([...rowsOf(['Sinar Restaurent Sdn Bhd']), ...tail])).toBe('Sinar Restaurant Sdn Bhd');
    expect(name([['SINAR', 'RESTAURANTS', 'SDN', 'BHD'], ...tail])).toBe('SINAR RESTAURANTS SDN BHD');
    expect(name([['SINAR', 'HART', 'SDN', 'BHD'], ...tail])).toBe('SINAR HART SDN BHD');
  });

  it('reads a 0 between letters as an O, a 1 between dotted capitals as an I, and mends the legal form', () => {
    expect(name([['KMF', 'F00DICIOUS', 'SDN', 'BHD'], ...tail])).toBe('KMF FOODICIOUS SDN BHD');
    expect(name([['MR.', 'D.1.Y.', '(M)', 'SDN', 'BHD'], ...tail])).toBe('MR. D.I.Y. (M) SDN BHD');
    expect(name([['Segi', 'Cash', '&', 'Carry', 'Sdn.Rhd'], ...tail])).toBe('Segi Cash & Carry Sdn.Bhd');
    expect(name([['SUPER', 'SEVEN', 'CASH', '&', 'CARRY', 'SDN', '3HD'], ...tail])).toBe(
      'SUPER SEVEN CASH & CARRY SDN BHD',
    );
    // A digit that ends a word is part of the name.
    expect(name([['OLIVE9', 'PHARMACY', 'SDN', 'BHD'], ...tail])).toBe('OLIVE9 PHARMACY SDN BHD');
  });

  it("completes a first word clipped on the left from the shop's own web domain", () => {
    const rows = [
      ['OPAC', 'MARKETING', 'SDN', 'BHD'],
      ...rowsOf(['JALAN MANIS 4 TAMAN SEGAR', 'vivopac.com']),
    ];
    expect(name([...rows, ...tail])).toBe('VIVOPAC MARKETING SDN BHD');
    // A domain that merely contains the word, or differs by more than a clipped letter or four, changes nothing.
    const far = [['PAC', 'MARKETING', 'SDN', 'BHD'], ...rowsOf(['JALAN MANIS 4', 'www.bigcompac.com.my'])];
    expect(name([...far, ...tail])).toBe('PAC MARKETING SDN BHD');
    const inside = [['OPAC', 'MARKETING', 'SDN', 'BHD'], ...rowsOf(['JALAN MANIS 4', 'sales@opacity.com'])];
    expect(name([...inside, ...tail])).toBe('OPAC MARKETING SDN BHD');
  });
});

describe('the date of sale on a receipt', () => {
  const receipt = (dateLine: string, more: string[] = []) =>
    extractReceiptFields(
      layoutOf(rowsOf(['KEDAI MAJU', 'NO 7, JALAN MAWAR 2,', dateLine, ...more, 'TOTAL 12.50'])),
      { language: 'en' },
    ).invoiceDate;

  it('reads a day whose first digit cannot be one as a 0 misread, beside the time of sale, as a guess', () => {
    const d = receipt('49/03/2018 21:28 0001');
    expect(d?.value).toBe('2018-03-09');
    expect(d?.confidence).toBeLessThan(0.6);
    expect(receipt('Date: 76/11/2017')?.value).toBe('2017-11-06');
  });

  it('guesses nothing when a date reads as printed, nor from a number with neither label nor time', () => {
    expect(receipt('49/03/2018 21:28', ['Date: 10/03/2018'])?.value).toBe('2018-03-10');
    expect(receipt('Ref 49/03/2018')).toBeUndefined();
    expect(receipt('12/03/2018 21:28')?.confidence).toBeGreaterThan(0.7);
  });
});
