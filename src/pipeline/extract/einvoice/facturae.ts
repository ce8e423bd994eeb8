// Spanish Facturae 3.2, 3.2.1 and 3.2.2 (FACe, the public administration's e-invoice) read as structured input.
//
// Choices a user of the result should know:
// - A file holds one invoice (Modality I); a batch of several is refused, so none is silently dropped.
// - invoiceNumber is the series and the number joined by a hyphen ("A-123"), the number alone without a series:
//   numbers run per series, so the number alone does not name the invoice.
// - subtotal is TotalGrossAmountBeforeTaxes (after general discounts and surcharges), taxAmount TotalTaxOutputs,
//   totalAmount InvoiceTotal (taxes withheld, such as IRPF, already taken off), amountDue TotalExecutableAmount.
// - dueDate is the earliest instalment's; bankAccount the account to be credited of the first instalment with one.
// - A credit (factura rectificativa) is a credit note when its total is negative.
// - The elements below the root are unqualified, as the schema has them; one written in the default namespace
//   is read the same (see xml.ts).
import type { Decimal } from 'decimal.js';
import type { TaxSubtotal } from '../../../contract/result.ts';
import { DocumentError } from '../../errors.ts';
import {
  compactAccount,
  documentTypeOf,
  type EInvoiceReading,
  earliest,
  FieldSet,
  joinAddress,
  joinWords,
  lineItem,
  money,
  plain,
  totalsOf,
  unitPrice,
  ValueReader,
} from './reading.ts';
import { all, at, child, childrenNamed, first, textOf, type XmlElement } from './xml.ts';

interface Party {
  name?: { value: string; el: XmlElement } | undefined;
  taxId?: XmlElement | undefined;
  address?: { value: string; el: XmlElement } | undefined;
  country?: string | undefined;
}

function partyOf(p: XmlElement | undefined): Party {
  const legal = child(p, 'LegalEntity');
  const person = child(p, 'Individual');
  const holder = legal ?? person;
  const corporate = child(legal, 'CorporateName');
  const personName = joinWords(
    textOf(child(person, 'Name')),
    textOf(child(person, 'FirstSurname')),
    textOf(child(person, 'SecondSurname')),
  );
  const name = corporate?.text
    ? { value: corporate.text, el: corporate }
    : personName && person
      ? { value: personName, el: person }
      : undefined;
  const spain = child(holder, 'AddressInSpain');
  const overseas = child(holder, 'OverseasAddress');
  const a = spain ?? overseas;
  const country = textOf(child(a, 'CountryCode'));
  const value = spain
    ? joinAddress([
        textOf(child(a, 'Address')),
        joinWords(textOf(child(a, 'PostCode')), textOf(child(a, 'Town'))),
        textOf(child(a, 'Province')),
        country,
      ])
    : joinAddress([
        textOf(child(a, 'Address')),
        textOf(child(a, 'PostCodeAndTown')),
        textOf(child(a, 'Province')),
        country,
      ]);
  return {
    name,
    taxId: at(p, 'TaxIdentification', 'TaxIdentificationNumber'),
    address: value && a ? { value, el: a } : undefined,
    country,
  };
}

/** A tax of TaxesOutputs or TaxesWithheld: its amounts are AmountType groups (TotalAmount, EquivalentInEuros). */
function taxOf(r: ValueReader, t: XmlElement): TaxSubtotal {
  const rate = r.decimal(child(t, 'TaxRate'));
  const taxable = r.decimal(at(t, 'TaxableBase', 'TotalAmount'));
  let tax = r.decimal(at(t, 'TaxAmount', 'TotalAmount'));
  // The equivalence surcharge (recargo de equivalencia) is charged with the VAT and counted in TotalTaxOutputs.
  const surcharge =
    r.decimal(child(t, 'EquivalenceSurchargeAmount')) ??
    r.decimal(at(t, 'EquivalenceSurchargeAmount', 'TotalAmount'));
  if (tax && surcharge) tax = tax.plus(surcharge);
  const category = textOf(child(t, 'TaxTypeCode'));
  return {
    ...(category ? { category } : {}),
    ...(rate ? { rate: plain(rate) } : {}),
    ...(taxable ? { taxable: money(taxable) } : {}),
    ...(tax ? { tax: money(tax) } : {}),
  };
}

