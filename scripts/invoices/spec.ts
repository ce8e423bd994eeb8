// One generated invoice: its data, its look and how it reaches us; the totals it prints and the truth it
// carries are both derived from here, so the document and its expected JSON cannot disagree.
import { Decimal } from 'decimal.js';
import { z } from 'zod';
import { ExpectedSample } from '../sample-spec.ts';
import type { Country, CurrencyCode, DateStyle, DocLanguage, MoneyStyle, NumberStyle } from './locales.ts';

/** The layout families: where the issuer, the customer, the title, the references and the totals sit. */
export const LAYOUT_FAMILIES = [
  /** Issuer top left, title and references top right, bill-to under: the easy one. */
  'classic',
  /** Big title top left, issuer block right-aligned at the top right, customer under the title. */
  'issuer-right',
  /** Issuer centred as a letterhead with a one-line address; title centred; customer and references side by side. */
  'centered-letterhead',
  /** The customer's block first and larger (top left); the issuer lower, behind a "From:" label. */
  'customer-first',
  /** A coloured band with a huge title across the top; issuer small under it; customer right, bold. */
  'title-banner',
  /** Letterhead in two columns: name and address left, contacts, tax ID and bank right. */
  'two-column-letterhead',
  /** The issuer's brand as big stylised letters; its legal name only in small print in the footer. */
  'logo-text',
  /** The issuer's brand as a picture (no text layer); name in the footer, or small beside the logo. */
  'logo-image',
  /** No issuer at the top at all: title, references and customer; the issuer only in the page footer. */
  'footer-issuer',
  /** The issuer's details down a tinted sidebar on the left. */
  'sidebar',
  /** Everything in ruled boxes: issuer and customer boxes side by side, references as a grid, totals as a table row. */
  'boxed-grid',
  /** A delivery note that is also the invoice: the shop delivered to is the biggest thing on the page. */
  'delivery-note',
  /** A summary box on top (amount due, due date, number) before the issuer and the details. */
  'summary-first',
  /** Typewriter: Courier, everything left-aligned, From:/To: blocks, dotted leaders. */
  'typewriter',
  /** Bill-to and ship-to blocks side by side above the issuer's block, which sits at the right. */
  'bill-ship',
] as const;
export type LayoutFamily = (typeof LAYOUT_FAMILIES)[number];

export const DELIVERY_KINDS = ['digital', 'scan', 'photo', 'turned'] as const;
export type DeliveryKind = (typeof DELIVERY_KINDS)[number];

export type Delivery =
  | { kind: 'digital' }
  /** Rendered at `dpi`, greyscale, skewed, grainy, blurred, JPEG-compressed; in an image-only PDF or as the image. */
  | {
      kind: 'scan';
      dpi: number;
      angle: number;
      noise: number;
      blur: number;
      quality: number;
      container: 'pdf' | 'jpeg' | 'png';
    }
  /** A phone photo: page in perspective on a desk, uneven light, a shadow across part of it, JPEG. */
  | { kind: 'photo'; dpi: number; seed: number; quality: number; container: 'pdf' | 'jpeg' }
  /** A scan stored turned by a quarter, a half or three quarters (pixels turned, no EXIF orientation). */
  | { kind: 'turned'; dpi: number; angle: number; turn: 90 | 180 | 270; container: 'pdf' | 'jpeg' | 'png' };

export interface Party {
  /** The legal name as printed. */
  name: string;
  /** The distinctive part of the name, used as a logo or letterhead. */
  brand: string;
  /** Printed lines; the expected address is these joined with ", ". */
  address: string[];
  taxId?: { label: string; value: string };
  /** Phone, e-mail, web lines. */
  contact: string[];
}

export interface LineSpec {
  description: string;
  /** Decimal strings, '.' separator; absent on a line printed with an amount only (a discount). */
  quantity?: string;
  unitPrice?: string;
  amount: string;
  code?: string;
  unit?: string;
  /** Percent; set on every line when the invoice has several rates. */
  taxRate?: string;
}

