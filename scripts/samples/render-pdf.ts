// Draws an invoice or a till receipt from its spec as a digital PDF (pdf-lib, standard WinAnsi fonts).
import { Decimal } from 'decimal.js';
import { PDFDocument, type PDFFont, type PDFPage, rgb, StandardFonts } from 'pdf-lib';
import {
  formatDate,
  formatMoney,
  formatNumber,
  formatQuantity,
  type InvoiceSpec,
  type Locale,
  type ReceiptSpec,
  type SampleSpec,
  totalsOf,
} from './model.ts';

/** Fixed metadata so the same spec gives the same bytes on every run. */
const FIXED_DATE = new Date('2025-03-20T12:00:00Z');

async function newDocument(title: string): Promise<PDFDocument> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.setTitle(title);
  doc.setProducer('Retaguarda sample generator');
  doc.setCreator('scripts/generate-samples.ts');
  doc.setCreationDate(FIXED_DATE);
  doc.setModificationDate(FIXED_DATE);
  return doc;
}

export async function renderPdf(spec: SampleSpec): Promise<Uint8Array> {
  const doc = await newDocument(spec.name);
  if (spec.documentType === 'invoice') await drawInvoice(doc, spec);
  else await drawReceipt(doc, spec);
  return doc.save();
}

type Align = 'left' | 'right' | 'center';
const INK = rgb(0.1, 0.1, 0.12);
const GREY = rgb(0.38, 0.38, 0.42);
const ACCENT = rgb(0.13, 0.27, 0.45);

/** A page drawn with y measured from the top, as one reads it. */
class Sheet {
  constructor(
    readonly page: PDFPage,
    private readonly fonts: { regular: PDFFont; bold: PDFFont },
  ) {}

  get width(): number {
    return this.page.getWidth();
  }

  text(
    s: string,
    x: number,
    y: number,
    opts: {
      size?: number;
      bold?: boolean;
      align?: Align;
      color?: ReturnType<typeof rgb>;
      maxWidth?: number;
    } = {},
  ): void {
    const size = opts.size ?? 10;
    const font = opts.bold ? this.fonts.bold : this.fonts.regular;
    const w = font.widthOfTextAtSize(s, size);
    if (opts.maxWidth !== undefined && w > opts.maxWidth) {
      throw new Error(`"${s}" is ${w.toFixed(0)}pt wide, more than the ${opts.maxWidth}pt it has`);
    }
    const left = opts.align === 'right' ? x - w : opts.align === 'center' ? x - w / 2 : x;
    this.page.drawText(s, { x: left, y: this.page.getHeight() - y, size, font, color: opts.color ?? INK });
  }

  rule(x0: number, x1: number, y: number, thickness = 0.7, color = GREY): void {
    const h = this.page.getHeight();
    this.page.drawLine({ start: { x: x0, y: h - y }, end: { x: x1, y: h - y }, thickness, color });
  }

  band(x0: number, x1: number, top: number, bottom: number, color = rgb(0.9, 0.92, 0.95)): void {
    const h = this.page.getHeight();
    this.page.drawRectangle({ x: x0, y: h - bottom, width: x1 - x0, height: bottom - top, color });
  }
}

// ---- Invoices ----

interface InvoiceLabels {
  title: string;
  number: string;
  date: string;
  due: string;
  po: string;
  billTo: string;
  columns: [string, string, string, string];
  subtotal: string;
  tax: (rate: string) => string;
  total: string;
  page: (n: number, of: number) => string;
  continued: string;
  continuation: (number: string) => string;
}

