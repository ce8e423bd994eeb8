// Where a value sits on a page, learned from a reviewed document, and the value found at that place on the
// next document of the same layout: next to the same label, or at the same spot of the page.
import { type FieldName, fieldSpec } from '../../../contract/fields.ts';
import type { BBox, Layout, Page, Word } from '../../layout.ts';
import { parseAmount } from '../amounts.ts';
import { type DateOrder, parseDate } from '../dates.ts';
import { fixedWord } from './fingerprint.ts';
import type { MemoryPlace, RelativeBox } from './schema.ts';

const MAX_SPAN = 8;

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

/** A value as the field's kind reads it off the page, with the format that read it; undefined when it does not. */
function readAs(
  field: FieldName,
  text: string,
  format?: string,
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
  // A name's words vary in number from one document to the next; a number's shape does not.
  const named = kind === 'name' || kind === 'address';
  if (format !== undefined && !named && shape !== format) return undefined;
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

/** The label printed before a span: the letters-only words left of it on its line, else those just above it. */
function labelOf(span: Span): { words: string[]; box: BBox } | undefined {
  const line = span.page.lines[span.lineIndex]!;
  const left: Word[] = [];
  for (let i = span.start - 1; i >= 0 && left.length < 3; i--) {
    const w = line.words[i]!;
    if (!fixedWord(w.text)) break;
    left.unshift(w);
  }
  if (left.length) return { words: left.map((w) => fixedWord(w.text)!), box: union(left) };
  const box = union(span.words);
  const height = box[3] - box[1];
  for (let i = span.lineIndex - 1; i >= 0; i--) {
    const above = span.page.lines[i]!;
    if (box[1] - above.bbox[3] > 2.5 * height) break;
    const over = above.words.filter((w) => w.bbox[2] > box[0] - height && w.bbox[0] < box[2] + height);
    const run = over.filter((w) => fixedWord(w.text)).slice(0, 3);
    if (run.length) return { words: run.map((w) => fixedWord(w.text)!), box: union(run) };
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
    ...(label ? { label: { words: label.words, box: relative(label.box, span.page) } } : {}),
    format,
  };
}

/** Where a label's words are printed on a page, each occurrence's box. */
function labelsOn(page: Page, words: readonly string[]): { box: BBox; line: number; words: Word[] }[] {
  const out: { box: BBox; line: number; words: Word[] }[] = [];
  page.lines.forEach((line, li) => {
    const ws = line.words;
    for (let i = 0; i + words.length <= ws.length; i++) {
      if (words.every((w, k) => fixedWord(ws[i + k]!.text) === w)) {
        const run = ws.slice(i, i + words.length);
        out.push({ box: union(run), line: li, words: run });
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
    const labels = labelsOn(page, place.label.words)
      .map((l) => ({ ...l, d: centreDistance(l.box, was) }))
      .sort((a, b) => a.d - b.d);
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
      if (found) return found;
    }
  }
  // The label is gone (reworded, misread): memory has nothing to say, the reader decides.
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
  // Amounts are right-aligned and grow leftwards; everything else grows to the right.
  const window: [number, number] =
    kind === 'amount'
      ? [expected[0] - 2 * width - 4 * height, expected[2] + 2 * height]
      : [expected[0] - 2 * height, expected[2] + width + 4 * height];
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
        // A name does not jump a column's gap.
        if (
          kind === 'name' &&
          end - start > 1 &&
          span[end - start - 1]!.bbox[0] - span[end - start - 2]!.bbox[2] > 1.5 * height
        )
          break;
        const read = readAs(field, joined(span), format);
        if (!read) continue;
        const box = union(span);
        // Names take the longest run that starts where the value started; the others the run nearest it.
        const d =
          kind === 'name'
            ? Math.abs(box[0] - expected[0]) / height - span.length
            : centreDistance(box, expected);
        if (!best || d < best.d) best = { value: read.value, bbox: box, d };
      }
    }
  }
  return best ? { value: best.value, page: page.number, bbox: best.bbox } : undefined;
}
