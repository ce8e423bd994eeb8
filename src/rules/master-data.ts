// The vendors file and the purchase-orders file (YAML or JSON), and how a document is matched to them.
import { z } from 'zod';
import { ConfigAmount } from './schema.ts';

const CurrencyCode = z.string().regex(/^[A-Z]{3}$/, 'expected a 3-letter ISO 4217 code like "EUR"');

export const Vendor = z.strictObject({
  /** As printed or compact: "11.222.333/0001-81", "B12345674", "DE123456789". */
  taxId: z.string().min(1).optional(),
  /** The names the vendor prints on its documents; matched without case, accents or punctuation. */
  names: z.array(z.string().min(1)).min(1),
  /** Currencies the vendor may bill in; any when absent. */
  currencies: z.array(CurrencyCode).optional(),
  /** IBANs or bank accounts on file; a document showing another one raises bank_details_changed. Written as
   * extraction reads them: "DE89 3704 0044 0532 0130 00", "Banco 341 Ag. 1234 C/C 56789-0",
   * "Routing 042000314 Account 7391028845" (spaces, dashes, dots and case do not matter). */
  bankAccounts: z.array(z.string().min(1)).optional(),
  /** Totals above this go to review (amount_over_limit); the rule's own limit when absent. */
  approvalLimit: ConfigAmount.optional(),
});
export type Vendor = z.infer<typeof Vendor>;

export const VendorsFile = z.strictObject({ vendors: z.array(Vendor) });
export type VendorsFile = z.infer<typeof VendorsFile>;

export const PurchaseOrder = z.strictObject({
  number: z.string().min(1),
  vendorTaxId: z.string().min(1).optional(),
  vendorName: z.string().min(1).optional(),
  amount: ConfigAmount,
  currency: CurrencyCode.optional(),
});
export type PurchaseOrder = z.infer<typeof PurchaseOrder>;

export const PurchaseOrdersFile = z.strictObject({ purchaseOrders: z.array(PurchaseOrder) });
export type PurchaseOrdersFile = z.infer<typeof PurchaseOrdersFile>;

/** Tax IDs compared without dots, dashes, slashes, spaces or case. */
export function normaliseTaxId(value: string): string {
  return value.replace(/[^0-9A-Za-z]/g, '').toUpperCase();
}

/** Names compared without case, accents, punctuation or repeated spaces. */
export function normaliseName(value: string): string {
  return value
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Bank accounts and IBANs compared without spaces, dashes or case. */
export function normaliseBankAccount(value: string): string {
  return value.replace(/[\s\-./]/g, '').toUpperCase();
}

/**
 * The vendor a document comes from: by tax ID when the document has one, then by the bank account it asks to be
 * paid to (an account on file is the vendor's own, whatever name the page prints), else by name.
 */
export function findVendor(
  vendors: readonly Vendor[],
  document: { taxId?: string | undefined; name?: string | undefined; bankAccount?: string | undefined },
): Vendor | undefined {
  if (document.taxId) {
    const key = normaliseTaxId(document.taxId);
    const byTaxId = vendors.find((v) => v.taxId && normaliseTaxId(v.taxId) === key);
    if (byTaxId) return byTaxId;
  }
  if (document.bankAccount) {
    const key = normaliseBankAccount(document.bankAccount);
    const byAccount = vendors.filter(
      (v) => (!document.taxId || !v.taxId) && v.bankAccounts?.some((a) => normaliseBankAccount(a) === key),
    );
    // An account shared by several vendors on file (a factoring company's) tells nothing.
    if (byAccount.length === 1) return byAccount[0];
  }
  if (document.name) {
    const key = normaliseName(document.name);
    // A vendor with a tax ID on file is matched by name only when the document shows no tax ID, so a
    // look-alike name with another tax ID stays unknown.
    return vendors.find(
      (v) => (!document.taxId || !v.taxId) && v.names.some((n) => normaliseName(n) === key),
    );
  }
  return undefined;
}