const INVOICE_LABELS: Record<Locale, InvoiceLabels> = {
  'en-US': {
    title: 'INVOICE',
    number: 'Invoice No.',
    date: 'Invoice Date',
    due: 'Due Date',
    po: 'P.O. Number',
    billTo: 'BILL TO',
    columns: ['Description', 'Qty', 'Unit Price', 'Amount'],
    subtotal: 'Subtotal',
    tax: (r) => `Sales Tax (${r}%)`,
    total: 'Total Due',
    page: (n, of) => `Page ${n} of ${of}`,
    continued: 'Continued on next page',
    continuation: (n) => `Invoice ${n} (continued)`,
  },
  'en-EU': {
    title: 'INVOICE',
    number: 'Invoice No.',
    date: 'Invoice Date',
    due: 'Due Date',
    po: 'Your PO No.',
    billTo: 'BILL TO',
    columns: ['Description', 'Qty', 'Unit Price', 'Amount'],
    subtotal: 'Subtotal',
    tax: (r) => `VAT ${r}%`,
    total: 'Total (EUR)',
    page: (n, of) => `Page ${n} of ${of}`,
    continued: 'Continued on next page',
    continuation: (n) => `Invoice ${n} (continued)`,
  },
  'pt-BR': {
    title: 'FATURA',
    number: 'Nº da Fatura',
    date: 'Data de Emissão',
    due: 'Vencimento',
    po: 'Pedido de Compra',
    billTo: 'CLIENTE',
    columns: ['Descrição', 'Qtd.', 'Valor Unit.', 'Valor'],
    subtotal: 'Subtotal',
    tax: (r) => `Impostos (${r}%)`,
    total: 'Valor Total',
    page: (n, of) => `Página ${n} de ${of}`,
    continued: 'Continua na próxima página',
    continuation: (n) => `Fatura ${n} (continuação)`,
  },
  'es-ES': {
    title: 'FACTURA',
    number: 'Factura N.º',
    date: 'Fecha de emisión',
    due: 'Fecha de vencimiento',
    po: 'Su pedido N.º',
    billTo: 'CLIENTE',
    columns: ['Concepto', 'Cantidad', 'Precio unit.', 'Importe'],
    subtotal: 'Base imponible',
    tax: (r) => `IVA ${r}%`,
    total: 'Importe total',
    page: (n, of) => `Página ${n} de ${of}`,
    continued: 'Continúa en la página siguiente',
    continuation: (n) => `Factura ${n} (continuación)`,
  },
};

const A4: [number, number] = [595.28, 841.89];
const LETTER: [number, number] = [612, 792];
const ROW = 20;

