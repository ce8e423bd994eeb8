// The words around a value on an invoice page, as features: which families of label words ("total", "due",
// "number", "bill to"…) stand on its left on the same line and in the line above it, in English, Portuguese and
// Spanish and the commonest words of German, French and Dutch invoices. The models weigh them; nothing here
// decides.
import type { Word } from '../../layout.ts';
import { lineHeight, type TextLine } from '../../text-lines.ts';
import { foldText } from '../labels.ts';
import type { Features } from '../scoring.ts';

/** Label word families, each a list of folded words. A word may be in several families. */
export const WORD_FAMILIES: Readonly<Record<string, readonly string[]>> = {
  invoice: ['invoice', 'inv', 'factura', 'fatura', 'rechnung', 'facture', 'factuur', 'bill'],
  number: [
    'no',
    'nº',
    'n',
    'number',
    'numero',
    'num',
    'nr',
    'nro',
    'nummer',
    '#',
    'doc',
    'document',
    'documento',
  ],
  ref: ['ref', 'reference', 'referencia', 'your', 'su', 'seu', 'sua', 'our'],
  order: [
    'po',
    'order',
    'pedido',
    'orden',
    'purchase',
    'compra',
    'bestellung',
    'auftrag',
    'commande',
    'encomenda',
  ],
  date: [
    'date',
    'dated',
    'data',
    'fecha',
    'datum',
    'issue',
    'issued',
    'emissao',
    'emision',
    'expedicion',
    'emitida',
  ],
  due: [
    'due',
    'vencimento',
    'vencimiento',
    'pay',
    'payable',
    'pagar',
    'pago',
    'faellig',
    'fallig',
    'echeance',
    'vervaldatum',
    'until',
    'ate',
    'by',
    'zahlbar',
  ],
  total: [
    'total',
    'totaal',
    'montant',
    'importe',
    'valor',
    'amount',
    'gesamt',
    'summe',
    'betrag',
    'grand',
    'sum',
    'suma',
    'ttc',
    'bedrag',
  ],
  sub: [
    'subtotal',
    'sub',
    'net',
    'neto',
    'netto',
    'liquido',
    'iliquido',
    'base',
    'imponible',
    'ht',
    'zwischensumme',
    'excl',
    'taxable',
    'suma',
    'incidencia',
  ],
  tax: [
    'vat',
    'iva',
    'tax',
    'gst',
    'mwst',
    'tva',
    'btw',
    'impostos',
    'imposto',
    'impuestos',
    'cuota',
    'ust',
    'icms',
    'iss',
    'steuer',
  ],
  incl: ['incl', 'includes', 'included', 'including', 'incluido', 'inclui', 'incluye', 'which', 'inkl'],
  paid: [
    'paid',
    'deposit',
    'received',
    'pagado',
    'anticipo',
    'sinal',
    'adiantamento',
    'entregado',
    'recebido',
    'recibido',
    'less',
    'cuenta',
    'account',
    'bezahlt',
    'acompte',
  ],
  balance: [
    'balance',
    'outstanding',
    'saldo',
    'pendiente',
    'divida',
    'devedor',
    'remaining',
    'restant',
    'offen',
  ],
  discount: ['discount', 'desconto', 'descuento', 'dto', 'rabatt', 'remise', 'korting'],
  shipping: [
    'shipping',
    'freight',
    'carriage',
    'delivery',
    'frete',
    'portes',
    'envio',
    'transporte',
    'versand',
  ],
  quantity: [
    'qty',
    'quantity',
    'qtd',
    'quant',
    'qtde',
    'quantidade',
    'cantidad',
    'cant',
    'uds',
    'units',
    'menge',
  ],
  price: ['price', 'unit', 'rate', 'preco', 'precio', 'unitario', 'cost', 'preis'],
  customer: [
    'bill',
    'billed',
    'sold',
    'cliente',
    'client',
    'customer',
    'destinatario',
    'facturar',
    'faturar',
    'to',
    'para',
    'ship',
    'deliver',
    'entregar',
    'enviar',
    'kunde',
    'rechnungsempfanger',
    'exmo',
    'tomador',
  ],
  vendor: [
    'from',
    'seller',
    'supplier',
    'emitente',
    'remitente',
    'emisor',
    'proveedor',
    'fornecedor',
    'prestador',
    'issued',
    'verkaufer',
    'fournisseur',
    'de',
    'leverancier',
  ],
  taxId: ['nif', 'nipc', 'cif', 'cnpj', 'cpf', 'ein', 'tin', 'vat', 'tva', 'ust', 'idnr', 'btw', 'siret'],
  contact: ['tel', 'phone', 'fax', 'telefone', 'telefono', 'email', 'mail', 'www', 'web', 'fone'],
  bank: ['iban', 'bic', 'swift', 'bank', 'banco', 'routing', 'account', 'conta', 'cuenta', 'agencia'],
  page: ['page', 'pagina', 'seite'],
  terms: ['terms', 'condicoes', 'condiciones', 'days', 'dias', 'net', 'within'],
};

