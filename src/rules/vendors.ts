// Vendor master data and approvals: known vendor, allowed currency, unchanged bank account, approval
// limit, purchase order required and matching.
import { Decimal } from 'decimal.js';
import {
  amountField,
  decimalOf,
  type Finding,
  fieldOf,
  identityOfDocument,
  money,
  type RuleDocument,
  type RuleEnv,
  type RuleFn,
} from './context.ts';
import {
  normaliseBankAccount,
  normaliseName,
  normaliseTaxId,
  type PurchaseOrder,
  poNumberKey,
  resolveVendor,
  type Vendor,
} from './master-data.ts';
import { threeWayMatch } from './three-way-match.ts';

type NoParams = Record<string, never>;

function vendorOf(doc: RuleDocument, env: RuleEnv): Vendor | undefined {
  return env.context.vendors
    ? resolveVendor(env.context.vendors, identityOfDocument(doc))?.vendor
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

export interface PoMatchParams {
  tolerance: string;
  tolerancePercent: number;
  quantityTolerancePercent: number;
  priceTolerancePercent: number;
  requireReceipt: boolean;
}

/** True when the order names a vendor and the document's is another one. */
function isOtherVendor(po: PurchaseOrder, doc: RuleDocument, env: RuleEnv): boolean {
  const vendor = vendorOf(doc, env);
  if (po.vendorId && vendor?.id) return po.vendorId !== vendor.id;
  const taxId = fieldOf(doc, 'vendorTaxId')?.value;
  const name = fieldOf(doc, 'vendorName')?.value;
  if (po.vendorTaxId && taxId) return normaliseTaxId(po.vendorTaxId) !== normaliseTaxId(taxId);
  if (po.vendorName && name) {
    const names = vendor?.names.map(normaliseName) ?? [normaliseName(name)];
    return !names.includes(normaliseName(po.vendorName));
  }
  return false;
}

/** The order's amount: as given, else the sum of its lines. */
function orderAmount(po: PurchaseOrder): Decimal {
  if (po.amount !== undefined) return new Decimal(po.amount);
  return (po.lines ?? []).reduce(
    (sum, l) => sum.plus(new Decimal(l.quantity).times(l.unitPrice)),
    new Decimal(0),
  );
}

/**
 * Two-way (the order's amount against the total) for an order without lines, or a document without line
 * items; three-way (each line against the order's line and the quantity received) otherwise.
 */
export const poMismatch: RuleFn<PoMatchParams> = (doc, params, env) => {
  const { context } = env;
  const number = fieldOf(doc, 'purchaseOrder')?.value;
  if (!context.purchaseOrders || !number) return [];
  const po = context.purchaseOrders.find((p) => poNumberKey(p.number) === poNumberKey(number));
  if (!po) return [{ field: 'purchaseOrder', message: `Purchase order ${number} does not exist.` }];
  const out: Finding[] = [];
  if (po.status === 'closed' || po.status === 'cancelled') {
    out.push({
      field: 'purchaseOrder',
      message: `Purchase order ${po.number} is ${po.status}: it takes no more invoices.`,
    });
  }
  if (isOtherVendor(po, doc, env)) {
    const owner = [po.vendorName, po.vendorTaxId ? `(tax ID ${po.vendorTaxId})` : '']
      .filter(Boolean)
      .join(' ');
    out.push({
      field: 'purchaseOrder',
      message: `Purchase order ${po.number} belongs to ${owner || 'another vendor'}, not to the vendor ${vendorDescription(doc)}.`,
    });
  }
  const currency = fieldOf(doc, 'currency')?.value?.toUpperCase();
  if (po.currency && currency && po.currency !== currency) {
    out.push({
      field: 'currency',
      message: `Purchase order ${po.number} is in ${po.currency}, but the document bills in ${currency}.`,
    });
  }
  if (po.lines?.length && doc.lineItems.length) {
    out.push(
      ...threeWayMatch(
        doc.lineItems,
        po,
        {
          quantityPercent: params.quantityTolerancePercent,
          pricePercent: params.priceTolerancePercent,
          requireReceipt: params.requireReceipt,
        },
        currency,
      ),
    );
    return out;
  }
  // An order priced by its lines is net of tax: compare it with the subtotal when the document shows one.
  const total =
    po.amount === undefined
      ? (decimalOf(fieldOf(doc, 'subtotal')?.value) ?? amountField(doc, 'totalAmount'))
      : amountField(doc, 'totalAmount');
  if (total) {
    const poAmount = orderAmount(po);
    const allowed = Decimal.max(
      new Decimal(params.tolerance),
      poAmount.times(params.tolerancePercent).dividedBy(100),
    );
    const difference = total.minus(poAmount).abs();
    if (difference.greaterThan(allowed)) {
      const shown = po.currency ?? currency;
      out.push({
        field: 'totalAmount',
        message: `The ${po.amount === undefined ? 'subtotal' : 'total'} ${money(total, shown)} differs from purchase order ${po.number} (${money(poAmount, shown)}) by ${money(difference)}, more than the ${money(allowed)} allowed.`,
      });
    }
  }
  return out;
};