async function drawInvoice(doc: PDFDocument, spec: InvoiceSpec): Promise<void> {
  const fonts = {
    regular: await doc.embedFont(StandardFonts.Helvetica),
    bold: await doc.embedFont(StandardFonts.HelveticaBold),
  };
  const L = INVOICE_LABELS[spec.locale];
  const totals = totalsOf(spec);
  const perPage = spec.itemsPerPage ?? [spec.items.length];
  if (perPage.reduce((a, b) => a + b, 0) !== spec.items.length) throw new Error(`${spec.name}: itemsPerPage`);
  const pageCount = perPage.length;
  const size = spec.locale === 'en-US' ? LETTER : A4;
  const date = (iso: string) => formatDate(iso, spec.locale, spec.dateStyle);
  const num = (d: Parameters<typeof formatNumber>[0]) => formatNumber(d, spec.locale);

  let next = 0;
  for (let p = 0; p < pageCount; p++) {
    const s = new Sheet(doc.addPage(size), fonts);
    const W = s.width;
    const H = size[1];
    const right = W - 50;
    let y: number;

    if (p === 0) {
      s.text(spec.vendor.name, 50, 64, { size: 17, bold: true, color: ACCENT, maxWidth: W - 280 });
      let vy = 84;
      for (const line of spec.vendor.address) {
        s.text(line, 50, vy, { size: 10 });
        vy += 14;
      }
      if (spec.vendor.taxId)
        s.text(`${spec.vendor.taxId.label}: ${spec.vendor.taxId.value}`, 50, vy, { size: 10 });

      s.text(L.title, right, 64, { size: 22, bold: true, color: ACCENT, align: 'right' });
      const meta: [string, string][] = [[L.number, spec.invoiceNumber ?? '']];
      meta.push([L.date, date(spec.invoiceDate)]);
      if (spec.dueDate) meta.push([L.due, date(spec.dueDate)]);
      if (spec.purchaseOrder) meta.push([L.po, spec.purchaseOrder]);
      let my = 90;
      for (const [label, value] of meta) {
        s.text(label, right - 215, my, { size: 10, bold: true });
        s.text(value, right, my, { size: 10, align: 'right' });
        my += 15;
      }

      s.rule(50, right, 160, 1.2, ACCENT);
      s.text(L.billTo, 50, 182, { size: 9, bold: true, color: GREY });
      s.text(spec.customer.name, 50, 198, { size: 11, bold: true });
      let cy = 213;
      for (const line of spec.customer.address) {
        s.text(line, 50, cy, { size: 10 });
        cy += 14;
      }
      if (spec.customer.taxId)
        s.text(`${spec.customer.taxId.label}: ${spec.customer.taxId.value}`, 50, cy, { size: 10 });
      y = 290;
    } else {
      s.text(spec.vendor.name, 50, 60, { size: 12, bold: true, color: ACCENT });
      s.text(L.continuation(spec.invoiceNumber ?? ''), right, 60, { size: 10, align: 'right' });
      s.rule(50, right, 74, 1.2, ACCENT);
      y = 110;
    }

    // Table header
    const [cDesc, cQty, cUnit, cAmount] = L.columns;
    const xQty = right - 205;
    const xUnit = right - 105;
    s.band(50, right, y - 14, y + 6);
    s.text(cDesc, 56, y, { size: 9.5, bold: true });
    s.text(cQty, xQty, y, { size: 9.5, bold: true, align: 'right' });
    s.text(cUnit, xUnit, y, { size: 9.5, bold: true, align: 'right' });
    s.text(cAmount, right - 6, y, { size: 9.5, bold: true, align: 'right' });
    y += ROW + 4;

    const printed = spec.items.length - (spec.unprintedItems ?? 0);
    for (const [i, { item, amount }] of totals.lines.slice(next, next + perPage[p]!).entries()) {
      if (next + i >= printed) continue;
      s.text(item.description, 56, y, { size: 10, maxWidth: xQty - 56 - 40 });
      s.text(formatQuantity(item.quantity, spec.locale), xQty, y, { size: 10, align: 'right' });
      s.text(num(item.unitPrice), xUnit, y, { size: 10, align: 'right' });
      s.text(num(amount), right - 6, y, { size: 10, align: 'right' });
      s.rule(50, right, y + 7, 0.3, rgb(0.8, 0.8, 0.82));
      y += ROW;
    }
    next += perPage[p]!;

    if (p < pageCount - 1) {
      s.text(L.continued, right, y + 10, { size: 9.5, align: 'right', color: GREY });
    } else {
      y += 14;
      const xLabel = right - 215;
      s.text(L.subtotal, xLabel, y, { size: 10 });
      s.text(formatMoney(totals.subtotal, spec.locale), right - 6, y, { size: 10, align: 'right' });
      y += 17;
      if (totals.tax && spec.taxRate) {
        const rate = formatQuantity(spec.taxRate, spec.locale);
        s.text(L.tax(rate), xLabel, y, { size: 10 });
        s.text(formatMoney(totals.tax, spec.locale), right - 6, y, { size: 10, align: 'right' });
        y += 10;
      }
      s.rule(xLabel, right, y, 0.8);
      y += 17;
      s.text(L.total, xLabel, y, { size: 12, bold: true });
      const printedTotal = spec.printedTotal ? new Decimal(spec.printedTotal) : totals.total;
      s.text(formatMoney(printedTotal, spec.locale), right - 6, y, { size: 12, bold: true, align: 'right' });
      y += 40;
      for (const line of spec.footer) {
        s.text(line, 50, y, { size: 9, color: GREY, maxWidth: right - 50 });
        y += 13;
      }
    }
    if (y > H - 60) throw new Error(`${spec.name}: page ${p + 1} overflows (${y.toFixed(0)}pt)`);
    if (pageCount > 1)
      s.text(L.page(p + 1, pageCount), W / 2, H - 36, { size: 9, align: 'center', color: GREY });
  }
}