export function readFacturae(root: XmlElement): EInvoiceReading {
  const r = new ValueReader('Facturae invoice');
  const invoices = all(root, 'Invoices', 'Invoice');
  if (invoices.length === 0) r.fail('holds no invoice (Invoices/Invoice).');
  if (invoices.length > 1) {
    throw new DocumentError(
      'unsupported_type',
      `This Facturae file is a batch of ${invoices.length} invoices; upload each invoice as a file of its own.`,
    );
  }
  const invoice = invoices[0] as XmlElement;
  const f = new FieldSet();
  const header = child(invoice, 'InvoiceHeader');
  const issueData = child(invoice, 'InvoiceIssueData');

  const seller = partyOf(at(root, 'Parties', 'SellerParty'));
  const buyer = partyOf(at(root, 'Parties', 'BuyerParty'));
  f.set('vendorName', seller.name?.value, seller.name?.el);
  f.set('vendorTaxId', textOf(seller.taxId), seller.taxId);
  f.set('vendorAddress', seller.address?.value, seller.address?.el);
  f.set('customerName', buyer.name?.value, buyer.name?.el);
  f.set('customerTaxId', textOf(buyer.taxId), buyer.taxId);

  const number = textOf(child(header, 'InvoiceNumber'));
  const series = textOf(child(header, 'InvoiceSeriesCode'));
  f.set(
    'invoiceNumber',
    number && series && !number.startsWith(series) ? `${series}-${number}` : number,
    header,
  );
  const issue = child(issueData, 'IssueDate');
  f.set('invoiceDate', r.date(issue), issue);
  const installments = all(invoice, 'PaymentDetails', 'Installment');
  const due = earliest(
    installments
      .map((i) => child(i, 'InstallmentDueDate'))
      .filter((e): e is XmlElement => !!e)
      .map((el) => ({ value: r.date(el), el })),
  );
  f.set('dueDate', due?.value, due?.el);
  // The buyer's order number is given per line; it is the document's when the lines agree on one.
  const orders = all(invoice, 'Items', 'InvoiceLine', 'ReceiverTransactionReference').filter((e) => e.text);
  if (orders.length && orders.every((o) => o.text === orders[0]?.text))
    f.set('purchaseOrder', orders[0]?.text, orders[0]);
  const currencyEl =
    first(issueData, ['InvoiceCurrencyCode']) ?? at(root, 'FileHeader', 'Batch', 'InvoiceCurrencyCode');
  f.set('currency', textOf(currencyEl)?.toUpperCase(), currencyEl);

  const t = child(invoice, 'InvoiceTotals');
  const amount = (name: string): [Decimal | undefined, XmlElement | undefined] => {
    const el = child(t, name);
    return [r.decimal(el), el];
  };
  const [beforeTaxes, beforeTaxesEl] = amount('TotalGrossAmountBeforeTaxes');
  const [taxOutputs, taxOutputsEl] = amount('TotalTaxOutputs');
  const [total, totalEl] = amount('InvoiceTotal');
  const [executable, executableEl] = amount('TotalExecutableAmount');
  f.amount('subtotal', beforeTaxes, beforeTaxesEl);
  f.amount('taxAmount', taxOutputs, taxOutputsEl);
  f.amount('totalAmount', total, totalEl);
  f.amount('amountDue', executable, executableEl);

  const account = installments
    .map((i) => at(i, 'AccountToBeCredited', 'IBAN') ?? at(i, 'AccountToBeCredited', 'AccountNumber'))
    .find((e) => e?.text);
  f.set('bankAccount', compactAccount(textOf(account)), account);

  const lineItems = all(invoice, 'Items', 'InvoiceLine').map((line) => {
    const vat = childrenNamed(child(line, 'TaxesOutputs'), 'Tax');
    return lineItem(
      textOf(child(line, 'ItemDescription')),
      r.decimal(child(line, 'Quantity')),
      unitPrice(r.decimal(child(line, 'UnitPriceWithoutTax')), undefined),
      // GrossAmount is the line after its own discounts and charges, before taxes: what adds up to TotalGrossAmount.
      r.decimal(child(line, 'GrossAmount')) ?? r.decimal(child(line, 'TotalCost')),
      r.decimal(child(vat[0], 'TaxRate')),
    );
  });

  const retained = all(t, 'AmountsWithheld', 'WithholdingAmount')
    .map((e) => r.decimal(e))
    .reduce<Decimal | undefined>((acc, d) => (d ? (acc ? acc.plus(d) : d) : acc), undefined);
  const language = textOf(child(issueData, 'LanguageName'))?.toLowerCase();
  return {
    documentType: documentTypeOf(undefined, f.value('totalAmount')),
    language: language && /^[a-z]{2}$/.test(language) ? language : 'es',
    fields: f.fields,
    lineItems,
    einvoice: {
      syntax: 'facturae',
      ...(textOf(at(root, 'FileHeader', 'SchemaVersion'))
        ? { specification: `Facturae ${textOf(at(root, 'FileHeader', 'SchemaVersion'))}` }
        : {}),
      ...(seller.country ? { sellerCountry: seller.country.toUpperCase() } : {}),
      ...(buyer.country ? { buyerCountry: buyer.country.toUpperCase() } : {}),
      totals: totalsOf({
        lineTotal: amount('TotalGrossAmount')[0],
        allowanceTotal: amount('TotalGeneralDiscounts')[0],
        chargeTotal: amount('TotalGeneralSurcharges')[0],
        prepaid: amount('TotalPaymentsOnAccount')[0],
        rounding: undefined,
        withheld: amount('TotalTaxesWithheld')[0],
        retained,
      }),
      taxes: childrenNamed(child(invoice, 'TaxesOutputs'), 'Tax').map((x) => taxOf(r, x)),
    },
  };
}
