// Field names as a reviewer reads them. Routing itself is the rule set's: see src/rules/engine.ts.
import type { FieldName } from '../contract/result.ts';

const LABELS: Record<FieldName, string> = {
  vendorName: 'vendor name',
  vendorTaxId: 'vendor tax ID',
  vendorAddress: 'vendor address',
  customerName: 'customer name',
  customerTaxId: 'customer tax ID',
  invoiceNumber: 'invoice number',
  invoiceDate: 'invoice date',
  dueDate: 'due date',
  purchaseOrder: 'purchase order',
  currency: 'currency',
  subtotal: 'subtotal',
  taxAmount: 'tax amount',
  totalAmount: 'total amount',
};

export function fieldLabel(name: FieldName): string {
  return LABELS[name];
}
