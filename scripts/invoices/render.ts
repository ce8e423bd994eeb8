// Draws a generated invoice as a digital PDF: the layout family's header, then the item table (running over
// pages when it must), the totals in the style's shape, the notes, and the footers.
import { PDFDocument, rgb } from 'pdf-lib';
import { renderPages } from '../samples/raster.ts';
import { type Ctx, drawLegalFooter, LEGAL_FOOTER_HEIGHT, makeCtx, newSheet } from './blocks.ts';
import { type Align, embedFonts, GREY, INK, LIGHT, Sheet, tint, WHITE } from './draw.ts';
import { FAMILIES } from './layouts.ts';
import { TAX_LABELS } from './locales.ts';
import { type InvoiceSpec, type LineSpec, totalsOf } from './spec.ts';

/** Fixed metadata so the same spec gives the same bytes on every run. */
const FIXED_DATE = new Date('2025-06-30T12:00:00Z');

export async function renderInvoice(spec: InvoiceSpec): Promise<{ pdf: Uint8Array; pages: number }> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.setTitle(spec.name);
  doc.setProducer('Retaguarda invoice generator');
  doc.setCreator('scripts/invoices');
  doc.setCreationDate(FIXED_DATE);
  doc.setModificationDate(FIXED_DATE);
  const fonts = await embedFonts(doc);
  const [W, H] = spec.style.page === 'Letter' ? [612, 792] : [595.28, 841.89];
  const ctx = makeCtx(spec, doc, fonts, W, H);
  const family = FAMILIES[spec.layout];
  const legal = family.legalFooter || spec.style.legalFooter;
  if (legal) ctx.footerReserve = LEGAL_FOOTER_HEIGHT;
  family.setup?.(ctx);
  if (spec.layout === 'logo-image') ctx.logo = await doc.embedPng(await logoPicture(spec));

  const sheets: Sheet[] = [];
  const first = newSheet(ctx);
  sheets.push(first);
  let y = family.header(ctx, first);
  // A stamp only on an invoice paid in full.
  const paidInFull = spec.paid !== undefined && totalsOf(spec).total.equals(spec.paid);
  if (paidInFull && spec.style.stamp && !['title-banner', 'summary-first', 'sidebar'].includes(spec.layout)) {
    drawStamp(ctx, first);
  }

  const table = drawItems(ctx, sheets, y);
  y = drawTotals(ctx, sheets, table.y + 12);
  y = drawNotes(ctx, sheets, y + 22);
  if (spec.layout === 'delivery-note') drawSignatures(ctx, sheets.at(-1)!);

  sheets.forEach((s, i) => {
    if (legal) drawLegalFooter(ctx, s);
    if (sheets.length > 1) {
      s.text(ctx.L.page(i + 1, sheets.length), ctx.right, ctx.H - 18, {
        size: 7.5,
        color: GREY,
        align: 'right',
      });
    }
  });
  return { pdf: await doc.save(), pages: sheets.length };
}

// ---- Item table ----

type ColumnKey = 'code' | 'desc' | 'qty' | 'unit' | 'rate' | 'amount';
interface Column {
  key: ColumnKey;
  header: string;
  x0: number;
  x1: number;
  align: Align;
}

function columnsOf(ctx: Ctx): Column[] {
  const { L, st, spec } = ctx;
  const multi = spec.tax.kind === 'multi';
  const keys: ColumnKey[] = {
    'desc-qty-unit-amount': ['desc', 'qty', 'unit', 'amount'] as ColumnKey[],
    'qty-desc-unit-amount': ['qty', 'desc', 'unit', 'amount'] as ColumnKey[],
    'code-desc-qty-unit-amount': ['code', 'desc', 'qty', 'unit', 'amount'] as ColumnKey[],
    'desc-amount': ['desc', 'amount'] as ColumnKey[],
  }[st.columns];
  if (multi) keys.splice(keys.length - 1, 0, 'rate');
  const fixed: Record<Exclude<ColumnKey, 'desc'>, number> = {
    code: 54,
    qty: 46,
    unit: 76,
    rate: 42,
    amount: 82,
  };
  const span = ctx.tableRight - ctx.tableLeft;
  const others = () =>
    keys.filter((k) => k !== 'desc').reduce((acc, k) => acc + fixed[k as Exclude<ColumnKey, 'desc'>], 0);
  // A narrow table (a sidebar beside it, a tax column) has no room for item codes.
  if (span - others() < 200 && keys[0] === 'code') keys.shift();
  const descW = span - others();
  const headers: Record<ColumnKey, string> = {
    code: ctx.word(L.code, 1),
    desc: ctx.word(L.description, 2),
    qty: ctx.word(L.quantity, 3),
    unit: ctx.word(L.unitPrice, 4),
    rate: ctx.word(L.rate, 5),
    amount: ctx.word(L.amount, 6),
  };
  let x = ctx.tableLeft;
  return keys.map((key) => {
    const w = key === 'desc' ? descW : fixed[key];
    const col: Column = {
      key,
      header: headers[key],
      x0: x,
      x1: x + w,
      align: key === 'desc' || key === 'code' ? 'left' : 'right',
    };
    x += w;
    return col;
  });
}

