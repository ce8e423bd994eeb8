// The date of sale. Every date printed on the receipt is a candidate, read as printed and with the OCR slips
// a date shows by itself undone; its label, the time of sale beside it, where it sits and how often it is
// printed are features, weighed by a model trained on labelled receipts (src/pipeline/extract/scoring.ts).

import type { Word } from '../../layout.ts';
import { DATE_LABEL, findDates, inferDateOrder, mayHoldDate, TIME_OF_DAY } from '../dates.ts';
import model from '../models/receipt-date.json' with { type: 'json' };
import { type Features, RankerModel } from '../scoring.ts';
import { SECOND_LOOK_FEATURES } from '../second-look.ts';
import { type ChoiceField, choose, type Look } from './choice.ts';
import { meanConfidence, type ReceiptLine, wordsInSpan } from './lines.ts';

export const RECEIPT_DATE_MODEL = RankerModel.parse(model);

export interface DateCandidate {
  /** ISO date. */
  value: string;
  line: ReceiptLine;
  words: Word[];
  features: Features;
}

export const DATE_FEATURES: readonly string[] = [
  'labelled',
  'labelledAbove',
  'due',
  'unambiguous',
  'timeBeside',
  'sightings',
  'position',
  'firstThird',
  'repaired',
  'guessedDay',
  'yearRepaired',
  'yearAgrees',
  'glued',
  'ocrConfidence',
  'monthName',
  ...SECOND_LOOK_FEATURES,
];

/** The hand-written reader's weights: where the labelled receipts say little, the model stays near them. */
export const DATE_PRIOR: Readonly<Record<string, number>> = {
  labelled: 1.5,
  due: -2,
  unambiguous: 0.3,
  timeBeside: 1,
  sightings: 0.7,
  position: -0.5,
  glued: -2,
};

const DUE_WORD = /\b(?:due|expiry|exp|valid|vencimento|vencimiento|until|before)\b/;

const digitsApart = (a: string, b: string) =>
  a.length === b.length ? [...a].filter((c, i) => c !== b[i]).length : Number.POSITIVE_INFINITY;

/** Every date on the receipt, with its features. */
export function dateCandidates(lines: readonly ReceiptLine[], language: string | undefined): DateCandidate[] {
  // A dotted time of sale ("12.17.26 PM") is no date to vote on the day/month order.
  const order = inferDateOrder(
    lines.map((l) => l.text.replace(/\b\d{1,2}\.\d{2}\.\d{2}(?=\s*[ap]\.?m\b)/gi, '')).join('\n'),
    language,
  );
  const found = new Map<string, DateCandidate>();
  const lastLine = Math.max(1, lines.length - 1);
  const note = (value: string, line: ReceiptLine, start: number, end: number, features: Features) => {
    let c = found.get(value);
    if (!c) {
      c = { value, line, words: wordsInSpan(line, start, end), features: {} };
      found.set(value, c);
    }
    const first = c.features.sightings === undefined;
    c.features.sightings = (c.features.sightings ?? 0) + 1;
    for (const [k, v] of Object.entries(features)) {
      // A date also read as printed was not a repair; one also printed apart from a code was not glued.
      const least = k === 'repaired' || k === 'guessedDay' || k === 'glued' || k === 'due';
      c.features[k] = first ? v : least ? Math.min(c.features[k] ?? 0, v) : Math.max(c.features[k] ?? 0, v);
    }
  };
  const read = (guess: boolean) => {
    for (const l of lines) {
      const labelled = DATE_LABEL.test(l.folded) ? 1 : 0;
      const above = lines[l.index - 1];
      const labelledAbove = above && DATE_LABEL.test(above.folded) && !/\d/.test(above.text) ? 1 : 0;
      // A time of sale glued to the year or day before it ("16/02/201812:04:58", "2018-03-1813:18") is set apart.
      const printed = l.text
        .replace(/((?:19|20)\d{2})(\d{1,2}:\d{2})/g, '$1 $2')
        .replace(/([/.-]\d{2})(\d{2}:\d{2})/g, '$1 $2');
      const time = TIME_OF_DAY.test(printed) ? 1 : 0;
      const readings: { text: string; repaired: number; guessedDay: number }[] = [
        { text: printed, repaired: 0, guessedDay: 0 },
      ];
      // Eight digits beside a date label or the time of sale are the date printed without separators
      // ("25032018 13:11:54").
      if (labelled || time) {
        const compact = printed.replace(/(?<!\d)([0-3]\d)([01]\d)((?:19|20)\d{2})(?!\d)/g, '$1/$2/$3');
        if (compact !== printed) readings.push({ text: compact, repaired: 0, guessedDay: 0 });
      }
      // OCR reads a leading "2" of "25/12" as "Z" or an O for a 0; a month's first digit is 0 or 1, so a 6, 8 or
      // 9 there is a 0 misread ("30/63/2018").
      const repaired = printed
        .replace(/(?<=\d)[Oo](?=\d)|(?<=[/.-])[Oo](?=\d)/g, '0')
        .replace(/(?<![\d/.-])(\d{1,2})([/.-])[689](\d)\2((?:19|20)\d{2})(?!\d)/g, '$1$20$3$2$4');
      if (repaired !== printed) readings.push({ text: repaired, repaired: 1, guessedDay: 0 });
      // A day whose first digit cannot be one ("49/03/2018 21:28") beside its label or the time of sale: a
      // misread 0 is the likeliest.
      if (guess && (time || labelled)) {
        const guessed = repaired.replace(
          /(?<![\d/.-])[4-9](\d)([/.-])(\d{1,2})\2((?:19|20)\d{2}|\d{2})(?![\d/.-]?\d)/g,
          '0$1$2$3$2$4',
        );
        if (guessed !== repaired) readings.push({ text: guessed, repaired: 1, guessedDay: 1 });
      }
      for (const reading of guess ? readings.filter((r) => r.guessedDay) : readings) {
        const dates = findDates(reading.text, { order });
        for (const d of dates) {
          const year = Number(d.value.slice(0, 4));
          if (year < 1990 || year > 2040) continue;
          // "06/01/18 12.17.26 PM": what follows a date and precedes AM/PM is the time of sale, not a second date.
          const after = dates.some(
            (o) => o !== d && o.end <= d.start && /^\s*$/.test(reading.text.slice(o.end, d.start)),
          );
          if (after || /^\s*[ap]\.?m\b/i.test(reading.text.slice(d.end))) continue;
          const glued = /[\p{L}\d]/u.test(reading.text[d.start - 1] ?? '') ? 1 : 0;
          note(d.value, l, d.start, d.end, {
            labelled,
            labelledAbove,
            due: DUE_WORD.test(l.folded) ? 1 : 0,
            unambiguous: d.unambiguous ? 1 : 0,
            timeBeside: time,
            repaired: reading.repaired,
            guessedDay: reading.guessedDay,
            glued,
            monthName: /\p{L}{3}/u.test(reading.text.slice(d.start, d.end)) ? 1 : 0,
          });
        }
      }
    }
  };
  read(false);
  // Only when no date reads as printed is a misread day guessed.
  if (!found.size) read(true);
  // Till systems print the date inside long document numbers ("2018030610100030493"): when one agrees on the
  // day and month, its year undoes a one-digit slip in the printed year ("06/03/2016").
  for (const l of lines) {
    for (const m of l.text.matchAll(/(?<!\d)((?:19|20)\d{2})(\d{2})(\d{2})\d{4,}/g)) {
      const compact = `${m[1]}-${m[2]}-${m[3]}`;
      const year = Number(m[1]);
      if (year < 1990 || year > 2040) continue;
      for (const c of [...found.values()]) {
        if (c.value === compact) c.features.yearAgrees = 1;
        else if (
          c.value.slice(4) === compact.slice(4) &&
          digitsApart(c.value.slice(0, 4), m[1] ?? '') === 1
        ) {
          found.delete(c.value);
          const repaired = found.get(compact);
          if (repaired) repaired.features.yearRepaired = 1;
          else found.set(compact, { ...c, value: compact, features: { ...c.features, yearRepaired: 1 } });
        }
      }
    }
  }
  for (const c of found.values()) {
    const f = c.features;
    f.position = c.line.index / lastLine;
    f.firstThird = f.position < 1 / 3 ? 1 : 0;
    f.sightings = Math.log1p(f.sightings ?? 0);
    f.ocrConfidence = meanConfidence(c.words.length ? c.words : c.line.words);
  }
  return [...found.values()];
}

