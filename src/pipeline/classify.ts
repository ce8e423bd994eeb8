// What kind of document a layout is (invoice, receipt, form) and which language it is written in.
import type { DocumentType } from '../contract/result.ts';
import { findAmounts } from './extract/amounts.ts';
import { findLabels, foldText } from './extract/labels.ts';
import { guessLanguage } from './language.ts';
import type { Layout } from './layout.ts';

export interface Classification {
  documentType: DocumentType;
  language: 'en' | 'pt' | 'es';
  /** 0..1 */
  confidence: number;
}

const INVOICE_WORDS =
  /\b(invoice|tax invoice|fatura|factura|rechnung|facture|factuur|nota fiscal|nota de cobranca|danfe|nf-?e|nfs-?e|bill to|due date|vencimento|vencimiento|base imponible|chave de acesso|destinatario|iban)\b/g;
const RECEIPT_WORDS =
  /\b(receipt|recibo|cupom|cupon|ticket|cash|change|troco|cambio|thank you|obrigado|gracias|efectivo|dinheiro|cashier|caixa|rounding|tendered|visa|mastercard)\b/g;

export { guessLanguage as detectLanguage };

export function classifyDocument(layout: Layout): Classification {
  const lines = layout.pages.flatMap((p) => p.lines);
  const text = lines.map((l) => l.text).join('\n');
  const folded = foldText(text);
  const language = guessLanguage(text);
  if (!lines.length) return { documentType: 'unknown', language, confidence: 0 };

  let invoice = (folded.match(INVOICE_WORDS) ?? []).length;
  // "caixa com 12" / "caja de 24" is a pack size in an item description, "Caixa Geral de Depósitos" a bank, not a
  // till.
  let receipt = (
    folded
      .replace(/\b(caixa|caja)\s+(com|de|c\/)\s*\d/g, ' ')
      .replace(/\b(caixa|caja)\s+(geral|economica|rural|laboral)\b/g, ' ')
      .match(RECEIPT_WORDS) ?? []
  ).length;
  let labelPairs = 0;
  let amounts = 0;
  for (const l of lines) {
    const labels = findLabels(l.text);
    if (labels.some((m) => m.key === 'invoiceNumber' && m.label.split(' ').length > 1)) invoice += 1;
    if (labels.some((m) => m.key === 'dueDate')) invoice += 1;
    // A block addressed to the customer ("Cliente:", "Bill to") is an invoice's; a till roll names nobody.
    if (labels.some((m) => m.key === 'customer' && m.score === 1 && m.label.length > 4)) invoice += 1;
    amounts += findAmounts(l.text).filter((a) => a.hasDecimals).length;
    // "Name: ____" or "Name:" with nothing after it.
    if (/^[^\d:]{2,40}:\s*(_{2,}|\.{3,})?\s*$/.test(l.text.trim()) || /_{4,}/.test(l.text)) labelPairs++;
  }
  // Till rolls are tall and narrow.
  const page = layout.pages[0];
  if (page && page.height / page.width > 2.2) receipt += 2;
  // A till roll is one page; an invoice that runs over pages says so on each of them.
  if (layout.pages.length > 1) invoice += 2;

  if (labelPairs >= 4 && amounts <= 1 && labelPairs > invoice + receipt) {
    return { documentType: 'form', language, confidence: Math.min(0.9, 0.5 + labelPairs * 0.05) };
  }
  if (invoice === 0 && receipt === 0) return { documentType: 'unknown', language, confidence: 0.3 };
  const total = invoice + receipt;
  if (receipt > invoice)
    return { documentType: 'receipt', language, confidence: round(0.5 + 0.45 * (receipt / total)) };
  return { documentType: 'invoice', language, confidence: round(0.5 + 0.45 * (invoice / total)) };
}

const round = (n: number) => Math.round(n * 100) / 100;
