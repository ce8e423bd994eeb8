// Field labels in English, Portuguese and Spanish, matched without regard to accents or case and tolerant of OCR slips.

export type LabelKey =
  | 'invoiceNumber'
  | 'invoiceDate'
  | 'dueDate'
  | 'purchaseOrder'
  | 'subtotal'
  | 'taxAmount'
  | 'totalAmount'
  | 'customer'
  | 'vendor'
  | 'taxId'
  /** Sub-labels inside a party block (name, address), to be skipped when reading the party's name. */
  | 'partyField'
  /** Lines that look like a total but are not the amount due: "Total items", "Total tax", "Total qty". */
  | 'notTotal';

export const LABELS: Record<LabelKey, readonly string[]> = {
  invoiceNumber: [
    'Invoice No',
    'Invoice Number',
    'Invoice #',
    'Invoice',
    'Inv No',
    'Bill No',
    'Receipt No',
    'Receipt #',
    'Doc No',
    'Document No',
    'Nº da Fatura',
    'Número da Fatura',
    'Fatura Nº',
    'Fatura',
    'Número da Nota',
    'Nota Fiscal Nº',
    'NF-e Nº',
    'NF-e',
    'NFS-e Nº',
    'Número da NFS-e',
    'Número',
    'Nº',
    'Factura N.º',
    'Factura Nº',
    'Factura No',
    'Factura',
    'Nº de factura',
    'Número de factura',
    'Num. factura',
    'Ticket Nº',
    // The commonest of German, French and Dutch invoices.
    'Rechnung',
    'Rechnung Nr',
    'Rechnungsnummer',
    'Rechnungs-Nr',
    'Facture',
    'Facture N°',
    'Numéro de facture',
    'Factuur',
    'Factuurnummer',
  ],
  invoiceDate: [
    'Invoice Date',
    'Date of Issue',
    'Issue Date',
    'Date',
    'Dated',
    'Data de Emissão',
    'Data da Emissão',
    'Data Emissão',
    'Emissão',
    'Emitida em',
    'Data',
    'Fecha de emisión',
    'Fecha de expedición',
    'Fecha factura',
    'Fecha',
    'Rechnungsdatum',
    'Datum',
    'Date de facture',
    'Factuurdatum',
  ],
  dueDate: [
    'Due Date',
    'Payment Due',
    'Due',
    'Pay By',
    'Vencimento',
    'Data de Vencimento',
    'Data Vencimento',
    'Fecha de vencimiento',
    'Vencimiento',
  ],
  purchaseOrder: [
    'PO',
    'PO No',
    'PO Number',
    'PO #',
    'P.O.',
    'Purchase Order',
    'Order No',
    'Pedido',
    'Nº do Pedido',
    'Pedido de compra',
    'Ordem de Compra',
    'Orden de compra',
    'Nº de pedido',
    'P.O. Number',
    'P.O. No',
    'P.O. #',
    'PO No.',
    'Purchase Order No',
    'Purchase Order Number',
    'Order Number',
    'Your Order',
    'Your Order No',
    'Your PO',
    'Your PO No',
    'Your ref',
    'Your reference',
    'Customer PO',
    'Pedido Nº',
    'Nº pedido',
    'Número do pedido',
    'Número de pedido',
    'Seu pedido',
    'Seu pedido Nº',
    'Su pedido',
    'Su pedido Nº',
    'Su pedido N.º',
    'Su referencia',
    'Sua referência',
    'Orden de compra Nº',
    'Ordem de compra Nº',
    'Pedido de compra Nº',
  ],
  subtotal: [
    'Subtotal',
    'Sub-total',
    'Sub total',
    'Net Amount',
    'Net Total',
    'Total net',
    'Total excl. VAT',
    'Total excluding tax',
    'Total Excl GST',
    'Base imponible',
    'Valor dos produtos',
    'Valor total dos produtos',
    'Total dos produtos',
    'Total dos serviços',
    'Valor dos serviços',
    'Nettobetrag',
    'Zwischensumme',
    'Summe netto',
    'Total HT',
    'Montant HT',
    'Subtotaal',
  ],
  taxAmount: [
    'Tax',
    'VAT',
    'Sales Tax',
    'GST',
    'Total Tax',
    'Tax Amount',
    'VAT Amount',
    'GST Amount',
    // "VAT total: 75.04" is the tax, not a total: the longer label wins over the "total" inside it.
    'VAT total',
    'Tax total',
    'GST total',
    'IVA total',
    'Total VAT',
    'Total GST',
    'IVA',
    'Total IVA',
    'Cuota IVA',
    'Importe IVA',
    'ICMS',
    'Valor do ICMS',
    'ISS',
    'Valor do ISS',
    'Impostos',
    'Valor do imposto',
    'Valor aproximado dos tributos',
    'Total de tributos',
    'MwSt',
    'USt',
    'Mehrwertsteuer',
    'Umsatzsteuer',
    'TVA',
    'Montant TVA',
    'BTW',
  ],
  totalAmount: [
    'Total',
    'Amount Due',
    'Balance Due',
    'Grand Total',
    'Total Due',
    'Total Amount',
    'Invoice Total',
    'Total Incl GST',
    'Total incl. VAT',
    'Total Payable',
    'Amount Payable',
    'Rounded Total',
    'Net Total Payable',
    'Valor Total',
    'Valor a pagar',
    'Total a pagar',
    'Valor total da nota',
    'Valor líquido',
    'Valor líquido da nota',
    'Importe total',
    'Total factura',
    'Total a pagar',
    'Total (EUR)',
    'Total IVA incl.',
    'Total (IVA incl.)',
    'Total IVA incluido',
    'Total (IVA incluido)',
    'Total incl. IVA',
    'Endsumme',
    'Bruttosumme',
    'Bruttobetrag',
    'Zahlbetrag',
    'Rechnungsbetrag',
    'Zu zahlen',
    'Montant total',
    'Total TTC',
    'Net à payer',
    'Totaalbedrag',
    'Te betalen',
  ],
  customer: [
    'Bill To',
    'Billed To',
    'Sold To',
    'Invoice To',
    'Customer',
    'Client',
    'Cliente',
    'Destinatário',
    'Destinatário/Remetente',
    'Tomador',
    'Tomador de serviços',
    'Tomador do serviço',
    'Facturar a',
    'Faturar a',
    'Datos del cliente',
    // Where the goods go: the customer's side of the page, never the issuer's.
    'Ship to',
    'Deliver to',
    'Delivery address',
    'Dirección de entrega',
    'Lugar de entrega',
    'Enviar a',
    'Local de entrega',
    'Morada de entrega',
    'Endereço de entrega',
  ],
  vendor: [
    'From',
    'Seller',
    'Supplier',
    'Vendor',
    'Emitente',
    'Prestador',
    'Prestador de serviços',
    'Fornecedor',
    'Emisor',
    'Proveedor',
    'Remitente',
    'Issued by',
    'Verkäufer',
  ],
  taxId: [
    'CNPJ',
    'CPF',
    'CNPJ/CPF',
    'CPF/CNPJ',
    'NIF',
    'NIE',
    'CIF',
    'VAT',
    'VAT No',
    'VAT Number',
    'VAT Reg No',
    'EIN',
    'Tax ID',
    'TIN',
    'NIF/CIF',
    'N.I.F.',
    'C.I.F.',
  ],
  partyField: [
    'Nome / Razão Social',
    'Razão Social',
    'Nome',
    'Razón social',
    'Nombre',
    'Name',
    'Endereço',
    'Address',
    'Dirección',
    'Domicilio',
    'Bairro / Distrito',
    'Município',
    'Inscrição Estadual',
  ],
  notTotal: [
    'Total items',
    'Total item',
    'Total qty',
    'Total quantity',
    'Total de itens',
    'Total de artículos',
    'Total tax',
    'Total IVA',
    'Total de tributos',
    'Total weight',
    'Total peso',
    'Total excl. VAT',
    'Total excluding tax',
    'Total Excl GST',
    'Total dos produtos',
    'Total dos serviços',
    'Subtotal',
    'Sub total',
    'Sub-total',
  ],
};

