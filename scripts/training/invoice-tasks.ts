// The invoice fields the models choose, each as a task over the generated training invoices: the candidates the
// reader lists (src/pipeline/extract/fields.ts, `readInvoice`), merged by value as the reader merges them, and
// which of them is right.
import { sameValue } from '../../src/evaluation/score.ts';
import { classifyDocument } from '../../src/pipeline/classify.ts';
import {
  type InvoiceCandidates,
  type InvoiceReading,
  readInvoice,
} from '../../src/pipeline/extract/fields.ts';
import {
  type InvoiceCandidate,
  mergeByValue,
  standingOf,
} from '../../src/pipeline/extract/invoice/choice.ts';
import { DATE_FEATURES } from '../../src/pipeline/extract/invoice/dates.ts';
import type { LearnedInvoiceField } from '../../src/pipeline/extract/invoice/models.ts';
import { NUMBER_FEATURES } from '../../src/pipeline/extract/invoice/number.ts';
import { AMOUNT_FEATURES } from '../../src/pipeline/extract/invoice/totals.ts';
import { VENDOR_FEATURES } from '../../src/pipeline/extract/invoice/vendor.ts';
import type { FieldTask } from './cross-validate.ts';
import { type InvoiceExample, truthFields } from './invoices.ts';

const readings = new Map<string, InvoiceReading>();

function readingOf(e: InvoiceExample): InvoiceReading {
  let r = readings.get(e.id);
  if (!r) {
    const { documentType, language } = classifyDocument(e.layout);
    r = readInvoice(e.layout, { language, documentType });
    readings.set(e.id, r);
  }
  return r;
}

const merged = new Map<string, InvoiceCandidate[]>();

function candidatesOf(e: InvoiceExample, field: keyof InvoiceCandidates): InvoiceCandidate[] {
  const key = `${e.id}:${field}`;
  let cs = merged.get(key);
  if (!cs) {
    cs = mergeByValue(readingOf(e).candidates[field]);
    merged.set(key, cs);
  }
  return cs;
}

const CALIBRATION = ['logOdds', 'lead', 'candidates', 'ocrConfidence', 'ocr', 'none'];

function task(
  name: LearnedInvoiceField,
  features: readonly string[],
  hand: string,
): FieldTask<InvoiceExample, InvoiceCandidate> {
  return {
    field: `invoice.${name}`,
    features: [...features],
    // The label-and-position reader's pick is where the model starts; the data moves it.
    prior: { [hand]: 3 },
    calibratorFeatures: CALIBRATION,
    candidates: (e) => candidatesOf(e, name),
    isRight: (e, c) => {
      const want = truthFields(e)[name];
      if (want == null) return c.value === '';
      return c.value !== '' && sameValue(name, want, c.value);
    },
    extra: (c) => standingOf(c),
  };
}

export const INVOICE_TASKS: [string, FieldTask<InvoiceExample, InvoiceCandidate>][] = [
  ['invoice-vendor', task('vendorName', VENDOR_FEATURES, 'hand.vendor')],
  ['invoice-number', task('invoiceNumber', NUMBER_FEATURES, 'hand.invoiceNumber')],
  ['invoice-date', task('invoiceDate', DATE_FEATURES, 'hand.invoiceDate')],
  ['invoice-due', task('dueDate', DATE_FEATURES, 'hand.dueDate')],
  ['invoice-total', task('totalAmount', AMOUNT_FEATURES, 'hand.total')],
  ['invoice-subtotal', task('subtotal', AMOUNT_FEATURES, 'hand.subtotal')],
  ['invoice-tax', task('taxAmount', AMOUNT_FEATURES, 'hand.tax')],
];
