// The issue date and the due date: every date printed is a candidate for both, with the words around it, where it
// sits and how it stands to the other dates (a due date comes after the issue date, weeks rather than years).
import { wordsInSpan } from '../../text-lines.ts';
import { findDates } from '../dates.ts';
import type { Features } from '../scoring.ts';
import type { InvoiceCandidate } from './choice.ts';
import type { DocContext } from './context.ts';
import {
  medianHeights,
  PLACE_FEATURES,
  placeFeatures,
  type Sighting,
  wordFeatureNames,
  wordFeatures,
} from './words.ts';

export interface HandDates {
  invoiceDate?: string | undefined;
  dueDate?: string | undefined;
}

const DAY = 86_400_000;

export function dateCandidates(ctx: DocContext, hand: HandDates): InvoiceCandidate[] {
  const medians = medianHeights(ctx.lines);
  const out: InvoiceCandidate[] = [];
  let order = 0;
  for (const line of ctx.lines) {
    for (const d of findDates(line.text, { order: ctx.dateOrder })) {
      const s: Sighting = { line, start: d.start, end: d.end, words: wordsInSpan(line, d.start, d.end) };
      out.push({
        value: d.value,
        sightings: [s],
        features: {
          ...wordFeatures(ctx.lines, s),
          ...placeFeatures(
            s,
            ctx.pageWidth.get(line.page) ?? 1,
            ctx.pageHeight.get(line.page) ?? 1,
            medians.get(line.page) ?? 10,
          ),
          ambiguous: d.unambiguous ? 0 : 1,
          firstPrinted: order === 0 ? 1 : 0,
          monthName: /[a-z]{3}/i.test(d.text) ? 1 : 0,
        },
      });
      order++;
    }
  }
  const times = [...new Set(out.map((c) => c.value))].map((v) => Date.parse(v)).sort((a, b) => a - b);
  const earliest = times[0] ?? 0;
  const latest = times[times.length - 1] ?? 0;
  for (const c of out) {
    const t = Date.parse(c.value);
    const f: Features = c.features;
    f.onlyDate = times.length === 1 ? 1 : 0;
    f.earliest = times.length > 1 && t === earliest ? 1 : 0;
    f.latest = times.length > 1 && t === latest ? 1 : 0;
    // A due date is days to months after another date on the page; an issue date as long before one.
    f.termAfter = times.some((o) => t - o >= DAY && t - o <= 120 * DAY) ? 1 : 0;
    f.termBefore = times.some((o) => o - t >= DAY && o - t <= 120 * DAY) ? 1 : 0;
    f['hand.invoiceDate'] = hand.invoiceDate === c.value ? 1 : 0;
    f['hand.dueDate'] = hand.dueDate === c.value ? 1 : 0;
  }
  return out;
}

export const DATE_FEATURES: readonly string[] = [
  ...wordFeatureNames(),
  ...PLACE_FEATURES,
  'ambiguous',
  'firstPrinted',
  'monthName',
  'onlyDate',
  'earliest',
  'latest',
  'termAfter',
  'termBefore',
  'hand.invoiceDate',
  'hand.dueDate',
  'sightings',
  'none',
];
