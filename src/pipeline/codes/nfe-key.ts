// The NF-e access key (chave de acesso): 44 digits printed as a CODE-128C barcode on every DANFE. It names the
// issuer's CNPJ, the year and month of issue, the model, the series and the number, closed by a mod-11 digit.
export interface NfeKey {
  key: string;
  state: string;
  /** YYYY-MM of issue. */
  month: string;
  issuerTaxId: string;
  model: string;
  series: string;
  number: string;
}

/** The mod-11 check digit of the first 43 digits (weights 2..9 from the right; 0 or 1 remainder gives 0). */
export function nfeKeyCheckDigit(first43: string): number {
  let sum = 0;
  let weight = 2;
  for (let i = first43.length - 1; i >= 0; i--) {
    sum += Number(first43[i]) * weight;
    weight = weight === 9 ? 2 : weight + 1;
  }
  const rest = sum % 11;
  return rest < 2 ? 0 : 11 - rest;
}

/** The key's parts, or undefined when the text is not 44 digits with a right check digit and an NF-e/NFC-e model. */
export function parseNfeKey(text: string): NfeKey | undefined {
  const key = text.replace(/\s/g, '');
  if (!/^\d{44}$/.test(key)) return undefined;
  if (nfeKeyCheckDigit(key.slice(0, 43)) !== Number(key[43])) return undefined;
  const model = key.slice(20, 22);
  if (model !== '55' && model !== '65') return undefined;
  const mm = Number(key.slice(4, 6));
  if (mm < 1 || mm > 12) return undefined;
  return {
    key,
    state: key.slice(0, 2),
    month: `20${key.slice(2, 4)}-${key.slice(4, 6)}`,
    issuerTaxId: key.slice(6, 20),
    model,
    series: String(Number(key.slice(22, 25))),
    number: String(Number(key.slice(25, 34))),
  };
}