export type TaxMode =
  | { kind: 'none' }
  | { kind: 'single'; rate: string }
  | { kind: 'multi'; rates: string[] }
  /** Prices include tax: lines add up to the total, the tax is printed as "of which". */
  | { kind: 'inclusive'; rate: string }
  /** Intra-EU B2B: tax printed as 0.00 with a reverse-charge note. */
  | { kind: 'reverse-charge' };

export interface InvoiceSpec {
  /** File name without extension. */
  name: string;
  country: Country;
  language: DocLanguage;
  currency: CurrencyCode;
  numbers: NumberStyle;
  money: MoneyStyle;
  dateStyle: DateStyle;
  vendor: Party;
  customer: Party;
  /** A delivery address with its own name (a shop, a site). */
  shipTo?: Party;
  invoiceNumber: string;
  invoiceDate: string;
  dueDate?: string;
  /** Printed as a payment-terms sentence when there is no due date. */
  termsDays?: number;
  purchaseOrder?: string;
  lines: LineSpec[];
  tax: TaxMode;
  /** A subtotal line is printed (never with prices that include tax). */
  showsSubtotal: boolean;
  /** Printed after the total: a deposit or payment received, then the balance due. */
  paid?: string;
  /** Where to pay, as printed, and in the reader's canonical form. */
  bank?: { printed: string; canonical: string };
  layout: LayoutFamily;
  style: Style;
  delivery: Delivery;
}

export type FontFamily = 'Helvetica' | 'Times' | 'Courier';
export type MetaStyle = 'lines' | 'table' | 'stacked' | 'grid';
export type TotalsStyle = 'block' | 'table-row' | 'boxed' | 'leaders';
export type TableStyle = 'plain' | 'banded' | 'ruled' | 'boxed';
export type ColumnSet =
  | 'desc-qty-unit-amount'
  | 'qty-desc-unit-amount'
  | 'code-desc-qty-unit-amount'
  | 'desc-amount';

/** How one issuer's documents look: the same vendor always prints the same way. */
export interface Style {
  body: FontFamily;
  heading: FontFamily;
  /** Body text size in points. */
  size: number;
  accent: [number, number, number];
  page: 'A4' | 'Letter';
  title: string;
  titleSize: number;
  meta: MetaStyle;
  totals: TotalsStyle;
  table: TableStyle;
  columns: ColumnSet;
  /** Index into each label list of the document's language: one wording per document. */
  wording: number;
  /** The address's postcode-and-town line printed first. */
  townFirst: boolean;
  /** A "Summary" heading above the totals. */
  summaryHeading: boolean;
  /** The legal line at the foot of the page (name, address, tax ID) is printed. */
  legalFooter: boolean;
  /** Logo families: letter-spaced capitals, or the brand in a large italic. */
  logo: 'spaced' | 'italic' | 'bold' | 'mark';
  /** When paid in full: a "PAYMENT RECEIPT" stamp near the top. */
  stamp: boolean;
}

export interface Totals {
  lines: Decimal;
  subtotal: Decimal;
  /** Per rate, in the order printed. */
  taxes: { rate: string; base: Decimal; tax: Decimal }[];
  tax: Decimal | null;
  total: Decimal;
}

const round2 = (d: Decimal): Decimal => d.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);

export function totalsOf(spec: Pick<InvoiceSpec, 'lines' | 'tax'>): Totals {
  const sum = spec.lines.reduce((acc, l) => acc.plus(l.amount), new Decimal(0));
  const t = spec.tax;
  switch (t.kind) {
    case 'none':
      return { lines: sum, subtotal: sum, taxes: [], tax: null, total: sum };
    case 'reverse-charge':
      return {
        lines: sum,
        subtotal: sum,
        taxes: [{ rate: '0', base: sum, tax: new Decimal(0) }],
        tax: new Decimal(0),
        total: sum,
      };
    case 'single': {
      const tax = round2(sum.times(t.rate).div(100));
      return {
        lines: sum,
        subtotal: sum,
        taxes: [{ rate: t.rate, base: sum, tax }],
        tax,
        total: sum.plus(tax),
      };
    }
    case 'multi': {
      const taxes = t.rates.map((rate) => {
        const base = spec.lines
          .filter((l) => l.taxRate === rate)
          .reduce((acc, l) => acc.plus(l.amount), new Decimal(0));
        return { rate, base, tax: round2(base.times(rate).div(100)) };
      });
      const tax = taxes.reduce((acc, x) => acc.plus(x.tax), new Decimal(0));
      return { lines: sum, subtotal: sum, taxes, tax, total: sum.plus(tax) };
    }
    case 'inclusive': {
      const net = round2(sum.div(new Decimal(t.rate).div(100).plus(1)));
      const tax = sum.minus(net);
      return { lines: sum, subtotal: net, taxes: [{ rate: t.rate, base: net, tax }], tax, total: sum };
    }
  }
}

