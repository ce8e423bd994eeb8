// One typed spec per sample document; the printed text and the expected JSON are both derived from it.
import { Decimal } from 'decimal.js';
import { type ExpectedLineItem, ExpectedSample } from '../sample-spec.ts';

export type Language = 'en' | 'pt' | 'es';
/** en-US: $ and MDY dates; en-EU: € and "15 Mar 2025"; pt-BR: R$ 1.234,56; es-ES: 1.234,56 €. */
export type Locale = 'en-US' | 'en-EU' | 'pt-BR' | 'es-ES';
export type Currency = 'USD' | 'EUR' | 'BRL';
/** numeric: 03/15/2025 (US) or 15/03/2025; long: "15 de março de 2025", "March 15, 2025"; short: "15 Mar 2025". */
export type DateStyle = 'numeric' | 'long' | 'short';

export interface Party {
  name: string;
  /** Printed lines; the expected `vendorAddress` is these joined with ", ". */
  address: string[];
  taxId?: { label: string; value: string };
}

export interface ItemSpec {
  description: string;
  /** Decimal string, '.' separator. */
  quantity: string;
  unitPrice: string;
}

/** How the document reaches us. */
export type Delivery =
  | { kind: 'digital' }
  /** Rendered, degraded and wrapped in a PDF with no text layer. */
  | { kind: 'scan-pdf'; dpi: number; angle: number }
  /** Rendered and saved as an image (all pages, for a multi-page TIFF). */
  | {
      kind: 'image';
      format: 'jpeg' | 'png' | 'webp' | 'tiff';
      dpi: number;
      /** Small skew in degrees, as a hand-held photo or a crooked scan. */
      angle: number;
      /** Quarter turns applied to the pixels (the file is stored that way, no EXIF orientation). */
      turn: 0 | 90 | 180 | 270;
      look: 'scan' | 'photo';
      noise: number;
    };

interface SpecBase {
  /** File name without extension. */
  name: string;
  /** What the sample exercises, for samples/README.md. */
  tests: string;
  language: Language;
  locale: Locale;
  currency: Currency;
  dateStyle: DateStyle;
  vendor: Party;
  invoiceNumber?: string;
  invoiceDate: string;
  items: ItemSpec[];
  /** Percent, decimal string, e.g. "21" or "8.25". */
  taxRate?: string;
  delivery: Delivery;
}

export interface InvoiceSpec extends SpecBase {
  documentType: 'invoice';
  customer: Party;
  dueDate?: string;
  purchaseOrder?: string;
  /** Line items on each page; the totals follow the last one. Defaults to all on page 1. */
  itemsPerPage?: number[];
  /** Lines printed below the totals: payment terms, bank details. */
  footer: string[];
  /** A total printed instead of the computed one: a planted arithmetic error (bench:routing). */
  printedTotal?: string;
  /** The last n items count in the totals but are left off the table: a line the reader misses (review tests). */
  unprintedItems?: number;
}

export interface ReceiptSpec extends SpecBase {
  documentType: 'receipt';
  /** Extra lines under the vendor header (phone, NFC-e heading). */
  headerLines?: string[];
  time: string;
  /** Prices include tax and the ticket prints a tax breakdown (Spanish "IVA incluido"). */
  pricesIncludeTax?: boolean;
  payment: { method: string; tendered?: string };
  thanks: string;
}

export type SampleSpec = InvoiceSpec | ReceiptSpec;

export interface Totals {
  lines: { item: ItemSpec; amount: Decimal }[];
  subtotal: Decimal;
  tax: Decimal | null;
  total: Decimal;
}

const round2 = (d: Decimal): Decimal => d.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);

export function totalsOf(spec: SampleSpec): Totals {
  const lines = spec.items.map((item) => {
    const amount = new Decimal(item.quantity).times(item.unitPrice);
    if (amount.decimalPlaces() > 2)
      throw new Error(`${spec.name}: ${item.description} has a fractional cent`);
    return { item, amount };
  });
  const sum = lines.reduce((acc, l) => acc.plus(l.amount), new Decimal(0));
  if (!spec.taxRate) return { lines, subtotal: sum, tax: null, total: sum };
  const rate = new Decimal(spec.taxRate).div(100);
  if (spec.documentType === 'receipt' && spec.pricesIncludeTax) {
    const base = round2(sum.div(rate.plus(1)));
    return { lines, subtotal: base, tax: sum.minus(base), total: sum };
  }
  const tax = round2(sum.times(rate));
  return { lines, subtotal: sum, tax, total: sum.plus(tax) };
}

export function pageCountOf(spec: SampleSpec): number {
  return spec.documentType === 'invoice' && spec.itemsPerPage ? spec.itemsPerPage.length : 1;
}