function cellText(ctx: Ctx, line: LineSpec, key: ColumnKey): string {
  switch (key) {
    case 'code':
      return line.code ?? '';
    case 'desc':
      return line.description;
    case 'qty':
      return line.quantity !== undefined ? ctx.qty(line.quantity) : '';
    case 'unit':
      return line.unitPrice !== undefined ? ctx.amount(line.unitPrice) : '';
    case 'rate':
      return line.taxRate !== undefined ? `${ctx.rate(line.taxRate)}%` : '';
    case 'amount':
      return ctx.amount(line.amount);
  }
}

function pageBottom(ctx: Ctx): number {
  return ctx.H - 44 - ctx.footerReserve;
}

function continuationSheet(ctx: Ctx, sheets: Sheet[]): { s: Sheet; y: number } {
  const s = newSheet(ctx);
  sheets.push(s);
  const label = `${ctx.st.title} ${ctx.spec.invoiceNumber}`;
  s.text(label, ctx.tableLeft, 52, { size: ctx.st.size, weight: 'bold' });
  s.rule(ctx.tableLeft, ctx.tableRight, 62, 0.8, ctx.accent);
  return { s, y: 92 };
}

function drawTableHeader(ctx: Ctx, s: Sheet, cols: Column[], y: number): number {
  const { st } = ctx;
  const size = st.size - 0.5;
  const top = y - size * 1.35;
  const bottom = y + size * 0.65;
  if (st.table === 'banded' || st.table === 'boxed') {
    s.rect(ctx.tableLeft, top, ctx.tableRight, bottom, {
      fill: st.table === 'boxed' ? ctx.accent : tint(st.accent, 0.84),
    });
  } else {
    s.rule(ctx.tableLeft, ctx.tableRight, top, 0.8, INK);
    s.rule(ctx.tableLeft, ctx.tableRight, bottom, 0.8, INK);
  }
  const color = st.table === 'boxed' ? WHITE : INK;
  for (const c of cols) {
    const x = c.align === 'right' ? c.x1 - 5 : c.x0 + 5;
    s.text(c.header, x, y, { size, weight: 'bold', align: c.align, color, fit: c.x1 - c.x0 - 8 });
  }
  return bottom + size * 1.45;
}

/** The item rows from y, on as many pages as they need; returns the last page and the y under the table. */
function drawItems(ctx: Ctx, sheets: Sheet[], startY: number): { y: number } {
  const { st, spec } = ctx;
  const cols = columnsOf(ctx);
  const rowH = st.size * 1.95;
  let s = sheets.at(-1)!;
  let y = drawTableHeader(ctx, s, cols, startY);
  let tableTop = startY - st.size * 1.35;
  const closeBox = (sheet: Sheet, bottom: number) => {
    if (st.table !== 'boxed') return;
    sheet.rect(ctx.tableLeft, tableTop, ctx.tableRight, bottom, { stroke: GREY, width: 0.6 });
    for (const c of cols.slice(1)) sheet.vrule(c.x0, tableTop, bottom, 0.4, LIGHT);
  };
  spec.lines.forEach((line, i) => {
    if (y + rowH > pageBottom(ctx)) {
      closeBox(s, y - rowH + st.size * 0.6);
      s.text(ctx.L.continued, ctx.tableRight, y, { size: st.size - 1, color: GREY, align: 'right' });
      ({ s, y } = continuationSheet(ctx, sheets));
      tableTop = y - st.size * 1.35;
      y = drawTableHeader(ctx, s, cols, y);
    }
    if (st.table === 'banded' && i % 2 === 1) {
      s.rect(ctx.tableLeft, y - st.size * 1.25, ctx.tableRight, y + st.size * 0.7, {
        fill: rgb(0.95, 0.95, 0.96),
      });
    }
    let extra = 0;
    for (const c of cols) {
      const text = cellText(ctx, line, c.key);
      if (!text) continue;
      const x = c.align === 'right' ? c.x1 - 5 : c.x0 + 5;
      const fit = c.x1 - c.x0 - 8;
      // A description too long for its column even in small type wraps onto further lines, as printed ones do.
      const wrapped = s.measure(text, { size: 5 }) > fit ? wrap(s, text, fit, st.size) : [text];
      wrapped.forEach((part, k) => {
        s.text(part, x, y + k * st.size * 1.15, { size: st.size, align: c.align, fit });
      });
      extra = Math.max(extra, (wrapped.length - 1) * st.size * 1.15);
    }
    y += extra;
    if (st.table === 'ruled') s.rule(ctx.tableLeft, ctx.tableRight, y + st.size * 0.7, 0.3, LIGHT);
    y += rowH;
  });
  closeBox(s, y - rowH + st.size * 0.75);
  if (st.table !== 'boxed') s.rule(ctx.tableLeft, ctx.tableRight, y - rowH + st.size * 0.75, 0.8, INK);
  return { y };
}

