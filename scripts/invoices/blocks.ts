// The pieces a layout is made of: a party's block, the references (number, dates, PO) in four styles, the
// title, the legal line at the foot of a page. Each draws at a given place and says where it ended.
import type { PDFDocument, PDFImage } from 'pdf-lib';
import {
  type Align,
  type Colour,
  colour,
  type FontSet,
  GREY,
  INK,
  LIGHT,
  Sheet,
  tint,
  WHITE,
} from './draw.ts';
import {
  formatAmount,
  formatDateIn,
  formatMoneyIn,
  formatQuantityIn,
  formatRate,
  LABELS,
  type LabelSet,
} from './locales.ts';
import type { InvoiceSpec, MetaStyle, Party, Style } from './spec.ts';

export interface Ctx {
  spec: InvoiceSpec;
  st: Style;
  L: LabelSet;
  doc: PDFDocument;
  fonts: FontSet;
  accent: Colour;
  /** Page size in points. */
  W: number;
  H: number;
  /** Page margins. */
  left: number;
  right: number;
  /** Where the item table and the totals run, across the page (a sidebar narrows it). */
  tableLeft: number;
  tableRight: number;
  /** Space kept free at the foot of every page for the legal line or signatures. */
  footerReserve: number;
  /** The document's one wording for each label list; `salt` keeps two lists from moving in step. */
  word<T>(list: readonly T[], salt?: number): T;
  money(value: Parameters<typeof formatMoneyIn>[0]): string;
  amount(value: Parameters<typeof formatAmount>[0]): string;
  date(iso: string): string;
  qty(value: string): string;
  rate(value: string): string;
  /** A logo picture for the logo-image family (no text layer). */
  logo?: PDFImage;
}

export function makeCtx(spec: InvoiceSpec, doc: PDFDocument, fonts: FontSet, W: number, H: number): Ctx {
  const st = spec.style;
  const margin = st.page === 'Letter' ? 50 : 46;
  return {
    spec,
    st,
    L: LABELS[spec.language],
    doc,
    fonts,
    accent: colour(st.accent),
    W,
    H,
    left: margin,
    right: W - margin,
    tableLeft: margin,
    tableRight: W - margin,
    footerReserve: 0,
    word: (list, salt = 0) => list[(st.wording + salt) % list.length]!,
    money: (v) => formatMoneyIn(v, spec.numbers, spec.money),
    amount: (v) => formatAmount(v, spec.numbers),
    date: (iso) => formatDateIn(iso, spec.dateStyle, spec.language, spec.country),
    qty: (v) => formatQuantityIn(v, spec.numbers),
    rate: (v) => formatRate(v, spec.numbers),
  };
}

export function newSheet(ctx: Ctx, family = ctx.st.body): Sheet {
  const page = ctx.doc.addPage(ctx.st.page === 'Letter' ? [612, 792] : [595.28, 841.89]);
  return new Sheet(page, ctx.fonts, family);
}

// ---- Parties ----

export interface PartyOptions {
  align?: Align;
  /** A small label above the block ("BILL TO", "From:"). */
  label?: string;
  nameSize?: number;
  nameColour?: Colour;
  nameFamily?: Style['heading'];
  lineSize?: number;
  taxId?: boolean;
  contact?: boolean;
  /** Width the block may use. */
  width: number;
  /** The name is not printed (a logo or the footer carries it). */
  noName?: boolean;
  lineGap?: number;
}

/** A party's block from (x, y) down; `x` is the right edge when right-aligned. Returns the y under it. */
export function drawParty(ctx: Ctx, s: Sheet, party: Party, x: number, y: number, o: PartyOptions): number {
  const align = o.align ?? 'left';
  const lineSize = o.lineSize ?? ctx.st.size;
  const gap = o.lineGap ?? lineSize * 1.4;
  let cy = y;
  const nameSize = o.nameSize ?? lineSize + 2;
  if (o.label) {
    s.text(o.label, x, cy, { size: lineSize - 1, weight: 'bold', color: GREY, align });
    // Room for the name's capitals under the label, however big the name is.
    cy += lineSize * 0.6 + (o.noName ? lineSize : nameSize);
  }
  if (!o.noName) {
    s.text(party.name, x, cy, {
      size: nameSize,
      weight: 'bold',
      family: o.nameFamily ?? ctx.st.heading,
      color: o.nameColour ?? INK,
      align,
      fit: o.width,
    });
    cy += Math.max(gap, nameSize * 1.25);
  }
  for (const line of party.address) {
    s.text(line, x, cy, { size: lineSize, align, fit: o.width });
    cy += gap;
  }
  if (o.taxId && party.taxId) {
    s.text(`${party.taxId.label}: ${party.taxId.value}`, x, cy, { size: lineSize, align, fit: o.width });
    cy += gap;
  }
  if (o.contact) {
    for (const line of party.contact) {
      s.text(line, x, cy, { size: lineSize - 0.5, align, color: GREY, fit: o.width });
      cy += gap;
    }
  }
  return cy;
}

