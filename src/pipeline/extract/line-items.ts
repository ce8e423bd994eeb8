// Line items from the item table: a header row names the columns, the rows under it (until the totals block)
// are read column by column by x position, and quantity × unit price ≈ amount settles doubtful columns.
import { Decimal } from 'decimal.js';
import type { LineItem } from '../../contract/result.ts';
import { type BBox, type Layout, unionBox, type Word } from '../layout.ts';
import type { TextLine } from '../text-lines.ts';
import { type DecimalSeparator, findAmounts } from './amounts.ts';
import { findLabels, foldText } from './labels.ts';

export type ColumnKind = 'description' | 'quantity' | 'unitPrice' | 'amount' | 'other';

export interface Column {
  kind: ColumnKind;
  x0: number;
  x1: number;
}

export interface TableHeader {
  line: TextLine;
  columns: Column[];
}

function wordKind(raw: string): ColumnKind {
  const w = foldText(raw).replace(/[:()]/g, '');
  if (/^(qty|qtd|qtde|quant|quantity|quantidade|cant|cantidad|uds|units?|q)\.?$/.test(w)) return 'quantity';
  if (/unit|^(price|rate|precio|preco|p\.?u\.?)$/.test(w)) return 'unitPrice';
  if (/^(amount|total|importe|v\.?\s?total|vl\.?\s?total|valor|line\s?total|subtotal|montante)\.?$/.test(w))
    return 'amount';
  if (
    /descri|^(item|items|produto|produtos|product|products|concepto|articulo|servico|servicos|details|service|services|article)$/.test(
      w,
    )
  )
    return 'description';
  return 'other';
}

/** The item table's header row: a description column and at least one of quantity/unit price/amount. */
export function findTableHeader(lines: readonly TextLine[]): TableHeader | undefined {
  for (const line of lines) {
    if (line.words.length < 2) continue;
    const kinds = line.words.map((w) => wordKind(w.text));
    const has = (k: ColumnKind) => kinds.includes(k);
    const numeric = ['quantity', 'unitPrice', 'amount'].filter((k) => has(k as ColumnKind)).length;
    if (!has('description') || numeric < 1) continue;
    if (numeric < 2 && line.words.length > 6) continue;
    // Multi-word headers ("Unit Price", "Valor Unit.", "Precio unit.") are one column.
    const columns: Column[] = [];
    const h = Math.max(1, line.bbox[3] - line.bbox[1]);
    line.words.forEach((w, i) => {
      let kind = kinds[i] as ColumnKind;
      const prev = columns[columns.length - 1];
      const gap = prev ? w.bbox[0] - prev.x1 : Number.POSITIVE_INFINITY;
      if (prev && gap < h * 0.45) {
        if (prev.kind === 'amount' && kind === 'unitPrice') prev.kind = 'unitPrice';
        if (kind === 'other' || kind === prev.kind || (prev.kind === 'unitPrice' && kind === 'amount')) {
          kind = prev.kind;
          prev.x1 = w.bbox[2];
          return;
        }
        if (prev.kind === 'other') {
          prev.kind = kind;
          prev.x1 = w.bbox[2];
          return;
        }
      }
      columns.push({ kind, x0: w.bbox[0], x1: w.bbox[2] });
    });
    return { line, columns };
  }
  return undefined;
}

function columnOf(columns: Column[], w: Word): Column | undefined {
  let best: Column | undefined;
  let bestScore = Number.NEGATIVE_INFINITY;
  const cx = (w.bbox[0] + w.bbox[2]) / 2;
  for (const c of columns) {
    const overlap = Math.min(c.x1, w.bbox[2]) - Math.max(c.x0, w.bbox[0]);
    const dist = Math.abs((c.x0 + c.x1) / 2 - cx);
    const score = overlap > 0 ? 1000 + overlap : -dist;
    if (score > bestScore) {
      bestScore = score;
      best = c;
    }
  }
  return best;
}

const END_OF_TABLE =
  /^(dados adicionais|informacoes complementares|observa|notes?\b|terms\b|payment\b|forma de pago|condiciones|bank\b|iban\b|thank you|obrigad|gracias)/;

function isEndOfTable(line: TextLine): boolean {
  if (END_OF_TABLE.test(foldText(line.text).trim())) return true;
  const labels = findLabels(line.text, ['subtotal', 'totalAmount', 'taxAmount', 'notTotal']);
  // A totals label at the start of the line, or in a line with one amount (the totals block is often right-aligned).
  return labels.some((m) => m.start <= 1) || (labels.length > 0 && findAmounts(line.text).length <= 1);
}

