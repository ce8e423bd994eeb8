import { describe, expect, it } from 'vitest';
import { classifyDocument } from '../../src/pipeline/classify.ts';
import { extractFields } from '../../src/pipeline/extract/fields.ts';
import { extractReceiptLineItems } from '../../src/pipeline/extract/receipt-items.ts';
import type { BBox } from '../../src/pipeline/layout.ts';
import { groupIntoLines, type Layout, type Word } from '../../src/pipeline/layout.ts';

/** [x, y, text, fontSize?, confidence?]: a run of words starting at x on the baseline box at y. */
type Run = [number, number, string, number?, number?];

/** Builds a one-page layout: each run is split into words 0.5 em wide per character with one space between. */
function layout(runs: Run[], size: { width: number; height: number } = { width: 600, height: 800 }): Layout {
  const words: Word[] = [];
  for (const [x, y, text, font = 10, confidence = 0.98] of runs) {
    let cx = x;
    for (const t of text.split(' ').filter(Boolean)) {
      const w = t.length * font * 0.5;
      words.push({ text: t, bbox: [cx, y, cx + w, y + font], confidence, source: 'text-layer' });
      cx += w + font * 0.3;
    }
  }
  return { pages: [{ number: 1, ...size, source: 'text-layer', rotation: 0, lines: groupIntoLines(words) }] };
}

/** The words of the layout whose boxes lie inside a field's bbox, joined. */
function textIn(doc: Layout, bbox: BBox | undefined): string {
  if (!bbox) return '';
  const ws = doc.pages[0]?.lines.flatMap((l) => l.words) ?? [];
  return ws
    .filter(
      (w) =>
        w.bbox[0] >= bbox[0] - 0.01 &&
        w.bbox[2] <= bbox[2] + 0.01 &&
        w.bbox[1] >= bbox[1] - 0.01 &&
        w.bbox[3] <= bbox[3] + 0.01,
    )
    .map((w) => w.text)
    .join(' ');
}

const english = layout([
  [50, 40, 'ACME Supplies Inc.', 18],
  [400, 40, 'INVOICE', 20],
  [50, 66, '123 Main Street, Suite 4'],
  [400, 66, 'Invoice No: INV-2025-001'],
  [50, 80, 'Austin, TX 78701'],
  [400, 80, 'Invoice Date: 03/04/2025'],
  [50, 94, 'EIN 12-3456789'],
  [400, 94, 'Due Date: 04/03/2025'],
  [400, 108, 'PO Number: PO-7788'],
  [50, 150, 'Bill To:'],
  [50, 165, 'Globex Corporation'],
  [50, 180, '500 Market St, San Francisco, CA 94105'],
  [50, 220, 'Description'],
  [300, 220, 'Qty'],
  [360, 220, 'Unit Price'],
  [460, 220, 'Amount'],
  [50, 240, 'Widget A'],
  [300, 240, '10'],
  [360, 240, '$25.50'],
  [460, 240, '$255.00'],
  [50, 255, 'Gadget B large'],
  [300, 255, '2'],
  [360, 255, '$100.00'],
  [460, 255, '$200.00'],
  [50, 268, 'with extended warranty'],
  [360, 290, 'Subtotal'],
  [460, 290, '$455.00'],
  [360, 305, 'Sales Tax 8%'],
  [460, 305, '$36.40'],
  [360, 320, 'Total'],
  [460, 320, '$491.40'],
  [50, 345, 'Total items: 12'],
  [50, 380, 'Thank you for your business'],
]);