// ---- References: number, dates, purchase order ----

export function metaEntries(ctx: Ctx): [string, string][] {
  const { spec, L } = ctx;
  const out: [string, string][] = [
    [ctx.word(L.number), spec.invoiceNumber],
    [ctx.word(L.date, 1), ctx.date(spec.invoiceDate)],
  ];
  if (spec.dueDate) out.push([ctx.word(L.due, 2), ctx.date(spec.dueDate)]);
  if (spec.purchaseOrder) out.push([ctx.word(L.po, 3), spec.purchaseOrder]);
  return out;
}

export interface MetaOptions {
  /** Left edge of the block, and its width. */
  x: number;
  width: number;
  style?: MetaStyle;
  colour?: Colour;
  size?: number;
}

/** The references block; returns the y under it. */
export function drawMeta(ctx: Ctx, s: Sheet, y: number, o: MetaOptions): number {
  const entries = metaEntries(ctx);
  const size = o.size ?? ctx.st.size;
  const ink = o.colour ?? INK;
  // A table of references too narrow for its labels becomes a grid.
  const wanted = o.style ?? ctx.st.meta;
  const style = wanted === 'table' && o.width / entries.length < 80 ? 'grid' : wanted;
  const colon = ctx.st.wording % 2 === 0 ? ':' : '';
  switch (style) {
    case 'lines': {
      // Label left, value right-aligned at the block's right edge.
      let cy = y;
      for (const [label, value] of entries) {
        s.text(`${label}${colon}`, o.x, cy, { size, weight: 'bold', color: ink });
        s.text(value, o.x + o.width, cy, { size, align: 'right', color: ink });
        cy += size * 1.55;
      }
      return cy;
    }
    case 'stacked': {
      // Label over value, the pairs side by side when they fit, else one under the other.
      const colW = o.width / entries.length;
      if (colW >= 78) {
        entries.forEach(([label, value], i) => {
          const x = o.x + i * colW;
          s.text(label.toUpperCase(), x, y, { size: size - 2, color: GREY, weight: 'bold', fit: colW - 6 });
          s.text(value, x, y + size * 1.4, { size: size + 0.5, weight: 'bold', color: ink, fit: colW - 6 });
        });
        return y + size * 2.6;
      }
      let cy = y;
      for (const [label, value] of entries) {
        s.text(label, o.x, cy, { size: size - 1.5, color: GREY });
        s.text(value, o.x, cy + size * 1.25, { size, weight: 'bold', color: ink });
        cy += size * 2.8;
      }
      return cy;
    }
    case 'table': {
      // One row of labels in a band, the values in the row under, ruled.
      const colW = o.width / entries.length;
      const h = size * 1.9;
      s.rect(o.x, y - size * 1.3, o.x + o.width, y - size * 1.3 + h, { fill: tint(ctx.st.accent, 0.85) });
      s.rect(o.x, y - size * 1.3, o.x + o.width, y - size * 1.3 + 2 * h, { stroke: GREY, width: 0.6 });
      entries.forEach(([label, value], i) => {
        const cx = o.x + i * colW + colW / 2;
        s.text(label, cx, y, { size: size - 1, weight: 'bold', align: 'center', fit: colW - 6 });
        s.text(value, cx, y + h, { size, align: 'center', color: ink, fit: colW - 6 });
        if (i > 0) s.vrule(o.x + i * colW, y - size * 1.3, y - size * 1.3 + 2 * h, 0.5);
      });
      s.rule(o.x, o.x + o.width, y - size * 1.3 + h, 0.5);
      return y + 2 * h + 4;
    }
    case 'grid': {
      // Two columns of ruled cells: label | value.
      const h = size * 1.9;
      const labelW = Math.min(o.width * 0.5, 120);
      let top = y - size * 1.3;
      for (const [label, value] of entries) {
        s.rect(o.x, top, o.x + labelW, top + h, {
          fill: tint(ctx.st.accent, 0.88),
          stroke: LIGHT,
          width: 0.5,
        });
        s.rect(o.x + labelW, top, o.x + o.width, top + h, { stroke: LIGHT, width: 0.5 });
        s.text(label, o.x + 5, top + h * 0.68, { size: size - 1, weight: 'bold', fit: labelW - 8 });
        s.text(value, o.x + o.width - 5, top + h * 0.68, { size, align: 'right', color: ink });
        top += h;
      }
      return top + size * 1.3 + 4;
    }
  }
}

