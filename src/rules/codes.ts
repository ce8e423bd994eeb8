// split_uncertain: a part of a batch file cut where the splitter was not sure; every part of that file waits for
// a person, who can see the file's pages and move the cuts.
// code_mismatch: a code printed on the document (NF-e key, boleto, payment QR, Portuguese fiscal QR) states
// another value than the field read off the page. One of the two is wrong, and a person should see which.
import { checkCodes } from '../pipeline/codes/index.ts';
import { type Finding, label, type RuleFn } from './context.ts';

const KIND_NAMES = {
  nfe_key: 'NF-e access key',
  boleto: 'boleto barcode',
  epc_qr: 'EPC payment QR code',
  swiss_qr: 'Swiss QR-bill code',
  pt_fiscal_qr: 'fiscal QR code',
  separator: 'separator code',
  other: 'code',
} as const;

export const codeMismatch: RuleFn<Record<string, never>> = (doc) => {
  const out: Finding[] = [];
  for (const check of checkCodes(doc.fields, doc.codes ?? [])) {
    if (check.agrees) continue;
    out.push({
      field: check.field,
      message: `The ${KIND_NAMES[check.code.kind]} on page ${check.code.page} says the ${label(check.field)} is ${check.claimed}; the page reads ${check.read}.`,
    });
  }
  return out;
};

export const splitUncertain: RuleFn<{ certainty: number }> = (doc, { certainty }) => {
  const confidence = doc.splitConfidence;
  if (!doc.pageRange || confidence === undefined || confidence >= certainty) return [];
  const { first, last } = doc.pageRange;
  return [
    {
      field: null,
      message: `Cut from a file of several documents (pages ${first}–${last}), but where the file was cut is uncertain (${Math.round(confidence * 100)}%): check that this part is one whole document.`,
    },
  ];
};

/** page_unreadable: a page of the document could not be read (damaged in the file, or print OCR could not make
 * out); a person reads it on paper or asks the sender for a new copy. */
export const pageUnreadable: RuleFn<Record<string, never>> = (doc) => {
  const pages = doc.unreadablePages ?? [];
  if (!pages.length) return [];
  const list = pages.join(', ');
  const inFile = doc.pageRange
    ? ` (in pages ${doc.pageRange.first}–${doc.pageRange.last} of the file it was cut from)`
    : '';
  return [
    {
      field: null,
      message: `Page${pages.length > 1 ? 's' : ''} ${list} of this document${inFile} could not be read: the file is damaged there, or its print could not be made out. Check the page on paper or ask the sender for a new copy.`,
    },
  ];
};
