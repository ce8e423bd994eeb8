// The top of page 1 for each layout family: where the issuer, the customer, the title and the references go.
// Each returns the y where the item table starts. What the families share (table, totals, notes) is in render.ts.
import { type Ctx, drawLogoText, drawMeta, drawParty, drawTitle, metaEntries } from './blocks.ts';
import { GREY, LIGHT, type Sheet, tint, WHITE } from './draw.ts';
import { type LayoutFamily, totalsOf } from './spec.ts';

export interface FamilyDef {
  header(ctx: Ctx, s: Sheet): number;
  /** The family always prints the legal footer (its issuer is named nowhere else in full). */
  legalFooter?: boolean;
  /** Narrows the table (a sidebar); called before the header. */
  setup?(ctx: Ctx): void;
}

const billTo = (ctx: Ctx) => ctx.word(ctx.L.billTo, 4);
const from = (ctx: Ctx) => ctx.word(ctx.L.from, 5);

export const FAMILIES: Record<LayoutFamily, FamilyDef> = {
  classic: {
    header(ctx, s) {
      const { spec, st, left, right } = ctx;
      const half = (right - left) / 2;
      const vy = drawParty(ctx, s, spec.vendor, left, 64, {
        nameSize: st.size + 7,
        nameColour: ctx.accent,
        taxId: true,
        contact: st.wording % 3 === 0,
        width: half - 10,
      });
      drawTitle(ctx, s, right, 64, { align: 'right', fit: half - 10 });
      const my = drawMeta(ctx, s, 96, {
        x: right - Math.min(230, half - 10),
        width: Math.min(230, half - 10),
      });
      const ruleY = Math.max(vy, my) + 6;
      s.rule(left, right, ruleY, 1.2, ctx.accent);
      const cy = drawParty(ctx, s, spec.customer, left, ruleY + 22, {
        label: billTo(ctx),
        nameSize: st.size + 1.5,
        taxId: true,
        width: half,
      });
      return cy + 26;
    },
  },

  'issuer-right': {
    header(ctx, s) {
      const { spec, st, left, right } = ctx;
      const half = (right - left) / 2;
      drawTitle(ctx, s, left, 74, { size: st.titleSize + 6, fit: half });
      const vy = drawParty(ctx, s, spec.vendor, right, 56, {
        align: 'right',
        nameSize: st.size + 4,
        taxId: true,
        contact: true,
        width: half - 10,
      });
      const my = drawMeta(ctx, s, 106, { x: left, width: Math.min(220, half - 10) });
      const top = Math.max(vy, my) + 16;
      const cy = drawParty(ctx, s, spec.customer, left, top, {
        label: billTo(ctx),
        nameSize: st.size + 2,
        taxId: true,
        width: half,
      });
      return cy + 24;
    },
  },

  'centered-letterhead': {
    header(ctx, s) {
      const { spec, st, left, right } = ctx;
      const cx = (left + right) / 2;
      const width = right - left;
      const v = spec.vendor;
      s.text(v.name, cx, 60, {
        size: st.size + 11,
        weight: 'bold',
        family: st.heading,
        color: ctx.accent,
        align: 'center',
        fit: width,
      });
      s.text(v.address.join(' · '), cx, 78, { size: st.size - 1, align: 'center', fit: width });
      const contact = [...v.contact, ...(v.taxId ? [`${v.taxId.label}: ${v.taxId.value}`] : [])].join(
        '  ·  ',
      );
      s.text(contact, cx, 91, { size: st.size - 1.5, align: 'center', color: GREY, fit: width });
      s.rule(left, right, 101, 0.8, ctx.accent);
      s.rule(left, right, 104, 0.4, ctx.accent);
      drawTitle(ctx, s, cx, 134, { align: 'center', size: Math.min(st.titleSize, 18) });
      const half = width / 2;
      const cy = drawParty(ctx, s, spec.customer, left, 166, {
        label: billTo(ctx),
        nameSize: st.size + 1.5,
        taxId: true,
        width: half - 10,
      });
      const mw = Math.min(240, half - 10);
      const my = drawMeta(ctx, s, 166, { x: right - mw, width: mw });
      return Math.max(cy, my) + 22;
    },
  },

  'customer-first': {
    header(ctx, s) {
      const { spec, st, left, right } = ctx;
      const half = (right - left) / 2;
      // The customer's block is what the eye meets first, and it is the largest text on the page.
      const cy = drawParty(ctx, s, spec.customer, left, 58, {
        label: billTo(ctx),
        nameSize: st.size + 6,
        taxId: true,
        width: half,
      });
      drawTitle(ctx, s, right, 64, { align: 'right', fit: half - 10 });
      const mw = Math.min(220, half - 10);
      const my = drawMeta(ctx, s, 92, { x: right - mw, width: mw });
      const top = Math.max(cy, my) + 18;
      const vx = left + half + 10;
      const vy = drawParty(ctx, s, spec.vendor, vx, top, {
        label: from(ctx),
        nameSize: st.size + 0.5,
        lineSize: st.size - 0.5,
        taxId: true,
        contact: true,
        width: half - 10,
      });
      return vy + 20;
    },
  },

  'title-banner': {
    header(ctx, s) {
      const { spec, st, left, right, W } = ctx;
      const half = (right - left) / 2;
      s.rect(0, 0, W, 96, { fill: ctx.accent });
      drawTitle(ctx, s, left, 66, { size: st.titleSize + 10, colour: WHITE, fit: half + 20 });
      const entries = metaEntries(ctx).slice(0, 2);
      entries.forEach(([label, value], i) => {
        s.text(`${label}: ${value}`, right, 44 + i * 16, {
          size: st.size,
          color: WHITE,
          align: 'right',
          weight: i === 0 ? 'bold' : 'regular',
        });
      });
      const vy = drawParty(ctx, s, spec.vendor, left, 124, {
        nameSize: st.size + 1,
        lineSize: st.size - 1,
        taxId: true,
        contact: true,
        width: half - 10,
      });
      const cy = drawParty(ctx, s, spec.customer, left + half + 10, 124, {
        label: billTo(ctx),
        nameSize: st.size + 4,
        taxId: true,
        width: half - 10,
      });
      let y = Math.max(vy, cy) + 8;
      // The due date and the PO under the band, when there are any.
      const rest = metaEntries(ctx).slice(2);
      for (const [label, value] of rest) {
        s.text(`${label}: ${value}`, left, y, { size: st.size, weight: 'bold' });
        y += st.size * 1.5;
      }
      return y + 18;
    },
  },

  'two-column-letterhead': {
    header(ctx, s) {
      const { spec, st, left, right } = ctx;
      const v = spec.vendor;
      const mid = left + (right - left) * 0.55;
      const vy = drawParty(ctx, s, v, left, 60, {
        nameSize: st.size + 8,
        nameColour: ctx.accent,
        width: mid - left - 10,
      });
      // Right column: contacts, tax ID and bank, small.
      let ry = 50;
      const rsize = st.size - 1.5;
      const rightLines = [
        ...v.contact,
        ...(v.taxId ? [`${v.taxId.label}: ${v.taxId.value}`] : []),
        ...(spec.bank && st.wording % 2 === 1 ? [spec.bank.printed] : []),
      ];
      for (const line of rightLines) {
        s.text(line, mid, ry, { size: rsize, color: GREY, fit: right - mid });
        ry += rsize * 1.45;
      }
      const ruleY = Math.max(vy, ry) + 4;
      s.rule(left, right, ruleY, 2.2, ctx.accent);
      drawTitle(ctx, s, left, ruleY + 34, { size: Math.min(st.titleSize, 22) });
      const mw = Math.min(230, right - mid);
      const my = drawMeta(ctx, s, ruleY + 30, { x: right - mw, width: mw });
      const cy = drawParty(ctx, s, spec.customer, left, ruleY + 62, {
        label: billTo(ctx),
        nameSize: st.size + 2.5,
        taxId: true,
        width: mid - left - 10,
      });
      return Math.max(cy, my) + 22;
    },
  },

  'logo-text': {
    legalFooter: true,
    header(ctx, s) {
      const { spec, st, left, right } = ctx;
      const half = (right - left) / 2;
      const ly = drawLogoText(ctx, s, left, 72, { width: half - 10 });
      // The address under the logo, with no name: its first line may be a postcode and town.
      const ay = drawParty(ctx, s, spec.vendor, left, ly + 8, {
        noName: true,
        lineSize: st.size - 1,
        contact: st.wording % 2 === 0,
        width: half - 10,
      });
      drawTitle(ctx, s, right, 66, { align: 'right', fit: half - 10 });
      const mw = Math.min(220, half - 10);
      const my = drawMeta(ctx, s, 94, { x: right - mw, width: mw });
      const top = Math.max(ay, my) + 24;
      const cy = drawParty(ctx, s, spec.customer, left + (st.wording % 2 ? half + 10 : 0), top, {
        label: billTo(ctx),
        nameSize: st.size + 5,
        taxId: true,
        width: half - 10,
      });
      return cy + 24;
    },
  },

  'logo-image': {
    legalFooter: true,
    header(ctx, s) {
      const { spec, st, left, right } = ctx;
      const half = (right - left) / 2;
      const logo = ctx.logo;
      if (!logo) throw new Error('logo-image needs a logo picture');
      const h = 46;
      const beside = st.logo === 'mark';
      const w = Math.min((logo.width / logo.height) * h, beside ? half - 130 : half - 20);
      s.image(logo, left, 40, w, (w / logo.width) * logo.height);
      let y = 40 + h + 14;
      if (beside) {
        // Named beside the logo, in small print.
        s.text(spec.vendor.name, left + w + 8, 60, { size: st.size - 1.5, color: GREY, fit: half - w - 14 });
      }
      y = drawParty(ctx, s, spec.vendor, left, y, { noName: true, lineSize: st.size - 1, width: half - 10 });
      // The customer prominent at the top right, the title and references under it.
      const cy = drawParty(ctx, s, spec.customer, left + half + 10, 50, {
        label: billTo(ctx),
        nameSize: st.size + 4,
        taxId: true,
        width: half - 10,
      });
      drawTitle(ctx, s, left, Math.max(y, cy) + 30, { size: Math.min(st.titleSize, 24) });
      const my = drawMeta(ctx, s, Math.max(y, cy) + 26, { x: left + half + 10, width: half - 10 });
      return Math.max(my, Math.max(y, cy) + 40) + 20;
    },
  },

  'footer-issuer': {
    legalFooter: true,
    header(ctx, s) {
      const { spec, st, left, right } = ctx;
      const half = (right - left) / 2;
      drawTitle(ctx, s, left, 70, { size: st.titleSize + 4, fit: half });
      const mw = Math.min(230, half - 10);
      const my = drawMeta(ctx, s, 58, { x: right - mw, width: mw });
      const cy = drawParty(ctx, s, spec.customer, left, Math.max(110, my + 20), {
        label: billTo(ctx),
        nameSize: st.size + 5,
        taxId: true,
        width: half,
      });
      return cy + 26;
    },
  },

  sidebar: {
    setup(ctx) {
      ctx.tableLeft = 186;
    },
    header(ctx, s) {
      const { spec, st, right, H } = ctx;
      const v = spec.vendor;
      s.rect(0, 0, 166, H, { fill: tint(st.accent, 0.86) });
      let y = drawParty(ctx, s, v, 18, 70, {
        nameSize: st.size + 2,
        nameColour: ctx.accent,
        lineSize: st.size - 1.5,
        taxId: true,
        contact: true,
        width: 136,
      });
      if (spec.bank) {
        y += 10;
        s.text(ctx.word(ctx.L.bank, 6), 18, y, { size: st.size - 1.5, weight: 'bold' });
        for (const part of spec.bank.printed.split(/,\s*/)) {
          y += (st.size - 1.5) * 1.45;
          s.text(part, 18, y, { size: st.size - 2, fit: 136 });
        }
      }
      const x = ctx.tableLeft;
      const width = right - x;
      drawTitle(ctx, s, x, 74, { size: st.titleSize + 4, fit: width });
      const my = drawMeta(ctx, s, 108, { x, width: Math.min(width, 260) });
      const cy = drawParty(ctx, s, spec.customer, x, my + 20, {
        label: billTo(ctx),
        nameSize: st.size + 3,
        taxId: true,
        width,
      });
      return cy + 24;
    },
  },

  'boxed-grid': {
    header(ctx, s) {
      const { spec, st, left, right } = ctx;
      const cx = (left + right) / 2;
      drawTitle(ctx, s, cx, 58, { align: 'center', size: Math.min(st.titleSize, 20) });
      const half = (right - left) / 2;
      const top = 76;
      const pad = 8;
      const head = st.size * 1.8;
      const boxLabel = (x0: number, label: string) => {
        s.rect(x0, top, x0 + half - 6, top + head, { fill: tint(st.accent, 0.8) });
        s.text(label, x0 + pad, top + head * 0.7, { size: st.size - 1, weight: 'bold' });
      };
      boxLabel(left, from(ctx).replace(/:$/, ''));
      boxLabel(left + half + 6, billTo(ctx).replace(/:$/, ''));
      const vy = drawParty(ctx, s, spec.vendor, left + pad, top + head + st.size * 1.6, {
        nameSize: st.size + 1,
        lineSize: st.size - 0.5,
        taxId: true,
        width: half - 6 - 2 * pad,
      });
      const cy = drawParty(ctx, s, spec.customer, left + half + 6 + pad, top + head + st.size * 1.6, {
        nameSize: st.size + 3,
        taxId: true,
        width: half - 6 - 2 * pad,
      });
      const bottom = Math.max(vy, cy) + 2;
      s.rect(left, top, left + half - 6, bottom, { stroke: GREY, width: 0.7 });
      s.rect(left + half + 6, top, right, bottom, { stroke: GREY, width: 0.7 });
      const my = drawMeta(ctx, s, bottom + 24, { x: left, width: right - left, style: 'table' });
      return my + 22;
    },
  },

  'delivery-note': {
    setup(ctx) {
      ctx.footerReserve = Math.max(ctx.footerReserve, 64);
    },
    header(ctx, s) {
      const { spec, st, left, right } = ctx;
      const v = spec.vendor;
      const width = right - left;
      // The issuer in one small strip at the very top.
      s.text(v.name, left, 40, { size: st.size, weight: 'bold', fit: width / 2 });
      s.text(
        [v.address.join(', '), v.taxId ? `${v.taxId.label} ${v.taxId.value}` : '']
          .filter(Boolean)
          .join(' - '),
        left,
        51,
        { size: st.size - 2, color: GREY, fit: width },
      );
      s.rule(left, right, 58, 0.5, LIGHT);
      drawTitle(ctx, s, left, 86, { size: Math.min(st.titleSize, 16), fit: width / 2 });
      const mw = Math.min(220, width / 2 - 10);
      const my = drawMeta(ctx, s, 82, { x: right - mw, width: mw, style: 'lines' });
      // The shop delivered to, biggest of all.
      const label = ctx.word(ctx.L.shipTo, 7);
      const cy = drawParty(ctx, s, spec.customer, left, Math.max(118, my + 16), {
        label,
        nameSize: 24,
        taxId: true,
        width: width * 0.75,
      });
      return cy + 20;
    },
  },

  'summary-first': {
    header(ctx, s) {
      const { spec, st, left, right } = ctx;
      const width = right - left;
      const L = ctx.L;
      // The summary box: what is owed, by when, on which invoice.
      s.rect(left, 34, right, 112, { fill: tint(st.accent, 0.88), stroke: ctx.accent, width: 0.8 });
      s.text(ctx.word(L.summary, 8), left + 12, 54, {
        size: st.size + 5,
        weight: 'bold',
        family: st.heading,
        color: ctx.accent,
      });
      const owed = spec.paid ? totalsOwed(ctx) : undefined;
      const cells: [string, string][] = [
        [ctx.word(L.number), spec.invoiceNumber],
        [ctx.word(L.date, 1), ctx.date(spec.invoiceDate)],
        ...(spec.dueDate ? [[ctx.word(L.due, 2), ctx.date(spec.dueDate)] as [string, string]] : []),
        [ctx.word(L.balance, 3), owed ?? ctx.money(totalOf(ctx))],
      ];
      const colW = (width - 24) / cells.length;
      cells.forEach(([label, value], i) => {
        const x = left + 12 + i * colW;
        s.text(label, x, 78, { size: st.size - 1.5, color: GREY, fit: colW - 8 });
        const last = i === cells.length - 1;
        s.text(value, x, 97, { size: last ? st.size + 4 : st.size + 0.5, weight: 'bold', fit: colW - 8 });
      });
      const half = width / 2;
      const vy = drawParty(ctx, s, spec.vendor, left, 142, {
        nameSize: st.size + 4,
        taxId: true,
        contact: true,
        width: half - 10,
      });
      const cy = drawParty(ctx, s, spec.customer, left + half + 10, 142, {
        label: billTo(ctx),
        nameSize: st.size + 1.5,
        taxId: true,
        width: half - 10,
      });
      let y = Math.max(vy, cy) + 16;
      drawTitle(ctx, s, left, y + 8, { size: Math.min(st.titleSize, 16) });
      if (spec.purchaseOrder) {
        s.text(`${ctx.word(L.po, 3)}: ${spec.purchaseOrder}`, right, y + 8, {
          size: st.size,
          align: 'right',
        });
      }
      y += 34;
      return y;
    },
  },

  typewriter: {
    header(ctx, s) {
      const { spec, st, left, right } = ctx;
      const half = (right - left) / 2;
      const size = st.size;
      const cx = (left + right) / 2;
      s.text(st.title, cx, 52, { size: size + 4, weight: 'bold', align: 'center', spacing: 2 });
      s.text('='.repeat(Math.floor((right - left) / (size * 0.6)) - 2), left, 64, { size, color: GREY });
      const vy = drawParty(ctx, s, spec.vendor, left, 88, {
        label: from(ctx),
        nameSize: size + 1,
        lineSize: size,
        taxId: true,
        contact: true,
        width: half - 10,
      });
      const my = drawMeta(ctx, s, 88, { x: left + half + 10, width: half - 10, style: 'lines' });
      const cy = drawParty(ctx, s, spec.customer, left, Math.max(vy, my) + 16, {
        label: ctx.word(['To:', 'Para:', 'Bill to:'], spec.language === 'en' ? 0 : 1),
        nameSize: size + 1,
        lineSize: size,
        taxId: true,
        width: half,
      });
      return cy + 22;
    },
  },

  'bill-ship': {
    header(ctx, s) {
      const { spec, st, left, right } = ctx;
      const width = right - left;
      const third = width / 3;
      drawTitle(ctx, s, left, 66, { size: Math.min(st.titleSize, 24), fit: width / 2 });
      const mw = Math.min(230, width / 2 - 10);
      const my = drawMeta(ctx, s, 52, { x: right - mw, width: mw });
      const top = Math.max(104, my + 18);
      const by = drawParty(ctx, s, spec.customer, left, top, {
        label: billTo(ctx),
        nameSize: st.size + 2,
        taxId: true,
        width: third - 10,
      });
      const shipTo = spec.shipTo ?? spec.customer;
      const sy = drawParty(ctx, s, shipTo, left + third, top, {
        label: ctx.word(ctx.L.shipTo, 7),
        nameSize: st.size + 2,
        width: third - 10,
      });
      const vy = drawParty(ctx, s, spec.vendor, right, Math.max(by, sy) + 16, {
        align: 'right',
        label: from(ctx),
        nameSize: st.size + 0.5,
        lineSize: st.size - 0.5,
        taxId: true,
        contact: true,
        width: third + 20,
      });
      return vy + 18;
    },
  },
};

/** The invoice total as printed. */
function totalOf(ctx: Ctx) {
  return totalsOf(ctx.spec).total;
}

/** What is still owed after the payment printed under the total. */
function totalsOwed(ctx: Ctx): string {
  return ctx.money(totalsOf(ctx.spec).total.minus(ctx.spec.paid!));
}
