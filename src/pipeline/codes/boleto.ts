// The Brazilian boleto: a 44-digit ITF barcode (bank, currency, check digit, due-date factor, amount, free field)
// and the 47-digit "linha digitável" printed above it, which is the same data reordered with a check digit per
// field. Both read to the amount and the due date.
import { Decimal } from 'decimal.js';

export interface Boleto {
  /** The 44 digits of the barcode. */
  barcode: string;
  bank: string;
  /** Decimal string; absent when the boleto leaves the amount open (all zeros). */
  amount?: string;
  /** ISO date; absent when the factor is 0 (no due date). */
  dueDate?: string;
}

const DAY = 86_400_000;
// Factor 1000 was 2000-07-03 until the factor reached 9999 (2025-02-21); it restarted at 1000 on 2025-02-22.
const FIRST_BASE = Date.UTC(1997, 9, 7);
const SECOND_BASE = Date.UTC(2025, 1, 22) - 1000 * DAY;

function mod11Barcode(digits43: string): number {
  let sum = 0;
  let weight = 2;
  for (let i = digits43.length - 1; i >= 0; i--) {
    sum += Number(digits43[i]) * weight;
    weight = weight === 9 ? 2 : weight + 1;
  }
  const d = 11 - (sum % 11);
  return d === 0 || d === 10 || d === 11 ? 1 : d;
}

function mod10(digits: string): number {
  let sum = 0;
  let factor = 2;
  for (let i = digits.length - 1; i >= 0; i--) {
    const p = Number(digits[i]) * factor;
    sum += Math.floor(p / 10) + (p % 10);
    factor = factor === 2 ? 1 : 2;
  }
  return (10 - (sum % 10)) % 10;
}

/** The 44-digit barcode a 47-digit digitable line stands for, or undefined when a field's check digit is wrong. */
export function barcodeOfDigitableLine(line: string): string | undefined {
  const d = line.replace(/\D/g, '');
  if (d.length !== 47) return undefined;
  const f1 = d.slice(0, 9);
  const f2 = d.slice(10, 20);
  const f3 = d.slice(21, 31);
  if (mod10(f1) !== Number(d[9]) || mod10(f2) !== Number(d[20]) || mod10(f3) !== Number(d[31]))
    return undefined;
  return d.slice(0, 4) + d[32] + d.slice(33, 47) + f1.slice(4) + f2 + f3;
}

/** The due date a factor stands for: of the two dates it can mean since the 2025 restart, the one nearer `near`. */
export function dueDateOfFactor(factor: number, near: Date): string | undefined {
  if (factor === 0) return undefined;
  const a = FIRST_BASE + factor * DAY;
  const b = SECOND_BASE + factor * DAY;
  const pick = Math.abs(a - near.getTime()) <= Math.abs(b - near.getTime()) ? a : b;
  return new Date(pick).toISOString().slice(0, 10);
}

/** A boleto from its barcode (44 digits) or digitable line (47 digits), check digits verified. `near` places
 * the due date on the right side of the 2025 factor restart (the invoice date, else today). */
export function parseBoleto(text: string, near: Date = new Date()): Boleto | undefined {
  const digits = text.replace(/[\s.]/g, '');
  if (!/^\d+$/.test(digits)) return undefined;
  const barcode = digits.length === 47 ? barcodeOfDigitableLine(digits) : digits;
  if (barcode?.length !== 44 || barcode[3] !== '9') return undefined;
  if (mod11Barcode(barcode.slice(0, 4) + barcode.slice(5)) !== Number(barcode[4])) return undefined;
  const cents = barcode.slice(9, 19);
  const amount = /^0+$/.test(cents) ? undefined : new Decimal(cents).div(100).toFixed(2);
  const dueDate = dueDateOfFactor(Number(barcode.slice(5, 9)), near);
  return {
    barcode,
    bank: barcode.slice(0, 3),
    ...(amount ? { amount } : {}),
    ...(dueDate ? { dueDate } : {}),
  };
}
