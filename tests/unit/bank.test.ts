import { describe, expect, it } from 'vitest';
import { extractBankAccount, isValidRoutingNumber, readIban } from '../../src/pipeline/extract/bank.ts';
import { groupIntoLines, type Layout, type Word } from '../../src/pipeline/layout.ts';

/** [x, y, text, confidence?]: a run of words on one baseline, 5pt per character, one space between words. */
type Run = [number, number, string, number?];

function layout(runs: Run[], source: Word['source'] = 'text-layer'): Layout {
  const words: Word[] = [];
  for (const [x, y, text, confidence = 0.98] of runs) {
    let cx = x;
    for (const t of text.split(' ').filter(Boolean)) {
      words.push({ text: t, bbox: [cx, y, cx + t.length * 5, y + 10], confidence, source });
      cx += t.length * 5 + 3;
    }
  }
  return {
    pages: [{ number: 1, width: 600, height: 800, source, rotation: 0, lines: groupIntoLines(words) }],
  };
}

const invoice = (...footer: string[]): Layout =>
  layout([
    [40, 40, 'INVOICE'],
    [40, 60, 'Invoice No. INV-2291'],
    [40, 80, 'Total Due $1,250.00'],
    ...footer.map((text, i): Run => [40, 700 + 14 * i, text]),
  ]);

describe('IBAN', () => {
  it.each([
    ['Berliner Volksbank, IBAN DE89 3704 0044 0532 0130 00, BIC GENODEF1P01', 'DE89 3704 0044 0532 0130 00'],
    ['IBAN: ES91 2100 0418 4502 0005 1332', 'ES91 2100 0418 4502 0005 1332'],
    ['Cuenta: ES9121000418450200051332', 'ES91 2100 0418 4502 0005 1332'],
    ['Dados bancários: BR15 0000 0000 0000 1093 2840 814P 2', 'BR15 0000 0000 0000 1093 2840 814P 2'],
    ['Bank account GB29 NWBK 6016 1331 9268 19 (Sort code 60-16-13)', 'GB29 NWBK 6016 1331 9268 19'],
  ])('reads %s', (line, value) => {
    const field = extractBankAccount(invoice(line));
    expect(field?.value).toBe(value);
    expect(field?.page).toBe(1);
    expect(field?.confidence).toBeGreaterThan(0.9);
    // The box covers the IBAN's words, on the footer line, not the label or what follows.
    expect(field?.bbox[1]).toBe(700);
    expect(field!.bbox[2] - field!.bbox[0]).toBeLessThan(5 * 40);
  });

  it('rejects a wrong check digit and a number too short for its country', () => {
    expect(extractBankAccount(invoice('IBAN DE88 3704 0044 0532 0130 00'))).toBeUndefined();
    expect(extractBankAccount(invoice('IBAN DE89 3704 0044 0532 0130'))).toBeUndefined();
  });

  it('undoes an OCR letter-for-digit slip only when mod-97 then holds, with lower confidence', () => {
    const field = extractBankAccount(invoice('IBAN: ES91 21O0 0418 4502 0005 1332'));
    expect(field?.value).toBe('ES91 2100 0418 4502 0005 1332');
    expect(field?.confidence).toBeLessThan(0.9);
    expect(readIban('ES91 21O0 0418 4502 0005 1333', 0)).toBeUndefined();
  });

  it('does not take a group running on past the IBAN length as part of it', () => {
    expect(readIban('DE89 3704 0044 0532 0130 0012', 0)).toBeUndefined();
  });

  it("ignores the customer's account a direct debit will be taken from", () => {
    expect(
      extractBankAccount(invoice('Se cargará en su cuenta ES91 2100 0418 4502 0005 1332 por domiciliación')),
    ).toBeUndefined();
  });

  it('finds nothing on a document without payment details; an invoice number is not an IBAN', () => {
    expect(extractBankAccount(invoice('Thank you for your business!', 'Ref. FT 2025/388'))).toBeUndefined();
  });
});

describe('Brazilian bank account', () => {
  it.each([
    ['Banco 341 Ag. 1234 C/C 56789-0', 'Banco 341 Ag. 1234 C/C 56789-0'],
    [
      'Dados bancários: Banco 237, Agência 0912-3, Conta Corrente 45128-7',
      'Banco 237 Ag. 0912-3 C/C 45128-7',
    ],
    ['Banco do Brasil, Agência 3041-2, Conta Corrente 98765-4', 'Banco 001 Ag. 3041-2 C/C 98765-4'],
    ['Banrisul, Agência 0100, Conta Corrente 06.123456.0-1', 'Banco 041 Ag. 0100 C/C 061234560-1'],
    ['Ag. 4410 C/C 102938-X', 'Ag. 4410 C/C 102938-X'],
  ])('reads %s', (line, value) => {
    const field = extractBankAccount(invoice(line));
    expect(field?.value).toBe(value);
    expect(field?.bbox[1]).toBe(700);
  });

  it('needs both agency and account', () => {
    expect(extractBankAccount(invoice('Conta Corrente 98765-4'))).toBeUndefined();
  });
});

describe('US routing and account', () => {
  it.each([
    ['ACH: Fifth Third Bank, routing 042000314, account 7391028845', 'Routing 042000314 Account 7391028845'],
    ['Wire: Frost Bank, ABA 114000093, account 502118736', 'Routing 114000093 Account 502118736'],
    ['Routing No.: 075900575 Account No.: 2208146692', 'Routing 075900575 Account 2208146692'],
  ])('reads %s', (line, value) => {
    expect(extractBankAccount(invoice(line))?.value).toBe(value);
  });

  it('checks the routing number checksum', () => {
    expect(isValidRoutingNumber('042000314')).toBe(true);
    expect(isValidRoutingNumber('042000315')).toBe(false);
    expect(extractBankAccount(invoice('routing 042000315, account 7391028845'))).toBeUndefined();
  });
});

describe('confidence', () => {
  it('follows the OCR confidence of the words read', () => {
    const scanned = layout([[40, 700, 'IBAN: ES91 2100 0418 4502 0005 1332', 0.7]], 'ocr');
    const field = extractBankAccount(scanned);
    expect(field?.value).toBe('ES91 2100 0418 4502 0005 1332');
    expect(field?.confidence).toBeCloseTo(0.7, 2);
  });
});