const portuguese = layout([
  [50, 40, 'Papelaria Central Ltda.', 16],
  [400, 40, 'FATURA', 18],
  [50, 62, 'Rua das Flores, 123 - Centro'],
  [400, 66, 'Nº da Fatura: 2025/0042'],
  [50, 76, 'São Paulo - SP, CEP 01001-000'],
  [400, 80, 'Data de Emissão: 15 de março de 2025'],
  [50, 90, 'CNPJ: 11.222.333/0001-81'],
  [400, 94, 'Vencimento: 15/04/2025'],
  [50, 130, 'Destinatário'],
  [50, 145, 'Comércio Exemplo ME'],
  [50, 160, 'CPF: 123.456.789-09'],
  [50, 200, 'Descrição'],
  [300, 200, 'Qtd'],
  [350, 200, 'Valor Unit.'],
  [460, 200, 'Valor Total'],
  [50, 220, 'Caneta azul'],
  [300, 220, '10'],
  [350, 220, 'R$ 2,50'],
  [460, 220, 'R$ 25,00'],
  [50, 235, 'Caderno 200 folhas'],
  [300, 235, '3'],
  [350, 235, 'R$ 15,90'],
  [460, 235, 'R$ 47,70'],
  [50, 236 + 40, 'Valor dos produtos'],
  [460, 276, 'R$ 72,70'],
  [50, 291, 'Valor do ICMS'],
  [460, 291, 'R$ 13,09'],
  [50, 306, 'Valor Total da Nota'],
  [460, 306, 'R$ 85,79'],
]);

const spanish = layout([
  [50, 40, 'Suministros Ibéricos S.L.', 16],
  [400, 40, 'FACTURA', 18],
  [50, 62, 'Calle Mayor 10, 28013 Madrid'],
  [400, 66, 'Factura N.º F-2025-117'],
  [50, 76, 'NIF: B12345674'],
  [400, 80, 'Fecha de emisión: 05/03/2025'],
  [400, 94, 'Fecha de vencimiento: 04/04/2025'],
  [50, 130, 'Facturar a:'],
  [50, 145, 'Cliente Ejemplo SA'],
  [50, 160, 'CIF: A58818501'],
  [50, 200, 'Descripción'],
  [300, 200, 'Cant.'],
  [350, 200, 'Precio unit.'],
  [460, 200, 'Importe'],
  [50, 220, 'Servicio de consultoría'],
  [300, 220, '4'],
  [350, 220, '250,00 €'],
  [460, 220, '1.000,00 €'],
  [300, 260, 'Base imponible'],
  [460, 260, '1.000,00 €'],
  [300, 275, 'IVA 21%'],
  [460, 275, '210,00 €'],
  [300, 290, 'Total factura'],
  [460, 290, '1.210,00 €'],
]);

const receipt = layout(
  [
    [20, 20, 'KEDAI RUNCIT MAJU SDN BHD', 12],
    [20, 36, 'NO 12, JALAN BUNGA RAYA'],
    [20, 50, '43000 KAJANG, SELANGOR'],
    [20, 80, 'Date: 18/01/2019 10:22'],
    [20, 100, 'MILO 1KG 1 x 25.90'],
    [200, 100, '25.90'],
    [20, 115, 'ROTI GARDENIA 2 x 3.50'],
    [200, 115, '7.00'],
    [20, 140, 'TOTAL'],
    [200, 140, 'RM 32.90'],
    [20, 155, 'CASH'],
    [200, 155, '50.00'],
    [20, 170, 'CHANGE'],
    [200, 170, '17.10'],
    [20, 200, 'THANK YOU PLEASE COME AGAIN'],
  ],
  { width: 260, height: 700 },
);

