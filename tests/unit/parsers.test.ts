import { describe, expect, it } from 'vitest';
import { detectCurrency, findAmounts, parseAmount } from '../../src/pipeline/extract/amounts.ts';
import { findDates, inferDateOrder, parseDate } from '../../src/pipeline/extract/dates.ts';
import { findLabels } from '../../src/pipeline/extract/labels.ts';
import { findTaxIds, validateTaxId } from '../../src/pipeline/extract/tax-ids.ts';

describe('parseAmount', () => {
  it.each([
    ['1.234,56', undefined, '1234.56', undefined],
    ['1,234.56', undefined, '1234.56', undefined],
    ['1234.56', undefined, '1234.56', undefined],
    ['1234,5', undefined, '1234.5', undefined],
    ['1 234,56', undefined, '1234.56', undefined],
    ['1\u00a0234,56', undefined, '1234.56', undefined],
    ['1.234.567,89', undefined, '1234567.89', undefined],
    ['1,234,567', undefined, '1234567', undefined],
    ['R$ 1.234,56', undefined, '1234.56', 'BRL'],
    ['R$1.234,56', undefined, '1234.56', 'BRL'],
    ['€1.234,56', undefined, '1234.56', 'EUR'],
    ['1.234,56 €', undefined, '1234.56', 'EUR'],
    ['$1,234.56', undefined, '1234.56', 'USD'],
    ['US$ 1,234.56', undefined, '1234.56', 'USD'],
    ['USD 1,234.56', undefined, '1234.56', 'USD'],
    ['1.234,56 BRL', undefined, '1234.56', 'BRL'],
    ['EUR 99,90', undefined, '99.90', 'EUR'],
    ['RM 12.50', undefined, '12.50', 'MYR'],
    ['RM12.50', undefined, '12.50', 'MYR'],
    ['£10.00', undefined, '10.00', 'GBP'],
    ['-1.234,56', undefined, '-1234.56', undefined],
    ['(1,234.56)', undefined, '-1234.56', undefined],
    ['- R$ 10,00', undefined, '-10.00', 'BRL'],
    ['R$ -10,00', undefined, '-10.00', 'BRL'],
    ['10,00-', undefined, '-10.00', undefined],
    ['0,00', undefined, '0.00', undefined],
    // ambiguous three-digit tails are decided by the hint
    ['1.234', { decimalSeparator: ',' as const }, '1234', undefined],
    ['1.234', { decimalSeparator: '.' as const }, '1.234', undefined],
    ['1,234', { decimalSeparator: ',' as const }, '1.234', undefined],
    ['1,234', { decimalSeparator: '.' as const }, '1234', undefined],
    ['0.125', undefined, '0.125', undefined],
    // OCR slips
    ['1.2l4,56', undefined, '1214.56', undefined],
    ['1O0,00', undefined, '100.00', undefined],
    ['l00.5O', undefined, '100.50', undefined],
    ['1.234, 56', undefined, '1234.56', undefined],
    ['Total: 12,00', undefined, null, undefined],
  ])('%s → %s', (text, hint, value, currency) => {
    const got = parseAmount(text, hint);
    if (value === null) {
      expect(got).toBeNull();
      return;
    }
    expect(got?.value).toBe(value);
    expect(got?.currency).toBe(currency);
  });

  it.each(['', 'abc', '15/03/2025', '12%', '1.23.4', '11.222.333/0001-81'])('rejects %j', (text) => {
    expect(parseAmount(text)).toBeNull();
  });
});

