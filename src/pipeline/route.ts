// Routing until the configurable rule set exists: a document goes to review when a field the back office
// needs is missing or was read with low confidence; otherwise straight through.
import type { FieldName, Fields, ValidationIssue } from '../contract/result.ts';
import type { Understanding } from './understand.ts';

export const REQUIRED_FIELDS: Record<Understanding['documentType'], readonly FieldName[]> = {
  invoice: ['vendorName', 'invoiceNumber', 'invoiceDate', 'totalAmount'],
  receipt: ['vendorName', 'invoiceDate', 'totalAmount'],
  form: [],
  unknown: ['totalAmount'],
};

export const LOW_CONFIDENCE = 0.6;

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

export function routeDocument(doc: { documentType: Understanding['documentType']; fields: Fields }): {
  issues: ValidationIssue[];
  route: 'auto' | 'review';
} {
  const issues: ValidationIssue[] = [];
  if (doc.documentType === 'unknown') {
    issues.push({
      code: 'unknown_document_type',
      field: null,
      severity: 'error',
      message: 'This does not look like an invoice, receipt or form.',
    });
  }
  for (const name of REQUIRED_FIELDS[doc.documentType]) {
    const field = doc.fields[name];
    if (!field) {
      issues.push({
        code: 'missing_field',
        field: name,
        severity: 'error',
        message: `The ${fieldLabel(name)} could not be found on the document.`,
      });
    } else if (field.confidence < LOW_CONFIDENCE) {
      issues.push({
        code: 'low_confidence',
        field: name,
        severity: 'error',
        message: `The ${fieldLabel(name)} "${field.value}" was read with low confidence (${Math.round(field.confidence * 100)}%); please check it.`,
      });
    }
  }
  return { issues, route: issues.some((i) => i.severity === 'error') ? 'review' : 'auto' };
}
