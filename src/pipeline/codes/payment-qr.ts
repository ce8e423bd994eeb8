// Payment QR codes printed on invoices: the EPC QR ("GiroCode", SEPA credit transfer, EPC069-12) and the Swiss
// QR-bill's Swiss QR Code (SIX Implementation Guidelines 2.x). Both name the account paid into and the amount.
import { Decimal } from 'decimal.js';
import { electronicFormatIBAN, isValidIBAN } from 'ibantools';

export interface PaymentQr {
  /** Compact IBAN (or QR-IBAN). */
  iban: string;
  /** Decimal string; absent when the code leaves the amount to the payer. */
  amount?: string;
  currency: string;
  beneficiary: string;
  reference?: string;
}

const lines = (text: string) => text.replace(/\r\n?/g, '\n').split('\n');

/** An EPC069-12 QR: BCD, version 001/002, charset, SCT, BIC, name, IBAN, EURx.xx, purpose, reference, text. */
export function parseEpcQr(text: string): PaymentQr | undefined {
  const l = lines(text);
  if (l[0]?.trim() !== 'BCD' || !['001', '002'].includes(l[1]?.trim() ?? '') || l[3]?.trim() !== 'SCT') {
    return undefined;
  }
  const iban = electronicFormatIBAN(l[6]?.trim() ?? '') ?? '';
  if (!isValidIBAN(iban)) return undefined;
  const money = /^EUR(\d{1,9}(?:\.\d{1,2})?)$/.exec(l[7]?.trim() ?? '');
  const reference = (l[9]?.trim() || l[10]?.trim()) ?? '';
  return {
    iban,
    ...(money ? { amount: new Decimal(money[1]!).toFixed(2) } : {}),
    currency: 'EUR',
    beneficiary: l[5]?.trim() ?? '',
    ...(reference ? { reference } : {}),
  };
}

/** A Swiss QR Code: SPC, 0200, coding 1, IBAN, creditor (7 lines), ultimate creditor (7), amount, currency, debtor
 * (7), reference type and reference, message, EPD. */
export function parseSwissQr(text: string): PaymentQr | undefined {
  const l = lines(text).map((x) => x.trim());
  if (l[0] !== 'SPC' || !/^02\d\d$/.test(l[1] ?? '') || l[30] !== 'EPD') return undefined;
  const iban = electronicFormatIBAN(l[3] ?? '') ?? '';
  if (!isValidIBAN(iban) || !/^(CH|LI)/.test(iban)) return undefined;
  const currency = l[19] ?? '';
  if (currency !== 'CHF' && currency !== 'EUR') return undefined;
  const amount = l[18] && /^\d{1,9}(\.\d{1,2})?$/.test(l[18]) ? new Decimal(l[18]).toFixed(2) : undefined;
  return {
    iban,
    ...(amount ? { amount } : {}),
    currency,
    beneficiary: l[5] ?? '',
    ...(l[28] ? { reference: l[28] } : {}),
  };
}