describe('extractFields', () => {
  it.each([
    [
      'English (US) invoice',
      english,
      'en',
      {
        vendorName: ['ACME Supplies Inc.', 'ACME Supplies Inc.'],
        vendorTaxId: ['12-3456789', '12-3456789'],
        invoiceNumber: ['INV-2025-001', 'INV-2025-001'],
        invoiceDate: ['2025-03-04', '03/04/2025'],
        dueDate: ['2025-04-03', '04/03/2025'],
        purchaseOrder: ['PO-7788', 'PO-7788'],
        customerName: ['Globex Corporation', 'Globex Corporation'],
        currency: ['USD', '$25.50'],
        subtotal: ['455.00', '$455.00'],
        taxAmount: ['36.40', '$36.40'],
        totalAmount: ['491.40', '$491.40'],
      },
    ],
    [
      'Portuguese invoice',
      portuguese,
      'pt',
      {
        vendorName: ['Papelaria Central Ltda.', 'Papelaria Central Ltda.'],
        vendorTaxId: ['11.222.333/0001-81', '11.222.333/0001-81'],
        vendorAddress: [
          'Rua das Flores, 123 - Centro, São Paulo - SP, CEP 01001-000',
          'Rua das Flores, 123 - Centro São Paulo - SP, CEP 01001-000',
        ],
        invoiceNumber: ['2025/0042', '2025/0042'],
        invoiceDate: ['2025-03-15', '15 de março de 2025'],
        dueDate: ['2025-04-15', '15/04/2025'],
        customerName: ['Comércio Exemplo ME', 'Comércio Exemplo ME'],
        customerTaxId: ['123.456.789-09', '123.456.789-09'],
        currency: ['BRL', 'R$'],
        subtotal: ['72.70', 'R$ 72,70'],
        taxAmount: ['13.09', 'R$ 13,09'],
        totalAmount: ['85.79', 'R$ 85,79'],
      },
    ],
    [
      'Spanish invoice',
      spanish,
      'es',
      {
        vendorName: ['Suministros Ibéricos S.L.', 'Suministros Ibéricos S.L.'],
        vendorTaxId: ['B12345674', 'B12345674'],
        invoiceNumber: ['F-2025-117', 'F-2025-117'],
        invoiceDate: ['2025-03-05', '05/03/2025'],
        dueDate: ['2025-04-04', '04/04/2025'],
        customerName: ['Cliente Ejemplo SA', 'Cliente Ejemplo SA'],
        customerTaxId: ['A58818501', 'A58818501'],
        currency: ['EUR', '€'],
        subtotal: ['1000.00', '1.000,00 €'],
        taxAmount: ['210.00', '210,00 €'],
        totalAmount: ['1210.00', '1.210,00 €'],
      },
    ],
    [
      'Malaysian receipt',
      receipt,
      'en',
      {
        vendorName: ['KEDAI RUNCIT MAJU SDN BHD', 'KEDAI RUNCIT MAJU SDN BHD'],
        invoiceDate: ['2019-01-18', '18/01/2019'],
        currency: ['MYR', 'RM'],
        totalAmount: ['32.90', 'RM 32.90'],
      },
    ],
  ] as const)(
    '%s: every field, with a box around the words that gave it',
    (_name, doc, language, expected) => {
      const { fields } = extractFields(doc, { language });
      for (const [name, [value, words]] of Object.entries(expected)) {
        const f = fields[name as keyof typeof fields];
        expect(f?.value, name).toBe(value);
        expect(textIn(doc, f?.bbox), `${name} bbox`).toBe(words);
        expect(f?.page).toBe(1);
        expect(f?.confidence).toBeGreaterThan(0.4);
      }
    },
  );

  it('leaves out what the document does not say', () => {
    const { fields } = extractFields(spanish, { language: 'es' });
    expect(fields.purchaseOrder).toBeUndefined();
    const r = extractFields(receipt, { language: 'en' }).fields;
    expect(r.customerName).toBeUndefined();
    expect(r.dueDate).toBeUndefined();
    expect(r.subtotal).toBeUndefined();
  });

  it('does not take "Total items" or the tax line for the total, and never the customer for the vendor', () => {
    const { fields } = extractFields(english, { language: 'en' });
    expect(fields.totalAmount?.value).toBe('491.40');
    expect(fields.vendorName?.value).not.toBe('Globex Corporation');
    expect(fields.vendorTaxId?.value).toBe('12-3456789');
  });

  it('trusts a total confirmed by subtotal + tax more than one found alone, and low OCR confidence lowers it', () => {
    const confirmed = extractFields(portuguese, { language: 'pt' }).fields.totalAmount?.confidence ?? 0;
    const alone = extractFields(receipt, { language: 'en' }).fields.totalAmount?.confidence ?? 0;
    expect(confirmed).toBeGreaterThan(alone);
    const blurry = layout([
      [50, 40, 'Loja Exemplo Ltda', 14],
      [50, 60, 'Valor Total da Nota', 10, 0.95],
      [300, 60, 'R$ 85,79', 10, 0.4],
    ]);
    const f = extractFields(blurry, { language: 'pt' }).fields.totalAmount;
    expect(f?.value).toBe('85.79');
    expect(f?.confidence).toBeLessThan(0.6);
  });

  it('reads a DANFE-style box: the value under its label', () => {
    const danfe = layout([
      [20, 20, 'Empresa Lucro Presumido Ltda', 11],
      [20, 34, 'Avenida Paulista, 1'],
      [20, 48, 'São Paulo - SP'],
      [300, 20, 'Nº 000.000.002', 12],
      [20, 100, 'CNPJ / CPF', 6],
      [20, 108, '81.583.054/0001-29'],
      [20, 130, 'DESTINATÁRIO / REMETENTE', 7],
      [20, 140, 'NOME / RAZÃO SOCIAL', 6],
      [300, 140, 'CNPJ / CPF', 6],
      [450, 140, 'DATA DA EMISSÃO', 6],
      [20, 148, 'Maria da Silva'],
      [300, 148, '765.865.078-12'],
      [450, 148, '01/01/2020'],
      [20, 180, 'VALOR TOTAL DOS PRODUTOS', 6],
      [200, 180, 'VALOR DO ICMS', 6],
      [400, 180, 'VALOR TOTAL DA NOTA', 6],
      [20, 188, '1.950,00'],
      [200, 188, '171,60'],
      [400, 188, '1.950,00'],
    ]);
    const { fields } = extractFields(danfe, { language: 'pt' });
    expect(fields.invoiceNumber?.value).toBe('000.000.002');
    expect(fields.invoiceDate?.value).toBe('2020-01-01');
    expect(fields.vendorTaxId?.value).toBe('81.583.054/0001-29');
    expect(fields.customerName?.value).toBe('Maria da Silva');
    expect(fields.customerTaxId?.value).toBe('765.865.078-12');
    expect(fields.totalAmount?.value).toBe('1950.00');
    expect(textIn(danfe, fields.totalAmount?.bbox)).toBe('1.950,00');
    expect(fields.totalAmount?.bbox[0]).toBe(400);
    expect(fields.subtotal?.value).toBe('1950.00');
    expect(fields.currency?.value).toBe('BRL');
    expect(fields.vendorName?.value).toBe('Empresa Lucro Presumido Ltda');
  });
});

