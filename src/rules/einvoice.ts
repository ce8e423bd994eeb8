// E-invoices (UBL, CII, Facturae, and the PDFs that carry them): the EN 16931 business rules that catch a broken
// or tampered file, each message naming its rule (BR-CO-10, …), and the check that a hybrid PDF's visible page
// says what its XML says. Documents that are not e-invoices pass untouched.
import { Decimal } from 'decimal.js';
import type { FieldName } from '../contract/fields.ts';
import type { EInvoice } from '../contract/result.ts';
import {
  amountField,
  decimalOf,
  type Finding,
  fieldOf,
  money,
  type RuleDocument,
  type RuleFn,
} from './context.ts';

type Tolerance = { tolerance: string };

const sum = (values: Decimal[]) => values.reduce((a, b) => a.plus(b), new Decimal(0));
const total = (e: EInvoice, key: keyof EInvoice['totals']) => decimalOf(e.totals[key]) ?? new Decimal(0);
const off = (a: Decimal, b: Decimal, tolerance: string) => a.minus(b).abs().greaterThan(tolerance);
const diff = (a: Decimal, b: Decimal) => money(a.minus(b).abs());

/** Factur-X MINIMUM and BASIC WL are not full EN 16931 invoices: no lines, fewer parties' details. */
const reducedProfile = (e: EInvoice) => /minimum|basicwl/i.test(e.specification ?? '');

interface Mandatory {
  rule: string;
  what: string;
  field?: FieldName;
  present?: (e: EInvoice, doc: RuleDocument) => boolean;
  /** EN 16931 only: not asked of Facturae, whose standard has no such element. */
  en16931?: boolean;
  /** Not asked of the reduced profiles (MINIMUM, BASIC WL). */
  full?: boolean;
}

const MANDATORY: Mandatory[] = [
  {
    rule: 'BR-01',
    what: 'the specification identifier (BT-24)',
    present: (e) => !!e.specification,
    en16931: true,
  },
  { rule: 'BR-02', what: 'the invoice number (BT-1)', field: 'invoiceNumber' },
  { rule: 'BR-03', what: 'the issue date (BT-2)', field: 'invoiceDate' },
  { rule: 'BR-04', what: 'the invoice type code (BT-3)', present: (e) => !!e.typeCode, en16931: true },
  { rule: 'BR-05', what: 'the invoice currency (BT-5)', field: 'currency' },
  { rule: 'BR-06', what: "the seller's name (BT-27)", field: 'vendorName' },
  { rule: 'BR-07', what: "the buyer's name (BT-44)", field: 'customerName' },
  { rule: 'BR-09', what: "the seller's country (BT-40)", present: (e) => !!e.sellerCountry },
  { rule: 'BR-11', what: "the buyer's country (BT-55)", present: (e) => !!e.buyerCountry, full: true },
  {
    rule: 'BR-12',
    what: 'the sum of the line net amounts (BT-106)',
    present: (e) => !!e.totals.lineTotal,
    full: true,
  },
  { rule: 'BR-13', what: 'the total without VAT (BT-109)', field: 'subtotal' },
  { rule: 'BR-14', what: 'the total with VAT (BT-112)', field: 'totalAmount' },
  { rule: 'BR-15', what: 'the amount due (BT-115)', field: 'amountDue' },
  {
    rule: 'BR-16',
    what: 'at least one invoice line (BG-25)',
    present: (_, d) => d.lineItems.length > 0,
    full: true,
  },
];

/** BR-01 … BR-16: what every e-invoice must state. */
export const einvoiceMissing: RuleFn<Record<string, never>> = (doc) => {
  const e = doc.einvoice;
  if (!e) return [];
  const reduced = reducedProfile(e);
  return MANDATORY.filter((m) => !(m.en16931 && e.syntax === 'facturae') && !(m.full && reduced))
    .filter((m) => (m.field ? !fieldOf(doc, m.field)?.value : !m.present?.(e, doc)))
    .map((m) => ({ field: m.field ?? null, message: `${m.rule}: the e-invoice does not state ${m.what}.` }));
};

