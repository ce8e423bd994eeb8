// Vendor and purchase-order master data as the rules see it (the vendors and purchase-orders files share the
// shapes), the port the rules' context gets it through, and how a document is matched to it. Pure.
import { z } from 'zod';
import { ConfigAmount } from './schema.ts';

const CurrencyCode = z.string().regex(/^[A-Z]{3}$/, 'expected a 3-letter ISO 4217 code like "EUR"');

export const Vendor = z.strictObject({
  /** The vendor's id in the service's master data (vnd_…); absent in a vendors file. */
  id: z.string().min(1).optional(),
  /** As printed or compact: "11.222.333/0001-81", "B12345674", "DE123456789". */
  taxId: z.string().min(1).optional(),
  /** More tax IDs of the same vendor (a VAT number beside a national one). */
  taxIds: z.array(z.string().min(1)).optional(),
  /** The names the vendor prints on its documents; matched without case, accents or punctuation. */
  names: z.array(z.string().min(1)).min(1),
  /** Currencies the vendor may bill in; any when absent. */
  currencies: z.array(CurrencyCode).optional(),
  /** IBANs or bank accounts on file; a document showing another one raises bank_details_changed. Written as
   * extraction reads them: "DE89 3704 0044 0532 0130 00", "Banco 341 Ag. 1234 C/C 56789-0",
   * "Routing 042000314 Account 7391028845" (spaces, dashes, dots and case do not matter). */
  bankAccounts: z.array(z.string().min(1)).optional(),
  /** Domains the vendor writes from ("nordlicht.de"); matched against addresses printed on the document. */
  emailDomains: z.array(z.string().min(1)).optional(),
  /** Web addresses ("https://www.nordlicht.de"); compared by host, without "www.". */
  websites: z.array(z.string().min(1)).optional(),
  /** Phone numbers; compared on their last nine digits. */
  phones: z.array(z.string().min(1)).optional(),
  /** Totals above this go to review (amount_over_limit); the rule's own limit when absent. */
  approvalLimit: ConfigAmount.optional(),
});
export type Vendor = z.infer<typeof Vendor>;

export const VendorsFile = z.strictObject({ vendors: z.array(Vendor) });
export type VendorsFile = z.infer<typeof VendorsFile>;

export const PurchaseOrderLine = z.strictObject({
  /** The line's number on the order (1, 2, …); its place in the list when absent. */
  line: z.number().int().positive().optional(),
  sku: z.string().min(1).optional(),
  description: z.string().min(1),
  quantity: ConfigAmount,
  unitPrice: ConfigAmount,
  /** Quantity received so far (goods receipts); absent: receipts are not recorded for this order. */
  received: ConfigAmount.optional(),
});
export type PurchaseOrderLine = z.infer<typeof PurchaseOrderLine>;