describe('line items', () => {
  it.each([
    [
      'English',
      english,
      'en',
      [
        { description: 'Widget A', quantity: '10', unitPrice: '25.50', amount: '255.00' },
        {
          description: 'Gadget B large with extended warranty',
          quantity: '2',
          unitPrice: '100.00',
          amount: '200.00',
        },
      ],
    ],
    [
      'Portuguese',
      portuguese,
      'pt',
      [
        { description: 'Caneta azul', quantity: '10', unitPrice: '2.50', amount: '25.00' },
        { description: 'Caderno 200 folhas', quantity: '3', unitPrice: '15.90', amount: '47.70' },
      ],
    ],
    [
      'Spanish',
      spanish,
      'es',
      [{ description: 'Servicio de consultoría', quantity: '4', unitPrice: '250.00', amount: '1000.00' }],
    ],
  ] as const)('%s table: rows under the header until the totals', (_n, doc, language, expected) => {
    const { lineItems } = extractFields(doc, { language });
    expect(
      lineItems.map(({ description, quantity, unitPrice, amount }) => ({
        description,
        quantity,
        unitPrice,
        amount,
      })),
    ).toEqual(expected);
    expect(textIn(doc, lineItems[0]?.bbox)).toContain(expected[0]?.description);
  });
});

describe('classifyDocument', () => {
  it.each([
    ['English invoice', english, 'invoice', 'en'],
    ['Portuguese invoice', portuguese, 'invoice', 'pt'],
    ['Spanish invoice', spanish, 'invoice', 'es'],
    ['receipt', receipt, 'receipt', 'en'],
    [
      'form',
      layout([
        [50, 40, 'Application for supplier registration', 14],
        [50, 80, 'Company name: ________'],
        [50, 100, 'Address: ________'],
        [50, 120, 'Contact person: ________'],
        [50, 140, 'Phone: ________'],
        [50, 160, 'Signature: ________'],
      ]),
      'form',
      'en',
    ],
    ['empty page', layout([]), 'unknown', 'en'],
  ] as const)('%s → %s (%s)', (_n, doc, type, language) => {
    const c = classifyDocument(doc);
    expect(c.documentType).toBe(type);
    expect(c.language).toBe(language);
    expect(c.confidence).toBeGreaterThanOrEqual(0);
    expect(c.confidence).toBeLessThanOrEqual(1);
  });
});

