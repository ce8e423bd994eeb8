// Where a value sits on a page, learned from a reviewed document, and the value found at that place on the
// next document of the same layout: next to the same label, or at the same spot of the page.
import currencyCodes from 'currency-codes';
import { type FieldName, fieldSpec } from '../../../contract/fields.ts';
import type { BBox, Layout, Line, Page, Word } from '../../layout.ts';
import { parseAmount } from '../amounts.ts';
import { type DateOrder, parseDate } from '../dates.ts';
import { findTaxIds } from '../tax-ids.ts';
import type { MemoryPlace, RelativeBox } from './schema.ts';

const MAX_SPAN = 8;
/** A label's words: its last three are enough to find it again. */
const MAX_LABEL = 3;

/** Letters A, digits 9, each run folded to one: "INV-2025-0042" → "A-9-9". */
export function shapeOf(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/\p{L}+/gu, 'A')
    .replace(/\d+/g, '9')
    .replace(/\s+/g, ' ')
    .trim();
}

const alnum = (s: string) =>
  s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\p{L}\d]/gu, '')
    .toUpperCase();
const folded = (s: string) =>
  s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\d]+/gu, ' ')
    .trim();

/** Whether a text is one tax identifier and nothing else. */
function isOneTaxId(text: string): boolean {
  const t = text.replace(/[\s:]+$/, '');
  const found = findTaxIds(t);
  return found.length === 1 && found[0]!.span.start === 0 && found[0]!.span.end === t.length;
}