export const PurchaseOrder = z
  .strictObject({
    number: z.string().min(1),
    /** The vendor's id in the service's master data (vnd_…). */
    vendorId: z.string().min(1).optional(),
    vendorTaxId: z.string().min(1).optional(),
    vendorName: z.string().min(1).optional(),
    /** The order's total; the sum of its lines when absent. */
    amount: ConfigAmount.optional(),
    currency: CurrencyCode.optional(),
    /** A closed or cancelled order takes no more invoices; open when absent. */
    status: z.enum(['open', 'closed', 'cancelled']).optional(),
    /** With lines, po_mismatch matches the invoice line by line (three-way with received quantities). */
    lines: z.array(PurchaseOrderLine).optional(),
  })
  .refine((po) => po.amount !== undefined || (po.lines?.length ?? 0) > 0, {
    message: 'a purchase order needs an amount or lines',
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

/** A domain as typed or taken from an address ("Billing@Nordlicht.de" → "nordlicht.de"), without "www.". */
export function normaliseDomain(value: string): string {
  const host = value
    .trim()
    .toLowerCase()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, '')
    .replace(/^[^@/]*@/, '')
    .replace(/[/?#:].*$/, '')
    .replace(/\.$/, '');
  return host.replace(/^www\./, '');
}

/** Phones compared on their last nine digits, so "+49 40 1234 5678" and "040 1234-5678" agree; fewer than 7: none. */
export function normalisePhone(value: string): string {
  const digits = value.replace(/\D/g, '');
  return digits.length < 7 ? '' : digits.slice(-9);
}

/** What a document shows about who sent it, each kind as the master data compares it. */
export interface VendorIdentity {
  taxIds: string[];
  bankAccounts: string[];
  emailDomains: string[];
  webHosts: string[];
  phones: string[];
  names: string[];
}

const EMAIL = /[A-Za-z0-9._%+-]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})/g;
const WEB =
  /\b(?:https?:\/\/)?(?:www\.)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}|\bhttps?:\/\/[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
const PHONE = /(?:\b(?:tel|phone|fone|telefone|teléfono|telefon|fon)\.?:?\s*)(\+?[\d\s()./-]{7,22}\d)/gi;

const unique = (values: string[]) => [...new Set(values.filter(Boolean))];

/** The identity keys of a document's vendor: its tax ID, bank account and name, and the e-mail addresses,
 * web addresses and labelled phone numbers printed in its name or address block. */
export function identityOf(fields: {
  vendorName?: string | undefined;
  vendorTaxId?: string | undefined;
  bankAccount?: string | undefined;
  vendorAddress?: string | undefined;
}): VendorIdentity {
  const text = [fields.vendorName, fields.vendorAddress].filter(Boolean).join('\n');
  return {
    taxIds: unique([fields.vendorTaxId ? normaliseTaxId(fields.vendorTaxId) : '']),
    bankAccounts: unique([fields.bankAccount ? normaliseBankAccount(fields.bankAccount) : '']),
    emailDomains: unique([...text.matchAll(EMAIL)].map((m) => normaliseDomain(m[1]!))),
    webHosts: unique([...text.matchAll(WEB)].map((m) => normaliseDomain(m[0]))),
    phones: unique([...text.matchAll(PHONE)].map((m) => normalisePhone(m[1]!))),
    names: unique([fields.vendorName ? normaliseName(fields.vendorName) : '']),
  };
}

/** A vendor's keys, in the same normal forms as a document's identity. */
export function vendorKeys(vendor: Vendor): VendorIdentity {
  return {
    taxIds: unique([vendor.taxId ?? '', ...(vendor.taxIds ?? [])].map(normaliseTaxId)),
    bankAccounts: unique((vendor.bankAccounts ?? []).map(normaliseBankAccount)),
    emailDomains: unique((vendor.emailDomains ?? []).map(normaliseDomain)),
    webHosts: unique((vendor.websites ?? []).map(normaliseDomain)),
    phones: unique((vendor.phones ?? []).map(normalisePhone)),
    names: unique(vendor.names.map(normaliseName)),
  };
}

/** How a vendor was recognised, strongest first. */
export const MATCH_KINDS = ['taxId', 'bankAccount', 'emailDomain', 'website', 'phone', 'name'] as const;
export type MatchKind = (typeof MATCH_KINDS)[number];

const KEY_OF: Record<MatchKind, keyof VendorIdentity> = {
  taxId: 'taxIds',
  bankAccount: 'bankAccounts',
  emailDomain: 'emailDomains',
  website: 'webHosts',
  phone: 'phones',
  name: 'names',
};

export interface VendorMatch {
  vendor: Vendor;
  by: MatchKind;
}

/**
 * The master record a document comes from: by tax ID, else IBAN or bank account, e-mail domain, web
 * address, phone, and last by name or alias. A vendor whose tax IDs on file do not include the one the
 * document shows is never matched by anything else, so a look-alike with another tax ID stays unknown.
 */
export function resolveVendor(vendors: readonly Vendor[], identity: VendorIdentity): VendorMatch | undefined {
  const keyed = vendors.map((vendor) => ({ vendor, keys: vendorKeys(vendor) }));
  for (const by of MATCH_KINDS) {
    const wanted = identity[KEY_OF[by]];
    if (wanted.length === 0) continue;
    const found = keyed.find(({ keys }) => {
      if (by !== 'taxId' && identity.taxIds.length > 0 && keys.taxIds.length > 0) return false;
      return keys[KEY_OF[by]].some((k) => wanted.includes(k));
    });
    if (found) return { vendor: found.vendor, by };
  }
  return undefined;
}

/** The vendor a document comes from, by tax ID when the document has one, else by name. */
export function findVendor(
  vendors: readonly Vendor[],
  document: { taxId?: string | undefined; name?: string | undefined },
): Vendor | undefined {
  return resolveVendor(vendors, identityOf({ vendorTaxId: document.taxId, vendorName: document.name }))
    ?.vendor;
}

/** What judging one document needs to ask the master data. */
export interface MasterDataQuery {
  identity: VendorIdentity;
  /** The purchase order the document names, as printed. */
  purchaseOrder?: string | undefined;
}

/** The master data one document is judged with. Absent lists: no such master data, so their rules do not run. */
export interface MasterDataView {
  /** The vendors the document may come from (the service gives the candidates; a file gives every one). */
  vendors?: readonly Vendor[] | undefined;
  /** The purchase orders the document may refer to. */
  purchaseOrders?: readonly PurchaseOrder[] | undefined;
}

/** The port the rules' master data comes through: files in `retaguarda process`, the database in the service. */
export interface MasterData {
  lookup(query: MasterDataQuery): Promise<MasterDataView>;
}

/** Master data held in memory: the vendors and purchase-orders files. */
export function masterDataOf(
  vendors: readonly Vendor[] | undefined,
  purchaseOrders: readonly PurchaseOrder[] | undefined,
): MasterData {
  return { lookup: async () => ({ vendors, purchaseOrders }) };
}

/** Several sources at once (a vendors file beside the database): a list is present when any source has it. */
export function combinedMasterData(sources: readonly MasterData[]): MasterData {
  return {
    async lookup(query) {
      const views = await Promise.all(sources.map((s) => s.lookup(query)));
      const join = <T>(lists: (readonly T[] | undefined)[]) =>
        lists.some((l) => l !== undefined) ? lists.flatMap((l) => l ?? []) : undefined;
      return {
        vendors: join(views.map((v) => v.vendors)),
        purchaseOrders: join(views.map((v) => v.purchaseOrders)),
      };
    },
  };
}

export const poNumberKey = (s: string) => s.replace(/\s+/g, '').toUpperCase();
