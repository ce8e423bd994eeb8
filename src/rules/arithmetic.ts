// Arithmetic on the amounts, in decimals with a tolerance: lines, subtotal, tax and total must add up. On an
// e-invoice these step aside for the EN 16931 rules (./einvoice.ts), which know what a page reading cannot: line
// allowances and charges, prices per base quantity, document-level allowances, taxes withheld.
import { Decimal } from 'decimal.js';
import { amountField, decimalOf, type Finding, fieldOf, money, type RuleFn } from './context.ts';

type Tolerance = { tolerance: string };

export const lineAmountMismatch: RuleFn<Tolerance> = (doc, { tolerance }) => {
  // An e-invoice line's net amount is quantity × price plus its own charges less its allowances (EN 16931 BG-27,
  // BG-28), which the line items do not carry.
  if (doc.einvoice) return [];
  const out: Finding[] = [];
  doc.lineItems.forEach((line, i) => {
    const quantity = decimalOf(line.quantity);
    const unitPrice = decimalOf(line.unitPrice);
    const amount = decimalOf(line.amount);
    if (!quantity || !unitPrice || !amount) return;
    const expected = quantity.times(unitPrice);
    if (expected.minus(amount).abs().greaterThan(tolerance)) {
      out.push({
        field: `lineItems[${i}].amount`,
        message: `Line ${i + 1} ("${line.description}"): ${quantity.toFixed()} × ${money(unitPrice)} = ${money(expected)}, but the line says ${money(amount)} (difference ${money(expected.minus(amount).abs())}).`,
      });
    }
  });
  return out;
};

export const linesSubtotalMismatch: RuleFn<Tolerance> = (doc, { tolerance }) => {
  // einvoice_lines_net checks an e-invoice's lines against its line total and document allowances and charges.
  if (doc.einvoice) return [];
  const subtotal = amountField(doc, 'subtotal');
  const amounts = doc.lineItems.map((l) => decimalOf(l.amount));
  // Only when every line has an amount: a line the reader could not price proves nothing.
  if (!subtotal || amounts.length === 0 || amounts.some((a) => !a)) return [];
  const sum = amounts.reduce<Decimal>((acc, a) => acc.plus(a!), new Decimal(0));
  if (sum.minus(subtotal).abs().lessThanOrEqualTo(tolerance)) return [];
  // Prices that include the tax (most receipts, and tickets that print "TOTAL (IVA incl.)") add up to the total:
  // the subtotal printed there is the net beside the tax. Lines that match the total are right on a document that
  // says its prices include tax, or where the subtotal is below the total by the tax read (or by what must be the
  // tax when none was read).
  const total = amountField(doc, 'totalAmount');
  const tax = amountField(doc, 'taxAmount');
  const near = (a: Decimal, b: Decimal) => a.minus(b).abs().lessThanOrEqualTo(tolerance);
  const inclusive =
    total !== undefined &&
    near(sum, total) &&
    (doc.pricesIncludeTax === true ||
      (subtotal.lessThan(total) && (!tax || tax.isZero() || near(subtotal.plus(tax), total))));
  if (inclusive) return [];
  const against = total && !near(subtotal, total) ? ` and the total (tax included) is ${money(total)}` : '';
  return [
    {
      field: 'subtotal',
      message: `The ${amounts.length} line amounts add up to ${money(sum)}, but the subtotal is ${money(subtotal)} (difference ${money(sum.minus(subtotal).abs())})${against}.`,
    },
  ];
};

export const totalMismatch: RuleFn<Tolerance> = (doc, { tolerance }) => {
  // Taxes inside the prices (NF-e: ICMS, PIS and COFINS): subtotal + tax is not the total there.
  if (doc.pricesIncludeTax) return [];
  // einvoice_total checks the same sum on an e-invoice, with its taxes withheld.
  if (doc.einvoice) return [];
  const subtotal = amountField(doc, 'subtotal');
  const tax = amountField(doc, 'taxAmount');
  const total = amountField(doc, 'totalAmount');
  if (!subtotal || !tax || !total) return [];
  const expected = subtotal.plus(tax);
  if (expected.minus(total).abs().lessThanOrEqualTo(tolerance)) return [];
  const currency = fieldOf(doc, 'currency')?.value;
  return [
    {
      field: 'totalAmount',
      message: `Subtotal ${money(subtotal)} + tax ${money(tax)} = ${money(expected, currency)}, but the total is ${money(total, currency)} (difference ${money(expected.minus(total).abs())}).`,
    },
  ];
};
