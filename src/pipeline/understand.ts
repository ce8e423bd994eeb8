// Understanding: what kind of document this is, in which language, and the fields and line items on it.
import type { DocumentType, Fields, LineItem } from '../contract/result.ts';
import { classifyDocument } from './classify.ts';
import { extractBankAccount } from './extract/bank.ts';
import { extractFields } from './extract/fields.ts';
import { extractReceiptFields } from './extract/receipt.ts';
import { extractReceiptLineItems } from './extract/receipt-items.ts';
import type { Layout } from './layout.ts';

export interface Understanding {
  documentType: DocumentType;
  language: string;
  fields: Fields;
  lineItems: LineItem[];
}

export function understandDocument(layout: Layout, hints: { language?: string }): Understanding {
  const { documentType, language: detected } = classifyDocument(layout);
  const language = hints.language ?? detected;
  const extracted = extractFields(layout, { language, documentType });
  // Where to pay: compared with the vendor master data by bank_details_changed.
  const bankAccount = extractBankAccount(layout);
  const general = bankAccount ? { ...extracted, fields: { ...extracted.fields, bankAccount } } : extracted;
  if (documentType !== 'receipt') return { documentType, language, ...general };
  // Receipts have their own habits (shop name on top, totals with rounding and cash/change lines): the
  // receipt reader decides, the general one fills what it left out.
  const receipt = extractReceiptFields(layout, { language });
  const fields: Fields = { ...general.fields };
  for (const [name, field] of Object.entries(receipt) as [keyof Fields, Fields[keyof Fields]][]) {
    if (field) fields[name] = field;
  }
  // A till roll has no item table header: its items are read by their own shape when the table reader found none.
  const lineItems = general.lineItems.length
    ? general.lineItems
    : extractReceiptLineItems(layout, { language });
  return { documentType, language, fields, lineItems };
}