describe('layout lines and item tables', () => {
  it('keeps the lines of a skewed scan apart and in order', () => {
    // Two rows sloping down 2° to the right, 45 px apart: over the row the slope drops more than that.
    const slope = Math.tan((2 * Math.PI) / 180);
    const words: Word[] = [];
    for (const [row, texts] of [
      [0, ['Warehouse', 'scanner,', 'rugged,', 'with', 'charger', '4', '685.00', '2,740.00']],
      [1, ['Label', 'printer,', 'thermal,', '4', 'inch', '2', '412.50', '825.00']],
    ] as const) {
      texts.forEach((text, i) => {
        const x = 100 + i * 260;
        const y = 200 + row * 45 + x * slope;
        words.push({ text, bbox: [x, y, x + 235, y + 30], confidence: 0.9, source: 'ocr' });
      });
    }
    // OCR gives words in reading order, which is where the slope is measured.
    const lines = groupIntoLines(words);
    expect(lines.map((l) => l.text)).toEqual([
      'Warehouse scanner, rugged, with charger 4 685.00 2,740.00',
      'Label printer, thermal, 4 inch 2 412.50 825.00',
    ]);
  });

  it('keeps numbers inside a long description and reads a table that goes on overleaf', () => {
    const page1 = layout([
      [20, 20, 'ACME Supplies Inc.', 14],
      [20, 100, 'Description'],
      [300, 100, 'Qty'],
      [380, 100, 'Unit Price'],
      [480, 100, 'Amount'],
      [20, 120, 'Copy paper (case of 10 reams)'],
      [310, 120, '10'],
      [390, 120, '25.50'],
      [490, 120, '255.00'],
      [400, 700, 'Page 1 of 2'],
    ]);
    const page2 = layout([
      [20, 20, 'Invoice 2025-001 (continued)'],
      [20, 60, 'Description'],
      [300, 60, 'Qty'],
      [380, 60, 'Unit Price'],
      [480, 60, 'Amount'],
      [20, 80, 'Stapler'],
      [310, 80, '2'],
      [390, 80, '7.00'],
      [490, 80, '14.00'],
      [380, 120, 'Total'],
      [490, 120, '269.00'],
    ]);
    const doc: Layout = { pages: [page1.pages[0], { ...page2.pages[0], number: 2 }] as Layout['pages'] };
    const { lineItems } = extractFields(doc, { language: 'en' });
    expect(lineItems.map((i) => [i.description, i.quantity, i.unitPrice, i.amount])).toEqual([
      ['Copy paper (case of 10 reams)', '10', '25.50', '255.00'],
      ['Stapler', '2', '7.00', '14.00'],
    ]);
  });

  it('reads an amount with its thousands grouped by a space as one number, not as a quantity and the rest', () => {
    // No quantity column: the row's numbers settle the line, and "1 596,00" read as 1 and 596,00 also multiplies out.
    const doc = layout([
      [20, 20, 'Factura 2025-014'],
      [20, 100, 'Descripción'],
      [380, 100, 'Precio'],
      [480, 100, 'Importe'],
      [20, 120, 'Servicio mensual de limpieza'],
      [300, 120, '1'],
      [380, 120, '1 596,00'],
      [480, 120, '1 596,00'],
      [20, 135, 'Guantes de nitrilo'],
      [300, 135, '2'],
      [380, 135, '12,50'],
      [480, 135, '25,00'],
      [380, 160, 'Subtotal'],
      [480, 160, '1.621,00'],
    ]);
    const { lineItems } = extractFields(doc, { language: 'es' });
    expect(lineItems.map((i) => [i.description, i.quantity, i.unitPrice, i.amount])).toEqual([
      ['Servicio mensual de limpieza', '1', '1596.00', '1596.00'],
      ['Guantes de nitrilo', '2', '12.50', '25.00'],
    ]);
  });

  it('reads a quantity printed close to the left of the description as the quantity', () => {
    const doc = layout([
      [20, 20, 'Invoice 2025-020'],
      [20, 100, 'Qty'],
      [45, 100, 'Details'],
      [380, 100, 'Rate'],
      [480, 100, 'Net'],
      [30, 120, '8'],
      [45, 120, 'Copy paper A4 (box of 5 reams)'],
      [380, 120, '42.00'],
      [480, 120, '336.00'],
    ]);
    const { lineItems } = extractFields(doc, { language: 'en' });
    expect(lineItems.map((i) => [i.description, i.quantity, i.unitPrice, i.amount])).toEqual([
      ['Copy paper A4 (box of 5 reams)', '8', '42.00', '336.00'],
    ]);
  });

  it('reads the items of a till receipt, with their quantity lines', () => {
    const till = layout(
      [
        [20, 20, 'CORNER HARDWARE CO.', 12],
        [20, 40, 'Receipt #: 10482-7731'],
        [20, 60, 'DUCT TAPE 60YD'],
        [200, 60, '6.58'],
        [30, 75, '2 @ 3.29'],
        [20, 90, 'LED BULB 4PK'],
        [200, 90, '9.97'],
        [20, 110, 'SUBTOTAL'],
        [200, 110, '16.55'],
        [20, 125, 'TOTAL'],
        [200, 125, '$16.55'],
      ],
      { width: 260, height: 700 },
    );
    expect(
      extractReceiptLineItems(till, { language: 'en' }).map((i) => [
        i.description,
        i.quantity,
        i.unitPrice,
        i.amount,
      ]),
    ).toEqual([
      ['DUCT TAPE 60YD', '2', '3.29', '6.58'],
      ['LED BULB 4PK', null, null, '9.97'],
    ]);
  });
});

