// Header fields of an invoice-like document from its layout. Each field has a module of its own in ./invoice/:
// the customer's block, the vendor and its tax ID, the number, the dates, the totals and the currency.
import { Decimal } from 'decimal.js';
import type { DocumentType, Field, FieldName, Fields, LineItem } from '../../contract/result.ts';
import { guessLanguage } from '../language.ts';
import type { Layout } from '../layout.ts';
import { type TextLine, toTextLines, wordsInSpan } from '../text-lines.ts';
import { detectCurrency, inferDecimalSeparator } from './amounts.ts';
import { extractDanfeFields, isDanfe } from './danfe.ts';
import { findDates, inferDateOrder } from './dates.ts';
import { type Choice, chooseField, fieldOf, type InvoiceCandidate, noneCandidate } from './invoice/choice.ts';
import {
  type Candidate,
  type DocContext,
  dateFromSlot,
  labelledCandidates,
  makeField,
} from './invoice/context.ts';
import { findCurrencyWords } from './invoice/currency.ts';
import { findCustomer } from './invoice/customer.ts';
import { dateCandidates } from './invoice/dates.ts';
import { INVOICE_MODELS, LEARNED_INVOICE_FIELDS, type LearnedInvoiceField } from './invoice/models.ts';
import { idValue, numberCandidates, rankIdCandidates } from './invoice/number.ts';
import {
  amountCandidates,
  amountFromSlot,
  decideTotals,
  STRONG_TOTAL,
  taxBreakdown,
} from './invoice/totals.ts';
import {
  findAddress,
  findVendor,
  findVendorTaxId,
  type TaxIdSighting,
  taxIdUnder,
  vendorCandidates,
} from './invoice/vendor.ts';
import { findLabels, foldText } from './labels.ts';
import { extractLineItems, findTableHeader } from './line-items.ts';

export type { DocContext } from './invoice/context.ts';

export interface ExtractOptions {
  /** ISO 639-1 (en/pt/es); guessed from the words when absent. */
  language?: string;
  documentType?: DocumentType;
}

/** Every candidate of each field the models choose, as `readInvoice` lists them. */
export type InvoiceCandidates = Record<LearnedInvoiceField, InvoiceCandidate[]>;

export interface InvoiceReading {
  /** The fields as the label-and-position reader reads them, which the models' candidates know of. */
  fields: Fields;
  candidates: InvoiceCandidates;
  lineItems: LineItem[];
  ctx: DocContext;
  /** What a DANFE's boxes say, which beats any choice (empty for other documents). */
  danfe: Fields;
  /** Every tax ID printed outside the customer's block. */
  taxIds: TaxIdSighting[];
}

/** Fields and line items of a document. Fields that were not found are absent. */
export function extractFields(
  layout: Layout,
  options: ExtractOptions = {},
): { fields: Fields; lineItems: LineItem[] } {
  const reading = readInvoice(layout, options);
  const fields: Fields = { ...reading.fields };
  const chosen = chooseInvoiceFields(reading.candidates);
  for (const name of LEARNED_INVOICE_FIELDS) {
    const field = fieldOf(chosen[name]);
    const hand = reading.fields[name];
    // Where the label reader read the same value, its box is the one under the label.
    if (field && hand?.value === field.value) fields[name] = { ...field, page: hand.page, bbox: hand.bbox };
    else if (field) fields[name] = field;
    else delete fields[name];
  }
  // The address follows the name chosen: the lines under it in its column.
  const vendor = chosen.vendorName.best;
  const at = vendor?.sightings[0];
  if (vendor && at && vendor.value !== reading.fields.vendorName?.value) {
    const address = findAddress(
      reading.ctx,
      { value: vendor.value, words: at.words, page: at.line.page, score: 1, lineIndex: at.line.index },
      () => false,
    );
    if (address) fields.vendorAddress = makeField(address.value, address.words, address.page, address.score);
    else delete fields.vendorAddress;
  }
  // The vendor's tax ID is the one in the chosen issuer's block (letterhead or legal footer), when one is there.
  const own = vendor?.sightings.map((s) => taxIdUnder(s, reading.taxIds)).find((x) => x !== undefined);
  if (own && own.t.value !== fields.vendorTaxId?.value) {
    const words = wordsInSpan(own.line, own.t.span.start, own.t.span.end);
    fields.vendorTaxId = makeField(own.t.value, words, own.line.page, own.t.valid ? 0.9 : 0.6);
  }
  Object.assign(fields, reading.danfe);
  return { fields, lineItems: reading.lineItems };
}