const near = (a: Decimal, b: Decimal) =>
  a
    .minus(b)
    .abs()
    .lte(Decimal.max(new Decimal('0.011'), b.abs().times(0.005)));

export interface LineItemOptions {
  decimalSeparator?: DecimalSeparator;
  /** Pre-computed lines and header (the field extractor already has them). */
  lines?: readonly TextLine[];
  header?: TableHeader;
}

/**
 * A row's words split into cells at wide gaps, each cell put in the column it sits under. A description that
 * runs towards the next column keeps its own numbers ("(box of 10 reams)"): only a number at the end of a cell
 * that sits under a numeric column is that column's value.
 */
function rowCells(columns: Column[], words: readonly Word[], h: number, isNumber: (w: Word) => boolean) {
  const byKind = new Map<ColumnKind, Word[]>();
  const put = (k: ColumnKind, ws: Word[]) => byKind.set(k, [...(byKind.get(k) ?? []), ...ws]);
  const cells: Word[][] = [];
  for (const w of words) {
    const cell = cells[cells.length - 1];
    const prev = cell?.[cell.length - 1];
    if (cell && prev && w.bbox[0] - prev.bbox[2] < h * 1.2) cell.push(w);
    else cells.push([w]);
  }
  const kindsOf = (cell: Word[]) => cell.map((w) => columnOf(columns, w)?.kind ?? 'other');
  const textCells: Word[][] = [];
  for (const cell of cells) {
    const kinds = kindsOf(cell);
    if (kinds.includes('description')) textCells.push(cell);
    else
      cell.forEach((w, i) => {
        put(kinds[i] as ColumnKind, [w]);
      });
  }
  for (const cell of textCells) {
    // A text cell: peel bare numbers off its end that stand under a numeric column no other cell filled.
    const kinds = kindsOf(cell);
    let end = cell.length;
    while (end > 1) {
      const w = cell[end - 1] as Word;
      const k = kinds[end - 1] as ColumnKind;
      if (!BARE_NUMBER.test(w.text.trim()) || !isNumber(w) || k === 'description' || k === 'other') break;
      if (byKind.has(k)) break;
      put(k, [w]);
      end--;
    }
    put('description', cell.slice(0, end));
  }
  return byKind;
}

const PAGE_FOOT =
  /^(continued|continues|to be continued|continua|contin[uú]a|pagina \d+ de \d+|page \d+ of \d+|\(?cont\.?\)?$)/;

const BARE_NUMBER = /^\p{Sc}?\s?[-+]?\d[\d.,\s]*\p{Sc}?%?$/u;

/** Where the item table goes on: the same header printed again on a later page, or (no header) the top of it. */
function continuation(lines: readonly TextLine[], page: number): number | undefined {
  const onPage = lines.filter((l) => l.page === page);
  const again = findTableHeader(onPage);
  if (again) return again.line.index;
  const first = onPage[0];
  return first ? first.index - 1 : undefined;
}

