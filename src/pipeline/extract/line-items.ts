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
  // "Produto/Serviço", "Product / Service": one heading naming two things, each a description word.
  const parts = foldText(raw)
    .replace(/[:()]/g, '')
    .split('/')
    .filter((p) => p.trim());
  if (parts.length > 1) {
    const kinds = parts.map((p) => wordKind(p.trim()));
    return kinds.every((k) => k === kinds[0]) ? (kinds[0] as ColumnKind) : 'other';
  }
  const w = foldText(raw).replace(/[:()]/g, '');
  if (/^(qty|qtd|qtde|quant|quantity|quantidade|cant|cantidad|uds|units?|unidades|q)\.?$/.test(w))
    return 'quantity';
  if (/unit|^(price|rate|cost|precio|preco|p\.?u\.?)$/.test(w)) return 'unitPrice';
  if (
    /^(amount|total|importe|v\.?\s?total|vl\.?\s?total|valor|line\s?total|subtotal|montante|net)\.?$/.test(w)
  )
    return 'amount';
  if (
    /descri|discrimina|^(item|items|produto|produtos|product|products|concepto|articulo|artigo|detalle|detalhe|servico|servicos|details|service|services|article)$/.test(
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
      // "Item #", "Item No.": the item's code, a column of its own beside the description that follows.
      if (
        prev?.kind === 'description' &&
        gap < h * 1.2 &&
        /^(#|no\.?|nr\.?|n[o°º]\.?|code)$/.test(foldText(w.text)) &&
        kinds.slice(i + 1).includes('description')
      ) {
        prev.kind = 'other';
        prev.x1 = w.bbox[2];
        return;
      }
      if (prev && gap < h * 0.6) {
        // "Valor Unit.": a unit after a value word is the unit price, not a count of units.
        if ((prev.kind === 'amount' || prev.kind === 'unitPrice') && /^unit/.test(foldText(w.text)))
          kind = 'unitPrice';
        if (prev.kind === 'amount' && kind === 'unitPrice') prev.kind = 'unitPrice';
        // "Unit Cost", "Unit Price": the unit names the price, not a count of units.
        const before = line.words[i - 1];
        if (
          prev.kind === 'quantity' &&
          kind === 'unitPrice' &&
          before &&
          /^unit\.?$/.test(foldText(before.text))
        )
          prev.kind = 'unitPrice';
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
  /** The document's subtotal and total as read: rows that read two ways take the reading that adds up to them. */
  subtotal?: string;
  total?: string;
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
    // And off its start: a quantity printed left of the description, close enough to run into it ("8 Copy paper"),
    // or an item code standing under a column of its own ("Ref.", "SKU"), which is not part of the description.
    let start = 0;
    while (start < end - 1) {
      const w = cell[start] as Word;
      const k = kinds[start] as ColumnKind;
      if (k === 'other' && columns.some((c) => c.kind === 'other' && c.x0 < w.bbox[2] && w.bbox[0] < c.x1)) {
        start++;
        continue;
      }
      if (!BARE_NUMBER.test(w.text.trim()) || !isNumber(w) || k === 'description' || k === 'other') break;
      if (byKind.has(k)) break;
      put(k, [w]);
      start++;
    }
    put('description', cell.slice(start, end));
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
  const rows: { item: LineItem; readings: Reading[] }[] = [];
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
    // A bare amount that adds up the rows above ("Suma ........ 14.997,19", under a label the totals block does not
    // know) is the table's sum, not one more item: when it has no description, or when the items above all carry a
    // quantity or price that it lacks.
    const itemsSum = items.reduce((acc, i) => acc.plus(i.amount ?? 0), new Decimal(0));
    const bare = !above.length && !byKind.get('description')?.length;
    if (
      amount &&
      !quantity &&
      !unitPrice &&
      items.length &&
      (bare || items.every((i) => i.quantity || i.unitPrice)) &&
      new Decimal(amount).minus(itemsSum).abs().lte(0.011)
    )
      break;
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
    const readings = arithmeticReadings(item, numericWords, h, hint);
    if (readings[0]) Object.assign(item, readings[0]);
    rows.push({ item, readings });
    items.push(item);
  }
  settleBySubtotal(rows, options.subtotal ? [options.subtotal] : options.total ? [options.total] : []);
  return items.map(({ words, ...item }) => ({ ...item, bbox: unionBox(words.map((w) => w.bbox)) as BBox }));
}

function lineBottom(words: Word[]): number {
  return Math.max(...words.map((w) => w.bbox[3]));
}

/** A row's reading: quantity, unit price and amount. */
type Reading = Pick<LineItem, 'quantity' | 'unitPrice' | 'amount'>;

/**
 * The row's numbers, each way they can be read: "1 596,00" is one amount with its thousands grouped by a space,
 * or a 1 (a quantity, a count) followed by 596,00. A short number right before one whose integer part is exactly
 * three digits may be either; each join point doubles the readings, so only the first few are tried.
 */
function numberReadings(
  numericWords: Word[],
  h: number,
  hint?: { decimalSeparator: DecimalSeparator },
): string[][] {
  const joinable = (a: Word, b: Word) =>
    /^\d{1,3}$/.test(a.text.trim()) &&
    /^\d{3}(?:[.,]\d+)?$/.test(b.text.trim()) &&
    b.bbox[0] - a.bbox[2] < h * 0.6;
  const joins: number[] = [];
  for (let i = 0; i + 1 < numericWords.length && joins.length < 6; i++)
    if (joinable(numericWords[i] as Word, numericWords[i + 1] as Word)) joins.push(i);
  const readings: string[][] = [];
  for (let mask = 0; mask < 1 << joins.length; mask++) {
    const values: string[] = [];
    let i = 0;
    while (i < numericWords.length) {
      const j = joins.indexOf(i);
      const joined = j >= 0 && mask & (1 << j);
      const text = joined
        ? `${(numericWords[i] as Word).text.trim()} ${(numericWords[i + 1] as Word).text.trim()}`
        : (numericWords[i] as Word).text;
      const v = findAmounts(text, hint)[0]?.value;
      if (v) values.push(v);
      i += joined ? 2 : 1;
    }
    readings.push(values);
  }
  return readings;
}

const multiplies = (r: Reading) =>
  Boolean(
    r.quantity &&
      r.unitPrice &&
      r.amount &&
      near(new Decimal(r.quantity).times(r.unitPrice), new Decimal(r.amount)),
  );

/**
 * The readings of a row where quantity × unit price = amount among its numbers, left to right, best first: the
 * columns as read when they multiply out, then the readings with fewest numbers left over (a "1 596,00" read as
 * 1 and 596,00 leaves a stray 1 that the grouped reading does not).
 */
function arithmeticReadings(
  item: LineItem,
  numericWords: Word[],
  h: number,
  hint?: { decimalSeparator: DecimalSeparator },
): Reading[] {
  const found: { r: Reading; left: number }[] = [];
  if (multiplies(item))
    found.push({ r: { quantity: item.quantity, unitPrice: item.unitPrice, amount: item.amount }, left: -1 });
  for (const values of numberReadings(numericWords, h, hint)) {
    let first: Reading | undefined;
    for (let a = values.length - 1; a >= 2 && !first; a--)
      for (let u = a - 1; u >= 1 && !first; u--)
        for (let q = u - 1; q >= 0 && !first; q--) {
          const r = {
            quantity: values[q] as string,
            unitPrice: values[u] as string,
            amount: values[a] as string,
          };
          if (multiplies(r) && new Decimal(r.amount as string).gt(0)) first = r;
        }
    if (first) found.push({ r: first, left: values.length - 3 });
  }
  const key = (r: Reading) => `${r.quantity}|${r.unitPrice}|${r.amount}`;
  const seen = new Set<string>();
  return found
    .sort((x, y) => x.left - y.left)
    .map((f) => f.r)
    .filter((r) => !seen.has(key(r)) && seen.add(key(r)));
}

/**
 * Where rows read more than one way, the readings whose amounts add up to the document's subtotal (or, with no
 * subtotal printed, its total) win; otherwise each row keeps its best reading.
 */
function settleBySubtotal(rows: { item: LineItem; readings: Reading[] }[], sums: string[]): void {
  const doubtful = rows.filter((r) => r.readings.length > 1);
  if (!doubtful.length || !sums.length) return;
  const amountOf = (r: Reading | LineItem) => new Decimal(r.amount ?? 0);
  const fixed = rows
    .filter((r) => r.readings.length <= 1)
    .reduce((acc, r) => acc.plus(amountOf(r.item)), new Decimal(0));
  // Each doubtful row takes one of its readings; a handful of rows is searched whole, more are left as read.
  const choices = doubtful.reduce((n, r) => n * r.readings.length, 1);
  if (choices > 4096) return;
  for (let c = 0; c < choices; c++) {
    let rest = c;
    const picks = doubtful.map((r) => {
      const pick = r.readings[rest % r.readings.length] as Reading;
      rest = Math.floor(rest / r.readings.length);
      return pick;
    });
    const sum = picks.reduce((acc, p) => acc.plus(amountOf(p)), fixed);
    if (sums.some((s) => near(sum, new Decimal(s)))) {
      for (const [i, r] of doubtful.entries()) Object.assign(r.item, picks[i]);
      return;
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