describe('findAmounts', () => {
  it('finds every amount in a line with spans, skipping dates, percentages and tax IDs', () => {
    const line = 'Widget A  2  R$ 25,50  R$ 51,00  10%  em 15/03/2025 CNPJ 11.222.333/0001-81';
    const found = findAmounts(line);
    expect(found.map((f) => f.value)).toEqual(['2', '25.50', '51.00']);
    const f = found[2];
    expect(line.slice(f?.start, f?.end)).toBe('R$ 51,00');
    expect(found.map((x) => x.hasDecimals)).toEqual([false, true, true]);
  });

  it('gives a symbol glued to the next number to that number, in a row of totals', () => {
    const row = '€2.481,90 €521,20 €3.003,10';
    expect(findAmounts(row, { decimalSeparator: ',' }).map((f) => f.value)).toEqual([
      '2481.90',
      '521.20',
      '3003.10',
    ]);
    expect(findAmounts('12,50 € 13,00 €').map((f) => [f.value, f.currency])).toEqual([
      ['12.50', 'EUR'],
      ['13.00', 'EUR'],
    ]);
  });

  it('does not read times or invoice numbers with letters as amounts', () => {
    expect(findAmounts('10:22 INV-2025 A12').map((f) => f.value)).toEqual([]);
  });
});

describe('detectCurrency', () => {
  it.each([
    ['Total R$ 10,00 e R$ 5,00', 'BRL'],
    ['Importe total 120,00 €', 'EUR'],
    ['Amount Due $1,200.00', 'USD'],
    ['TOTAL RM 12.50', 'MYR'],
    ['Valores em reais', 'BRL'],
    ['Subtotal 100.00 GBP', 'GBP'],
    ['Farmacia RMX no money here', undefined],
  ])('%s → %s', (text, code) => {
    expect(detectCurrency(text)).toBe(code);
  });
});

describe('parseDate', () => {
  it.each([
    ['15/03/2025', undefined, '2025-03-15'],
    ['03/15/2025', undefined, '2025-03-15'],
    ['03/04/2025', { order: 'DMY' as const }, '2025-04-03'],
    ['03/04/2025', { order: 'MDY' as const }, '2025-03-04'],
    ['03/04/2025', undefined, '2025-04-03'],
    ['15-03-2025', undefined, '2025-03-15'],
    ['15.03.2025', undefined, '2025-03-15'],
    ['2025-03-15', undefined, '2025-03-15'],
    ['2025-03-15T10:22:00-03:00', undefined, '2025-03-15'],
    ['15/03/25', undefined, '2025-03-15'],
    ['15 de março de 2025', undefined, '2025-03-15'],
    ['15 de marco de 2025', undefined, '2025-03-15'],
    ['15 de marzo de 2025', undefined, '2025-03-15'],
    ['1 de fevereiro de 2024', undefined, '2024-02-01'],
    ['15 Mar 2025', undefined, '2025-03-15'],
    ['15 Sept 2025', undefined, '2025-09-15'],
    ['March 15, 2025', undefined, '2025-03-15'],
    ['Dec. 1st, 2024', undefined, '2024-12-01'],
    ['15-Mar-2025', undefined, '2025-03-15'],
    ['15-dic-2025', undefined, '2025-12-15'],
    ['5 ago. 2025', undefined, '2025-08-05'],
    ['20 Outubro 2025', undefined, '2025-10-20'],
    ['11. Juli 2014', undefined, '2014-07-11'],
    ['3. März 2024', undefined, '2024-03-03'],
    ['1er août 2024', undefined, '2024-08-01'],
    ['12 décembre 2024', undefined, '2024-12-12'],
    ['5 maart 2025', undefined, '2025-03-05'],
    ['29/02/2024', undefined, '2024-02-29'],
    ['29/02/2025', undefined, null],
    ['31/04/2025', undefined, null],
    ['32/01/2025', undefined, null],
    ['15 Foo 2025', undefined, null],
    ['1.234,56', undefined, null],
  ])('%s → %s', (text, hint, iso) => {
    expect(parseDate(text, hint)).toBe(iso);
  });

  it('finds dates in a line with spans and tells ambiguous ones', () => {
    const line = 'Emissão: 15/03/2025  Vencimento: 04/05/2025';
    const found = findDates(line);
    expect(found.map((d) => d.value)).toEqual(['2025-03-15', '2025-05-04']);
    expect(line.slice(found[0]?.start, found[0]?.end)).toBe('15/03/2025');
    expect(found.map((d) => d.unambiguous)).toEqual([true, false]);
  });

  it('finds a written-out date after a number that is not a day of a month', () => {
    const found = findDates('Av. Brasil, 980 - Sala 15   Emissão 25 de agosto de 2024');
    expect(found.map((d) => d.value)).toEqual(['2024-08-25']);
  });
});