/** BR-CO-10: the line net amounts add up to BT-106; BR-CO-13: BT-109 = BT-106 − allowances + charges. */
export const einvoiceLinesNet: RuleFn<Tolerance> = (doc, { tolerance }) => {
  const e = doc.einvoice;
  if (!e) return [];
  const out: Finding[] = [];
  const lineTotal = decimalOf(e.totals.lineTotal);
  const amounts = doc.lineItems.map((l) => decimalOf(l.amount));
  if (lineTotal && amounts.length > 0 && amounts.every((a) => a)) {
    const lines = sum(amounts as Decimal[]);
    if (off(lines, lineTotal, tolerance)) {
      out.push({
        field: 'subtotal',
        message: `BR-CO-10: the ${amounts.length} line net amounts add up to ${money(lines)}, but the e-invoice gives their sum (BT-106) as ${money(lineTotal)} (difference ${diff(lines, lineTotal)}).`,
      });
    }
  }
  const net = amountField(doc, 'subtotal');
  if (lineTotal && net) {
    const allowances = total(e, 'allowanceTotal');
    const charges = total(e, 'chargeTotal');
    const expected = lineTotal.minus(allowances).plus(charges);
    if (off(expected, net, tolerance)) {
      out.push({
        field: 'subtotal',
        message: `BR-CO-13: lines ${money(lineTotal)} − allowances ${money(allowances)} + charges ${money(charges)} = ${money(expected)}, but the total without VAT (BT-109) is ${money(net)} (difference ${diff(expected, net)}).`,
      });
    }
  }
  return out;
};

/** BR-CO-14: the VAT total is the sum of the breakdown; BR-CO-15: total with VAT = total without VAT + VAT. */
export const einvoiceTotal: RuleFn<Tolerance> = (doc, { tolerance }) => {
  const e = doc.einvoice;
  if (!e) return [];
  const out: Finding[] = [];
  const currency = fieldOf(doc, 'currency')?.value;
  const tax = amountField(doc, 'taxAmount');
  const parts = e.taxes.map((t) => decimalOf(t.tax));
  if (tax && parts.length > 0 && parts.every((p) => p)) {
    const breakdown = sum(parts as Decimal[]);
    if (off(breakdown, tax, tolerance)) {
      out.push({
        field: 'taxAmount',
        message: `BR-CO-14: the ${parts.length} VAT breakdown amounts add up to ${money(breakdown)}, but the VAT total (BT-110) is ${money(tax)} (difference ${diff(breakdown, tax)}).`,
      });
    }
  }
  const net = amountField(doc, 'subtotal');
  const gross = amountField(doc, 'totalAmount');
  if (net && gross) {
    const withheld = total(e, 'withheld');
    const expected = net.plus(tax ?? 0).minus(withheld);
    if (off(expected, gross, tolerance)) {
      const less = withheld.isZero() ? '' : ` − withheld ${money(withheld)}`;
      out.push({
        field: 'totalAmount',
        message: `BR-CO-15: total without VAT ${money(net)} + VAT ${money(tax ?? new Decimal(0))}${less} = ${money(expected, currency)}, but the total with VAT (BT-112) is ${money(gross, currency)} (difference ${diff(expected, gross)}).`,
      });
    }
  }
  return out;
};

/** BR-CO-16: amount due = total with VAT − paid in advance + rounding. */
export const einvoiceAmountDue: RuleFn<Tolerance> = (doc, { tolerance }) => {
  const e = doc.einvoice;
  const gross = amountField(doc, 'totalAmount');
  const due = amountField(doc, 'amountDue');
  if (!e || !gross || !due) return [];
  const prepaid = total(e, 'prepaid');
  const rounding = total(e, 'rounding');
  const retained = total(e, 'retained');
  const expected = gross.minus(prepaid).plus(rounding).minus(retained);
  if (!off(expected, due, tolerance)) return [];
  const currency = fieldOf(doc, 'currency')?.value;
  const extra = `${rounding.isZero() ? '' : ` + rounding ${money(rounding)}`}${retained.isZero() ? '' : ` − retained ${money(retained)}`}`;
  return [
    {
      field: 'amountDue',
      message: `BR-CO-16: total ${money(gross)} − paid in advance ${money(prepaid)}${extra} = ${money(expected, currency)}, but the amount due (BT-115) is ${money(due, currency)} (difference ${diff(expected, due)}).`,
    },
  ];
};