export function extractLineItems(layout: Layout, options: LineItemOptions = {}): LineItem[] {
  const lines = options.lines ?? linesOf(layout);
  let header = options.header ?? findTableHeader(lines);
  if (!header) return [];
  const hint = options.decimalSeparator ? { decimalSeparator: options.decimalSeparator } : undefined;
  const numberIn = (words: Word[]) => {
    const text = words.map((w) => w.text).join(' ');
    return findAmounts(text, hint)[0]?.value;
  };
  const isNumber = (w: Word) => {
    const f = findAmounts(w.text, hint)[0];
    return f !== undefined && f.text.length >= w.text.trim().length - 1;
  };
  const items: (LineItem & { words: Word[] })[] = [];
  let pending: Word[] = [];
  const h = Math.max(1, header.line.bbox[3] - header.line.bbox[1]);
  let page = header.line.page;
  let start = header.line.index;
  let lastBottom = header.line.bbox[3];
  let ended = false;
  let skipPage: number | undefined;
  for (const line of lines) {
    if (line.index <= start) continue;
    if (line.page !== page) {
      // The table ran to the foot of the page ("continued on next page", "Page 1 of 2"): it goes on overleaf.
      const next: number | undefined = items.length ? continuation(lines, line.page) : undefined;
      if (next === undefined) break;
      page = line.page;
      start = next;
      const again: TextLine | undefined = lines[next];
      if (again && again.page === page) {
        header = findTableHeader([again]) ?? header;
        lastBottom = again.bbox[3];
      } else lastBottom = Number.NEGATIVE_INFINITY;
      pending = [];
      if (line.index <= start) continue;
    }
    if (ended) break;
    if (line.page === skipPage) continue;
    if (PAGE_FOOT.test(foldText(line.text).trim())) {
      // "Continued on next page", "Page 1 of 2": the rest of this page is its foot.
      skipPage = page;
      continue;
    }
    if (isEndOfTable(line)) break;
    if (line.bbox[1] - lastBottom > h * 4) {
      // A gap: the table is over on this page; only a following page may continue it.
      ended = !lines.some((l) => l.page > page);
      if (ended) break;
      start = lines.find((l) => l.page > page)?.index ?? start;
      continue;
    }
    lastBottom = line.bbox[3];
    const byKind = rowCells(header.columns, line.words, h, isNumber);
    const numericWords = line.words.filter(isNumber);
    const amount = numberIn(byKind.get('amount') ?? []);
    const unitPrice = numberIn(byKind.get('unitPrice') ?? []);
    const quantity = numberIn(byKind.get('quantity') ?? []);
    if (!amount && !(unitPrice && quantity)) {
      // A line of description only (or digits a narrow cell wrapped): continues the previous item, or starts the next one.
      const descOnly = byKind.get('description') ?? [];
      const text = descOnly.length ? descOnly : line.words.filter((w) => !numericWords.includes(w));
      const prev = items[items.length - 1];
      if (prev && text.length && pending.length === 0 && line.bbox[1] - lineBottom(prev.words) < h * 1.5) {
        prev.description = `${prev.description} ${text.map((w) => w.text).join(' ')}`.trim();
        prev.words.push(...text);
      } else pending.push(...text);
      continue;
    }
    // Text above a row is its first description line only when it sits right above it (not a page heading).
    const above = pending.filter((w) => line.bbox[1] - w.bbox[3] < h * 3);
    const descWords = [...above, ...(byKind.get('description') ?? [])];
    pending = [];
    const item: LineItem & { words: Word[] } = {
      description: descWords
        .map((w) => w.text)
        .join(' ')
        .trim(),
      quantity: quantity ?? null,
      unitPrice: unitPrice ?? null,
      amount: amount ?? null,
      page: line.page,
      words: [...descWords, ...line.words],
    };
    settleByArithmetic(item, numericWords, hint);
    items.push(item);
  }
  return items.map(({ words, ...item }) => ({ ...item, bbox: unionBox(words.map((w) => w.bbox)) as BBox }));
}

function lineBottom(words: Word[]): number {
  return Math.max(...words.map((w) => w.bbox[3]));
}

/** When the columns read do not multiply out, look for quantity × unit price = amount among the row's numbers, left to right. */
function settleByArithmetic(
  item: LineItem,
  numericWords: Word[],
  hint?: { decimalSeparator: DecimalSeparator },
): void {
  const ok = (q?: string | null, u?: string | null, a?: string | null) =>
    Boolean(q && u && a && near(new Decimal(q).times(new Decimal(u)), new Decimal(a)));
  if (ok(item.quantity, item.unitPrice, item.amount)) return;
  const values = numericWords
    .map((w) => findAmounts(w.text, hint)[0]?.value)
    .filter((v): v is string => Boolean(v));
  for (let a = values.length - 1; a >= 2; a--) {
    for (let u = a - 1; u >= 1; u--) {
      for (let q = u - 1; q >= 0; q--) {
        if (ok(values[q], values[u], values[a]) && new Decimal(values[a] as string).gt(0)) {
          item.quantity = values[q] as string;
          item.unitPrice = values[u] as string;
          item.amount = values[a] as string;
          return;
        }
      }
    }
  }
}

function linesOf(layout: Layout): TextLine[] {
  const out: TextLine[] = [];
  for (const page of layout.pages) {
    for (const line of page.lines) {
      const offsets: number[] = [];
      let text = '';
      for (const w of line.words) {
        if (text) text += ' ';
        offsets.push(text.length);
        text += w.text.trim();
      }
      out.push({ index: out.length, page: page.number, text, words: line.words, offsets, bbox: line.bbox });
    }
  }
  return out;
}