export function extensionOf(delivery: Delivery): string {
  switch (delivery.kind) {
    case 'digital':
      return 'pdf';
    case 'photo':
    case 'scan':
    case 'turned':
      return delivery.container === 'jpeg' ? 'jpg' : delivery.container;
  }
}

export function fileNameOf(spec: InvoiceSpec): string {
  return `${spec.name}.${extensionOf(spec.delivery)}`;
}

// ---- Truth ----

/** What a generated invoice's truth file holds: the samples' expected shape, plus what made it. */
export const InvoiceTruth = ExpectedSample.extend({
  layout: z.enum(LAYOUT_FAMILIES),
  delivery: z.enum(DELIVERY_KINDS),
  /** The generator's seed and the document's place in its corpus. */
  seed: z.number().int(),
  index: z.number().int().nonnegative(),
  country: z.string().length(2),
  /** The customer's and the ship-to's names, and the brand: what a vendor misreading is compared with. */
  customerNames: z.array(z.string()),
  vendorBrand: z.string(),
});
export type InvoiceTruth = z.infer<typeof InvoiceTruth>;

/** The fields the document prints, in the result contract's form; `pages` comes from the rendering. */
export function truthOf(
  spec: InvoiceSpec,
  meta: { seed: number; index: number; pages: number },
): InvoiceTruth {
  const totals = totalsOf(spec);
  const inclusive = spec.tax.kind === 'inclusive';
  const printsSubtotal = spec.showsSubtotal && !inclusive;
  return InvoiceTruth.parse({
    file: fileNameOf(spec),
    documentType: 'invoice',
    language: spec.language,
    pages: meta.pages,
    ...(inclusive ? { pricesIncludeTax: true } : {}),
    fields: {
      vendorName: spec.vendor.name,
      vendorTaxId: spec.vendor.taxId?.value,
      vendorAddress: spec.vendor.address.join(', '),
      customerName: spec.customer.name,
      customerTaxId: spec.customer.taxId?.value,
      invoiceNumber: spec.invoiceNumber,
      invoiceDate: spec.invoiceDate,
      dueDate: spec.dueDate,
      purchaseOrder: spec.purchaseOrder,
      currency: spec.currency,
      subtotal: printsSubtotal ? totals.subtotal.toFixed(2) : undefined,
      taxAmount: totals.tax?.toFixed(2),
      totalAmount: totals.total.toFixed(2),
      bankAccount: spec.bank?.canonical,
    },
    lineItems: spec.lines.map((l) => ({
      description: l.description,
      ...(l.quantity !== undefined && spec.style.columns !== 'desc-amount'
        ? { quantity: new Decimal(l.quantity).toString(), unitPrice: new Decimal(l.unitPrice!).toFixed(2) }
        : {}),
      amount: new Decimal(l.amount).toFixed(2),
    })),
    layout: spec.layout,
    delivery: spec.delivery.kind,
    seed: meta.seed,
    index: meta.index,
    country: spec.country,
    customerNames: [spec.customer.name, ...(spec.shipTo ? [spec.shipTo.name] : [])],
    vendorBrand: spec.vendor.brand,
  });
}

/** The part of a truth file that is a sample's expected JSON. */
export function expectedPartOf(truth: InvoiceTruth): ExpectedSample {
  const {
    layout: _l,
    delivery: _d,
    seed: _s,
    index: _i,
    country: _c,
    customerNames: _n,
    vendorBrand: _b,
    ...rest
  } = truth;
  return ExpectedSample.parse(rest);
}
