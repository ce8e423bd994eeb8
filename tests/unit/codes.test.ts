// Codes printed on invoices: each payload drawn with a real encoder (qrcode, bwip-js) in its real format, placed
// on a page, found and decoded by the code reader, understood, and checked against the fields read off the page.
import bwipjs from 'bwip-js/node';
import QRCode from 'qrcode';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { createCodeReader } from '../../src/adapters/codes.ts';
import type { Field, Fields, PrintedCode } from '../../src/contract/result.ts';
import { barcodeOfDigitableLine, parseBoleto } from '../../src/pipeline/codes/boleto.ts';
import { checkCodes, confirmByCodes, interpretCode } from '../../src/pipeline/codes/index.ts';
import { nfeKeyCheckDigit, parseNfeKey } from '../../src/pipeline/codes/nfe-key.ts';
import { codeMismatch } from '../../src/rules/codes.ts';
import type { RuleDocument } from '../../src/rules/context.ts';

const reader = createCodeReader();

/** An A4 page at 150 dpi with the code's picture on it, as a scan would bring it. */
async function onPage(picture: Buffer) {
  const png = await sharp({ create: { width: 1240, height: 1754, channels: 3, background: '#ffffff' } })
    .composite([{ input: picture, left: 180, top: 1300 }])
    .png()
    .toBuffer();
  return { png, width: 1240, height: 1754 };
}
const qr = (text: string) => QRCode.toBuffer(text, { margin: 4, scale: 4, errorCorrectionLevel: 'M' });
const bars = (bcid: string, text: string) => bwipjs.toBuffer({ bcid, text, scale: 2, height: 14 });

/** A key as a DANFE prints it: SP (35), June 2024, issuer CNPJ 11.222.333/0001-81, model 55, series 1, No. 1234. */
const NFE_KEY = (() => {
  const first = `35${'2406'}${'11222333000181'}55${'001'}${'000001234'}1${'12345678'}`;
  return first + nfeKeyCheckDigit(first);
})();

/** A boleto of Banco do Brasil (001) for R$ 1.234,56, factor 1100 (due 2025-06-02 after the 2025 restart). */
const BOLETO = (() => {
  const rest = `0019${'1100'}${'0000123456'}${'0000002812345678900001017'}`;
  let sum = 0;
  let w = 2;
  for (let i = rest.length - 1; i >= 0; i--) {
    sum += Number(rest[i]) * w;
    w = w === 9 ? 2 : w + 1;
  }
  const d = 11 - (sum % 11);
  const dv = d === 0 || d === 10 || d === 11 ? 1 : d;
  return `${rest.slice(0, 4)}${dv}${rest.slice(4)}`;
})();

function digitableLine(barcode: string): string {
  const mod10 = (s: string) => {
    let sum = 0;
    let f = 2;
    for (let i = s.length - 1; i >= 0; i--) {
      const p = Number(s[i]) * f;
      sum += Math.floor(p / 10) + (p % 10);
      f = f === 2 ? 1 : 2;
    }
    return (10 - (sum % 10)) % 10;
  };
  const free = barcode.slice(19);
  const f1 = barcode.slice(0, 4) + free.slice(0, 5);
  const f2 = free.slice(5, 15);
  const f3 = free.slice(15, 25);
  return `${f1.slice(0, 5)}.${f1.slice(5)}${mod10(f1)} ${f2.slice(0, 5)}.${f2.slice(5)}${mod10(f2)} ${f3.slice(0, 5)}.${f3.slice(5)}${mod10(f3)} ${barcode[4]} ${barcode.slice(5, 19)}`;
}

/** EPC069-12's own example (version 002): the Belgian Red Cross, 1 EUR. */
const EPC =
  'BCD\n002\n1\nSCT\nBPOTBEB1\nRed Cross of Belgium\nBE72000000001616\nEUR1\nCHAR\n\nUrgency fund\nSample EPC QR code';

/** The Swiss Implementation Guidelines' example: Robert Schneider AG, QR-IBAN, CHF 1949.75, QR reference. */
const SWISS = [
  'SPC',
  '0200',
  '1',
  'CH4431999123000889012',
  'S',
  'Robert Schneider AG',
  'Rue du Lac',
  '1268',
  '2501',
  'Biel',
  'CH',
  '',
  '',
  '',
  '',
  '',
  '',
  '',
  '1949.75',
  'CHF',
  'S',
  'Pia-Maria Rutschmann-Schnyder',
  'Grosse Marktgasse',
  '28',
  '9400',
  'Rorschach',
  'CH',
  'QRR',
  '210000000003139471430009017',
  'Order from 15.10.2020',
  'EPD',
].join('\n');

/** The Portuguese tax authority's example (Especificações Técnicas Código QR, 2019). */
const PT =
  'A:123456789*B:999999990*C:PT*D:FT*E:N*F:20191231*G:FT AB2019/0035*H:CSDF7T5H-0035*I1:PT*I2:12000.00*I3:15000.00*I4:900.00*I5:50000.00*I6:6500.00*I7:80000.00*I8:18400.00*N:25800.00*O:208000.00*Q:kLp0*R:9999';

const field = (value: string, confidence = 0.7): Field => ({
  value,
  confidence,
  page: 1,
  bbox: [0, 0, 1, 1],
});

async function readOne(picture: Buffer): Promise<PrintedCode> {
  const [found] = await reader.read(await onPage(picture));
  expect(found).toBeDefined();
  return {
    page: 1,
    format: found!.format,
    text: found!.text,
    bbox: found!.bbox,
    ...interpretCode(found!.text),
  };
}