/**
 * Each learned field's choice among its candidates: the one place an invoice's vendor, number, dates and totals are
 * decided. A further source of candidates adds to `candidates` before this is called.
 */
export function chooseInvoiceFields(candidates: InvoiceCandidates): Record<LearnedInvoiceField, Choice> {
  return Object.fromEntries(
    LEARNED_INVOICE_FIELDS.map((name) => [name, chooseField(INVOICE_MODELS[name], candidates[name])]),
  ) as Record<LearnedInvoiceField, Choice>;
}

/** The label-and-position reading of a document, and every candidate of the fields the models choose. */
export function readInvoice(layout: Layout, options: ExtractOptions = {}): InvoiceReading {
  const lines = toTextLines(layout);
  const allText = lines.map((l) => l.text).join('\n');
  const language = options.language ?? guessLanguage(allText);
  const ctx: DocContext = {
    lines,
    pageWidth: new Map(layout.pages.map((p) => [p.number, p.width])),
    pageHeight: new Map(layout.pages.map((p) => [p.number, p.height])),
    decimalSeparator: inferDecimalSeparator(allText, language),
    dateOrder: inferDateOrder(allText, language),
  };
  const fields: Fields = {};
  const set = (name: FieldName, f: Field | undefined) => {
    if (f) fields[name] = f;
  };
  const best = (cands: Candidate[], base = 1): Field | undefined => {
    const c = [...cands].sort((a, b) => b.score - a.score || a.lineIndex - b.lineIndex)[0];
    return c ? makeField(c.value, c.words, c.page, c.score * base) : undefined;
  };

  const labelled = lines.map((line) => ({ line, matches: findLabels(line.text) }));
  const header = findTableHeader(lines);
  const headerLines = new Set(header ? [header.line.index] : []);
  const isHeader = (l: TextLine) => headerLines.has(l.index);

  const customer = findCustomer(ctx, labelled, isHeader);
  const customerTaxId = customer.taxId;
  for (const [name, c] of [
    ['customerName', customer.name],
    ['customerTaxId', customer.taxId],
  ] as const) {
    if (c) set(name, makeField(c.value, c.words, c.page, c.score));
  }
  const inCustomerBlock = customer.contains;

  // Tax IDs outside the customer block; the vendor's is the first, preferring one after a tax-ID label.
  const { all: taxIds, vendor: vendorId } = findVendorTaxId(labelled, customer);
  if (vendorId) {
    const base = (vendorId.t.valid ? 0.9 : 0.6) + (vendorId.labelled ? 0.08 : 0);
    set(
      'vendorTaxId',
      makeField(
        vendorId.t.value,
        wordsInSpan(vendorId.line, vendorId.t.span.start, vendorId.t.span.end),
        vendorId.line.page,
        base,
      ),
    );
  }

  // Vendor name: a vendor label's value, else the most prominent party-like line on top of page 1.
  const vendor = findVendor(ctx, labelled, inCustomerBlock, vendorId?.line, header?.line.index);
  if (vendor) {
    set('vendorName', makeField(vendor.value, vendor.words, vendor.page, vendor.score));
    const address = findAddress(ctx, vendor, inCustomerBlock);
    if (address) set('vendorAddress', makeField(address.value, address.words, address.page, address.score));
  }

  // Numbers and dates next to their labels.
  set('invoiceNumber', best(rankIdCandidates(labelledCandidates(ctx, labelled, 'invoiceNumber', idValue))));
  set('purchaseOrder', best(labelledCandidates(ctx, labelled, 'purchaseOrder', idValue)));
  const dueDates = labelledCandidates(ctx, labelled, 'dueDate', dateFromSlot);
  const due = best(dueDates);
  set('dueDate', due);
  const invoiceDates = labelledCandidates(ctx, labelled, 'invoiceDate', dateFromSlot);
  let invoiceDate = best(invoiceDates);
  if (!invoiceDate) {
    // No labelled date: the first date printed that is not the due date, found by pattern only.
    for (const l of lines) {
      const d = findDates(l.text, { order: ctx.dateOrder }).find((x) => x.value !== due?.value);
      if (d) {
        invoiceDate = makeField(d.value, wordsInSpan(l, d.start, d.end), l.page, d.unambiguous ? 0.55 : 0.45);
        break;
      }
    }
  }
  set('invoiceDate', invoiceDate);

  // Totals.
  const totals = labelledCandidates(ctx, labelled, 'totalAmount', amountFromSlot, isHeader).map((c) => ({
    ...c,
    strong: STRONG_TOTAL.test(foldText(c.label?.label ?? '')),
  }));
  const subtotals = labelledCandidates(ctx, labelled, 'subtotal', amountFromSlot, isHeader);
  const taxes = labelledCandidates(ctx, labelled, 'taxAmount', amountFromSlot, isHeader);
  const breakdown = taxBreakdown(ctx);
  if (breakdown) {
    subtotals.push(breakdown.base);
    taxes.push(breakdown.tax);
  }
  const { total, subtotal, tax, confirmed } = decideTotals(totals, subtotals, taxes);
  if (total) set('totalAmount', total);
  if (subtotal) set('subtotal', subtotal);
  if (tax) set('taxAmount', tax);

  // Currency: the symbol or code printed, else what the tax IDs imply (a CNPJ means reais).
  const currency = detectCurrency(allText);
  if (currency) {
    const where = findCurrencyWords(lines, currency);
    if (where) set('currency', makeField(currency, where.words, where.page, 0.95));
  } else if (
    taxIds.some((x) => x.t.kind === 'cnpj' && x.t.valid) ||
    customerTaxId?.value.match(/^\d{2}\.\d{3}\.\d{3}\/|^\d{3}\.\d{3}\.\d{3}-/)
  ) {
    const at = vendorId ?? taxIds[0];
    if (at)
      set(
        'currency',
        makeField('BRL', wordsInSpan(at.line, at.t.span.start, at.t.span.end), at.line.page, 0.6),
      );
  }

  // A DANFE is a fixed form: what its boxes say beats the general guesses.
  // Read on lines without diagonal watermarks, which would otherwise stretch a row of boxes over half the page.
  const danfe = isDanfe(lines) ? extractDanfeFields(toTextLines(layout, { dropWatermarks: true })) : {};

  const lineItems = extractLineItems(layout, {
    decimalSeparator: ctx.decimalSeparator,
    lines,
    header,
    ...(fields.subtotal ? { subtotal: fields.subtotal.value } : {}),
    ...(fields.totalAmount ? { total: fields.totalAmount.value } : {}),
  });

  // Every candidate of the fields the models choose, with what the reading above made of them as features.
  const itemAmounts = lineItems.flatMap((i) => (i.amount ? [new Decimal(i.amount)] : []));
  const amounts = amountCandidates({
    ctx,
    itemValues: new Set(
      lineItems
        .flatMap((i) => [i.amount, i.unitPrice])
        .flatMap((v) => (v ? [new Decimal(v).toFixed(2)] : [])),
    ),
    itemSum: itemAmounts.length ? itemAmounts.reduce((a, b) => a.plus(b)).toFixed(2) : undefined,
    headerIndex: header?.line.index,
    hand: {
      total: fields.totalAmount?.value,
      subtotal: fields.subtotal?.value,
      tax: fields.taxAmount?.value,
      confirmed: (fields.totalAmount?.confidence ?? 0) > 0 && confirmed,
    },
  });
  const dates = dateCandidates(ctx, {
    invoiceDate: fields.invoiceDate?.value,
    dueDate: fields.dueDate?.value,
  });
  const candidates: InvoiceCandidates = {
    vendorName: vendorCandidates({
      ctx,
      customer,
      taxIdLine: vendorId?.line,
      taxIds,
      hand: fields.vendorName?.value,
    }),
    invoiceNumber: numberCandidates(
      ctx,
      { invoiceNumber: fields.invoiceNumber?.value, purchaseOrder: fields.purchaseOrder?.value },
      inCustomerBlock,
    ),
    invoiceDate: dates,
    dueDate: [...dates, noneCandidate()],
    totalAmount: amounts,
    subtotal: [...amounts, noneCandidate()],
    taxAmount: [...amounts, noneCandidate()],
  };
  return { fields, candidates, lineItems, ctx, danfe, taxIds };
}