describe('inferDateOrder', () => {
  it.each([
    ['Invoice date 03/04/2025 Amount $100.00', 'es', 'DMY'],
    ['Fatura 03/04/2025', 'pt', 'DMY'],
    ['Invoice date 03/04/2025 Amount $100.00', 'en', 'MDY'],
    ['Acme Inc, Austin, TX 78701 Invoice date 03/04/2025', 'en', 'MDY'],
    ['Invoice date 03/04/2025 Total £100.00', 'en', 'DMY'],
    ['TOTAL RM 12.50 03/04/2025', 'en', 'DMY'],
    // a date that reads one way only decides, whatever else the page says
    ['Invoice 03/04/2025 due 03/19/2025', 'es', 'MDY'],
    ['Invoice 03/04/2025 due 19/03/2025 $100.00', 'en', 'DMY'],
  ])('%s (%s) → %s', (text, lang, order) => {
    expect(inferDateOrder(text, lang)).toBe(order);
  });
});

describe('tax IDs', () => {
  it.each([
    ['cnpj', '11.222.333/0001-81', true],
    ['cnpj', '11222333000181', true],
    ['cnpj', '11.222.333/0001-82', false],
    ['cnpj', '11.111.111/1111-11', false],
    ['cpf', '123.456.789-09', true],
    ['cpf', '123.456.789-00', false],
    ['nif', '12345678Z', true],
    ['nif', '12345678A', false],
    ['nie', 'X1234567L', true],
    ['nie', 'X1234567A', false],
    ['cif', 'B12345674', true],
    ['cif', 'B12345675', false],
    ['cif', 'Q2826000H', true],
    ['eu_vat', 'DE136695976', true],
    ['eu_vat', 'DE136695977', false],
    ['eu_vat', 'PT501964843', true],
    ['eu_vat', 'PT501964844', false],
    ['eu_vat', 'ESB12345674', true],
    ['eu_vat', 'ESB12345675', false],
    ['eu_vat', 'FR40303265045', true],
    ['eu_vat', 'FR41303265045', false],
    ['eu_vat', 'IT00743110157', true],
    ['eu_vat', 'NL004495445B01', true],
    ['eu_vat', 'BE0403170701', true],
    ['eu_vat', 'DE12345678', false],
    ['ein', '12-3456789', true],
    ['ein', '07-3456789', false],
  ] as const)('%s %s valid=%s', (kind, value, valid) => {
    expect(validateTaxId(kind, value)).toBe(valid);
  });

  it('finds tax IDs with kinds, normalised values and spans', () => {
    const text =
      'CNPJ: 11.222.333/0001-81 CPF 123.456.789-09 NIF: B-12345674 VAT DE 136695976 EIN 12-3456789 NIE X1234567L DNI 12345678Z';
    const found = findTaxIds(text);
    expect(found.map((f) => [f.kind, f.value, f.valid])).toEqual([
      ['cnpj', '11.222.333/0001-81', true],
      ['cpf', '123.456.789-09', true],
      ['cif', 'B12345674', true],
      ['eu_vat', 'DE136695976', true],
      ['ein', '12-3456789', true],
      ['nie', 'X1234567L', true],
      ['nif', '12345678Z', true],
    ]);
    const cnpj = found[0];
    expect(text.slice(cnpj?.span.start, cnpj?.span.end)).toBe('11.222.333/0001-81');
  });

  it('reports a printed CNPJ with wrong check digits as invalid, and ignores bare digit runs that are not tax IDs', () => {
    const found = findTaxIds('CNPJ 11.222.333/0001-82 Tel 11987654321 Chave 3525 0311 2223 3300 0181');
    expect(found.map((f) => [f.kind, f.valid])).toEqual([['cnpj', false]]);
  });

  it('reads a UK VAT number printed in its groups', () => {
    const found = findTaxIds('VAT Reg. No.: GB 992 7324 83 · Tel. +44 923 219 594');
    expect(found.map((f) => [f.kind, f.value, f.valid])).toEqual([['eu_vat', 'GB992732483', true]]);
  });

  it('does not take an EU VAT number out of a Spanish VAT number twice', () => {
    const found = findTaxIds('CIF/VAT: ESB12345674');
    expect(found.map((f) => [f.kind, f.value])).toEqual([['eu_vat', 'ESB12345674']]);
  });
});

