// What a rule sees: the document's result and the context (clock, master data, history). Rules are pure.
import { Decimal } from 'decimal.js';
import { fieldLabel } from '../contract/fields.ts';
import type { Extraction, Field, FieldName } from '../contract/result.ts';
import {
  identityOf,
  type MasterDataQuery,
  type MasterDataView,
  normaliseName,
  normaliseTaxId,
  type Vendor,
  type VendorIdentity,
  vendorKeys,
} from './master-data.ts';
import type { RoutingSettings } from './schema.ts';

/** The parts of a result the rules read. */
export type RuleDocument = Pick<
  Extraction,
  'id' | 'file' | 'sha256' | 'documentType' | 'fields' | 'lineItems'
> &
  Partial<
    Pick<
      Extraction,
      | 'mimeType'
      | 'pricesIncludeTax'
      | 'einvoice'
      | 'codes'
      | 'pageRange'
      | 'splitConfidence'
      | 'unreadablePages'
    >
  >;

/** A document seen before, for duplicates. In the CLI: the earlier documents of the run; in the service: the database. */
export interface HistoryEntry {
  id: string;
  file: string;
  sha256: string;
  /** See `vendorKeyOf`. */
  vendorKey?: string | undefined;
  invoiceNumber?: string | undefined;
}

/** Absent master-data lists: no vendor (or purchase-order) master data, so their rules do not run. */
export interface RuleContext extends MasterDataView {
  now: Date;
  history: readonly HistoryEntry[];
}

/** What a rule reports; the engine adds the rule's code and severity. */
export interface Finding {
  field: string | null;
  message: string;
  /** The earlier document the finding is about (a duplicate's original), so a reviewer can open it. */
  documentId?: string;
}

export interface RuleEnv {
  context: RuleContext;
  routing: RoutingSettings;
}

export type RuleFn<P> = (doc: RuleDocument, params: P, env: RuleEnv) => Finding[];

export function fieldOf(doc: RuleDocument, name: FieldName): Field | undefined {
  return doc.fields[name] ?? undefined;
}

export function label(name: string): string {
  return fieldLabel(name);
}

/** A decimal string as a Decimal, or undefined when absent or not a number. */
export function decimalOf(value: string | null | undefined): Decimal | undefined {
  if (value == null || !/^-?\d+(\.\d+)?$/.test(value)) return undefined;
  return new Decimal(value);
}

export function amountField(doc: RuleDocument, name: FieldName): Decimal | undefined {
  return decimalOf(fieldOf(doc, name)?.value);
}

/** Money as a reviewer reads it: two decimals at least, thousands separated. */
export function money(value: Decimal, currency?: string): string {
  const fixed = value.decimalPlaces() > 2 ? value.toFixed() : value.toFixed(2);
  const [int, frac] = fixed.split('.');
  const grouped = int!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${grouped}${frac ? `.${frac}` : ''}${currency ? ` ${currency}` : ''}`;
}

/** What the document shows about its vendor, as the master data compares it. */
export function identityOfDocument(doc: RuleDocument): VendorIdentity {
  return identityOf({
    vendorName: fieldOf(doc, 'vendorName')?.value,
    vendorTaxId: fieldOf(doc, 'vendorTaxId')?.value,
    bankAccount: fieldOf(doc, 'bankAccount')?.value,
    vendorAddress: fieldOf(doc, 'vendorAddress')?.value,
  });
}

/** What to ask the master data before judging a document. */
export function masterDataQueryOf(doc: RuleDocument): MasterDataQuery {
  return { identity: identityOfDocument(doc), purchaseOrder: fieldOf(doc, 'purchaseOrder')?.value };
}

/**
 * The vendor keys a master vendor's documents can carry (`vendorKeyOf`): one per tax ID and one per name, legal
 * or alias. Vendor memory is kept under these keys; an admin names the vendor by its master id.
 */
export function vendorKeysOfMaster(vendor: Vendor): string[] {
  const keys = vendorKeys(vendor);
  return [...keys.taxIds.map((t) => `tax:${t}`), ...keys.names.map((n) => `name:${n}`)];
}

/** Who a document is from, for duplicates: its tax ID, or its name when it shows none. */
export function vendorKeyOf(doc: RuleDocument): string | undefined {
  const taxId = fieldOf(doc, 'vendorTaxId')?.value;
  if (taxId && normaliseTaxId(taxId)) return `tax:${normaliseTaxId(taxId)}`;
  const name = fieldOf(doc, 'vendorName')?.value;
  if (name && normaliseName(name)) return `name:${normaliseName(name)}`;
  return undefined;
}

export function invoiceNumberKey(value: string | undefined): string | undefined {
  const key = value?.replace(/\s+/g, '').toUpperCase();
  return key || undefined;
}

/** The history entry a processed document leaves for the ones after it. */
export function historyEntryOf(doc: RuleDocument): HistoryEntry {
  return {
    id: doc.id,
    file: doc.file,
    sha256: doc.sha256,
    vendorKey: vendorKeyOf(doc),
    invoiceNumber: invoiceNumberKey(fieldOf(doc, 'invoiceNumber')?.value),
  };
}

/** Whole days from `a` to `b` (YYYY-MM-DD), or undefined when either is not an ISO date. */
export function daysBetween(a: string, b: string): number | undefined {
  const ta = Date.parse(`${a}T00:00:00Z`);
  const tb = Date.parse(`${b}T00:00:00Z`);
  if (
    !/^\d{4}-\d{2}-\d{2}$/.test(a) ||
    !/^\d{4}-\d{2}-\d{2}$/.test(b) ||
    Number.isNaN(ta) ||
    Number.isNaN(tb)
  ) {
    return undefined;
  }
  return Math.round((tb - ta) / 86_400_000);
}

export function today(now: Date): string {
  return now.toISOString().slice(0, 10);
}
