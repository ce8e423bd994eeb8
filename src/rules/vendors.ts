// Vendor master data and approvals: known vendor, allowed currency, unchanged bank account, approval
// limit, purchase order required and matching.
import { Decimal } from 'decimal.js';
import {
  amountField,
  type Finding,
  fieldOf,
  money,
  type RuleDocument,
  type RuleEnv,
  type RuleFn,
} from './context.ts';
import type { Vendor } from './master-data.ts';
import { findVendor, normaliseBankAccount, normaliseName, normaliseTaxId } from './master-data.ts';

type NoParams = Record<string, never>;

function vendorOf(doc: RuleDocument, env: RuleEnv): Vendor | undefined {
  return env.context.vendors
    ? findVendor(env.context.vendors, {
        taxId: fieldOf(doc, 'vendorTaxId')?.value,
        name: fieldOf(doc, 'vendorName')?.value,
        bankAccount: fieldOf(doc, 'bankAccount')?.value,
      })
    : undefined;
}

function vendorDescription(doc: RuleDocument): string {
  const name = fieldOf(doc, 'vendorName')?.value;
  const taxId = fieldOf(doc, 'vendorTaxId')?.value;
  if (name && taxId) return `"${name}" (tax ID ${taxId})`;
  return name ? `"${name}"` : taxId ? `with tax ID ${taxId}` : 'with no name or tax ID';
}

export const unknownVendor: RuleFn<NoParams> = (doc, _params, env) => {
  if (!env.context.vendors || vendorOf(doc, env)) return [];
  return [
    {
      field: fieldOf(doc, 'vendorTaxId') ? 'vendorTaxId' : 'vendorName',
      message: `The vendor ${vendorDescription(doc)} is not in the vendor master data.`,
    },
  ];
};

export const currencyNotAllowed: RuleFn<NoParams> = (doc, _params, env) => {
  const vendor = vendorOf(doc, env);
  const currency = fieldOf(doc, 'currency')?.value?.toUpperCase();
  if (!vendor?.currencies || !currency || vendor.currencies.includes(currency)) return [];
  return [
    {
      field: 'currency',
      message: `The vendor ${vendorDescription(doc)} bills in ${vendor.currencies.join(', ')}, not ${currency}.`,
    },
  ];
};

/** Fires only when the document shows a bank account (see src/pipeline/extract/bank.ts) and the vendor has some on file. */
export const bankDetailsChanged: RuleFn<NoParams> = (doc, _params, env) => {
  const vendor = vendorOf(doc, env);
  const account = fieldOf(doc, 'bankAccount')?.value;
  if (!vendor?.bankAccounts?.length || !account) return [];
  const key = normaliseBankAccount(account);
  if (vendor.bankAccounts.some((a) => normaliseBankAccount(a) === key)) return [];
  return [
    {
      field: 'bankAccount',
      message: `The bank account on the document (${account}) is not the one on file for the vendor ${vendorDescription(doc)} (${vendor.bankAccounts.join(', ')}). Confirm with the vendor by phone before paying.`,
    },
  ];
};

export const amountOverLimit: RuleFn<{ limit?: string | undefined }> = (doc, { limit }, env) => {
  const vendor = vendorOf(doc, env);
  const applies = vendor?.approvalLimit ?? limit;
  const total = amountField(doc, 'totalAmount');
  if (!applies || !total || total.lessThanOrEqualTo(applies)) return [];
  const currency = fieldOf(doc, 'currency')?.value;
  return [
    {
      field: 'totalAmount',
      message: `The total ${money(total, currency)} is over the approval limit of ${money(new Decimal(applies), currency)}${vendor?.approvalLimit ? ' set for this vendor' : ''}.`,
    },
  ];
};

export const poRequired: RuleFn<{ above: string }> = (doc, { above }) => {
  const total = amountField(doc, 'totalAmount');
  if (!total || total.lessThanOrEqualTo(above) || fieldOf(doc, 'purchaseOrder')?.value) return [];
  const currency = fieldOf(doc, 'currency')?.value;
  return [
    {
      field: 'purchaseOrder',
      message: `The total ${money(total, currency)} is over ${money(new Decimal(above), currency)}, which needs a purchase order, and none was found on the document.`,
    },
  ];
};

const poKey = (s: string) => s.replace(/\s+/g, '').toUpperCase();

export const poMismatch: RuleFn<{ tolerance: string; tolerancePercent: number }> = (
  doc,
  { tolerance, tolerancePercent },
  { context },
) => {
  const number = fieldOf(doc, 'purchaseOrder')?.value;
  if (!context.purchaseOrders || !number) return [];
  const po = context.purchaseOrders.find((p) => poKey(p.number) === poKey(number));
  if (!po) return [{ field: 'purchaseOrder', message: `Purchase order ${number} does not exist.` }];
  const out: Finding[] = [];
  const taxId = fieldOf(doc, 'vendorTaxId')?.value;
  const name = fieldOf(doc, 'vendorName')?.value;
  const otherVendor =
    po.vendorTaxId && taxId
      ? normaliseTaxId(po.vendorTaxId) !== normaliseTaxId(taxId)
      : po.vendorName && name
        ? normaliseName(po.vendorName) !== normaliseName(name)
        : false;
  if (otherVendor) {
    out.push({
      field: 'purchaseOrder',
      message: `Purchase order ${po.number} belongs to ${po.vendorName ?? ''}${po.vendorName && po.vendorTaxId ? ' ' : ''}${po.vendorTaxId ? `(tax ID ${po.vendorTaxId})` : ''}, not to the vendor ${vendorDescription(doc)}.`,
    });
  }
  const total = amountField(doc, 'totalAmount');
  if (total) {
    const poAmount = new Decimal(po.amount);
    const allowed = Decimal.max(new Decimal(tolerance), poAmount.times(tolerancePercent).dividedBy(100));
    const difference = total.minus(poAmount).abs();
    if (difference.greaterThan(allowed)) {
      const currency = po.currency ?? fieldOf(doc, 'currency')?.value;
      out.push({
        field: 'totalAmount',
        message: `The total ${money(total, currency)} differs from purchase order ${po.number} (${money(poAmount, currency)}) by ${money(difference)}, more than the ${money(allowed)} allowed.`,
      });
    }
  }
  return out;
};