describe('findLabels', () => {
  it.each([
    ['Invoice No: 123', 'invoiceNumber', 'Invoice No'],
    ['Invoice #: 123', 'invoiceNumber', 'Invoice #'],
    ['Nº da Fatura 123', 'invoiceNumber', 'Nº da Fatura'],
    ['Factura N.º F-2025-001', 'invoiceNumber', 'Factura N.º'],
    ['NF-e Nº 000.123.456', 'invoiceNumber', 'NF-e Nº'],
    ['DATA DA EMISSÃO', 'invoiceDate', 'DATA DA EMISSÃO'],
    ['Data de Emissao: 15/03/2025', 'invoiceDate', 'Data de Emissao'],
    ['Fecha de emisión: 15/03/2025', 'invoiceDate', 'Fecha de emisión'],
    ['Due Date: 04/15/2025', 'dueDate', 'Due Date'],
    ['VENCIMENTO 15/04/2025', 'dueDate', 'VENCIMENTO'],
    ['Purchase Order: PO-7788', 'purchaseOrder', 'Purchase Order'],
    ['Base imponible 100,00', 'subtotal', 'Base imponible'],
    ['VALOR TOTAL DA NOTA 1.234,56', 'totalAmount', 'VALOR TOTAL DA NOTA'],
    ['Amount Due $1,200.00', 'totalAmount', 'Amount Due'],
    ['Tota1: 12,00', 'totalAmount', 'Tota1'],
    ['Grend T0tal 12,00', 'totalAmount', 'Grend T0tal'],
    ['DESTINATÁRIO/REMETENTE', 'customer', 'DESTINATÁRIO/REMETENTE'],
    ['Bill To:', 'customer', 'Bill To'],
    ['Facturar a:', 'customer', 'Facturar a'],
  ])('%s → %s', (text, key, printed) => {
    const found = findLabels(text);
    const m = found.find((f) => f.key === key);
    expect(m, JSON.stringify(found)).toBeDefined();
    expect(text.slice(m?.start, m?.end)).toBe(printed);
  });

  it.each([
    ['Total items: 3', 'notTotal', ['totalAmount']],
    ['Subtotal 100,00', 'subtotal', ['totalAmount']],
    ['Total tax 10.00', 'taxAmount', ['totalAmount']],
    ['Due Date 15/03/2025', 'dueDate', ['invoiceDate']],
    ['Invoice Date 15/03/2025', 'invoiceDate', ['invoiceNumber']],
  ] as const)('the longer label wins: %s is %s, not the shorter label inside it', (text, key, notKeys) => {
    const keys = findLabels(text).map((f) => f.key);
    expect(keys).toContain(key);
    for (const k of notKeys) expect(keys).not.toContain(k);
  });
});

describe('label word families', () => {
  it('reads a German or Dutch compound label by the words it is made of', async () => {
    const { familiesIn } = await import('../../src/pipeline/extract/invoice/words.ts');
    expect([...familiesIn('Rechnungsnummer:')].sort()).toEqual(['invoice', 'number']);
    expect([...familiesIn('Liefer- und Rechnungsdatum:')].sort()).toEqual(['date', 'invoice']);
    expect([...familiesIn('Kundennummer')].sort()).toEqual(['customer', 'number']);
    expect(familiesIn('factuurdatum').has('date')).toBe(true);
    expect(familiesIn('Endbetrag').has('total')).toBe(true);
    expect(familiesIn('Mehrwertsteuer').has('tax')).toBe(true);
    // English words that end like a label word are not compounds.
    for (const word of [
      'Accounting',
      'contactless',
      'membership',
      'corporate',
      'candidate',
      'waybill',
      'database',
    ])
      expect([...familiesIn(word)], word).toEqual([]);
  });
});
