// Required fields per document type, and fields read with too little confidence.
import { CONFIDENCE_CHECKED_FIELDS, type FieldName } from '../contract/fields.ts';
import { type Finding, fieldOf, label, type RuleFn } from './context.ts';

export const unknownDocumentType: RuleFn<Record<string, never>> = (doc) =>
  doc.documentType === 'unknown'
    ? [{ field: null, message: 'This does not look like an invoice, receipt or form.' }]
    : [];

export const missingField: RuleFn<{ fields: FieldName[] }> = (doc, { fields }) =>
  fields
    .filter((name) => !fieldOf(doc, name)?.value)
    .map((name) => ({ field: name, message: `The ${label(name)} could not be found on the document.` }));

export const lowConfidence: RuleFn<{
  fields?: FieldName[] | undefined;
  threshold?: number | undefined;
  thresholds?: Partial<Record<FieldName, number>> | undefined;
}> = (doc, { fields, threshold, thresholds }, { routing }) => {
  const out: Finding[] = [];
  for (const name of fields ?? CONFIDENCE_CHECKED_FIELDS) {
    const min = thresholds?.[name] ?? threshold ?? routing.confidenceThreshold;
    const field = fieldOf(doc, name);
    if (field && field.confidence < min) {
      out.push({
        field: name,
        message: `The ${label(name)} "${field.value}" was read with ${Math.round(field.confidence * 100)}% confidence (under ${Math.round(min * 100)}%); please check it.`,
      });
    }
  }
  return out;
};