const FAMILY_OF = new Map<string, string[]>();
for (const [family, words] of Object.entries(WORD_FAMILIES)) {
  for (const w of words) FAMILY_OF.set(w, [...(FAMILY_OF.get(w) ?? []), family]);
}
export const FAMILIES: readonly string[] = Object.keys(WORD_FAMILIES);

/** Folded word tokens of a text ("Nº" stays "nº", "N.º" becomes "n", "º"). */
export function tokensOf(text: string): string[] {
  return foldText(text)
    .replace(/n\s*[.°º]\s*º?/g, 'nº ')
    .split(/[^a-z0-9#º]+/)
    .filter(Boolean);
}

export function familiesIn(text: string): Set<string> {
  const out = new Set<string>();
  for (const t of tokensOf(text)) {
    for (const f of FAMILY_OF.get(t) ?? compoundFamilies(t)) out.add(f);
    // "subtotal", "totalbetrag": a family word inside a longer one still counts.
    if (t.length > 5 && t.startsWith('sub')) out.add('sub');
    if (t.length > 5 && t.includes('total')) out.add('total');
  }
  return out;
}

/** The words a German or Dutch compound label ends in; an English word ending in "rate", "less" or "ship" is no
 * compound label. */
const STEMS = [
  'nummer',
  'datum',
  'betrag',
  'summe',
  'steuer',
  'preis',
  'menge',
  'bedrag',
  'totaal',
  'rechnung',
  'factuur',
].filter((w) => FAMILY_OF.has(w));
const compounds = new Map<string, readonly string[]>();

/**
 * The families of a German or Dutch compound ("Rechnungsnummer", "Kundennummer", "factuurdatum", "Endbetrag"):
 * those of the family word it ends with, and, when that is one, of the family word it starts with (joined by
 * nothing, "s", "n" or "en").
 */
export function compoundFamilies(token: string): readonly string[] {
  if (token.length < 7) return [];
  let known = compounds.get(token);
  if (known) return known;
  const found = new Set<string>();
  for (const end of STEMS) {
    if (!token.endsWith(end) || token.length - end.length < 3) continue;
    for (const f of FAMILY_OF.get(end) ?? []) found.add(f);
    const head = token.slice(0, token.length - end.length);
    const start = ['', 's', 'n', 'en']
      .map((joint) => (head.endsWith(joint) ? head.slice(0, head.length - joint.length) : ''))
      .find((h) => h.length >= 4 && FAMILY_OF.has(h));
    for (const f of (start && FAMILY_OF.get(start)) ?? []) found.add(f);
  }
  known = [...found];
  if (compounds.size > 5000) compounds.clear();
  compounds.set(token, known);
  return known;
}

/** A value printed on a line: the span of it in the line's text and its words. */
export interface Sighting {
  line: TextLine;
  start: number;
  end: number;
  words: Word[];
}

/** The line above a sighting in its column, when one is close enough to be its label. */
export function lineAbove(
  lines: readonly TextLine[],
  s: Sighting,
): { text: string; gap: number } | undefined {
  const box = s.words.length
    ? [Math.min(...s.words.map((w) => w.bbox[0])), Math.max(...s.words.map((w) => w.bbox[2]))]
    : [s.line.bbox[0], s.line.bbox[2]];
  const h = lineHeight(s.line);
  const [x0, x1] = box as [number, number];
  for (let i = s.line.index - 1; i >= 0 && i >= s.line.index - 6; i--) {
    const l = lines[i];
    if (!l || l.page !== s.line.page) break;
    const gap = s.line.bbox[1] - l.bbox[3];
    if (gap > h * 3) break;
    const words = l.words.filter((w) => w.bbox[2] >= x0 - 3 * h && w.bbox[0] <= x1 + 2 * h);
    if (words.length) return { text: words.map((w) => w.text).join(' '), gap: gap / h };
  }
  return undefined;
}

/**
 * `left.<family>` for the words before the value on its line (the nearest few), `near.<family>` for those
 * right before it, `above.<family>` for the line above it in its column; `left.colon` when a colon ends the
 * label, `left.none` when nothing stands before it.
 */
export function wordFeatures(lines: readonly TextLine[], s: Sighting): Features {
  const f: Features = {};
  // Leader dots ("Total líquido ........ 131,64") join a label to its value; they are not what stands left of it.
  const before = s.line.text.slice(0, s.start).replace(/(?:\s*[.·_…]){4,}\s*$/, ' ');
  const leftText = before.slice(Math.max(0, before.length - 40));
  const tokens = tokensOf(leftText);
  for (const fam of familiesIn(leftText)) f[`left.${fam}`] = 1;
  for (const fam of familiesIn(tokens.slice(-2).join(' '))) f[`near.${fam}`] = 1;
  if (/[:#]\s*$/.test(before)) f['left.colon'] = 1;
  if (!tokens.length) f['left.none'] = 1;
  const above = lineAbove(lines, s);
  if (above) for (const fam of familiesIn(above.text)) f[`above.${fam}`] = 1;
  const after = s.line.text.slice(s.end, s.end + 25);
  for (const fam of familiesIn(after)) f[`right.${fam}`] = 1;
  return f;
}

/** Names of the features `wordFeatures` can give, for the models' feature lists. */
export function wordFeatureNames(families: readonly string[] = FAMILIES): string[] {
  return [
    ...families.flatMap((fam) => [`left.${fam}`, `near.${fam}`, `above.${fam}`, `right.${fam}`]),
    'left.colon',
    'left.none',
  ];
}

/** Where a sighting sits on its page (0 top … 1 bottom, 0 left … 1 right) and how tall its letters are. */
export function placeFeatures(
  s: Sighting,
  pageWidth: number,
  pageHeight: number,
  medianHeight: number,
): Features {
  const ws = s.words.length ? s.words : s.line.words;
  const top = Math.min(...ws.map((w) => w.bbox[1])) / Math.max(1, pageHeight);
  const right = Math.max(...ws.map((w) => w.bbox[2])) / Math.max(1, pageWidth);
  const heights = ws.map((w) => w.bbox[3] - w.bbox[1]).sort((a, b) => a - b);
  const h = heights[Math.floor(heights.length / 2)] ?? medianHeight;
  return {
    top,
    topThird: top < 1 / 3 ? 1 : 0,
    bottomThird: top > 2 / 3 ? 1 : 0,
    rightHalf: right > 0.55 ? 1 : 0,
    height: Math.max(-1, Math.min(2, h / Math.max(1, medianHeight) - 1)),
    firstPage: s.line.page === 1 ? 1 : 0,
  };
}

export const PLACE_FEATURES = ['top', 'topThird', 'bottomThird', 'rightHalf', 'height', 'firstPage'];

const heightsOf = new WeakMap<readonly TextLine[], Map<number, number>>();

/** The median letter height of each page's words (worked out once per document). */
export function medianHeights(lines: readonly TextLine[]): Map<number, number> {
  const known = heightsOf.get(lines);
  if (known) return known;
  const result = pageMedians(lines);
  heightsOf.set(lines, result);
  return result;
}

function pageMedians(lines: readonly TextLine[]): Map<number, number> {
  const by = new Map<number, number[]>();
  for (const l of lines) {
    const hs = by.get(l.page) ?? [];
    for (const w of l.words) hs.push(w.bbox[3] - w.bbox[1]);
    by.set(l.page, hs);
  }
  return new Map(
    [...by].map(([p, hs]) => {
      hs.sort((a, b) => a - b);
      return [p, hs[Math.floor(hs.length / 2)] ?? 10];
    }),
  );
}
