// The invoice number and the purchase order: the code printed beside or under their labels.
import { segmentsOf, type TextLine, wordsInSpan } from '../../text-lines.ts';
import { findAmounts } from '../amounts.ts';
import { findDates } from '../dates.ts';
import { foldText } from '../labels.ts';
import { findTaxIds } from '../tax-ids.ts';
import type { InvoiceCandidate } from './choice.ts';
import type { Candidate, DocContext, Slot } from './context.ts';
import { ADDRESS_LINE } from './vendor.ts';
import {
  familiesIn,
  medianHeights,
  PLACE_FEATURES,
  placeFeatures,
  type Sighting,
  wordFeatureNames,
  wordFeatures,
} from './words.ts';

const ID_RE = /[A-Z0-9][A-Z0-9\-/.]*\d[A-Z0-9\-/.]*/i;

export function idValue(slot: Slot, ctx: DocContext): { value: string; start: number; end: number } | null {
  const text = slot.text;
  const dates = findDates(text, { order: ctx.dateOrder });
  const m = ID_RE.exec(text.replace(/^[\s:#.º°-]*/, (s) => ' '.repeat(s.length)));
  if (!m) return null;
  const start = m.index;
  const end = start + m[0].length;
  if (dates.some((d) => start < d.end && end > d.start)) return null;
  const id = m[0].replace(/[.\-/]+$/, '');
  if (id.length > 30) return null;
  let value = id;
  let from = start;
  // A series printed apart from the number ("FT 2025/388", "A 1234"): a short capitals word right before it,
  // with nothing but the label's punctuation before that.
  const series = /([A-Z]{1,4})\s+$/.exec(text.slice(0, start));
  if (series && !/[^\s:#.º°-]/.test(text.slice(0, series.index))) {
    from = series.index;
    value = `${series[1]} ${id}`;
  }
  if (slot.line.words.some((w) => w.source === 'ocr')) value = ocrLetterPrefix(value);
  return { value, start: slot.offset + from, end: slot.offset + start + id.length };
}

/**
 * OCR reads I as 1 and O as 0: in a leading code made of capitals ("1C/2025/0077"), a digit standing among the
 * letters is the letter it looks like. Only a prefix with letters in it and a separator after it is touched.
 */
function ocrLetterPrefix(value: string): string {
  const m = /^([A-Z0-9]{2,4})(?=[-/.])/.exec(value);
  if (!m) return value;
  const prefix = m[1] as string;
  const letters = prefix.replace(/[^A-Z]/g, '').length;
  if (letters === 0 || letters < prefix.length - 1 || !/^[A-Z]*[105][A-Z]*$/.test(prefix)) return value;
  const fixed = prefix.replace(/1/g, 'I').replace(/0/g, 'O').replace(/5/g, 'S');
  return fixed + value.slice(prefix.length);
}

export function rankIdCandidates(cands: Candidate[]): Candidate[] {
  // "Invoice No"/"Nº da Fatura" beat a bare "Nº" or a title word "Invoice" followed by something.
  return cands.map((c) => {
    const tokens = foldText(c.label?.label ?? '')
      .split(/[^a-z0-9#]+/)
      .filter(Boolean).length;
    return { ...c, score: c.score * (tokens >= 2 ? 1 : 0.85) };
  });
}

// ---- Learned choice: every code on the page a candidate for the invoice number ------------------------------

const CODE_RE = /[A-Z0-9][A-Z0-9\-/.]*\d[A-Z0-9\-/.]*/gi;

/** Every code with a digit in it that is not a date, an amount with decimals or part of a longer number. */
export function numberCandidates(
  ctx: DocContext,
  hand: { invoiceNumber?: string | undefined; purchaseOrder?: string | undefined },
  inCustomerBlock: (line: TextLine, start: number, end: number) => boolean,
): InvoiceCandidate[] {
  const medians = medianHeights(ctx.lines);
  const out: InvoiceCandidate[] = [];
  const norm = (v: string | undefined) => v?.replace(/[^\p{L}\p{N}]/gu, '').toUpperCase();
  for (const line of ctx.lines) {
    const text = line.text;
    if (!/\d/.test(text)) continue;
    const money = findAmounts(text, { decimalSeparator: ctx.decimalSeparator }).filter((a) => a.hasDecimals);
    // An item row (a price and an amount) holds codes and quantities, never the invoice's number.
    if (money.length >= 2) continue;
    const dates = findDates(text, { order: ctx.dateOrder });
    const taxIds = findTaxIds(text);
    for (const m of text.matchAll(CODE_RE)) {
      const start = m.index ?? 0;
      const raw = m[0].replace(/[.\-/]+$/, '');
      const end = start + raw.length;
      if (raw.length > 30 || raw.length < 2) continue;
      const overlaps = (x: { start: number; end: number }) => start < x.end && end > x.start;
      if (dates.some(overlaps) || money.some(overlaps)) continue;
      const ocr = line.words.some((w) => w.source === 'ocr');
      const values: { value: string; from: number; series: boolean }[] = [
        { value: ocr ? ocrLetterPrefix(raw) : raw, from: start, series: false },
      ];
      // A series printed apart from the number ("FT 2025/388", "A 1234").
      const series = /\b([A-Z]{1,4})\s+$/.exec(text.slice(0, start));
      if (series) values.push({ value: `${series[1]} ${raw}`, from: series.index, series: true });
      // The block of the line it is in: a label across the page in another block ("FACTURA" in the left
      // column, "Calle Larios, 133" in the right) is not its label, and a number in an address is a street's.
      const seg = segmentsOf(line).find((sg) => sg.start <= start && start < sg.end);
      const segBefore = seg ? text.slice(seg.start, start) : '';
      const segFamilies = familiesIn(segBefore);
      const segText = seg ? text.slice(seg.start, seg.end) : text;
      for (const v of values) {
        const s: Sighting = { line, start: v.from, end, words: wordsInSpan(line, v.from, end) };
        const digits = (raw.match(/\d/g) ?? []).length;
        const letters = (raw.match(/\p{L}/gu) ?? []).length;
        out.push({
          value: v.value,
          sightings: [s],
          features: {
            ...wordFeatures(ctx.lines, s),
            ...placeFeatures(
              s,
              ctx.pageWidth.get(line.page) ?? 1,
              ctx.pageHeight.get(line.page) ?? 1,
              medians.get(line.page) ?? 10,
            ),
            series: v.series ? 1 : 0,
            digits: Math.min(12, digits) / 12,
            fewDigits: digits <= 2 ? 1 : 0,
            letters: letters ? 1 : 0,
            separator: /[-/.]/.test(raw) ? 1 : 0,
            yearLike: /(?:^|\D)20\d\d(?:\D|$)/.test(raw) ? 1 : 0,
            longNumber: digits >= 10 ? 1 : 0,
            taxId: taxIds.some((t) => overlaps(t.span)) ? 1 : 0,
            percent: /^\s*%/.test(text.slice(end)) ? 1 : 0,
            customerBlock: inCustomerBlock(line, start, end) ? 1 : 0,
            blockFirst: !/[\p{L}\d]/u.test(segBefore) ? 1 : 0,
            blockLabel: ['invoice', 'number', 'ref', 'order'].some((f) => segFamilies.has(f)) ? 1 : 0,
            address: ADDRESS_LINE.test(segText) ? 1 : 0,
            'hand.invoiceNumber': norm(hand.invoiceNumber) === norm(v.value) ? 1 : 0,
            'hand.purchaseOrder': norm(hand.purchaseOrder) === norm(v.value) ? 1 : 0,
          },
        });
      }
    }
  }
  return out;
}

export const NUMBER_FEATURES: readonly string[] = [
  ...wordFeatureNames(),
  ...PLACE_FEATURES,
  'series',
  'digits',
  'fewDigits',
  'letters',
  'separator',
  'yearLike',
  'longNumber',
  'taxId',
  'percent',
  'customerBlock',
  'blockFirst',
  'blockLabel',
  'address',
  'hand.invoiceNumber',
  'hand.purchaseOrder',
  'sightings',
];
