// Vendor memory: a layout learned from one reviewed document reads the next document of that layout.
import { describe, expect, it } from 'vitest';
import type { Fields } from '../../src/contract/result.ts';
import { layoutFingerprint } from '../../src/pipeline/extract/memory/fingerprint.ts';
import { learnFromReview, type Review } from '../../src/pipeline/extract/memory/learn.ts';
import { VendorMemory } from '../../src/pipeline/extract/memory/memory.ts';
import { recall } from '../../src/pipeline/extract/memory/recall.ts';
import type { Layout } from '../../src/pipeline/layout.ts';
import { understandDocument } from '../../src/pipeline/understand.ts';
import { layoutOf } from '../support/receipt-layout.ts';

/** A bakery's delivery note: it prints the customer's name big and its own name nowhere. */
function deliveryNote(
  customer: string,
  number: string,
  date: string,
  items: [string, string][],
  total: string,
) {
  return layoutOf([
    ['DELIVERY', 'NOTE'],
    ['Deliver', 'to:'],
    customer.split(' '),
    ['Note', 'No:', number],
    ['Date:', date],
    ['Goods', 'Amount'],
    ...items.map(([what, amount]) => [what, amount]),
    ['Total', 'due', total],
    ['Thank', 'you', 'for', 'your', 'order'],
  ]);
}

const f = (value: string): NonNullable<Fields['vendorName']> => ({
  value,
  confidence: 1,
  page: 1,
  bbox: [0, 0, 0, 0],
});
const ana = { actor: 'usr_ana', actorName: 'Ana', at: '2026-12-03T10:00:00.000Z' };

function review(
  memory: VendorMemory,
  layout: Layout,
  id: string,
  fields: Fields,
  how: 'correction' | 'approval',
) {
  const input: Review = {
    documentId: id,
    layout,
    fields,
    corrected: how === 'correction' ? (Object.keys(fields) as Review['corrected'][number][]) : [],
    vendorKey: 'name:padaria estrela',
    source: { ...ana, how },
  };
  const learned = learnFromReview(memory, input);
  memory.put(learned.layout);
  return learned;
}

