// What the invoice readers share: the document's lines and conventions, the slots beside and under a label where
// a value may be printed, the candidates read from those slots, and what makes a line a party's name.
import type { Field } from '../../../contract/result.ts';
import { unionBox, type Word } from '../../layout.ts';
import { lineHeight, segmentsOf, type TextLine, wordsInSpan } from '../../text-lines.ts';
import type { DecimalSeparator } from '../amounts.ts';
import { type DateOrder, findDates } from '../dates.ts';
import { findLabels, foldText, type LabelKey, type LabelMatch } from '../labels.ts';

export interface DocContext {
  lines: TextLine[];
  pageWidth: Map<number, number>;
  pageHeight: Map<number, number>;
  decimalSeparator: DecimalSeparator;
  dateOrder: DateOrder;
}

export function makeField(value: string, words: Word[], page: number, base: number): Field {
  const conf = words.length ? words.reduce((s, w) => s + w.confidence, 0) / words.length : 0.5;
  const min = words.length ? Math.min(...words.map((w) => w.confidence)) : 0.5;
  // Low word confidences pull the field down; a single bad word more than an average one.
  const wordFactor = Math.min(1, 0.5 * conf + 0.5 * min + 0.05);
  return {
    value,
    confidence: Math.round(Math.max(0, Math.min(1, base * wordFactor)) * 100) / 100,
    page,
    bbox: unionBox(words.map((w) => w.bbox)),
  };
}

/** Where a value may be found for a label: the rest of the line, or the column under it. */
export interface Slot {
  line: TextLine;
  /** Sub-line text with its own offsets into `line.text`. */
  text: string;
  offset: number;
  where: 'right' | 'below';
}