// ---- Receipts: a till roll in a monospaced font ----

const RECEIPT_FONT_SIZE = 14;
const RECEIPT_COLUMNS = 34;
const RECEIPT_LINE = 18;
const RECEIPT_MARGIN = 18;

interface ReceiptLabels {
  number: string;
  date: string;
  subtotal: string;
  tax: (rate: string) => string;
  total: string;
  change: string;
  times: string;
}

const RECEIPT_LABELS: Record<Locale, ReceiptLabels> = {
  'en-US': {
    number: 'Receipt #:',
    date: '',
    subtotal: 'SUBTOTAL',
    tax: (r) => `SALES TAX ${r}%`,
    total: 'TOTAL',
    change: 'CHANGE',
    times: '@',
  },
  'en-EU': {
    number: 'Receipt No.',
    date: '',
    subtotal: 'SUBTOTAL',
    tax: (r) => `VAT ${r}%`,
    total: 'TOTAL',
    change: 'CHANGE',
    times: 'x',
  },
  'pt-BR': {
    number: 'NFC-e Nº',
    date: '',
    subtotal: 'SUBTOTAL R$',
    tax: (r) => `IMPOSTOS ${r}%`,
    total: 'VALOR TOTAL R$',
    change: 'Troco',
    times: 'x',
  },
  'es-ES': {
    number: 'Fra. simplificada N.º',
    date: 'Fecha:',
    subtotal: 'BASE IMPONIBLE',
    tax: (r) => `IVA ${r}%`,
    total: 'TOTAL (IVA incl.)',
    change: 'Cambio',
    times: 'x',
  },
};

type ReceiptLine =
  | { kind: 'center'; text: string; big?: boolean }
  | { kind: 'left'; text: string }
  | { kind: 'pair'; left: string; right: string; big?: boolean }
  | { kind: 'rule' }
  | { kind: 'blank' };

