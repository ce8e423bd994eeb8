// Line items of a till receipt, which prints no table header: "DESCRIPTION   amount" lines between the shop's
// heading and the totals, each with an optional quantity line ("2 x 18,90", "3 @ 5.48") under or above it.
import { Decimal } from 'decimal.js';
import type { LineItem } from '../../contract/result.ts';
import { type BBox, type Layout, unionBox, type Word } from '../layout.ts';
import { type TextLine, toTextLines, wordsInSpan } from '../text-lines.ts';
import { type DecimalSeparator, findAmounts, inferDecimalSeparator } from './amounts.ts';
import { findDates } from './dates.ts';
import { findLabels, foldText } from './labels.ts';
import { findTaxIds } from './tax-ids.ts';

/** "2 x 18,90", "2 X 18.90", "3 @ 5.48", "2 UN x 6,90", optionally followed by the line amount again. */
const QUANTITY_LINE =
  /^\s*(\d+(?:[.,]\d+)?)\s*(?:un|und|uds?|pcs?|kg|ea)?\.?\s*[x×@*]\s*(?:\p{Sc}\s?)?(\d[\d.,]*)(?:\s*=?\s*(?:\p{Sc}\s?)?\d[\d.,]*)?\s*\p{Sc}?\s*$/iu;

/** Lines that end the items: totals, tax breakdown, payment. */
const END_WORDS =
  /^(sub-?\s?total|total|tot\b|importe total|valor total|valor a pagar|qtd\.? total|cant\.? total|items?\b|art[ií]culos\b|iva\b|tax\b|sales tax|impuestos?|tributos|cambio|troco|change|efectivo|dinheiro|cash|tarjeta|cart[aã]o|visa|mastercard|amex|forma de pag)/i;

interface Quantity {
  quantity: string;
  unitPrice: string;
  line: TextLine;
}

function quantityOf(line: TextLine, hint: { decimalSeparator: DecimalSeparator }): Quantity | undefined {
  const m = QUANTITY_LINE.exec(line.text);
  if (!m) return undefined;
  const q = findAmounts(m[1] as string, hint)[0];
  const u = findAmounts(m[2] as string, hint)[0];
  if (!q || !u?.hasDecimals) return undefined;
  return { quantity: q.value, unitPrice: u.value, line };
}

const multiplies = (q: Quantity, amount: string) =>
  new Decimal(q.quantity).times(q.unitPrice).minus(amount).abs().lte(0.011);

/** Items of a receipt, in print order; empty when no item lines are recognised. */
export function extractReceiptLineItems(layout: Layout, options: { language?: string } = {}): LineItem[] {
  const lines = toTextLines(layout);
  const hint = {
    decimalSeparator: inferDecimalSeparator(lines.map((l) => l.text).join('\n'), options.language),
  };
  type Item = LineItem & { words: Word[]; line: TextLine };
  const items: Item[] = [];
  const quantities: Quantity[] = [];
  for (const line of lines) {
    const text = line.text.trim();
    const folded = foldText(text);
    if (items.length && END_WORDS.test(folded)) break;
    const q = quantityOf(line, hint);
    if (q) {
      quantities.push(q);
      continue;
    }
    const amounts = findAmounts(text, hint);
    const last = amounts[amounts.length - 1];
    // The amount closes the line (a tax code letter or a currency may follow it).
    if (!last?.hasDecimals || !/^\s*(\p{Sc}|[A-Z]{1,2})?\s*$/u.test(text.slice(last.end))) continue;
    const description = text
      .slice(0, last.start)
      .replace(/[\s.:\-–*]+$/, '')
      .trim();
    if ((description.match(/\p{L}/gu) ?? []).length < 3) continue;
    if (END_WORDS.test(folded) || findDates(text).length || findTaxIds(text).length) continue;
    // A labelled header field ("Receipt #: 10482", "Fecha: ...") is not an item.
    if (findLabels(description).some((m) => m.score === 1 && m.start <= 1)) continue;
    items.push({
      description,
      quantity: null,
      unitPrice: null,
      amount: last.value,
      page: line.page,
      words: wordsInSpan(line, 0, text.length),
      line,
    });
  }
  // A quantity line belongs to the item it multiplies out to: the one above it, else the one below.
  for (const q of quantities) {
    const above = [...items].reverse().find((i) => i.line.index < q.line.index);
    const below = items.find((i) => i.line.index > q.line.index);
    const item = [above, below].find((i) => i && i.quantity === null && multiplies(q, i.amount as string));
    if (!item) continue;
    item.quantity = q.quantity;
    item.unitPrice = q.unitPrice;
    item.words.push(...q.line.words);
  }
  return items.map(({ words, line: _line, ...item }) => ({
    ...item,
    bbox: unionBox(words.map((w) => w.bbox)) as BBox,
  }));
}