export function slotsFor(
  ctx: DocContext,
  line: TextLine,
  label: LabelMatch,
  labelsOnLine: LabelMatch[],
): Slot[] {
  const slots: Slot[] = [];
  const next = labelsOnLine.find((m) => m.start >= label.end);
  const rightEnd = next ? next.start : line.text.length;
  // The value right of a label: in the label's own block of words, or (dotted leaders, tab stops) the next block.
  const segs = segmentsOf(line);
  const segIdx = segs.findIndex((sg) => label.start >= sg.start && label.start < sg.end);
  const own = segs[segIdx];
  const hasValue = (t: string) => /\S/.test(t.replace(/[:#\-–.=|_]/g, ''));
  if (own) {
    const ownText = line.text.slice(label.end, Math.min(own.end, rightEnd));
    const after = segs[segIdx + 1];
    if (hasValue(ownText)) slots.push({ line, text: ownText, offset: label.end, where: 'right' });
    // Also the next block: "IVA 21%      210,00 €" has a rate in the label's block and the amount in the next.
    if (after && after.start < rightEnd) {
      slots.push({
        line,
        text: line.text.slice(after.start, Math.min(after.end, rightEnd)),
        offset: after.start,
        where: 'right',
      });
    }
  }
  // The column under the label: from its left edge to where the next label on its line begins.
  const labelWords = wordsInSpan(line, label.start, label.end);
  if (!labelWords.length) return slots;
  const lbox = unionBox(labelWords.map((w) => w.bbox));
  const h = lineHeight(line);
  const nextWords = next ? wordsInSpan(line, next.start, next.end) : [];
  const colEnd = nextWords.length
    ? (nextWords[0] as Word).bbox[0]
    : Math.max(lbox[2] + (lbox[2] - lbox[0]) * 3, lbox[0] + 20 * h);
  const colStart = lbox[0] - 2 * h;
  const below = ctx.lines.filter(
    (l) => l.page === line.page && l.bbox[1] >= line.bbox[3] - h * 0.3 && l.bbox[1] - line.bbox[3] < h * 2.5,
  );
  for (const l of below.slice(0, 2)) {
    const idx = l.words
      .map((w, i) => (w.bbox[0] >= colStart && w.bbox[0] < colEnd ? i : -1))
      .filter((i) => i >= 0);
    if (!idx.length) continue;
    const first = idx[0] as number;
    const last = idx[idx.length - 1] as number;
    const start = l.offsets[first] as number;
    const end = (l.offsets[last] as number) + (l.words[last] as Word).text.trim().length;
    slots.push({ line: l, text: l.text.slice(start, end), offset: start, where: 'below' });
    break;
  }
  return slots;
}

export interface Candidate {
  segment?: boolean;
  value: string;
  words: Word[];
  page: number;
  score: number;
  label?: LabelMatch;
  lineIndex: number;
}

export function dateFromSlot(
  slot: Slot,
  ctx: DocContext,
): { value: string; start: number; end: number } | null {
  const d = findDates(slot.text, { order: ctx.dateOrder })[0];
  return d ? { value: d.value, start: slot.offset + d.start, end: slot.offset + d.end } : null;
}

const BASE_SCORE = { right: 0.95, below: 0.88 } as const;

export function labelledCandidates(
  ctx: DocContext,
  labelled: { line: TextLine; matches: LabelMatch[] }[],
  key: LabelKey,
  read: (slot: Slot, ctx: DocContext) => { value: string; start: number; end: number } | null,
  skipBelow?: (line: TextLine) => boolean,
): Candidate[] {
  const out: Candidate[] = [];
  for (const { line, matches } of labelled) {
    const sameSpan = (m: LabelMatch) => matches.filter((o) => o.start === m.start && o.end === m.end);
    for (const m of matches) {
      if (m.key !== key) continue;
      // "Total IVA" is both a tax label and not-a-total; "Subtotal" is never the total.
      if (key === 'totalAmount' && sameSpan(m).some((o) => o.key !== 'totalAmount')) continue;
      for (const slot of slotsFor(ctx, line, m, matches)) {
        if (slot.where === 'below' && skipBelow?.(line)) continue;
        const v = read(slot, ctx);
        if (!v) continue;
        const words = wordsInSpan(slot.line, v.start, v.end);
        out.push({
          value: v.value,
          words,
          page: slot.line.page,
          score: BASE_SCORE[slot.where] * m.score,
          label: m,
          lineIndex: slot.line.index,
        });
        break;
      }
    }
  }
  return out;
}

export const COMPANY_SUFFIX =
  /\b(ltda|ltd|l\.?t\.?d\.?a|s\.?\s?a\.?|s\.?\s?l\.?u?|inc|llc|gmbh|corp|corporation|co|company|limited|plc|eireli|me|epp|sdn\.?\s?bhd|bhd|lda|s\.?\s?a\.?\s?s\.?|enterprise|trading)\.?$/i;
export const TITLE_WORDS =
  /^(invoice|tax invoice|fatura|factura|nota fiscal|danfe|recibo|receipt|cupom fiscal|ticket|nf-?e|nfs-?e|documento auxiliar|sem valor fiscal|original|copia|copy|page \d+|pagina \d+)\b/i;
export const STREET = /^(rua|r\.|av\.|avenida|alameda|rodovia|travessa|calle|c\/|plaza|paseo|avda\.?)\s/;
export const CONTACT = /(@|www\.|https?:|\b(tel|fone|phone|fax|telefone|telf?|email|e-mail)\b)/i;

export function isPartyText(text: string): boolean {
  const letters = (text.match(/\p{L}/gu) ?? []).length;
  return letters >= 3 && text.length <= 70 && !TITLE_WORDS.test(foldText(text).trim()) && !CONTACT.test(text);
}

/**
 * The text after the labels a line starts with ("Cliente:", "NOME / RAZÃO SOCIAL"). With `strict`, a label is
 * only taken as one when a colon follows it or nothing else is on the line, so "Cliente Ejemplo SA" stays a name.
 */
export function stripLabels(text: string, strict = false): { text: string; start: number } | null {
  const labels = findLabels(text, strict ? ['partyField', 'taxId', 'customer'] : undefined);
  let start = 0;
  for (const m of labels) {
    if (m.start > start + 2) continue;
    const after = text.slice(m.end);
    if (strict && !/^\s*[:\-–]/.test(after) && after.trim() !== '' && findLabels(after.trim()).length === 0)
      continue;
    start = Math.max(start, m.end);
  }
  let rest = text.slice(start);
  const lead = rest.match(/^[\s:\-–/|]*/)?.[0].length ?? 0;
  rest = rest.slice(lead).trim();
  return rest ? { text: rest, start: start + lead } : null;
}
