// The invoice fields' scoring models, written by `npm run train` (scripts/training/invoices.ts) and loaded once.

import date from '../models/invoice-date.json' with { type: 'json' };
import due from '../models/invoice-due.json' with { type: 'json' };
import number from '../models/invoice-number.json' with { type: 'json' };
import subtotal from '../models/invoice-subtotal.json' with { type: 'json' };
import tax from '../models/invoice-tax.json' with { type: 'json' };
import total from '../models/invoice-total.json' with { type: 'json' };
import vendor from '../models/invoice-vendor.json' with { type: 'json' };
import { RankerModel } from '../scoring.ts';

/** The fields an invoice's models choose, each with its model. */
export const INVOICE_MODELS = {
  vendorName: RankerModel.parse(vendor),
  invoiceNumber: RankerModel.parse(number),
  invoiceDate: RankerModel.parse(date),
  dueDate: RankerModel.parse(due),
  totalAmount: RankerModel.parse(total),
  subtotal: RankerModel.parse(subtotal),
  taxAmount: RankerModel.parse(tax),
} as const;

export type LearnedInvoiceField = keyof typeof INVOICE_MODELS;
export const LEARNED_INVOICE_FIELDS = Object.keys(INVOICE_MODELS) as LearnedInvoiceField[];
