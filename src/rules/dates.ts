// Dates: an invoice not dated in the future, not too old, and not due before it was issued.
import { daysBetween, fieldOf, type RuleFn, today } from './context.ts';

export const futureDate: RuleFn<{ graceDays: number }> = (doc, { graceDays }, { context }) => {
  const date = fieldOf(doc, 'invoiceDate')?.value;
  const ahead = date ? daysBetween(today(context.now), date) : undefined;
  if (ahead === undefined || ahead <= graceDays) return [];
  return [
    {
      field: 'invoiceDate',
      message: `The invoice date ${date} is ${ahead} day${ahead === 1 ? '' : 's'} in the future (today is ${today(context.now)}).`,
    },
  ];
};

export const staleInvoice: RuleFn<{ maxAgeDays: number }> = (doc, { maxAgeDays }, { context }) => {
  const date = fieldOf(doc, 'invoiceDate')?.value;
  const age = date ? daysBetween(date, today(context.now)) : undefined;
  if (age === undefined || age <= maxAgeDays) return [];
  return [
    {
      field: 'invoiceDate',
      message: `The invoice date ${date} is ${age} days ago, more than the ${maxAgeDays} days allowed.`,
    },
  ];
};

export const dueBeforeIssue: RuleFn<Record<string, never>> = (doc) => {
  const issued = fieldOf(doc, 'invoiceDate')?.value;
  const due = fieldOf(doc, 'dueDate')?.value;
  const days = issued && due ? daysBetween(issued, due) : undefined;
  if (days === undefined || days >= 0) return [];
  return [
    {
      field: 'dueDate',
      message: `The due date ${due} is ${-days} day${days === -1 ? '' : 's'} before the invoice date ${issued}.`,
    },
  ];
};
