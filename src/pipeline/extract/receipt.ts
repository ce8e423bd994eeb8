// Receipt fields from a layout: the shop's name on top, the date of sale, and a total decided by the receipt's
// own arithmetic. Each field has a module of its own in ./receipt/.
import type { Fields } from '../../contract/result.ts';
import type { Layout } from '../layout.ts';
import { type ChoiceField, choose, type Look } from './receipt/choice.ts';
import { dateLookLines, pickDate, RECEIPT_DATE } from './receipt/date.ts';
import { documentSeparator, field, meanConfidence, type ReceiptLine, toLines } from './receipt/lines.ts';
import { pickCurrency, pickInvoiceNumber, pickTaxId } from './receipt/other.ts';
import { decideTotals, RECEIPT_TOTAL } from './receipt/totals.ts';
import { pickAddress, pickVendor, RECEIPT_VENDOR } from './receipt/vendor.ts';
import type { Features } from './scoring.ts';
import { linesToReread, type SecondReadings, withSecondReadings } from './second-look.ts';

export { receiptLineKind } from './receipt/lines.ts';
export { explainReceiptTotal } from './receipt/totals.ts';

export interface ReceiptOptions {
  /** ISO 639-1; helps decide the day/month order of dates. */
  language?: string;
  /** The second reader's readings of the lines `receiptRereads` asked for. */
  second?: SecondReadings;
}

/** Under this confidence a field's candidates' lines are read again by the second reader. */
export const REREAD_BELOW = 0.9;

/**
 * The lines worth reading again: those of the first few candidates of each of the name and the total that the
 * first reading leaves in doubt, and always those of the date with the lines that may hold one. A misread digit
 * still reads as a date ("16/03/2018" for 15/03) that its label and time of sale vouch for as well as for the
 * right one, and a date OCR garbled reads as none: no confidence of the first reading tells these apart, and
 * the date's lines are a few short ones. Empty when there is nothing to read.
 */
export function receiptRereads(layout: Layout, options: Pick<ReceiptOptions, 'language'> = {}): number[] {
  const lines = toLines(layout);
  if (!lines.length) return [];
  const sep = documentSeparator(lines);
  const date = choose(RECEIPT_DATE, lines, { language: options.language });
  const out = new Set([
    ...rereadsOf(RECEIPT_VENDOR, lines, {}),
    ...linesToReread(date.ranked, RECEIPT_DATE.linesOf),
    ...dateLookLines(
      lines,
      date.ranked.map((r) => r.candidate),
    ),
    ...rereadsOf(RECEIPT_TOTAL, lines, { sep }),
  ]);
  return [...out].sort((a, b) => a - b);
}

function rereadsOf<C extends { features: Features }, E>(
  field: ChoiceField<C, E>,
  lines: readonly ReceiptLine[],
  env: E,
) {
  const chosen = choose(field, lines, env);
  return chosen.confidence >= REREAD_BELOW ? [] : linesToReread(chosen.ranked, field.linesOf);
}

/** The second readings' lines, when there are any. */
function lookOf(layout: Layout, second: SecondReadings | undefined): Look | undefined {
  if (!second?.size) return undefined;
  const lines: readonly ReceiptLine[] = toLines(withSecondReadings(layout, second));
  return { lines, reread: new Set(second.keys()) };
}

// ---- entry point ------------------------------------------------------------------------------------------

/** Fields of a shop receipt. Fields that cannot be found are absent. */
export function extractReceiptFields(layout: Layout, options: ReceiptOptions = {}): Fields {
  const lines = toLines(layout);
  const fields: Fields = {};
  if (!lines.length) return fields;
  const sep = documentSeparator(lines);
  const look = lookOf(layout, options.second);

  const vendor = pickVendor(lines, look);
  if (vendor) fields.vendorName = vendor.name;
  const address = pickAddress(lines, vendor);
  if (address) fields.vendorAddress = address;
  const taxId = pickTaxId(lines);
  if (taxId) fields.vendorTaxId = taxId;
  const number = pickInvoiceNumber(lines);
  if (number) fields.invoiceNumber = number;
  const date = pickDate(lines, options.language, look);
  if (date) {
    const { value, words, line } = date.date;
    fields.invoiceDate = field(value, date.confidence, words.length ? words : line.words, line.page);
  }
  const currency = pickCurrency(lines, sep);
  if (currency) fields.currency = currency;

  const totals = decideTotals(lines, sep, look);
  if (totals.total) {
    const t = totals.total;
    // The calibrated probability that it is right, not the OCR's certainty of its digits.
    fields.totalAmount = field(
      t.value.toFixed(2),
      totals.confidence ?? 0,
      t.source.words,
      t.source.line.page,
    );
  }
  if (totals.subtotal) {
    const s = totals.subtotal;
    fields.subtotal = field(s.value.toFixed(2), meanConfidence(s.words) * 0.85, s.words, s.line.page);
  }
  if (totals.tax) {
    const t = totals.tax;
    const adds =
      totals.total && totals.subtotal?.value.plus(t.value).minus(totals.total.value).abs().lte(0.05);
    fields.taxAmount = field(
      t.value.toFixed(2),
      meanConfidence(t.words) * (adds ? 0.95 : 0.7),
      t.words,
      t.line.page,
    );
  }
  return fields;
}
