// The field catalogue: every header field the reader extracts, the kind of value it holds, the words a
// reviewer reads it by and where it goes. The result contract, the review page, the rules' messages, the
// scorer and the exports all derive from this one table, so a new field is one entry here (and the code
// that reads it off the page).

/**
 * What a field's value is, which decides how a typed value is parsed and checked, how it is compared with
 * ground truth, and which input the review page offers:
 * - `name`, `address`: free text (compared with case, accents and punctuation folded);
 * - `taxId`: a tax identifier (CNPJ, CPF, NIF, VAT, EIN), check digits verified when typed;
 * - `reference`: a document number (compared on letters and digits only);
 * - `date`: ISO `YYYY-MM-DD`;
 * - `currency`: ISO 4217;
 * - `amount`: a decimal string with `.` as separator;
 * - `bankAccount`: an IBAN or a national account, never shown or exported whole.
 */
export type FieldKind =
  | 'name'
  | 'address'
  | 'taxId'
  | 'reference'
  | 'date'
  | 'currency'
  | 'amount'
  | 'bankAccount';

export interface FieldSpec {
  kind: FieldKind;
  /** The field in a reviewer's words, lower case ("invoice number"); messages and the review page use it. */
  label: string;
  /** One column in CSV/JSON exports (default true). */
  exported?: boolean;
  /** Shown and editable on the review page (default true). */
  reviewed?: boolean;
  /** Checked by `low_confidence` when the rule names no fields (default true). */
  confidenceChecked?: boolean;
}

/** In contract order: the order of the CLI summary, the review page and the export columns. */
export const FIELD_CATALOGUE = {
  vendorName: { kind: 'name', label: 'vendor name' },
  vendorTaxId: { kind: 'taxId', label: 'vendor tax ID' },
  // Multi-line, and not what an ERP posts on.
  vendorAddress: { kind: 'address', label: 'vendor address', exported: false },
  customerName: { kind: 'name', label: 'customer name' },
  customerTaxId: { kind: 'taxId', label: 'customer tax ID' },
  invoiceNumber: { kind: 'reference', label: 'invoice number' },
  invoiceDate: { kind: 'date', label: 'invoice date' },
  dueDate: { kind: 'date', label: 'due date' },
  purchaseOrder: { kind: 'reference', label: 'purchase order' },
  currency: { kind: 'currency', label: 'currency' },
  subtotal: { kind: 'amount', label: 'subtotal' },
  taxAmount: { kind: 'amount', label: 'tax amount' },
  totalAmount: { kind: 'amount', label: 'total amount' },
  // What is left to pay: the total less what was paid in advance (EN 16931 BT-115). Read from e-invoices.
  amountDue: { kind: 'amount', label: 'amount due' },
  // Where to pay: compared with the vendor master data by bank_details_changed; a changed account is a
  // classic fraud, so it is checked, not exported or edited in place.
  bankAccount: {
    kind: 'bankAccount',
    label: 'bank account',
    exported: false,
    reviewed: false,
    confidenceChecked: false,
  },
} as const satisfies Record<string, FieldSpec>;

export type FieldName = keyof typeof FIELD_CATALOGUE;

export const FIELD_NAMES = Object.keys(FIELD_CATALOGUE) as FieldName[];

export function fieldSpec(name: FieldName): FieldSpec {
  return FIELD_CATALOGUE[name];
}

export function isFieldName(name: string): name is FieldName {
  return Object.hasOwn(FIELD_CATALOGUE, name);
}

/** The field in a reviewer's words; a name that is not a field (a line-item cell path) is given back as it is. */
export function fieldLabel(name: string): string {
  return isFieldName(name) ? FIELD_CATALOGUE[name].label : name;
}

export const fieldsOfKind = (kind: FieldKind): FieldName[] =>
  FIELD_NAMES.filter((name) => FIELD_CATALOGUE[name].kind === kind);

/** The fields of one flag, in contract order. */
export const EXPORTED_FIELDS = FIELD_NAMES.filter((n) => fieldSpec(n).exported !== false);
export const REVIEWED_FIELDS = FIELD_NAMES.filter((n) => fieldSpec(n).reviewed !== false);
export const CONFIDENCE_CHECKED_FIELDS = FIELD_NAMES.filter((n) => fieldSpec(n).confidenceChecked !== false);
