// UBL 2.1 Invoice and CreditNote (EN 16931, Peppol BIS Billing 3.0) read as structured input.
//
// Choices a user of the result should know:
// - vendorName/customerName are the legal names (PartyLegalEntity/RegistrationName, BT-27/BT-44), else the
//   trading name (PartyName/Name).
// - vendorTaxId is the VAT identifier (PartyTaxScheme with TaxScheme VAT, BT-31), else another tax registration.
// - subtotal is the total without VAT (TaxExclusiveAmount, BT-109: lines less allowances plus charges); taxAmount
//   the VAT total in the invoice currency (BT-110; a second TaxTotal in the tax currency, BT-111, is ignored);
//   totalAmount the total with VAT (BT-112); amountDue what is left to pay (PayableAmount, BT-115).
// - bankAccount is the payee's account (PayeeFinancialAccount): never the buyer's account of a direct debit.
import type { Decimal } from 'decimal.js';
import type { TaxSubtotal } from '../../../contract/result.ts';
import {
  compactAccount,
  documentTypeOf,
  type EInvoiceReading,
  earliest,
  FieldSet,
  joinAddress,
  joinWords,
  languageOf,
  lineItem,
  money,
  plain,
  totalsOf,
  unitPrice,
  ValueReader,
} from './reading.ts';
import { all, at, child, childrenNamed, first, textOf, type XmlElement } from './xml.ts';

export const UBL_INVOICE = 'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2';
export const UBL_CREDIT_NOTE = 'urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2';

interface Party {
  name?: XmlElement | undefined;
  taxId?: XmlElement | undefined;
  address?: { value: string; el: XmlElement } | undefined;
  country?: string | undefined;
}

function partyOf(p: XmlElement | undefined): Party {
  const name = first(p, ['cac:PartyLegalEntity', 'cbc:RegistrationName'], ['cac:PartyName', 'cbc:Name']);
  const schemes = childrenNamed(p, 'cac:PartyTaxScheme');
  const vat = schemes.find((s) => textOf(at(s, 'cac:TaxScheme', 'cbc:ID'))?.toUpperCase() === 'VAT');
  const taxId = at(vat, 'cbc:CompanyID') ?? schemes.map((s) => at(s, 'cbc:CompanyID')).find((e) => e?.text);
  const a = child(p, 'cac:PostalAddress');
  const country = textOf(at(a, 'cac:Country', 'cbc:IdentificationCode'));
  const value = joinAddress([
    textOf(at(a, 'cbc:StreetName')),
    textOf(at(a, 'cbc:AdditionalStreetName')),
    ...all(a, 'cac:AddressLine', 'cbc:Line').map(textOf),
    joinWords(textOf(at(a, 'cbc:PostalZone')), textOf(at(a, 'cbc:CityName'))),
    textOf(at(a, 'cbc:CountrySubentity')),
    country,
  ]);
  return { name, taxId, address: value && a ? { value, el: a } : undefined, country };
}