describe('codes printed on invoices', () => {
  it('reads the NF-e access key barcode of a DANFE: issuer CNPJ, number and month', async () => {
    const code = await readOne(await bars('code128', NFE_KEY));
    expect(code.kind).toBe('nfe_key');
    expect(code.claims).toEqual({
      vendorTaxId: '11222333000181',
      invoiceNumber: '1234',
      invoiceDate: '2024-06',
    });
    expect(parseNfeKey(`${NFE_KEY.slice(0, 43)}${(Number(NFE_KEY[43]) + 1) % 10}`)).toBeUndefined();
  });

  it('reads a boleto barcode and its digitable line to the same amount and due date', async () => {
    const code = await readOne(await bars('interleaved2of5', BOLETO));
    expect(code.kind).toBe('boleto');
    expect(code.claims).toEqual({ amountDue: '1234.56', dueDate: '2025-06-02' });
    const line = digitableLine(BOLETO);
    expect(barcodeOfDigitableLine(line)).toBe(BOLETO);
    expect(parseBoleto(line, new Date('2025-05-20'))).toMatchObject({
      amount: '1234.56',
      dueDate: '2025-06-02',
    });
    // The same factor before the restart meant 2000-10-11 (factor 1000 was 2000-07-03): the invoice's date decides.
    expect(parseBoleto(BOLETO, new Date('2000-10-01'))?.dueDate).toBe('2000-10-11');
  });

  it('reads an EPC (SEPA) payment QR code: IBAN and amount', async () => {
    const code = await readOne(await qr(EPC));
    expect(code.kind).toBe('epc_qr');
    expect(code.claims).toEqual({ bankAccount: 'BE72000000001616', currency: 'EUR', amountDue: '1.00' });
  });

  it('reads a Swiss QR-bill: QR-IBAN, amount and currency', async () => {
    const code = await readOne(await qr(SWISS));
    expect(code.kind).toBe('swiss_qr');
    expect(code.claims).toEqual({
      bankAccount: 'CH4431999123000889012',
      currency: 'CHF',
      amountDue: '1949.75',
    });
  });

  it('reads a Portuguese fiscal QR code: issuer NIF, date, document and total', async () => {
    const code = await readOne(await qr(PT));
    expect(code.kind).toBe('pt_fiscal_qr');
    expect(code.claims).toEqual({
      vendorTaxId: '123456789',
      invoiceDate: '2019-12-31',
      invoiceNumber: 'FT AB2019/0035',
      totalAmount: '208000.00',
      taxAmount: '25800.00',
    });
  });

  it('knows a separator sheet by its configured value, and nothing else as one', () => {
    expect(interpretCode('RETAGUARDA-SPLIT').kind).toBe('separator');
    expect(interpretCode('PATCH T', { separatorValue: 'PATCH T' }).kind).toBe('separator');
    expect(interpretCode('RETAGUARDA-SPLIT', { separatorValue: 'PATCH T' }).kind).toBe('other');
  });

  it('finds nothing on a blank page and on bytes that are no image', async () => {
    expect(
      await reader.read(
        await onPage(
          await sharp({ create: { width: 10, height: 10, channels: 3, background: '#fff' } })
            .png()
            .toBuffer(),
        ),
      ),
    ).toEqual([]);
    expect(await reader.read({ png: Buffer.from('not a picture'), width: 100, height: 100 })).toEqual([]);
  });
});

describe('checking fields against codes', () => {
  const pt: PrintedCode = { page: 1, format: 'QRCode', text: PT, bbox: [0, 0, 1, 1], ...interpretCode(PT) };
  const readAs = (fields: Fields): RuleDocument => ({
    id: 'doc_1',
    file: 'a.pdf',
    sha256: '0'.repeat(64),
    documentType: 'invoice',
    fields,
    lineItems: [],
    codes: [pt],
  });

  it('raises the confidence of the fields a code agrees with', () => {
    const fields = confirmByCodes(
      {
        vendorTaxId: field('PT 123 456 789'),
        totalAmount: field('208000.00'),
        invoiceDate: field('2019-12-31'),
      },
      [pt],
    );
    expect(fields.vendorTaxId?.confidence).toBe(0.99);
    expect(fields.totalAmount?.confidence).toBe(0.99);
    expect(codeMismatch(readAs(fields), {} as never, {} as never)).toEqual([]);
  });

  it('flags code_mismatch where the page and its code disagree, and leaves that field unconfirmed', () => {
    const fields: Fields = { totalAmount: field('20800.00'), invoiceNumber: field('AB2019/0035') };
    const findings = codeMismatch(readAs(fields), {} as never, {} as never);
    expect(findings).toEqual([
      {
        field: 'totalAmount',
        message: 'The fiscal QR code on page 1 says the total amount is 208000.00; the page reads 20800.00.',
      },
    ]);
    expect(confirmByCodes(fields, [pt]).totalAmount?.confidence).toBe(0.7);
    expect(checkCodes(fields, [pt]).find((c) => c.field === 'invoiceNumber')?.agrees).toBe(true);
  });

  it('compares a payment code’s amount with the amount due, else the total', () => {
    const epc: PrintedCode = {
      page: 2,
      format: 'QRCode',
      text: EPC,
      bbox: [0, 0, 1, 1],
      ...interpretCode(EPC),
    };
    expect(checkCodes({ totalAmount: field('1.00') }, [epc]).every((c) => c.agrees)).toBe(true);
    expect(checkCodes({ totalAmount: field('1.00'), amountDue: field('0.50') }, [epc])[0]).toMatchObject({
      field: 'amountDue',
      agrees: false,
    });
  });
});