/** A value as the field's kind reads it off the page, with the format that read it; undefined when it does not. */
function readAs(
  field: FieldName,
  text: string,
  format?: string,
  beside = false,
): { value: string; format: string } | undefined {
  const kind = fieldSpec(field).kind;
  const t = text.trim().replace(/^[#:]+\s*/, '');
  if (!t) return undefined;
  if (kind === 'amount') {
    // The separator the value shows ("9,876.64": the last mark before two digits), else the one learned.
    const shown = t.match(/([.,])\d{1,2}\D*$/)?.[1];
    for (const sep of shown ? [shown] : format ? [format.slice('amount:'.length)] : [',', '.']) {
      if (sep !== ',' && sep !== '.') continue;
      const parsed = parseAmount(t, { decimalSeparator: sep });
      if (parsed) return { value: parsed.value, format: `amount:${sep}` };
    }
    return undefined;
  }
  if (kind === 'date') {
    for (const order of format ? [format.slice('date:'.length)] : ['DMY', 'MDY']) {
      if (order !== 'DMY' && order !== 'MDY') continue;
      const parsed = parseDate(t, { order: order as DateOrder });
      if (parsed) return { value: parsed, format: `date:${order}` };
    }
    return undefined;
  }
  const shape = shapeOf(t);
  // A name's words vary in number from one document to the next; the vendor's own numbers keep their shape.
  // The customer's do not: a tax ID is whatever its country prints (any tax ID reads as one), and a reference
  // beside its label is the customer's own numbering ("4512323658", "PO-39501").
  const named = kind === 'name' || kind === 'address';
  const likeLearned =
    format === undefined ||
    named ||
    shape === format ||
    (kind === 'taxId' && isOneTaxId(t)) ||
    (kind === 'reference' && beside && !/\s/.test(t));
  if (!likeLearned) return undefined;
  if (kind === 'reference' || kind === 'taxId') return /\d/.test(t) ? { value: t, format: shape } : undefined;
  return /\p{L}/u.test(t) ? { value: t.replace(/\s+/g, ' '), format: shape } : undefined;
}

/** Whether a value read off the page is the value a reviewer gave. */
function sameAs(field: FieldName, read: string, truth: string): boolean {
  const kind = fieldSpec(field).kind;
  if (kind === 'amount' || kind === 'date' || kind === 'currency') return read === truth;
  if (kind === 'reference' || kind === 'taxId') return alnum(read) === alnum(truth);
  return folded(read) === folded(truth);
}

const relative = (b: BBox, page: Page): RelativeBox => [
  b[0] / page.width,
  b[1] / page.height,
  b[2] / page.width,
  b[3] / page.height,
];
const absolute = (b: RelativeBox, page: Page): BBox => [
  b[0] * page.width,
  b[1] * page.height,
  b[2] * page.width,
  b[3] * page.height,
];
const union = (ws: readonly Word[]): BBox => [
  Math.min(...ws.map((w) => w.bbox[0])),
  Math.min(...ws.map((w) => w.bbox[1])),
  Math.max(...ws.map((w) => w.bbox[2])),
  Math.max(...ws.map((w) => w.bbox[3])),
];
const centreDistance = (a: BBox, b: BBox) =>
  Math.hypot((a[0] + a[2]) / 2 - (b[0] + b[2]) / 2, (a[1] + a[3]) / 2 - (b[1] + b[3]) / 2);
const joined = (ws: readonly Word[]) => ws.map((w) => w.text).join(' ');

interface Span {
  page: Page;
  lineIndex: number;
  words: Word[];
  start: number;
}

function* spansOf(page: Page, lineIndex: number, maxSpan = MAX_SPAN): Generator<Span> {
  const words = page.lines[lineIndex]!.words;
  for (let start = 0; start < words.length; start++) {
    for (let end = start + 1; end <= Math.min(words.length, start + maxSpan); end++) {
      yield { page, lineIndex, words: words.slice(start, end), start };
    }
  }
}

/**
 * A word as a label reads it: letters only, case, accents and the punctuation inside it gone ("C.I.F.:" and
 * "cif" are one label, as are "Exmo(s)." and "exmos"); undefined for a word with a digit or under two letters.
 */
export function labelWord(text: string): string | undefined {
  if (/\d/.test(text)) return undefined;
  const w = folded(text).replace(/ /g, '');
  return w.length >= 2 ? w : undefined;
}

/** A tax rate ("20%", "(5.5%)"): part of a label's line, changing with the rate. */
const RATE = /^\(?\d+(?:[.,]\d+)?\s*%\)?:?$/;

/**
 * What a word is to a label: one of its words; filler a label may carry between its words and its value and
 * that changes from one document to the next (dot leaders, a currency sign or code, the rate in "VAT 20%"); or
 * a stop, a value of its own (an amount, a date, a code), which a label never reaches across.
 */
function labelPart(text: string): { word: string } | 'filler' | 'stop' {
  const t = text.replace(/[:;]+$/, '');
  if (/^[A-Z]{3}$/.test(t) && currencyCodes.code(t)) return 'filler';
  const word = labelWord(text);
  if (word) return { word };
  return /\d/.test(text) && !RATE.test(text) ? 'stop' : 'filler';
}

type LabelRun = { word: string; at: Word }[];
// Every learned field looks for its label on every line: each line is split into runs once per document.
const runsOfLine = new WeakMap<Line, LabelRun[]>();

/** A line's label words in order, each with its word on the page; a stop splits the line into runs. */
function labelRuns(line: Line): LabelRun[] {
  const known = runsOfLine.get(line);
  if (known) return known;
  const runs: LabelRun[] = [[]];
  for (const w of line.words) {
    const part = labelPart(w.text);
    if (part === 'stop') runs.push([]);
    else if (part !== 'filler') runs.at(-1)!.push({ word: part.word, at: w });
  }
  const kept = runs.filter((r) => r.length > 0);
  runsOfLine.set(line, kept);
  return kept;
}

/** Every label word of a line, once each: what tells one "Total" from another. */
const lineWords = (line: Line): string[] => [
  ...new Set(labelRuns(line).flatMap((r) => r.map((w) => w.word))),
];

/**
 * The label printed before a span: the words left of it on its line, across the filler between them (a leader,
 * a currency sign, a rate), else the words just above it.
 */
function labelOf(span: Span): { words: string[]; box: BBox; line: string[] } | undefined {
  const line = span.page.lines[span.lineIndex]!;
  const left: Word[] = [];
  for (let i = span.start - 1; i >= 0 && left.length < MAX_LABEL; i--) {
    const w = line.words[i]!;
    const part = labelPart(w.text);
    if (part === 'stop') break;
    if (part !== 'filler') left.unshift(w);
  }
  if (left.length)
    return { words: left.map((w) => labelWord(w.text)!), box: union(left), line: lineWords(line) };
  const box = union(span.words);
  const height = box[3] - box[1];
  for (let i = span.lineIndex - 1; i >= 0; i--) {
    const above = span.page.lines[i]!;
    if (box[1] - above.bbox[3] > 2.5 * height) break;
    const over = above.words.filter((w) => w.bbox[2] > box[0] - height && w.bbox[0] < box[2] + height);
    const run = over.filter((w) => labelWord(w.text)).slice(0, MAX_LABEL);
    if (run.length)
      return { words: run.map((w) => labelWord(w.text)!), box: union(run), line: lineWords(above) };
  }
  return undefined;
}

/**
 * Where a reviewed value is printed: the shortest run of words on one line that reads as it, the one nearest
 * `near` when it is printed more than once (else the last: totals are repeated lower down). Undefined when it
 * is not on the page at all (a customer's name a reviewer typed that the page does not show).
 */
export function locate(
  layout: Layout,
  field: FieldName,
  value: string,
  near?: { page: number; bbox: BBox },
): MemoryPlace | undefined {
  let found: { span: Span; format: string; rank: number } | undefined;
  for (const page of layout.pages) {
    page.lines.forEach((_, lineIndex) => {
      for (const span of spansOf(page, lineIndex)) {
        const read = readAs(field, joined(span.words));
        if (!read || !sameAs(field, read.value, value)) continue;
        const box = union(span.words);
        const rank =
          near && near.page === page.number && near.bbox[2] > 0
            ? -centreDistance(box, near.bbox)
            : page.number * 1e6 + box[1];
        const better =
          !found ||
          span.words.length < found.span.words.length ||
          (span.words.length === found.span.words.length && rank > found.rank);
        if (better) found = { span, format: read.format, rank };
      }
    });
  }
  if (!found) return undefined;
  const { span, format } = found;
  const label = labelOf(span);
  return {
    page: span.page.number,
    box: relative(union(span.words), span.page),
    ...(label
      ? { label: { words: label.words, box: relative(label.box, span.page), line: label.line } }
      : {}),
    format,
  };
}

/**
 * Where a label's words are printed on a page, each occurrence's box; filler between its words is passed over.
 * A label beside its value starts its run of words, unless it was cut to its last words ("Total" is not
 * "Sub total").
 */
function labelsOn(
  page: Page,
  words: readonly string[],
  beside: boolean,
): { box: BBox; line: number; words: Word[] }[] {
  const out: { box: BBox; line: number; words: Word[] }[] = [];
  page.lines.forEach((line, li) => {
    for (const run of labelRuns(line)) {
      for (let i = 0; i + words.length <= run.length; i++) {
        if (beside && words.length < MAX_LABEL && i > 0) continue;
        if (words.every((w, k) => run[i + k]!.word === w)) {
          const ws = run.slice(i, i + words.length).map((r) => r.at);
          out.push({ box: union(ws), line: li, words: ws });
        }
      }
    }
  });
  return out;
}

/**
 * The value at a remembered place on another document of the layout: where the label is now, shifted as it
 * was from its label; read in the remembered format. Undefined when nothing there reads so.
 */
export function readAt(
  layout: Layout,
  field: FieldName,
  place: MemoryPlace,
  others: readonly MemoryPlace[] = [],
): { value: string; page: number; bbox: BBox } | undefined {
  const learned = layout.pages.find((p) => p.number === place.page) ?? layout.pages.at(-1);
  if (!learned) return undefined;
  if (!place.label) return valueNear(learned, field, place.format, absolute(place.box, learned), []);
  // The label nearest where it was, on its page first (a longer document carries its totals over to the next),
  // that has a value at the learned offset: a column header with the same word ("Total") has none beside it.
  const pages = [learned, ...layout.pages.filter((p) => p !== learned)];
  for (const page of pages) {
    const box = absolute(place.box, page);
    const was = absolute(place.label.box, page);
    // Another field learned with the same label words ("NIF" over the customer's tax ID and over the issuer's
    // in the footer) owns the occurrence nearer its own place: one printed label is one field's. Places are
    // compared on the page as fractions of it, so a footer printed on every page is the issuer's on each.
    const words = place.label.words.join(' ');
    const rivals = others
      .filter((o) => o.label?.words.join(' ') === words)
      .map((o) => absolute(o.label!.box, page));
    const beside = place.label.box[1] < place.box[3] && place.label.box[3] > place.box[1];
    // The occurrence on a line most like the label's own comes first (the totals' header row, not the items'
    // header with the same "Total" in it), then the one nearest where the label was.
    const learnedLine = new Set(place.label.line ?? []);
    const labels = labelsOn(page, place.label.words, beside)
      .map((l) => ({
        ...l,
        d: centreDistance(l.box, was),
        like: lineWords(page.lines[l.line]!).filter((w) => learnedLine.has(w)).length,
      }))
      .filter((l) => !rivals.some((r) => centreDistance(l.box, r) < l.d))
      .sort((a, b) => b.like - a.like || a.d - b.d);
    let first: ReturnType<typeof valueNear>;
    for (const l of labels) {
      const dx = l.box[0] - was[0];
      const dy = l.box[1] - was[1];
      const found = valueNear(
        page,
        field,
        place.format,
        [box[0] + dx, box[1] + dy, box[2] + dx, box[3] + dy],
        l.words,
      );
      if (!found) continue;
      if (!beside) return found;
      // Nor is it a label's first word: "Total" is not "Total impuestos".
      const between = page.lines[l.line]!.words.filter(
        (w) => w.bbox[0] >= l.box[2] && w.bbox[2] <= found.bbox[0] && typeof labelPart(w.text) === 'object',
      );
      if (between.length) continue;
      // The label beside two values on one page ("VAT 21%" and "VAT 10%" on an invoice of two rates) does not
      // say which is the field: the reader decides.
      if (first && found.value !== first.value) return undefined;
      first ??= found;
    }
    if (first) return first;
  }
  // The label is gone: reworded for this customer ("NIF" for one, "CIF" or "VAT number" for the next), or
  // misread. A tax ID still reads as one whatever its label, so it is looked for around its place: the lines
  // above and below (the customer's address may be a line longer), from where its label began.
  if (fieldSpec(field).kind === 'taxId') {
    const box = absolute(place.box, learned);
    const was = absolute(place.label.box, learned);
    const height = box[3] - box[1];
    for (const dy of [0, -1, 1, -2, 2, -3, 3, -4, 4]) {
      const found = valueNear(
        learned,
        field,
        place.format,
        [was[0], box[1] + 1.5 * dy * height, box[2], box[3] + 1.5 * dy * height],
        [],
      );
      if (found && isOneTaxId(found.value)) return found;
    }
  }
  // Memory has nothing to say, the reader decides.
  return undefined;
}

function valueNear(
  page: Page,
  field: FieldName,
  format: string,
  expected: BBox,
  anchor: readonly Word[],
): { value: string; page: number; bbox: BBox } | undefined {
  const height = Math.max(1, expected[3] - expected[1]);
  const width = Math.max(height, expected[2] - expected[0]);
  const kind = fieldSpec(field).kind;
  // Amounts are right-aligned and grow leftwards; names grow to the right; a number or a date may be aligned
  // either way (a customer's longer order number in a right-aligned column starts further left).
  const window: [number, number] =
    kind === 'amount'
      ? [expected[0] - 2 * width - 4 * height, expected[2] + 2 * height]
      : kind === 'name' || kind === 'address'
        ? [expected[0] - 2 * height, expected[2] + width + 4 * height]
        : [expected[0] - width - 2 * height, expected[2] + width + 4 * height];
  let best: { value: string; bbox: BBox; d: number } | undefined;
  for (const line of page.lines) {
    const cy = (line.bbox[1] + line.bbox[3]) / 2;
    if (Math.abs(cy - (expected[1] + expected[3]) / 2) > height) continue;
    // Only runs of words inside the window, none of them the label, are read: most lines hold few such words.
    const words = line.words;
    const inside = words.map((w) => !anchor.includes(w) && w.bbox[0] >= window[0] && w.bbox[2] <= window[1]);
    for (let start = 0; start < words.length; start++) {
      for (let end = start + 1; end <= Math.min(words.length, start + MAX_SPAN) && inside[end - 1]; end++) {
        const span = words.slice(start, end);
        // A name does not jump the gap to the next column (a ship-to beside the bill-to): wider than its letters
        // are high, or twice the spaces between its own words.
        if (kind === 'name' && end - start > 1) {
          const gaps = span.slice(1).map((w, k) => w.bbox[0] - span[k]!.bbox[2]);
          const last = gaps.pop()!;
          if (last > 1.5 * height || (gaps.length && last > 2 * Math.max(1, Math.min(...gaps)))) break;
        }
        const read = readAs(field, joined(span), format, anchor.length > 0);
        if (!read) continue;
        const box = union(span);
        // Names take the longest run that starts where the value started; amounts, right-aligned, the longest
        // run that ends where the value ended ("12 283,44" is two words, "283,44" alone a misreading); the
        // others the run nearest it.
        const d =
          kind === 'name'
            ? Math.abs(box[0] - expected[0]) / height - span.length
            : kind === 'amount'
              ? Math.abs(box[2] - expected[2]) / height - 0.1 * span.length
              : centreDistance(box, expected);
        if (!best || d < best.d) best = { value: read.value, bbox: box, d };
      }
    }
  }
  return best ? { value: best.value, page: page.number, bbox: best.bbox } : undefined;
}
