// The fields the scoring models choose, each as a task: its candidates on a labelled document (from the first
// reading and, where the reader would have asked for it, the second reader's cached reading), which of them is
// right, and the features the ranker and the calibrator weigh.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChoiceField } from '../../src/pipeline/extract/receipt/choice.ts';
import {
  DATE_FEATURES,
  DATE_PRIOR,
  type DateCandidate,
  RECEIPT_DATE,
} from '../../src/pipeline/extract/receipt/date.ts';
import { documentSeparator, type ReceiptLine, toLines } from '../../src/pipeline/extract/receipt/lines.ts';
import {
  RECEIPT_TOTAL,
  TOTAL_FEATURES,
  TOTAL_FIRM,
  TOTAL_PRIOR,
  type TotalCandidate,
} from '../../src/pipeline/extract/receipt/totals.ts';
import {
  RECEIPT_VENDOR,
  VENDOR_FEATURES,
  VENDOR_PRIOR,
  type VendorCandidate,
} from '../../src/pipeline/extract/receipt/vendor.ts';
import { receiptRereads } from '../../src/pipeline/extract/receipt.ts';
import type { Features } from '../../src/pipeline/extract/scoring.ts';
import {
  mergeReadings,
  type SecondReading,
  withSecondReadings,
} from '../../src/pipeline/extract/second-look.ts';
import type { FieldTask } from './cross-validate.ts';
import { foldName, keyDates, type Receipt, sameAmount } from './sroie.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The second reader's readings of the SROIE lines (bench/second-ocr-cache.ts). */
export const SECOND_CACHE = path.join(root, 'tests/artifacts/second-ocr-cache');

interface Reading {
  lines: ReceiptLine[];
  look?: { lines: ReceiptLine[]; reread: Set<number> };
}

const readings = new Map<string, Reading>();

/**
 * A receipt as the reader would see it: its lines, and the second reader's reading of the lines the reader
 * would have asked to read again (when the cache holds them; without the cache, the first reading only).
 */
export function readingOf(r: Receipt): Reading {
  const known = readings.get(r.id);
  if (known) return known;
  const lines = toLines(r.layout);
  const cached = path.join(SECOND_CACHE, `${r.id}.json`);
  let reading: Reading = { lines };
  if (existsSync(cached)) {
    const all = JSON.parse(readFileSync(cached, 'utf8')) as Record<string, SecondReading>;
    const wanted = receiptRereads(r.layout, { language: 'en' }).filter((i) => all[i]);
    if (wanted.length) {
      const second = new Map(wanted.map((i) => [i, all[i] as SecondReading]));
      reading = {
        lines,
        look: { lines: toLines(withSecondReadings(r.layout, second)), reread: new Set(wanted) },
      };
    }
  }
  readings.set(r.id, reading);
  return reading;
}

function candidatesOf<C extends { features: Features }, E>(
  field: ChoiceField<C, E>,
  r: Receipt,
  env: E,
): C[] {
  const { lines, look } = readingOf(r);
  return mergeReadings(
    field.candidates(lines, env),
    look ? field.candidates(look.lines, env) : undefined,
    field.key,
    field.linesOf,
    look?.reread ?? new Set(),
  );
}

const CALIBRATION = ['logOdds', 'lead', 'candidates', 'ocrConfidence', 'readTwice', 'unconfirmed'];

export const receiptTotal: FieldTask<Receipt, TotalCandidate> = {
  field: 'receipt.totalAmount',
  features: TOTAL_FEATURES,
  prior: TOTAL_PRIOR,
  firm: TOTAL_FIRM,
  calibratorFeatures: [...CALIBRATION, 'derived', 'confirmed', 'labelled'],
  candidates: (r) => candidatesOf(RECEIPT_TOTAL, r, { sep: documentSeparator(readingOf(r).lines) }),
  isRight: (r, c) => sameAmount(r.key.total, c.value.toFixed(2)),
  extra: (c) => RECEIPT_TOTAL.standing(c),
};

export const receiptDate: FieldTask<Receipt, DateCandidate> = {
  field: 'receipt.invoiceDate',
  features: DATE_FEATURES,
  prior: DATE_PRIOR,
  calibratorFeatures: [...CALIBRATION, 'guessedDay', 'repaired', 'labelled'],
  candidates: (r) => candidatesOf(RECEIPT_DATE, r, { language: 'en' }),
  isRight: (r, c) => keyDates(r.key.date).includes(c.value),
  extra: (c) => RECEIPT_DATE.standing(c),
};

export const receiptVendor: FieldTask<Receipt, VendorCandidate> = {
  field: 'receipt.vendorName',
  features: VENDOR_FEATURES,
  prior: VENDOR_PRIOR,
  calibratorFeatures: [...CALIBRATION, 'handPick', 'legalForm', 'twoLines'],
  candidates: (r) => candidatesOf(RECEIPT_VENDOR, r, {}),
  isRight: (r, c) => foldName(r.key.company) === foldName(c.value),
  extra: (c) => RECEIPT_VENDOR.standing(c),
};
