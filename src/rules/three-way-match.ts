// The three-way match: an invoice's lines against its purchase order's lines (what was ordered, at what price)
// and the quantities received on it (goods receipts), within tolerances. Pure; po_mismatch reports it.
import { Decimal } from 'decimal.js';
import type { LineItem } from '../contract/result.ts';
import { decimalOf, type Finding, money } from './context.ts';
import { normaliseName, type PurchaseOrder, type PurchaseOrderLine } from './master-data.ts';

export interface Tolerances {
  /** Billed quantity may exceed the received (or ordered) quantity by this percentage. */
  quantityPercent: number;
  /** Billed unit price may exceed the ordered one by this percentage. */
  pricePercent: number;
  /** A purchase order with lines but no goods receipt at all is reported. */
  requireReceipt: boolean;
}

export interface NumberedLine extends PurchaseOrderLine {
  line: number;
}

export interface LinePair {
  /** The invoice line's index in the document's line items. */
  index: number;
  poLine: NumberedLine | undefined;
}

const tokens = (s: string) =>
  new Set(
    normaliseName(s)
      .split(' ')
      .filter((t) => t.length >= 2),
  );
const compact = (s: string) => s.replace(/[^0-9A-Za-z]/g, '').toUpperCase();

/** How alike an invoice line and an order line are: 0 (not at all) to 3 (the SKU is printed on the line). */
export function lineLikeness(invoiceLine: Pick<LineItem, 'description'>, poLine: PurchaseOrderLine): number {
  const text = invoiceLine.description;
  if (poLine.sku && compact(poLine.sku).length >= 3) {
    const words = text.split(/[\s,;()[\]]+/).map(compact);
    if (words.includes(compact(poLine.sku))) return 3;
  }
  const a = normaliseName(text);
  const b = normaliseName(poLine.description);
  if (!a || !b) return 0;
  if (a === b) return 2;
  if (a.includes(b) || b.includes(a)) return 1.5;
  const ta = tokens(text);
  const tb = tokens(poLine.description);
  const shared = [...ta].filter((t) => tb.has(t)).length;
  const jaccard = shared / (ta.size + tb.size - shared || 1);
  return jaccard >= 0.5 ? jaccard : 0;
}

/** Each invoice line paired with at most one order line, the most alike pairs first. */
export function pairLines(
  invoiceLines: readonly LineItem[],
  poLines: readonly PurchaseOrderLine[],
): LinePair[] {
  const numbered: NumberedLine[] = poLines.map((l, i) => ({ ...l, line: l.line ?? i + 1 }));
  const candidates: { index: number; po: NumberedLine; score: number }[] = [];
  invoiceLines.forEach((line, index) => {
    for (const po of numbered) {
      const score = lineLikeness(line, po);
      if (score > 0) candidates.push({ index, po, score });
    }
  });
  candidates.sort((x, y) => y.score - x.score || x.index - y.index || x.po.line - y.po.line);
  const byIndex = new Map<number, NumberedLine>();
  const used = new Set<number>();
  for (const c of candidates) {
    if (byIndex.has(c.index) || used.has(c.po.line)) continue;
    byIndex.set(c.index, c.po);
    used.add(c.po.line);
  }
  // One line against one line: the same thing, whatever each calls it.
  if (invoiceLines.length === 1 && numbered.length === 1 && byIndex.size === 0) byIndex.set(0, numbered[0]!);
  return invoiceLines.map((_, index) => ({ index, poLine: byIndex.get(index) }));
}

const allowance = (base: Decimal, percent: number) => base.times(100 + percent).dividedBy(100);
const qty = (d: Decimal) => d.toFixed();

/** The unit price an invoice line bills: as printed, else its amount over its quantity. */
function billedPrice(line: LineItem): Decimal | undefined {
  const price = decimalOf(line.unitPrice);
  if (price) return price;
  const amount = decimalOf(line.amount);
  const quantity = decimalOf(line.quantity);
  return amount && quantity && !quantity.isZero() ? amount.dividedBy(quantity) : undefined;
}

/** Every way the invoice's lines go beyond its purchase order and what was received on it. */
export function threeWayMatch(
  invoiceLines: readonly LineItem[],
  po: PurchaseOrder,
  tolerances: Tolerances,
  currency?: string,
): Finding[] {
  const poLines = po.lines ?? [];
  const out: Finding[] = [];
  const receiving = poLines.some((l) => l.received !== undefined);
  if (tolerances.requireReceipt && !receiving) {
    out.push({
      field: 'purchaseOrder',
      message: `No goods receipt is recorded for purchase order ${po.number}: nothing can be paid as received yet.`,
    });
  }
  for (const { index, poLine } of pairLines(invoiceLines, poLines)) {
    const line = invoiceLines[index]!;
    const name = `Line ${index + 1} ("${line.description}")`;
    if (!poLine) {
      out.push({
        field: `lineItems[${index}].description`,
        message: `${name} is not on purchase order ${po.number}.`,
      });
      continue;
    }
    const onOrder = `purchase order ${po.number} line ${poLine.line}`;
    const billed = decimalOf(line.quantity);
    const ordered = new Decimal(poLine.quantity);
    if (billed) {
      const received = poLine.received !== undefined ? new Decimal(poLine.received) : undefined;
      const base = received ?? ordered;
      const limit = allowance(base, tolerances.quantityPercent);
      if (billed.greaterThan(limit)) {
        const within = tolerances.quantityPercent ? ` (${tolerances.quantityPercent}% over allowed)` : '';
        out.push({
          field: `lineItems[${index}].quantity`,
          message: received
            ? `${name} bills ${qty(billed)}, but only ${qty(received)} of the ${qty(ordered)} ordered on ${onOrder} were received${within}.`
            : `${name} bills ${qty(billed)}, but ${onOrder} orders ${qty(ordered)}${within}.`,
        });
      }
    }
    const price = billedPrice(line);
    const agreed = new Decimal(poLine.unitPrice);
    if (price?.greaterThan(allowance(agreed, tolerances.pricePercent))) {
      const within = tolerances.pricePercent ? ` (${tolerances.pricePercent}% over allowed)` : '';
      out.push({
        field: `lineItems[${index}].unitPrice`,
        message: `${name} bills ${money(price, po.currency ?? currency)} a unit, over the ${money(agreed, po.currency ?? currency)} agreed on ${onOrder}${within}.`,
      });
    }
  }
  return out;
}
