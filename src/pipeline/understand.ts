// Understanding: what kind of document this is, in which language, and the fields and line items on it.
import type { DocumentType, Fields, LineItem } from '../contract/result.ts';
import { classifyDocument } from './classify.ts';
import { extractBankAccount } from './extract/bank.ts';
import { extractFields } from './extract/fields.ts';
import type { VendorMemory } from './extract/memory/memory.ts';
import { chooseWithMemory, recall } from './extract/memory/recall.ts';
import { extractReceiptFields, receiptRereads } from './extract/receipt.ts';
import { extractReceiptLineItems } from './extract/receipt-items.ts';
import type { SecondReadings } from './extract/second-look.ts';
import type { Layout } from './layout.ts';

export interface Understanding {
  documentType: DocumentType;
  language: string;
  fields: Fields;
  lineItems: LineItem[];
}

export interface UnderstandingHints {
  language?: string;
  /** The second reader's readings of the lines `rereadsFor` asked for. */
  second?: SecondReadings;
  /** What reviewers taught about the vendors' layouts: its fields are the strongest candidates. */
  memory?: VendorMemory;
}

/**
 * The lines of an OCR'd document whose fields the first reading leaves in doubt and a second reader should read
 * again (see src/pipeline/extract/second-look.ts). Receipts only, for now: their readers weigh a second opinion.
 */
export function rereadsFor(layout: Layout, understood: Understanding): number[] {
  return understood.documentType === 'receipt'
    ? receiptRereads(layout, { language: understood.language })
    : [];
}

export function understandDocument(layout: Layout, hints: UnderstandingHints): Understanding {
  const read = understandAsRead(layout, hints);
  if (!hints.memory?.size) return read;
  return { ...read, fields: chooseWithMemory(read.fields, recall(hints.memory, layout)) };
}

function understandAsRead(layout: Layout, hints: UnderstandingHints): Understanding {
  const { documentType, language: detected } = classifyDocument(layout);
  const language = hints.language ?? detected;
  const extracted = extractFields(layout, { language, documentType });
  // Where to pay: compared with the vendor master data by bank_details_changed.
  const bankAccount = extractBankAccount(layout);
  const general = bankAccount ? { ...extracted, fields: { ...extracted.fields, bankAccount } } : extracted;
  if (documentType !== 'receipt') return { documentType, language, ...general };
  // Receipts have their own habits (shop name on top, totals with rounding and cash/change lines): the
  // receipt reader decides, the general one fills what it left out.
  const receipt = extractReceiptFields(layout, {
    language,
    ...(hints.second ? { second: hints.second } : {}),
  });
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
