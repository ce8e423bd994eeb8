// Whether the visible pages of a hybrid PDF print what its XML says: the invoice number, the date, the total and the
// IBAN, each looked for anywhere on the pages in any of the usual notations (571.04 / 571,04 / 1.005,55; 18.11.2017
// / 2017-11-18 / 11/18/2017). Looking for the XML's value, rather than comparing with the one value the page
// reader picked, keeps a reading slip (a VAT total taken for the total) from passing for a tampered page.
import { Decimal } from 'decimal.js';
import type { Fields, VisibleReading } from '../../../contract/result.ts';
import type { Layout } from '../../layout.ts';
import { findAmounts } from '../amounts.ts';
import { readIban } from '../bank.ts';
import { findDates } from '../dates.ts';

const alnum = (s: string) => s.replace(/[^\p{L}\p{N}]/gu, '').toUpperCase();

function amountsOn(lines: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const line of lines) {
    for (const decimalSeparator of [',', '.'] as const) {
      for (const a of findAmounts(line, { decimalSeparator })) out.add(new Decimal(a.value).abs().toFixed(2));
    }
  }
  return out;
}

/** Month names of the other languages e-invoices are written in (the page reader knows en, pt and es), folded. */
const MONTHS: Record<string, number> = {};
for (const [n, names] of [
  [1, 'januar jaenner janner janvier janv gennaio januari'],
  [2, 'februar feb fevrier fevr febbraio februari'],
  [3, 'maerz marz mar mars marzo maart mrt'],
  [4, 'april apr avril avr aprile'],
  [5, 'mai mei maggio'],
  [6, 'juni jun juin giugno'],
  [7, 'juli jul juillet juil luglio'],
  [8, 'august aug aout agosto augustus'],
  [9, 'september sep sept septembre settembre'],
  [10, 'oktober okt octobre oct ottobre'],
  [11, 'november nov novembre'],
  [12, 'dezember dez decembre dec dicembre december'],
] as const) {
  for (const name of names.split(' ')) MONTHS[name] = n;
}
const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
const LONG_DATE = /(?<!\d)(\d{1,2})(?:er)?\.?\s*([\p{L}]{3,10})\.?\s+(\d{4})(?!\d)/gu;

function datesOn(lines: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const line of lines) {
    for (const order of ['DMY', 'MDY'] as const) for (const d of findDates(line, { order })) out.add(d.value);
    // "11. Juli 2014", "1er août 2024", "3 maart 2025".
    for (const m of line.matchAll(LONG_DATE)) {
      const month = MONTHS[fold(m[2] as string)];
      const day = Number(m[1]);
      if (!month || day < 1 || day > 31) continue;
      const iso = `${m[3]}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
      const t = Date.parse(`${iso}T00:00:00Z`);
      if (!Number.isNaN(t) && new Date(t).toISOString().startsWith(iso)) out.add(iso);
    }
  }
  return out;
}

/** Every valid IBAN printed on the lines, compact. */
export function ibansOn(lines: readonly string[]): string[] {
  const out = new Set<string>();
  for (const line of lines) {
    const upper = line.toUpperCase();
    for (const m of upper.matchAll(/(?<![A-Z0-9])[A-Z]{2}\s?\d{2}/g)) {
      const found = readIban(upper, m.index);
      if (found) out.add(found.iban);
    }
  }
  return [...out];
}

/** A reference is printed when its letters and digits appear in that order on one line; a short one (under four
 * characters, "12") must be a whole word, or it would be found inside any number. */
function referenceOn(lines: readonly string[], reference: string): boolean {
  const want = alnum(reference);
  if (!want) return false;
  if (want.length < 4) return lines.some((l) => l.split(/\s+/).some((w) => alnum(w) === want));
  return lines.some((l) => alnum(l).includes(want));
}

/**
 * Checks the pages against the XML's fields. `pageFields` is the pages' own reading (the understanding pipeline's),
 * kept for the reviewer and for the rule's messages.
 */
export function checkPages(layout: Layout, xml: Fields, pageFields: Fields): VisibleReading {
  const lines = layout.pages.flatMap((p) => p.lines.map((l) => l.text));
  const hasText = lines.some((l) => /[\p{L}\p{N}]/u.test(l));
  const ibans = ibansOn(lines);
  const shown: VisibleReading['shown'] = {};
  const number = xml.invoiceNumber?.value;
  if (number) shown.invoiceNumber = referenceOn(lines, number);
  const date = xml.invoiceDate?.value;
  if (date) shown.invoiceDate = datesOn(lines).has(date);
  const total = xml.totalAmount?.value;
  if (total) shown.totalAmount = amountsOn(lines).has(new Decimal(total).abs().toFixed(2));
  const account = xml.bankAccount?.value;
  if (account) shown.bankAccount = ibans.includes(alnum(account));
  return { fields: pageFields, shown, ibans, hasText };
}
