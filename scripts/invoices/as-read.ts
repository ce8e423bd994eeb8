// What a reader that misread nothing would give for a generated invoice: its truth as an extraction. Judged
// by the default rules, it shows whether a document is clean, so a review of the real reading can be put
// down to misreadings rather than to the rules.
import type { Extraction, Field, Fields } from '../../src/contract/result.ts';
import { documentIdFor, sha256Hex } from '../../src/reading/read-document.ts';
import type { GeneratedInvoice } from './generate.ts';

export function truthAsRead(doc: GeneratedInvoice): Extraction {
  const sha256 = sha256Hex(doc.bytes);
  const field = (value: string): Field => ({ value, confidence: 1, page: 1, bbox: [0, 0, 1, 1] });
  const fields: Fields = {};
  for (const [name, value] of Object.entries(doc.truth.fields)) {
    if (typeof value === 'string') fields[name as keyof Fields] = field(value);
  }
  return {
    id: documentIdFor(sha256),
    file: doc.file,
    sha256,
    documentType: 'invoice',
    language: doc.truth.language,
    pages: doc.truth.pages,
    fields,
    lineItems: doc.truth.lineItems.map((l) => ({ ...l })),
    timings: { loadMs: 0, ocrMs: 0, extractMs: 0, validateMs: 0 },
  };
}