/** Lines the second reader reads when the date is in doubt, beside its candidates' own. */
const DATE_LOOK_LINES = 3;

/**
 * The lines that may hold the date of sale though no candidate was read on them (a label OCR kept, a time of
 * sale, digits apart as a date's are: "Date: 20/03/201¢ 12:42"), labelled ones first: when the first reading
 * finds no date or doubts the one it found, the second reader reads these too.
 */
export function dateLookLines(lines: readonly ReceiptLine[], candidates: readonly DateCandidate[]): number[] {
  const taken = new Set(candidates.map((c) => c.line.index));
  return lines
    .filter((l) => !taken.has(l.index) && mayHoldDate(l.text))
    .map((l) => ({
      index: l.index,
      weight: (DATE_LABEL.test(l.folded) ? 2 : 0) + (TIME_OF_DAY.test(l.text) ? 1 : 0),
    }))
    .sort((a, b) => b.weight - a.weight || a.index - b.index)
    .slice(0, DATE_LOOK_LINES)
    .map((l) => l.index);
}

/** The date of sale as a field its reader chooses among candidates (see ./choice.ts). */
export const RECEIPT_DATE: ChoiceField<DateCandidate, { language: string | undefined }> = {
  model: RECEIPT_DATE_MODEL,
  candidates: (lines, { language }) => dateCandidates(lines, language),
  key: (c) => c.value,
  linesOf: (c) => [c.line.index],
  standing: (c) => dateStanding(c),
};

/** The date of sale with its calibrated confidence. */
export function pickDate(
  lines: readonly ReceiptLine[],
  language: string | undefined,
  look?: Look,
): { date: DateCandidate; confidence: number } | undefined {
  const { best, confidence: calibrated } = choose(RECEIPT_DATE, lines, { language }, look);
  if (!best) return undefined;
  // A day that was not printed but guessed is never trusted without a person, however the rest looks.
  return { date: best, confidence: best.features.guessedDay ? Math.min(calibrated, 0.5) : calibrated };
}

/** What the calibrator knows of the chosen date beyond its standing among the candidates. */
export function dateStanding(best: DateCandidate): Features {
  const f = best.features;
  return {
    ocrConfidence: f.ocrConfidence ?? 0,
    readTwice: f['read.both'] ?? 0,
    unconfirmed: f.unconfirmed ?? 0,
    guessedDay: f.guessedDay ?? 0,
    repaired: f.repaired ?? 0,
    labelled: Math.max(f.labelled ?? 0, f.timeBeside ?? 0),
  };
}