const compact = (s: string) => s.replace(/[^\p{L}\p{N}]/gu, '').toUpperCase();

/** Every amount the XML states, for telling a page reader's slip (the VAT total taken for the total) from a page
 * that prints an amount the XML never gives. */
function amountsOfXml(doc: RuleDocument, e: EInvoice): Set<string> {
  const values = [
    ...(['subtotal', 'taxAmount', 'totalAmount', 'amountDue'] as const).map((n) => fieldOf(doc, n)?.value),
    ...Object.values(e.totals),
    ...e.taxes.flatMap((t) => [t.tax, t.taxable]),
    ...doc.lineItems.flatMap((l) => [l.amount, l.unitPrice]),
  ];
  return new Set(values.map((v) => decimalOf(v)?.abs().toFixed(2)).filter((v): v is string => !!v));
}

/**
 * A hybrid PDF's visible pages must say what its XML says: the invoice number, the issue date, the total and the
 * IBAN. A person reads the page; the ERP books the XML.
 */
export const einvoiceMismatch: RuleFn<Record<string, never>> = (doc) => {
  const e = doc.einvoice;
  const visible = e?.visible;
  if (!e || !visible) return [];
  const xml = e.attachment ?? 'the XML';
  if (!visible.hasText) {
    return [
      {
        field: null,
        message: `The PDF's pages hold no readable text, so they could not be checked against ${xml}.`,
      },
    ];
  }
  const out: Finding[] = [];
  const onPage = (name: FieldName) => visible.fields[name]?.value;
  // A value still as read from the XML is judged by the search made then; one a reviewer typed, against the page's.
  const notShown = (name: 'invoiceNumber' | 'invoiceDate' | 'totalAmount'): boolean => {
    const field = fieldOf(doc, name);
    if (!field?.value) return false;
    if (field.source) return visible.shown[name] === false;
    const page = onPage(name);
    return (
      page !== undefined &&
      (name === 'totalAmount'
        ? !decimalOf(page)?.equals(field.value)
        : compact(page) !== compact(field.value))
    );
  };
  const reads = (name: FieldName) => (onPage(name) ? `; the page reads "${onPage(name)}"` : '');

  if (notShown('invoiceNumber')) {
    out.push({
      field: 'invoiceNumber',
      message: `The invoice number of ${xml}, "${fieldOf(doc, 'invoiceNumber')?.value}", is not printed on the PDF's pages${reads('invoiceNumber')}.`,
    });
  }
  if (notShown('invoiceDate')) {
    out.push({
      field: 'invoiceDate',
      message: `The issue date of ${xml}, ${fieldOf(doc, 'invoiceDate')?.value}, is not printed on the PDF's pages${reads('invoiceDate')}.`,
    });
  }
  const xmlTotal = amountField(doc, 'totalAmount');
  const currency = fieldOf(doc, 'currency')?.value;
  const pageTotal = decimalOf(onPage('totalAmount'));
  if (xmlTotal && notShown('totalAmount')) {
    out.push({
      field: 'totalAmount',
      message: `The total of ${xml}, ${money(xmlTotal, currency)}, is not printed on the PDF's pages${pageTotal ? `; the page gives ${money(pageTotal)} as the total` : ''}.`,
    });
  } else if (
    xmlTotal &&
    pageTotal &&
    !pageTotal.abs().equals(xmlTotal.abs()) &&
    !amountsOfXml(doc, e).has(pageTotal.abs().toFixed(2))
  ) {
    out.push({
      field: 'totalAmount',
      message: `The PDF's pages give ${money(pageTotal)} as the total, an amount ${xml} does not state (its total is ${money(xmlTotal, currency)}).`,
    });
  }
  const account = fieldOf(doc, 'bankAccount')?.value;
  const ibans = visible.ibans;
  if (ibans.length > 0 && !(account && ibans.includes(compact(account)))) {
    out.push({
      field: 'bankAccount',
      message: account
        ? `The PDF's pages ask for payment to ${ibans.join(', ')}, but ${xml} names the account ${account}.`
        : `The PDF's pages ask for payment to ${ibans.join(', ')}, an account ${xml} does not name.`,
    });
  }
  return out;
};