interface Token {
  text: string;
  start: number;
  end: number;
}

/** Folds accents and case, and splits into alphanumeric tokens (`#` kept) with spans in the original text. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let cur: Token | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    const folded = ch
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .replace(/[^a-z0-9#]/g, '');
    const isSep = folded === '' || folded === '#';
    if (isSep) {
      if (cur) tokens.push(cur);
      cur = null;
      if (folded === '#') tokens.push({ text: '#', start: i, end: i + 1 });
      continue;
    }
    if (cur) {
      cur.text += folded;
      cur.end = i + 1;
    } else cur = { text: folded, start: i, end: i + 1 };
  }
  if (cur) tokens.push(cur);
  // "N.º" and "N. o" read as "no"; "nro"/"num"/"numero"/"nr" are all "number".
  const merged: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    const next = tokens[i + 1];
    if (t.text === 'n' && next?.text === 'o' && next.start - t.end <= 2) {
      merged.push({ text: 'no', start: t.start, end: next.end });
      i++;
      continue;
    }
    // "Nº000.123" printed without a space: the number sign and the number are two tokens.
    const glued = /^(no|nro|nr)(\d+)$/.exec(t.text);
    if (glued) {
      const cut = t.start + (glued[1] as string).length + (t.end - t.start - t.text.length);
      merged.push(
        { text: 'no', start: t.start, end: cut },
        { text: glued[2] as string, start: cut, end: t.end },
      );
      continue;
    }
    merged.push(/^(nro|nr|num|numero|n|number)$/.test(t.text) ? { ...t, text: 'no' } : t);
  }
  return merged;
}

/** True when b is a within one insertion, deletion or substitution of a (OCR's commonest slips). */
export function levenshteinAtMostOne(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  let j = 0;
  let edits = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      i++;
      j++;
      continue;
    }
    if (++edits > 1) return false;
    if (a.length > b.length) i++;
    else if (b.length > a.length) j++;
    else {
      i++;
      j++;
    }
  }
  return edits + (a.length - i) + (b.length - j) <= 1;
}