describe('vendor memory', () => {
  const first = deliveryNote(
    'Cafe Central Lda',
    'DN-1001',
    '03/12/2025',
    [
      ['Bread', '12.50'],
      ['Cakes', '30.00'],
    ],
    '42.50',
  );
  const second = deliveryNote(
    'Hotel Mar Azul',
    'DN-1187',
    '05/12/2025',
    [
      ['Rolls', '8.20'],
      ['Bread', '25.00'],
      ['Pies', '14.10'],
    ],
    '47.30',
  );
  const taught: Fields = {
    vendorName: f('Padaria Estrela Lda'),
    customerName: f('Cafe Central Lda'),
    invoiceNumber: f('DN-1001'),
    invoiceDate: f('2025-12-03'),
    totalAmount: f('42.50'),
    bankAccount: f('PT50000201231234567890154'),
  };

  it('after one correction, the next note of the layout names the vendor and reads its fields', () => {
    const memory = new VendorMemory();
    expect(understandDocument(second, { memory }).fields.vendorName?.value).not.toBe('Padaria Estrela Lda');
    review(memory, first, 'doc_1', taught, 'correction');
    const fields = understandDocument(second, { memory }).fields;
    expect(fields.vendorName?.value).toBe('Padaria Estrela Lda');
    expect(fields.invoiceNumber?.value).toBe('DN-1187');
    expect(fields.invoiceDate?.value).toBe('2025-12-05');
    expect(fields.totalAmount?.value).toBe('47.30');
    expect(fields.customerName?.value).toBe('Hotel Mar Azul');
    expect(fields.vendorName?.learned).toMatchObject({ corrections: 1, approvals: 0, lastBy: 'Ana' });
  });

  it('never learns bank details', () => {
    const memory = new VendorMemory();
    const { layout } = review(memory, first, 'doc_1', taught, 'correction');
    expect(layout.fields.bankAccount).toBeUndefined();
    expect(recall(memory, second)?.fields.bankAccount).toBeUndefined();
  });

  it('waits for the configured number of confirmations', () => {
    const memory = new VendorMemory([], { minConfirmations: 2 });
    review(memory, first, 'doc_1', taught, 'correction');
    expect(recall(memory, second)?.fields.vendorName).toBeUndefined();
    review(
      memory,
      second,
      'doc_2',
      {
        ...taught,
        customerName: f('Hotel Mar Azul'),
        invoiceNumber: f('DN-1187'),
        invoiceDate: f('2025-12-05'),
        totalAmount: f('47.30'),
      },
      'approval',
    );
    expect(recall(memory, second)?.fields.vendorName?.value).toBe('Padaria Estrela Lda');
  });

  it('replaces what a later correction contradicts', () => {
    const memory = new VendorMemory();
    review(memory, first, 'doc_1', taught, 'correction');
    const { changes } = review(
      memory,
      second,
      'doc_2',
      { vendorName: f('Estrela Bakery Ltd') },
      'correction',
    );
    expect(changes).toContainEqual({ field: 'vendorName', change: 'replaced' });
    expect(recall(memory, first)?.fields.vendorName?.value).toBe('Estrela Bakery Ltd');
  });

  it('leaves a document of another layout as the reader reads it', () => {
    const memory = new VendorMemory();
    review(memory, first, 'doc_1', taught, 'correction');
    const other = layoutOf([
      ['INVOICE'],
      ['Harbor', 'Point', 'Supply'],
      ['Invoice', 'number', 'A-77'],
      ['Amount', 'payable', '10.00'],
    ]);
    expect(recall(memory, other)).toBeUndefined();
    expect(understandDocument(other, { memory })).toEqual(understandDocument(other, {}));
  });

  it('finds a total by its label past a leader and a currency sign, however far the items push it down', () => {
    const invoice = (customer: string, taxLabel: string, taxId: string, items: string[], total: string) =>
      layoutOf([
        ['FACTURA', 'Suministros', 'Ebro'],
        ['Cliente'],
        customer.split(' '),
        [taxLabel, taxId],
        ['Concepto', 'Importe'],
        ...items.map((amount) => ['Servicio', 'mensual', amount]),
        ['IVA', '21%', '..........', '€', '0,00'],
        ['Total', '..............', '€', total],
        ['Gracias', 'por', 'su', 'pedido'],
      ]);
    const memory = new VendorMemory();
    const first = invoice('Cafe Central', 'NIF:', 'B76543213', ['1.200,00', '34,50'], '1.234,50');
    review(
      memory,
      first,
      'doc_1',
      { customerTaxId: f('B76543213'), totalAmount: f('1234.50') },
      'correction',
    );
    // Five items push the total down; this customer's country labels its tax ID otherwise, in its own format.
    const next = invoice(
      'Hotel Mar Azul',
      'VAT',
      'NL442604646B01',
      ['10.000,00', '2.000,00', '300,00', '45,60', '0,00'],
      '12.345,60',
    );
    const fields = recall(memory, next)?.fields;
    expect(fields?.totalAmount?.value).toBe('12345.60');
    expect(fields?.customerTaxId?.value).toBe('NL442604646B01');
  });

  it("never reads the issuer's own tax ID in the footer as the customer's", () => {
    const invoice = (customer: string, taxLabel: string, taxId: string) =>
      layoutOf([
        ['FACTURA', 'Suministros', 'Ebro'],
        ['Cliente'],
        customer.split(' '),
        [taxLabel, taxId],
        ['Total', '100,00'],
        ['Suministros', 'Ebro', 'SL', 'Zaragoza'],
        ['NIF:', 'B99286320'],
      ]);
    const memory = new VendorMemory();
    review(
      memory,
      invoice('Cafe Central', 'NIF:', 'B76543213'),
      'doc_1',
      { vendorTaxId: f('B99286320'), customerTaxId: f('B76543213') },
      'correction',
    );
    // This customer's tax ID is labelled "CIF": the only "NIF" left is the issuer's.
    const fields = recall(memory, invoice('Hotel Mar Azul', 'CIF:', 'A58818501'))?.fields;
    expect(fields?.vendorTaxId?.value).toBe('B99286320');
    expect(fields?.customerTaxId?.value).toBe('A58818501');
  });

  it('finds a layout among ten thousand', () => {
    const memory = new VendorMemory();
    const tokens = layoutFingerprint(first);
    for (let i = 0; i < 10_000; i++) {
      memory.put({
        id: `l${i}`,
        vendorKey: `name:v${i}`,
        tokens: tokens.map((t) => `${t}${i}`),
        fields: {},
        updatedAt: ana.at,
      });
    }
    review(memory, first, 'doc_1', taught, 'correction');
    expect(recall(memory, second)?.fields.vendorName?.value).toBe('Padaria Estrela Lda');
  });
});