export function fileNameOf(spec: SampleSpec): string {
  const d = spec.delivery;
  if (d.kind !== 'image') return `${spec.name}.pdf`;
  return `${spec.name}.${d.format === 'jpeg' ? 'jpg' : d.format}`;
}

export function expectedOf(spec: SampleSpec): ExpectedSample {
  const totals = totalsOf(spec);
  const isInvoice = spec.documentType === 'invoice';
  const showsSubtotal = isInvoice || spec.taxRate !== undefined;
  const lineItems: ExpectedLineItem[] = totals.lines.map(({ item, amount }) => {
    // Receipts print no quantity or unit price for a line bought once.
    const printsQuantity = isInvoice || !new Decimal(item.quantity).equals(1);
    return {
      description: item.description,
      ...(printsQuantity
        ? {
            quantity: new Decimal(item.quantity).toString(),
            unitPrice: new Decimal(item.unitPrice).toFixed(2),
          }
        : {}),
      amount: amount.toFixed(2),
    };
  });
  return ExpectedSample.parse({
    file: fileNameOf(spec),
    documentType: spec.documentType,
    language: spec.language,
    pages: pageCountOf(spec),
    ...(spec.documentType === 'receipt' && spec.pricesIncludeTax ? { pricesIncludeTax: true } : {}),
    fields: {
      vendorName: spec.vendor.name,
      vendorTaxId: spec.vendor.taxId?.value,
      vendorAddress: spec.vendor.address.join(', '),
      customerName: isInvoice ? spec.customer.name : undefined,
      customerTaxId: isInvoice ? spec.customer.taxId?.value : undefined,
      invoiceNumber: spec.invoiceNumber,
      invoiceDate: spec.invoiceDate,
      dueDate: isInvoice ? spec.dueDate : undefined,
      purchaseOrder: isInvoice ? spec.purchaseOrder : undefined,
      currency: spec.currency,
      subtotal: showsSubtotal ? totals.subtotal.toFixed(2) : undefined,
      taxAmount: totals.tax?.toFixed(2),
      totalAmount: totals.total.toFixed(2),
    },
    lineItems,
  });
}

// ---- Printing numbers and dates the way each locale does ----

function group(intPart: string, sep: string): string {
  return intPart.replace(/\B(?=(\d{3})+(?!\d))/g, sep);
}

/** A number as printed in a table (no currency symbol), with `places` decimals. */
export function formatNumber(value: Decimal | string, locale: Locale, places = 2): string {
  const fixed = new Decimal(value).toFixed(places);
  const [int, frac] = fixed.split('.') as [string, string | undefined];
  const [thousands, decimal] = locale.startsWith('en') ? [',', '.'] : ['.', ','];
  return frac === undefined ? group(int, thousands) : `${group(int, thousands)}${decimal}${frac}`;
}

export function formatQuantity(value: string, locale: Locale): string {
  const d = new Decimal(value);
  return formatNumber(d, locale, d.decimalPlaces());
}

export function formatMoney(value: Decimal, locale: Locale): string {
  const n = formatNumber(value, locale);
  switch (locale) {
    case 'en-US':
      return `$${n}`;
    case 'en-EU':
      return `€${n}`;
    case 'pt-BR':
      return `R$ ${n}`;
    case 'es-ES':
      return `${n} €`;
  }
}

/** The months' names as documents in each language print them. */
export const MONTHS: Record<Language, string[]> = {
  en: [
    'January',
    'February',
    'March',
    'April',
    'May',
    'June',
    'July',
    'August',
    'September',
    'October',
    'November',
    'December',
  ],
  pt: [
    'janeiro',
    'fevereiro',
    'março',
    'abril',
    'maio',
    'junho',
    'julho',
    'agosto',
    'setembro',
    'outubro',
    'novembro',
    'dezembro',
  ],
  es: [
    'enero',
    'febrero',
    'marzo',
    'abril',
    'mayo',
    'junio',
    'julio',
    'agosto',
    'septiembre',
    'octubre',
    'noviembre',
    'diciembre',
  ],
};

export function formatDate(iso: string, locale: Locale, style: DateStyle): string {
  const [y, m, d] = iso.split('-') as [string, string, string];
  const month = Number(m) - 1;
  const day = Number(d);
  const lang = locale.slice(0, 2) as Language;
  if (style === 'numeric') return locale === 'en-US' ? `${m}/${d}/${y}` : `${d}/${m}/${y}`;
  if (style === 'short') return `${day} ${MONTHS.en[month]!.slice(0, 3)} ${y}`;
  if (lang === 'en')
    return locale === 'en-US' ? `${MONTHS.en[month]} ${day}, ${y}` : `${day} ${MONTHS.en[month]} ${y}`;
  return `${day} de ${MONTHS[lang][month]} de ${y}`;
}