function receiptLines(spec: ReceiptSpec): ReceiptLine[] {
  const L = RECEIPT_LABELS[spec.locale];
  const totals = totalsOf(spec);
  const num = (d: Parameters<typeof formatNumber>[0]) => formatNumber(d, spec.locale);
  const lines: ReceiptLine[] = [{ kind: 'center', text: spec.vendor.name, big: true }];
  for (const a of spec.vendor.address) lines.push({ kind: 'center', text: a });
  if (spec.vendor.taxId)
    lines.push({ kind: 'center', text: `${spec.vendor.taxId.label}: ${spec.vendor.taxId.value}` });
  for (const h of spec.headerLines ?? []) lines.push({ kind: 'center', text: h });
  lines.push({ kind: 'rule' });
  if (spec.invoiceNumber) lines.push({ kind: 'left', text: `${L.number} ${spec.invoiceNumber}` });
  const date = formatDate(spec.invoiceDate, spec.locale, spec.dateStyle);
  lines.push({ kind: 'left', text: `${L.date ? `${L.date} ` : ''}${date}  ${spec.time}` });
  lines.push({ kind: 'rule' });

  for (const { item, amount } of totals.lines) {
    lines.push({ kind: 'pair', left: item.description, right: num(amount) });
    if (!new Decimal(item.quantity).equals(1)) {
      lines.push({
        kind: 'left',
        text: `  ${formatQuantity(item.quantity, spec.locale)} ${L.times} ${num(item.unitPrice)}`,
      });
    }
  }
  lines.push({ kind: 'rule' });
  const totalText = spec.locale === 'es-ES' ? formatMoney(totals.total, spec.locale) : num(totals.total);
  if (spec.locale === 'pt-BR')
    lines.push({ kind: 'pair', left: 'QTD. TOTAL DE ITENS', right: String(spec.items.length) });
  if (totals.tax && spec.taxRate && !spec.pricesIncludeTax) {
    lines.push({ kind: 'pair', left: L.subtotal, right: num(totals.subtotal) });
    lines.push({
      kind: 'pair',
      left: L.tax(formatQuantity(spec.taxRate, spec.locale)),
      right: num(totals.tax),
    });
  }
  lines.push({
    kind: 'pair',
    left: L.total,
    right: spec.locale === 'en-US' ? formatMoney(totals.total, spec.locale) : totalText,
    big: true,
  });
  if (totals.tax && spec.taxRate && spec.pricesIncludeTax) {
    lines.push({ kind: 'blank' });
    lines.push({ kind: 'left', text: '  IVA       BASE       CUOTA' });
    const rate = `${formatQuantity(spec.taxRate, spec.locale)}%`;
    lines.push({
      kind: 'left',
      text: `  ${rate.padEnd(5)}${num(totals.subtotal).padStart(9)}${num(totals.tax).padStart(12)}`,
    });
  }
  lines.push({ kind: 'blank' });
  if (spec.locale === 'pt-BR') lines.push({ kind: 'left', text: 'FORMA DE PAGAMENTO' });
  const tendered = spec.payment.tendered ?? totals.total.toFixed(2);
  lines.push({ kind: 'pair', left: spec.payment.method, right: num(tendered) });
  if (spec.payment.tendered) {
    lines.push({ kind: 'pair', left: L.change, right: num(totals.total.negated().plus(tendered)) });
  }
  lines.push({ kind: 'rule' });
  lines.push({ kind: 'center', text: spec.thanks });
  return lines;
}

async function drawReceipt(doc: PDFDocument, spec: ReceiptSpec): Promise<void> {
  const fonts = {
    regular: await doc.embedFont(StandardFonts.CourierBold),
    bold: await doc.embedFont(StandardFonts.CourierBold),
  };
  const lines = receiptLines(spec);
  const fs = RECEIPT_FONT_SIZE;
  const charW = fs * 0.6;
  const width = RECEIPT_COLUMNS * charW + 2 * RECEIPT_MARGIN;
  const height = lines.length * RECEIPT_LINE + 2 * RECEIPT_MARGIN + 16;
  const s = new Sheet(doc.addPage([width, height]), fonts);
  const x0 = RECEIPT_MARGIN;
  const x1 = width - RECEIPT_MARGIN;
  const max = RECEIPT_COLUMNS * charW + 0.01;
  let y = RECEIPT_MARGIN + fs + 4;
  for (const line of lines) {
    switch (line.kind) {
      case 'center':
        s.text(line.text, width / 2, y, { size: line.big ? fs + 2 : fs, align: 'center', maxWidth: max });
        break;
      case 'left':
        s.text(line.text, x0, y, { size: fs, maxWidth: max });
        break;
      case 'pair': {
        const size = line.big ? fs + 2 : fs;
        if ((line.left.length + line.right.length + 2) * size * 0.6 > max) {
          throw new Error(`${spec.name}: receipt line too long: ${line.left} ${line.right}`);
        }
        s.text(line.left, x0, y, { size });
        s.text(line.right, x1, y, { size, align: 'right' });
        break;
      }
      case 'rule':
        s.text('-'.repeat(RECEIPT_COLUMNS), x0, y, { size: fs, color: GREY });
        break;
      case 'blank':
        break;
    }
    y += line.kind === 'pair' && line.big ? RECEIPT_LINE + 4 : RECEIPT_LINE;
  }
}