// ---- Totals ----

interface TotalRow {
  label: string;
  value: string;
  strong?: boolean;
}

function totalRows(ctx: Ctx): TotalRow[] {
  const { spec, L } = ctx;
  const t = totalsOf(spec);
  const taxLabel = ctx.word(TAX_LABELS[spec.country], 1);
  const rows: TotalRow[] = [];
  if (spec.showsSubtotal && spec.tax.kind !== 'inclusive') {
    rows.push({ label: ctx.word(L.subtotal, 2), value: ctx.money(t.subtotal) });
  }
  switch (spec.tax.kind) {
    case 'single':
    case 'reverse-charge':
      rows.push({ label: taxLabel(ctx.rate(t.taxes[0]!.rate)), value: ctx.money(t.tax!) });
      break;
    case 'multi':
      for (const x of t.taxes) rows.push({ label: taxLabel(ctx.rate(x.rate)), value: ctx.money(x.tax) });
      rows.push({ label: ctx.word(L.totalTax, 3), value: ctx.money(t.tax!) });
      break;
    default:
      break;
  }
  rows.push({ label: ctx.word(L.total, 4), value: ctx.money(t.total), strong: true });
  if (spec.tax.kind === 'inclusive') {
    rows.push({ label: ctx.word(L.inclTax, 5)(ctx.rate(spec.tax.rate)), value: ctx.money(t.tax!) });
  }
  if (spec.paid) {
    rows.push({ label: ctx.word(L.paid, 6), value: ctx.money(`-${spec.paid}`) });
    rows.push({ label: ctx.word(L.balance, 7), value: ctx.money(t.total.minus(spec.paid)), strong: true });
  }
  return rows;
}

function drawTotals(ctx: Ctx, sheets: Sheet[], y0: number): number {
  const { st } = ctx;
  const rows = totalRows(ctx);
  const size = st.size;
  const rowH = size * 1.7;
  const heading = st.summaryHeading ? size * 2.2 : 0;
  const height = heading + (st.totals === 'table-row' ? size * 4.2 : rows.length * rowH + 8);
  let s = sheets.at(-1)!;
  let y = y0 + size;
  if (y + height > pageBottom(ctx)) ({ s, y } = continuationSheet(ctx, sheets));
  const right = ctx.tableRight;
  const labelX = right - Math.min(250, (ctx.tableRight - ctx.tableLeft) * 0.55);
  if (st.summaryHeading) {
    s.text(ctx.word(ctx.L.summary, 8), labelX, y, { size: size + 1.5, weight: 'bold', color: ctx.accent });
    y += heading;
  }
  switch (st.totals) {
    case 'block':
    case 'boxed':
      for (const r of rows) {
        const sz = r.strong ? size + 1.5 : size;
        if (r.strong && st.totals === 'boxed') {
          s.rect(labelX - 6, y - sz * 1.2, right, y + sz * 0.55, { fill: ctx.accent });
          s.text(r.label, labelX, y, { size: sz, weight: 'bold', color: WHITE });
          s.text(r.value, right - 6, y, { size: sz, weight: 'bold', color: WHITE, align: 'right' });
        } else {
          if (r.strong) s.rule(labelX, right, y - sz * 1.2, 0.7);
          s.text(r.label, labelX, y, {
            size: sz,
            weight: r.strong ? 'bold' : 'regular',
            fit: right - labelX - 100,
          });
          s.text(r.value, right - 6, y, { size: sz, weight: r.strong ? 'bold' : 'regular', align: 'right' });
        }
        y += r.strong ? rowH + 3 : rowH;
      }
      return y;
    case 'leaders': {
      const x0 = right - Math.min(300, ctx.tableRight - ctx.tableLeft);
      for (const r of rows) {
        const w = s.measure(r.value, { size });
        const lw = s.measure(r.label, { size, weight: r.strong ? 'bold' : 'regular' });
        const dotW = s.measure('.', { size });
        const dots = '.'.repeat(Math.max(2, Math.floor((right - x0 - w - lw - 12) / dotW)));
        s.text(r.label, x0, y, { size, weight: r.strong ? 'bold' : 'regular' });
        s.text(dots, x0 + lw + 4, y, { size, color: GREY });
        s.text(r.value, right, y, { size, weight: r.strong ? 'bold' : 'regular', align: 'right' });
        y += rowH;
      }
      return y;
    }
    case 'table-row': {
      // Labels as column headers, the amounts in the row under, ruled: totals "in a table".
      const x0 = ctx.tableLeft;
      const colW = (right - x0) / rows.length;
      const h = size * 1.9;
      const top = y - size * 1.3;
      s.rect(x0, top, right, top + h, { fill: tint(st.accent, 0.85) });
      s.rect(x0, top, right, top + 2 * h, { stroke: GREY, width: 0.6 });
      s.rule(x0, right, top + h, 0.5);
      rows.forEach((r, i) => {
        const cx = x0 + (i + 1) * colW - 6;
        if (i > 0) s.vrule(x0 + i * colW, top, top + 2 * h, 0.5);
        s.text(r.label, cx, y, { size: size - 1, weight: 'bold', align: 'right', fit: colW - 10 });
        s.text(r.value, cx, y + h, {
          size: r.strong ? size + 0.5 : size,
          weight: r.strong ? 'bold' : 'regular',
          align: 'right',
          fit: colW - 10,
        });
      });
      return y + 2 * h;
    }
  }
}