// ---- Title, logo, footer ----

export function drawTitle(
  ctx: Ctx,
  s: Sheet,
  x: number,
  y: number,
  o: { align?: Align; size?: number; colour?: Colour; fit?: number } = {},
): void {
  s.text(ctx.st.title, x, y, {
    size: o.size ?? ctx.st.titleSize,
    weight: 'bold',
    family: ctx.st.heading,
    color: o.colour ?? ctx.accent,
    align: o.align ?? 'left',
    ...(o.fit ? { fit: o.fit } : {}),
  });
}

/** The brand as big stylised letters; returns the y under it. */
export function drawLogoText(
  ctx: Ctx,
  s: Sheet,
  x: number,
  y: number,
  o: { align?: Align; width: number },
): number {
  const brand = ctx.spec.vendor.brand;
  const align = o.align ?? 'left';
  switch (ctx.st.logo) {
    case 'spaced':
      s.text(brand.toUpperCase(), x, y, {
        size: 24,
        weight: 'bold',
        family: 'Helvetica',
        color: ctx.accent,
        spacing: 5,
        align,
        fit: o.width,
      });
      return y + 18;
    case 'italic':
      s.text(brand, x, y, {
        size: 32,
        weight: 'boldItalic',
        family: 'Times',
        color: ctx.accent,
        align,
        fit: o.width,
      });
      return y + 20;
    case 'bold':
      s.text(`${brand.toLowerCase()}.`, x, y, {
        size: 30,
        weight: 'bold',
        family: 'Helvetica',
        color: ctx.accent,
        align,
        fit: o.width,
      });
      return y + 20;
    case 'mark': {
      // A round mark with the initials, the brand beside it.
      const initials = brand
        .split(/\s+/)
        .map((w) => w[0])
        .join('')
        .slice(0, 2)
        .toUpperCase();
      const r = 17;
      const cx = align === 'right' ? x - o.width + r : x + r;
      s.circle(cx, y - 8, r, ctx.accent);
      s.text(initials, cx, y - 2, {
        size: 15,
        weight: 'bold',
        family: 'Helvetica',
        color: WHITE,
        align: 'center',
      });
      s.text(brand.toUpperCase(), cx + r + 8, y - 2, {
        size: 18,
        weight: 'bold',
        color: ctx.accent,
        fit: o.width - 2 * r - 10,
      });
      return y + 20;
    }
  }
}

/** The issuer's legal line at the foot of a page: name, address, tax ID, contacts, in small print. */
export function drawLegalFooter(ctx: Ctx, s: Sheet): void {
  const v = ctx.spec.vendor;
  const size = 7;
  const cx = (ctx.left + ctx.right) / 2;
  const width = ctx.right - ctx.left;
  const y0 = ctx.H - 38;
  s.rule(ctx.left, ctx.right, y0 - 12, 0.4, LIGHT);
  s.text(`${v.name} · ${v.address.join(', ')}`, cx, y0, { size, align: 'center', color: GREY, fit: width });
  const second = [v.taxId ? `${v.taxId.label}: ${v.taxId.value}` : '', ...v.contact]
    .filter(Boolean)
    .join(' · ');
  if (second) s.text(second, cx, y0 + 9.5, { size, align: 'center', color: GREY, fit: width });
}

/** Room the legal footer needs at the foot of a page. */
export const LEGAL_FOOTER_HEIGHT = 56;