describe('order and invoice numbers', () => {
  it('reads the PO after "P.O. Number" / "Su pedido N.º", and keeps a series printed apart from the number', () => {
    const doc = layout([
      [20, 20, 'ACME Supplies Inc.', 14],
      [300, 60, 'Invoice No. FT 2025/388'],
      [300, 75, 'P.O. Number PO-77812'],
    ]);
    const { fields } = extractFields(doc, { language: 'en' });
    expect([fields.invoiceNumber?.value, fields.purchaseOrder?.value]).toEqual(['FT 2025/388', 'PO-77812']);
    const es = extractFields(layout([[300, 60, 'Su pedido N.º HT-2025-087']]), { language: 'es' });
    expect(es.fields.purchaseOrder?.value).toBe('HT-2025-087');
  });

  it('reads an OCR "1" among the capitals of a series as I, and leaves digits elsewhere alone', () => {
    const doc = layout([[300, 60, 'Factura N.º 1C/2025/0077']]);
    for (const w of doc.pages[0]?.lines.flatMap((l) => l.words) ?? []) w.source = 'ocr';
    expect(extractFields(doc, { language: 'es' }).fields.invoiceNumber?.value).toBe('IC/2025/0077');
    const digital = layout([[300, 60, 'Factura N.º 10/2025/0077']]);
    expect(extractFields(digital, { language: 'es' }).fields.invoiceNumber?.value).toBe('10/2025/0077');
  });
});

describe('tax breakdown', () => {
  it('reads base and cuota from an "IVA BASE CUOTA" table under a total that includes tax', () => {
    const ticket = layout(
      [
        [20, 20, 'FERRETERIA EL CLAVO, S.L.', 12],
        [20, 60, 'CINTA AISLANTE NEGRA'],
        [200, 60, '25,80'],
        [20, 90, 'TOTAL (IVA incl.)'],
        [200, 90, '25,80 €'],
        [35, 110, 'IVA'],
        [120, 110, 'BASE'],
        [200, 110, 'CUOTA'],
        [35, 125, '21%'],
        [120, 125, '21,32'],
        [200, 125, '4,48'],
      ],
      { width: 260, height: 700 },
    );
    const { fields } = extractFields(ticket, { language: 'es' });
    expect([fields.subtotal?.value, fields.taxAmount?.value, fields.totalAmount?.value]).toEqual([
      '21.32',
      '4.48',
      '25.80',
    ]);
  });
});