// ---- Notes, stamps, signatures ----

function drawNotes(ctx: Ctx, sheets: Sheet[], y0: number): number {
  const { spec, L, st } = ctx;
  const lines: string[] = [];
  if (spec.termsDays !== undefined)
    lines.push(spec.termsDays === 0 ? L.onReceipt : ctx.word(L.terms(spec.termsDays), 1));
  if (spec.tax.kind === 'reverse-charge') lines.push(L.reverseCharge);
  if (spec.bank) lines.push(`${ctx.word(L.bank, 6)}: ${spec.bank.printed}`);
  lines.push(ctx.word(L.thanks, 2));
  const size = st.size - 1;
  let s = sheets.at(-1)!;
  let y = y0;
  if (y + lines.length * size * 1.5 > pageBottom(ctx)) ({ s, y } = continuationSheet(ctx, sheets));
  for (const line of lines) {
    s.text(line, ctx.tableLeft, y, { size, color: GREY, fit: ctx.tableRight - ctx.tableLeft });
    y += size * 1.5;
  }
  return y;
}

function drawStamp(ctx: Ctx, s: Sheet): void {
  const text = ctx.word(ctx.L.receiptStamp, 3);
  const red = rgb(0.75, 0.12, 0.12);
  const size = 13;
  const w = s.measure(text, { size, weight: 'bold', family: 'Helvetica' });
  const cx = ctx.W / 2;
  s.rect(cx - w / 2 - 8, 17, cx + w / 2 + 8, 38, { stroke: red, width: 1.5 });
  s.text(text, cx, 33, { size, weight: 'bold', family: 'Helvetica', color: red, align: 'center' });
}

function drawSignatures(ctx: Ctx, s: Sheet): void {
  const y = ctx.H - 44 - ctx.footerReserve + 40;
  const half = (ctx.right - ctx.left) / 2;
  ctx.L.deliveredBy.slice(0, 2).forEach((label, i) => {
    const x = ctx.left + i * half;
    s.text(`${label}:`, x, y, { size: ctx.st.size - 1, color: GREY });
    s.rule(x + 70, x + half - 20, y + 2, 0.5, GREY);
  });
}

/** The brand drawn as a picture, as a logo pasted into a letterhead: no text behind it. */
async function logoPicture(spec: InvoiceSpec): Promise<Buffer> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.setCreationDate(FIXED_DATE);
  doc.setModificationDate(FIXED_DATE);
  const fonts = await embedFonts(doc);
  const brand = spec.vendor.brand;
  const italic = spec.style.logo === 'italic';
  const font = italic ? fonts.Times.boldItalic : fonts.Helvetica.bold;
  const size = 40;
  const text = italic ? brand : brand.toUpperCase();
  const width = font.widthOfTextAtSize(text, size) + 70;
  const page = doc.addPage([width, 60]);
  const s = new Sheet(page, fonts, 'Helvetica');
  const [r, g, b] = spec.style.accent;
  s.rect(4, 8, 50, 54, { fill: rgb(r, g, b) });
  s.circle(27, 31, 12, rgb(1, 1, 1));
  s.text(text, 60, 46, {
    size,
    weight: italic ? 'boldItalic' : 'bold',
    family: italic ? 'Times' : 'Helvetica',
    color: rgb(r, g, b),
  });
  const [png] = await renderPages(await doc.save(), 150);
  return png!;
}

/** Splits `text` at spaces into lines that each fit `width` at `size` (a single over-long word stays whole). */
function wrap(s: Sheet, text: string, width: number, size: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(' ')) {
    const next = current ? `${current} ${word}` : word;
    if (current && s.measure(next, { size }) > width) {
      lines.push(current);
      current = word;
    } else current = next;
  }
  if (current) lines.push(current);
  return lines;
}
