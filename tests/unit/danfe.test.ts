// DANFE layouts taken from real-format NF-e test fixtures (Engenere/BrazilFiscalReport, LGPL-3.0), page 1, trimmed
// by scripts/nfe-layout-fixtures.ts; the expected values are those of each DANFE's own NF-e XML.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { findAmounts } from '../../src/pipeline/extract/amounts.ts';
import { isDanfe } from '../../src/pipeline/extract/danfe.ts';
import { extractFields } from '../../src/pipeline/extract/fields.ts';
import type { Layout } from '../../src/pipeline/layout.ts';
import { toTextLines } from '../../src/pipeline/text-lines.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const layoutOf = (name: string) =>
  JSON.parse(readFileSync(path.join(here, '../fixtures/nfe', `${name}.layout.json`), 'utf8')) as Layout;
const values = (fields: Record<string, { value: string } | null | undefined>, keys: readonly string[]) =>
  Object.fromEntries(keys.map((k) => [k, fields[k]?.value]));

const HOMOLOGACAO = 'NF-E EMITIDA EM AMBIENTE DE HOMOLOGACAO - SEM VALOR FISCAL';
const CASES = {
  // Portrait, homologation watermark, the customer's CPF printed in the stub on top.
  danfe_default: {
    vendorName: 'Empresa Lucro Presumido Ltda',
    vendorTaxId: '81.583.054/0001-29',
    customerName: HOMOLOGACAO,
    customerTaxId: '765.865.078-12',
    invoiceNumber: '2',
    invoiceDate: '2020-01-01',
    subtotal: '1950.00',
    totalAmount: '1950.00',
  },
  // A vendor named like a person (no "Ltda"), customer with a CNPJ.
  danfe_mei: {
    vendorName: 'Vinicius e Rebeca',
    vendorTaxId: '07.661.074/0001-18',
    customerName: 'Igor e Benjamin Doces Salgados ME',
    customerTaxId: '02.364.958/0001-97',
    invoiceNumber: '46',
    invoiceDate: '2025-01-16',
    subtotal: '3267.60',
    totalAmount: '3267.60',
  },
  // Landscape: the stub is printed vertically down the left edge.
  danfe_multipage_landscape: {
    vendorName: 'Empresa Lucro Presumido Ltda',
    vendorTaxId: '81.583.054/0001-29',
    customerName: HOMOLOGACAO,
    customerTaxId: '765.865.078-12',
    invoiceNumber: '2',
    invoiceDate: '2020-01-01',
    subtotal: '58500.00',
    totalAmount: '58500.00',
  },
  // Both parties have CNPJs; invoices (duplicatas) block before the taxes.
  danfe_reforma_tributaria: {
    vendorName: 'Contribuinte A',
    vendorTaxId: '00.127.786/0001-02',
    customerName: 'Contribuinte B',
    customerTaxId: '00.127.912/0001-29',
    invoiceNumber: '664350',
    invoiceDate: '2025-07-01',
    dueDate: '2023-12-31',
    subtotal: '158106.35',
    totalAmount: '164746.81',
  },
} as const;

describe('DANFE read as the form it is', () => {
  for (const [name, expected] of Object.entries(CASES)) {
    it(`${name}: emitter, destinatário, number, date and totals from their boxes`, () => {
      const layout = layoutOf(name);
      expect(isDanfe(toTextLines(layout))).toBe(true);
      const { fields } = extractFields(layout, { language: 'pt', documentType: 'invoice' });
      expect(values(fields, Object.keys(expected))).toEqual(expected);
      expect(fields.vendorTaxId?.bbox[1]).toBeLessThan(fields.customerTaxId?.bbox[1] ?? 0);
    });
  }

  it('reads quantity and unit price of the DANFE item columns (QTD., V.UNIT., V.TOTAL)', () => {
    const { lineItems } = extractFields(layoutOf('danfe_mei'), { language: 'pt' });
    const numbers = lineItems.map((i) =>
      [i.quantity, i.unitPrice, i.amount].map((v) => (v ? new Decimal(v).toString() : v)),
    );
    expect(numbers).toEqual([
      ['50', '3.9', '195'],
      ['30', '3.9', '117'],
      ['50', '3.9', '195'],
    ]);
    const first = extractFields(layoutOf('danfe_default'), { language: 'pt' }).lineItems[0];
    expect(
      [first?.quantity, first?.unitPrice, first?.amount].map((v) => new Decimal(v ?? 'NaN').toString()),
    ).toEqual(['1', '1950', '1950']);
  });

  it('reads the four-decimal quantities and unit prices a DANFE prints', () => {
    expect(
      findAmounts('1,0000 1.950,0000 12.345,678', { decimalSeparator: ',' }).map((a) => a.value),
    ).toEqual(['1.0000', '1950.0000', '12345.678']);
  });

  it('leaves other Portuguese invoices to the general reader', () => {
    const layout = layoutOf('danfe_default');
    const notDanfe: Layout = {
      pages: layout.pages.map((p) => ({
        ...p,
        lines: p.lines.filter((l) => !/DANFE|CHAVE|DESTINAT/i.test(l.text)),
      })),
    };
    expect(isDanfe(toTextLines(notDanfe))).toBe(false);
  });
});
