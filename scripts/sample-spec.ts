// What a sample's `<name>.expected.json` holds, and the checks every sample must pass (shared by the
// samples test and the integrator's golden test).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Decimal } from 'decimal.js';
import { z } from 'zod';
import { DecimalString, type FieldName } from '../src/contract/result.ts';

export const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected an ISO date YYYY-MM-DD');
/** Money as the contract wants it: a decimal string with exactly two decimals. */
export const Money = z.string().regex(/^-?\d+\.\d{2}$/, 'expected a decimal string with two decimals');

/** The contract's field names, each as the plain value we expect read (absent when not printed). */
const expectedFieldShape = {
  vendorName: z.string().min(1),
  vendorTaxId: z.string().min(1).optional(),
  /** The printed address lines joined with ", ". */
  vendorAddress: z.string().min(1).optional(),
  customerName: z.string().min(1).optional(),
  customerTaxId: z.string().min(1).optional(),
  /** On receipts: the printed receipt / simplified-invoice / NFC-e number. */
  invoiceNumber: z.string().min(1).optional(),
  invoiceDate: IsoDate.optional(),
  dueDate: IsoDate.optional(),
  purchaseOrder: z.string().min(1).optional(),
  currency: z.enum(['BRL', 'EUR', 'GBP', 'USD']),
  subtotal: Money.optional(),
  taxAmount: Money.optional(),
  totalAmount: Money,
  /** Read from e-invoices only (what is left to pay after advance payments); the samples do not print one. */
  amountDue: Money.optional(),
  /** Not scored on the samples yet: bank details are checked against master data, see tests/unit/bank.test.ts. */
  bankAccount: z.string().min(1).optional(),
} satisfies Record<FieldName, z.ZodType>;

export const ExpectedFields = z.strictObject(expectedFieldShape);
export type ExpectedFields = z.infer<typeof ExpectedFields>;

export const ExpectedLineItem = z.strictObject({
  description: z.string().min(1),
  /** Absent when the document prints no quantity for the line (a receipt line bought once). */
  quantity: DecimalString.optional(),
  unitPrice: Money.optional(),
  amount: Money,
});
export type ExpectedLineItem = z.infer<typeof ExpectedLineItem>;

export const ExpectedSample = z.strictObject({
  /** The sample's file name, beside this JSON in `samples/`. */
  file: z.string().min(1),
  documentType: z.enum(['invoice', 'receipt']),
  language: z.enum(['en', 'pt', 'es']),
  pages: z.number().int().positive(),
  /** True when line amounts already include tax (Spanish tickets): lines add up to the total, not the subtotal. */
  pricesIncludeTax: z.boolean().optional(),
  fields: ExpectedFields,
  lineItems: z.array(ExpectedLineItem).min(1),
});
export type ExpectedSample = z.infer<typeof ExpectedSample>;

export function loadExpected(path: string): ExpectedSample {
  return ExpectedSample.parse(JSON.parse(readFileSync(path, 'utf8')));
}

/** Every sample document in `dir` with the path of its expected JSON (which may not exist). */
export function listSamples(dir: string): { file: string; path: string; expectedPath: string }[] {
  return readdirSync(dir)
    .filter((f) => !f.endsWith('.json') && !f.endsWith('.md') && !f.startsWith('.'))
    .sort()
    .map((file) => ({
      file,
      path: join(dir, file),
      expectedPath: join(dir, `${file.replace(/\.[^.]+$/, '')}.expected.json`),
    }));
}

/** The arithmetic a sample must satisfy; returns what does not add up (empty when all is well). */
export function arithmeticProblems(sample: ExpectedSample): string[] {
  const problems: string[] = [];
  const { subtotal, taxAmount, totalAmount } = sample.fields;
  let lineSum = new Decimal(0);
  for (const item of sample.lineItems) {
    lineSum = lineSum.plus(item.amount);
    if (item.quantity !== undefined && item.unitPrice !== undefined) {
      const product = new Decimal(item.quantity).times(item.unitPrice);
      if (!product.equals(item.amount)) {
        problems.push(`"${item.description}": ${item.quantity} × ${item.unitPrice} ≠ ${item.amount}`);
      }
    }
  }
  const linesShouldEqual = sample.pricesIncludeTax ? totalAmount : (subtotal ?? totalAmount);
  if (!lineSum.equals(linesShouldEqual)) {
    problems.push(`line amounts add up to ${lineSum.toFixed(2)}, expected ${linesShouldEqual}`);
  }
  if (subtotal !== undefined && taxAmount !== undefined) {
    if (!new Decimal(subtotal).plus(taxAmount).equals(totalAmount)) {
      problems.push(`subtotal ${subtotal} + tax ${taxAmount} ≠ total ${totalAmount}`);
    }
  } else if (subtotal !== undefined && !new Decimal(subtotal).equals(totalAmount)) {
    problems.push(`subtotal ${subtotal} without tax ≠ total ${totalAmount}`);
  }
  return problems;
}
