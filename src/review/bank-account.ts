// The bank account as a reviewer sees it: never whole (a changed account is a classic fraud, confirmed with the
// vendor by phone, not read off a screen), beside the vendor master's accounts when the document shows another.
import type { DocumentResult } from '../contract/result.ts';
import { identityOfDocument } from '../rules/context.ts';
import { normaliseBankAccount, resolveVendor, type Vendor } from '../rules/master-data.ts';

export interface BankAccountView {
  /** The account with all but its last four characters hidden ("DE•• •••• 3000"). */
  masked: string;
  confidence: number;
  page: number;
  bbox: [number, number, number, number] | null;
  /** The vendor master's accounts, masked, when none of them is the document's; null when one matches or
   * the vendor has none on file. */
  onFile: string[] | null;
  issues: { code: string; severity: string; message: string }[];
}

/** "DE89 3704 0044 0532 0130 00" → "DE•• •••• 3000"; "Routing 042000314 Account 7391028845" → "•••• 8845". */
export function maskBankAccount(account: string): string {
  const compact = normaliseBankAccount(account).replace(/[^0-9A-Z]/g, '');
  const last = compact.slice(-4);
  const iban = /^[A-Z]{2}\d{2}/.test(compact) ? `${compact.slice(0, 2)}•• ` : '';
  return `${iban}•••• ${last}`;
}

export function bankAccountView(
  result: DocumentResult,
  vendors: readonly Vendor[] | undefined,
): BankAccountView | null {
  const field = result.fields.bankAccount;
  if (!field) return null;
  // Found as bank_details_changed finds it, so the account beside it is the one the rule compared with.
  const vendor = vendors ? resolveVendor(vendors, identityOfDocument(result))?.vendor : undefined;
  const key = normaliseBankAccount(field.value);
  const accounts = vendor?.bankAccounts ?? [];
  const differs = accounts.length > 0 && !accounts.some((a) => normaliseBankAccount(a) === key);
  const noBox = field.bbox.every((n) => n === 0);
  return {
    masked: maskBankAccount(field.value),
    confidence: field.confidence,
    page: field.page,
    bbox: noBox ? null : field.bbox,
    onFile: differs ? accounts.map(maskBankAccount) : null,
    issues: result.validation.issues
      .filter((i) => i.field === 'bankAccount')
      // The rule's message names both accounts whole; the page shows them masked above, so only its advice.
      .map((i) => ({
        code: i.code,
        severity: i.severity,
        message: i.code === 'bank_details_changed' ? BANK_CHANGED : i.message,
      })),
  };
}

const BANK_CHANGED =
  'The bank account on the document is not the one on file for this vendor. Confirm with the vendor by phone before paying.';
