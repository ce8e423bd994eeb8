// Names people typed or sent (file names, user and key names, descriptions), as they may be shown: without
// control characters, and without the invisible direction marks that make "invoice\u202Efdp.exe" read as
// "invoiceexe.pdf" on a screen.
const HIDDEN = /[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/gu;

export function displayName(name: string): string {
  return name.replace(HIDDEN, '').trim();
}