/** OCR reads 'l' as '1', 'o' as '0' and 's' as '5' inside words. */
const ocrFold = (s: string) => s.replace(/1/g, 'l').replace(/0/g, 'o').replace(/5/g, 's');

/** `seenFolded` is `ocrFold(seen)`, computed once per token rather than once per label compared. */
function tokenMatches(labelToken: string, seen: string, seenFolded: string): boolean {
  if (labelToken === seen || labelToken === seenFolded) return true;
  return (
    labelToken.length >= 5 &&
    Math.abs(labelToken.length - seenFolded.length) <= 1 &&
    levenshteinAtMostOne(labelToken, seenFolded)
  );
}

export interface LabelMatch {
  key: LabelKey;
  /** The dictionary entry that matched. */
  label: string;
  /** Span of the label in the text. */
  start: number;
  end: number;
  /** 1 for an exact match, lower for a match through OCR slips. */
  score: number;
}

const LABEL_TOKENS: { key: LabelKey; label: string; tokens: string[] }[] = Object.entries(LABELS).flatMap(
  ([key, labels]) =>
    labels.map((label) => ({ key: key as LabelKey, label, tokens: tokenize(label).map((t) => t.text) })),
);

// Extraction asks about the same line once per field; matching every label against every token is the
// costliest step of reading a digital PDF, so the answer per line text is kept (bounded).
const labelCache = new Map<string, readonly LabelMatch[]>();
const LABEL_CACHE_SIZE = 5000;

/**
 * Every label in a line of text. Longer labels win over the shorter ones inside them ("Due Date" over "Date",
 * "Total items" over "Total"), so a match here means this is what the words say.
 */
export function findLabels(text: string, keys?: readonly LabelKey[]): LabelMatch[] {
  let matches = labelCache.get(text);
  if (!matches) {
    matches = matchLabels(text);
    if (labelCache.size >= LABEL_CACHE_SIZE) labelCache.clear();
    labelCache.set(text, matches);
  }
  return matches.filter((m) => !keys || keys.includes(m.key)).map((m) => ({ ...m }));
}

function matchLabels(text: string): LabelMatch[] {
  const tokens = tokenize(text);
  const folded = tokens.map((t) => ocrFold(t.text));
  const all: (LabelMatch & { length: number; firstToken: number })[] = [];
  for (const entry of LABEL_TOKENS) {
    const n = entry.tokens.length;
    if (n === 0) continue;
    for (let i = 0; i + n <= tokens.length; i++) {
      let exact = true;
      let ok = true;
      for (let k = 0; k < n; k++) {
        const seen = (tokens[i + k] as Token).text;
        const want = entry.tokens[k] as string;
        if (seen === want) continue;
        if (!tokenMatches(want, seen, folded[i + k] as string)) {
          ok = false;
          break;
        }
        exact = false;
      }
      if (!ok) continue;
      const first = tokens[i] as Token;
      const last = tokens[i + n - 1] as Token;
      // "PO-7788", "INV/2025": the word is the start of a code, not a label.
      if (/^[-/][A-Za-z0-9]/.test(text.slice(last.end))) continue;
      all.push({
        key: entry.key,
        label: entry.label,
        start: first.start,
        end: last.end,
        score: exact ? 1 : 0.8,
        length: entry.tokens.join(' ').length,
        firstToken: i,
      });
    }
  }
  // OCR drops the narrow space of a bold or letter-spaced label ("BILLTO", "DUEDATE"): a label of several words
  // also matches one token that is its words run together.
  for (const entry of LABEL_TOKENS) {
    if (entry.tokens.length < 2) continue;
    const glued = entry.tokens.join('');
    if (glued.length < 5) continue;
    tokens.forEach((t, i) => {
      if (t.text !== glued && folded[i] !== glued) return;
      if (/^[-/][A-Za-z0-9]/.test(text.slice(t.end))) return;
      all.push({
        key: entry.key,
        label: entry.label,
        start: t.start,
        end: t.end,
        score: 0.8,
        length: entry.tokens.join(' ').length,
        firstToken: i,
      });
    });
  }
  // Longest first; drop matches that overlap a longer one.
  all.sort((a, b) => b.length - a.length || b.score - a.score || a.start - b.start);
  const kept: typeof all = [];
  for (const m of all) {
    if (kept.some((k) => m.start < k.end && m.end > k.start && !(k.start === m.start && k.end === m.end)))
      continue;
    // Same span, same key twice (two spellings): keep one.
    if (kept.some((k) => k.start === m.start && k.end === m.end && k.key === m.key)) continue;
    kept.push(m);
  }
  return kept
    .sort((a, b) => a.start - b.start)
    .map(({ key, label, start, end, score }) => ({ key, label, start, end, score }));
}

/** Folds accents and case: for comparing words across languages. */
export function foldText(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}