/** Reads a UBL Invoice or CreditNote whose root element is `root`. */
export function readUbl(root: XmlElement): EInvoiceReading {
  const creditNote = root.local === 'CreditNote';
  const r = new ValueReader(creditNote ? 'UBL credit note' : 'UBL invoice');
  const f = new FieldSet();
  const currency = textOf(child(root, 'cbc:DocumentCurrencyCode'));

  const seller = partyOf(at(root, 'cac:AccountingSupplierParty', 'cac:Party'));
  const buyer = partyOf(at(root, 'cac:AccountingCustomerParty', 'cac:Party'));
  f.set('vendorName', textOf(seller.name), seller.name);
  f.set('vendorTaxId', textOf(seller.taxId), seller.taxId);
  f.set('vendorAddress', seller.address?.value, seller.address?.el);
  f.set('customerName', textOf(buyer.name), buyer.name);
  f.set('customerTaxId', textOf(buyer.taxId), buyer.taxId);

  const id = child(root, 'cbc:ID');
  f.set('invoiceNumber', textOf(id), id);
  const issue = child(root, 'cbc:IssueDate');
  f.set('invoiceDate', r.date(issue), issue);
  // Invoice: BT-9 at the root; CreditNote: on the payment means.
  const due =
    earliest(
      [child(root, 'cbc:DueDate')]
        .filter((e): e is XmlElement => !!e)
        .map((el) => ({ value: r.date(el), el })),
    ) ??
    earliest(all(root, 'cac:PaymentMeans', 'cbc:PaymentDueDate').map((el) => ({ value: r.date(el), el })));
  f.set('dueDate', due?.value, due?.el);
  const order = at(root, 'cac:OrderReference', 'cbc:ID');
  f.set('purchaseOrder', textOf(order), order);
  f.set('currency', currency?.toUpperCase(), child(root, 'cbc:DocumentCurrencyCode'));

  // BT-110 is the TaxTotal in the invoice currency; the one in the tax currency (BT-111) only restates it.
  const taxTotals = childrenNamed(root, 'cac:TaxTotal');
  const taxTotal =
    taxTotals.find((t) => child(t, 'cbc:TaxAmount')?.attrs.currencyID === currency) ??
    taxTotals.find((t) => childrenNamed(t, 'cac:TaxSubtotal').length > 0) ??
    taxTotals[0];
  const taxAmount = child(taxTotal, 'cbc:TaxAmount');
  const taxes: TaxSubtotal[] = childrenNamed(taxTotal, 'cac:TaxSubtotal').map((s) => {
    const rate = r.decimal(at(s, 'cac:TaxCategory', 'cbc:Percent'));
    const taxable = r.decimal(child(s, 'cbc:TaxableAmount'));
    const tax = r.decimal(child(s, 'cbc:TaxAmount'));
    const category = textOf(at(s, 'cac:TaxCategory', 'cbc:ID'));
    return {
      ...(category ? { category } : {}),
      ...(rate ? { rate: plain(rate) } : {}),
      ...(taxable ? { taxable: money(taxable) } : {}),
      ...(tax ? { tax: money(tax) } : {}),
    };
  });

  const m = child(root, 'cac:LegalMonetaryTotal');
  const amount = (name: string): [Decimal | undefined, XmlElement | undefined] => {
    const el = child(m, name);
    return [r.decimal(el), el];
  };
  const [taxExclusive, taxExclusiveEl] = amount('cbc:TaxExclusiveAmount');
  const [taxInclusive, taxInclusiveEl] = amount('cbc:TaxInclusiveAmount');
  const [payable, payableEl] = amount('cbc:PayableAmount');
  f.amount('subtotal', taxExclusive, taxExclusiveEl);
  f.amount('taxAmount', r.decimal(taxAmount), taxAmount);
  f.amount('totalAmount', taxInclusive, taxInclusiveEl);
  f.amount('amountDue', payable, payableEl);

  // The payee's account of the first payment means that has one.
  const account = all(root, 'cac:PaymentMeans', 'cac:PayeeFinancialAccount', 'cbc:ID').find((e) => e.text);
  f.set('bankAccount', compactAccount(textOf(account)), account);

  const lineName = creditNote ? 'cac:CreditNoteLine' : 'cac:InvoiceLine';
  const quantityName = creditNote ? 'cbc:CreditedQuantity' : 'cbc:InvoicedQuantity';
  const lineItems = childrenNamed(root, lineName).map((line) => {
    const item = child(line, 'cac:Item');
    return lineItem(
      textOf(child(item, 'cbc:Name')) ?? textOf(child(item, 'cbc:Description')),
      r.decimal(child(line, quantityName)),
      unitPrice(
        r.decimal(at(line, 'cac:Price', 'cbc:PriceAmount')),
        r.decimal(at(line, 'cac:Price', 'cbc:BaseQuantity')),
      ),
      r.decimal(child(line, 'cbc:LineExtensionAmount')),
      r.decimal(at(item, 'cac:ClassifiedTaxCategory', 'cbc:Percent')),
    );
  });

  const typeCode = textOf(child(root, creditNote ? 'cbc:CreditNoteTypeCode' : 'cbc:InvoiceTypeCode'));
  const specification = textOf(child(root, 'cbc:CustomizationID'));
  return {
    documentType: documentTypeOf(typeCode, f.value('totalAmount') ?? f.value('amountDue'), creditNote),
    language: languageOf(seller.country),
    fields: f.fields,
    lineItems,
    einvoice: {
      syntax: 'ubl',
      ...(specification ? { specification } : {}),
      ...(typeCode ? { typeCode } : {}),
      ...(seller.country ? { sellerCountry: seller.country.toUpperCase() } : {}),
      ...(buyer.country ? { buyerCountry: buyer.country.toUpperCase() } : {}),
      totals: totalsOf({
        lineTotal: amount('cbc:LineExtensionAmount')[0],
        allowanceTotal: amount('cbc:AllowanceTotalAmount')[0],
        chargeTotal: amount('cbc:ChargeTotalAmount')[0],
        prepaid: amount('cbc:PrepaidAmount')[0],
        rounding: amount('cbc:PayableRoundingAmount')[0],
        withheld: undefined,
        retained: undefined,
      }),
      taxes,
    },
  };
}
