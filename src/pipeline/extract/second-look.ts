// A second opinion on OCR'd lines: which lines are worth reading again with the second reader, and the layout
// as the second reader reads them. The field readers run on both readings and merge their candidates, so that a
// value both readers see counts for more, and a value only the second reader saw can still be chosen.
import type { Layout, Word } from '../layout.ts';
import { type TextLine, toTextLines } from '../text-lines.ts';
import { findAmounts } from './amounts.ts';
import { findDates, mayHoldDate } from './dates.ts';

export interface SecondReading {
  text: string;
  /** The second reader's mean character probability, 0–1. */
  confidence: number;
}

/** Second readings by line (the index of `toTextLines`). */
export type SecondReadings = ReadonlyMap<number, SecondReading>;

/** Lines near the top that may hold the shop's name. */
const NAME_LINES = 12;

/**
 * Every OCR'd line that holds something a field could be: an amount with cents, a date or what may be a misread
 * one (a date label, a time of day), or a line near the top (the shop's name). What is worth caching for training; a reader re-reads only the lines of the candidates
 * it is in doubt about (`linesOf`).
 */
export function secondLookLines(layout: Layout): TextLine[] {
  const ocrPages = new Set(layout.pages.filter((p) => p.source === 'ocr').map((p) => p.number));
  return toTextLines(layout).filter(
    (l) =>
      ocrPages.has(l.page) &&
      (l.index < NAME_LINES ||
        findAmounts(l.text).some((a) => a.hasDecimals) ||
        findDates(l.text).length > 0 ||
        /\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{2,4}/.test(l.text) ||
        mayHoldDate(l.text)),
  );
}

/**
 * The layout with each re-read line's words replaced by the second reader's, spread over the line's box by
 * their share of its characters. Lines without a second reading are kept as they are.
 */
export function withSecondReadings(layout: Layout, readings: SecondReadings): Layout {
  let index = 0;
  return {
    pages: layout.pages.map((page) => ({
      ...page,
      lines: page.lines.map((line) => {
        // toTextLines skips lines with no words; its index counts the others.
        if (!line.words.some((w) => w.text.trim() !== '')) return line;
        const reading = readings.get(index++);
        if (!reading?.text.trim()) return line;
        const words = spread(reading, line.bbox, line.words[0]?.source ?? 'ocr');
        return { ...line, text: reading.text.trim(), words };
      }),
    })),
  };
}

function spread(reading: SecondReading, box: readonly number[], source: Word['source']): Word[] {
  const [x0 = 0, y0 = 0, x1 = 0, y1 = 0] = box;
  const parts = reading.text.trim().split(/\s+/);
  const chars = parts.reduce((n, p) => n + p.length, 0) + parts.length - 1;
  const unit = (x1 - x0) / Math.max(1, chars);
  let at = 0;
  return parts.map((text) => {
    const left = x0 + at * unit;
    at += text.length + 1;
    return {
      text,
      bbox: [left, y0, Math.min(x1, left + text.length * unit), y1],
      confidence: reading.confidence,
      source,
    };
  });
}

/** What the second reading adds to a candidate's features; 0 throughout when nothing was read again. */
export const SECOND_LOOK_FEATURES = ['read.both', 'reread', 'unconfirmed', 'secondOnly'] as const;

/**
 * One candidate list from the two readings: a value seen in both keeps the first reading's candidate (its box
 * and words) with the features of both; `reread` says its line was read again, `unconfirmed` that the second
 * reader, reading that line, did not see it, and `secondOnly` that only the second reader did.
 */
export function mergeReadings<C extends { features: Record<string, number> }>(
  first: readonly C[],
  second: readonly C[] | undefined,
  keyOf: (c: C) => string,
  linesOf: (c: C) => readonly number[],
  reread: ReadonlySet<number>,
): C[] {
  if (!second) return [...first];
  const merged = new Map<string, C>();
  const seenSecond = new Set(second.map(keyOf));
  for (const c of first) {
    const key = keyOf(c);
    const again = linesOf(c).some((i) => reread.has(i));
    merged.set(key, {
      ...c,
      features: {
        ...c.features,
        reread: again ? 1 : 0,
        'read.both': seenSecond.has(key) ? 1 : 0,
        unconfirmed: again && !seenSecond.has(key) ? 1 : 0,
      },
    });
  }
  for (const c of second) {
    const key = keyOf(c);
    const known = merged.get(key);
    if (known) {
      for (const [name, v] of Object.entries(c.features)) {
        if (!name.startsWith('read.') && name !== 'reread' && name !== 'unconfirmed')
          known.features[name] = Math.max(known.features[name] ?? 0, v);
      }
      continue;
    }
    merged.set(key, { ...c, features: { ...c.features, secondOnly: 1, reread: 1 } });
  }
  return [...merged.values()];
}

/** The lines of a field's first few candidates: what is read again when the field is in doubt. */
export function linesToReread<C>(
  ranked: readonly { candidate: C }[],
  linesOf: (c: C) => readonly number[],
  top = 3,
): number[] {
  return [...new Set(ranked.slice(0, top).flatMap((r) => linesOf(r.candidate)))];
}
