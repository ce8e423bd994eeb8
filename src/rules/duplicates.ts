// Duplicates: the same vendor and invoice number, or the same file bytes, seen before.
import { fieldOf, type HistoryEntry, historyEntryOf, type RuleDocument, type RuleFn } from './context.ts';

/** A document re-evaluated (after a correction, say) is not a duplicate of itself. */
const isSelf = (h: HistoryEntry, doc: RuleDocument) => h.id === doc.id && h.file === doc.file;

export const duplicateInvoice: RuleFn<Record<string, never>> = (doc, _params, { context }) => {
  const me = historyEntryOf(doc);
  if (!me.vendorKey || !me.invoiceNumber) return [];
  const earlier = context.history.find(
    (h) => !isSelf(h, doc) && h.vendorKey === me.vendorKey && h.invoiceNumber === me.invoiceNumber,
  );
  if (!earlier) return [];
  const vendor = fieldOf(doc, 'vendorName')?.value ?? fieldOf(doc, 'vendorTaxId')?.value;
  const taxId = fieldOf(doc, 'vendorTaxId')?.value;
  return [
    {
      field: 'invoiceNumber',
      message: `Invoice ${fieldOf(doc, 'invoiceNumber')?.value} from ${vendor}${taxId && vendor !== taxId ? ` (${taxId})` : ''} was already received: ${earlier.file}.`,
      documentId: earlier.id,
    },
  ];
};

export const duplicateFile: RuleFn<Record<string, never>> = (doc, _params, { context }) => {
  const earlier = context.history.find((h) => !isSelf(h, doc) && h.sha256 === doc.sha256);
  if (!earlier) return [];
  return [
    {
      field: null,
      message: `The same file (identical bytes) was already received: ${earlier.file}.`,
      documentId: earlier.id,
    },
  ];
};
