// UN/CEFACT Cross Industry Invoice read as structured input: D16B (EN 16931, XRechnung, Factur-X and ZUGFeRD 2.x)
// and ZUGFeRD 1.0's CrossIndustryDocument, which says the same things under older element names.
//
// Choices a user of the result should know:
// - vendorName/customerName are the trade parties' names (BT-27/BT-44), not the trading business names.
// - vendorTaxId is the VAT identifier (SpecifiedTaxRegistration with schemeID VA, BT-31), else the local tax
//   number (schemeID FC, BT-32).
// - subtotal is TaxBasisTotalAmount (BT-109), taxAmount the TaxTotalAmount in the invoice currency (BT-110; one in
//   the tax currency is ignored), totalAmount GrandTotalAmount (BT-112), amountDue DuePayableAmount (BT-115).
// - bankAccount is the payee's account (PayeePartyCreditorFinancialAccount): never the debited account of a direct
//   debit. dueDate is the earliest of the payment terms' due dates.
// - Line items are the invoice's lines; the sub-lines and information-only lines of Factur-X EXTENDED are left
//   out, as they do not add up into the totals.
import type { Decimal } from 'decimal.js';
import type { EInvoiceSyntax, TaxSubtotal } from '../../../contract/result.ts';
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
import { all, at, child, childrenNamed, textOf, type XmlElement } from './xml.ts';

export const CII_D16B = 'urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100';
export const ZUGFERD_1 = 'urn:ferd:CrossIndustryDocument:invoice:1p0';

/** Where each part of the document is in one version of the syntax. */
interface Version {
  syntax: EInvoiceSyntax;
  what: string;
  context: string;
  header: string;
  transaction: string;
  agreement: string;
  settlement: string;
  summation: string;
  orderId: string[];
  line: { agreement: string; delivery: string; settlement: string; summation: string };
  rate: string;
}

const D16B: Version = {
  syntax: 'cii',
  what: 'CII invoice',
  context: 'rsm:ExchangedDocumentContext',
  header: 'rsm:ExchangedDocument',
  transaction: 'rsm:SupplyChainTradeTransaction',
  agreement: 'ram:ApplicableHeaderTradeAgreement',
  settlement: 'ram:ApplicableHeaderTradeSettlement',
  summation: 'ram:SpecifiedTradeSettlementHeaderMonetarySummation',
  orderId: ['ram:BuyerOrderReferencedDocument', 'ram:IssuerAssignedID'],
  line: {
    agreement: 'ram:SpecifiedLineTradeAgreement',
    delivery: 'ram:SpecifiedLineTradeDelivery',
    settlement: 'ram:SpecifiedLineTradeSettlement',
    summation: 'ram:SpecifiedTradeSettlementLineMonetarySummation',
  },
  rate: 'ram:RateApplicablePercent',
};

const V1: Version = {
  syntax: 'zugferd1',
  what: 'ZUGFeRD 1.0 invoice',
  context: 'rsm:SpecifiedExchangedDocumentContext',
  header: 'rsm:HeaderExchangedDocument',
  transaction: 'rsm:SpecifiedSupplyChainTradeTransaction',
  agreement: 'ram:ApplicableSupplyChainTradeAgreement',
  settlement: 'ram:ApplicableSupplyChainTradeSettlement',
  summation: 'ram:SpecifiedTradeSettlementMonetarySummation',
  orderId: ['ram:BuyerOrderReferencedDocument', 'ram:ID'],
  line: {
    agreement: 'ram:SpecifiedSupplyChainTradeAgreement',
    delivery: 'ram:SpecifiedSupplyChainTradeDelivery',
    settlement: 'ram:SpecifiedSupplyChainTradeSettlement',
    summation: 'ram:SpecifiedTradeSettlementMonetarySummation',
  },
  rate: 'ram:ApplicablePercent',
};

interface Party {
  name?: XmlElement | undefined;
  taxId?: XmlElement | undefined;
  address?: { value: string; el: XmlElement } | undefined;
  country?: string | undefined;
}

function partyOf(p: XmlElement | undefined): Party {
  const registrations = all(p, 'ram:SpecifiedTaxRegistration', 'ram:ID').filter((e) => e.text);
  const scheme = (s: string) => registrations.find((e) => e.attrs.schemeID?.toUpperCase() === s);
  const a = child(p, 'ram:PostalTradeAddress');
  const country = textOf(child(a, 'ram:CountryID'));
  const value = joinAddress([
    textOf(child(a, 'ram:LineOne')),
    textOf(child(a, 'ram:LineTwo')),
    textOf(child(a, 'ram:LineThree')),
    joinWords(textOf(child(a, 'ram:PostcodeCode')), textOf(child(a, 'ram:CityName'))),
    textOf(child(a, 'ram:CountrySubDivisionName')),
    country,
  ]);
  return {
    name: child(p, 'ram:Name'),
    taxId: scheme('VA') ?? scheme('FC') ?? registrations[0],
    address: value && a ? { value, el: a } : undefined,
    country,
  };
}

export function readCii(root: XmlElement): EInvoiceReading {
  const v = root.local === 'CrossIndustryDocument' ? V1 : D16B;
  const r = new ValueReader(v.what);
  const f = new FieldSet();
  const header = child(root, v.header);
  const transaction = child(root, v.transaction);
  const agreement = child(transaction, v.agreement);
  const settlement = child(transaction, v.settlement);
  const currencyEl = child(settlement, 'ram:InvoiceCurrencyCode');
  const currency = textOf(currencyEl)?.toUpperCase();

  const seller = partyOf(child(agreement, 'ram:SellerTradeParty'));
  const buyer = partyOf(child(agreement, 'ram:BuyerTradeParty'));
  f.set('vendorName', textOf(seller.name), seller.name);
  f.set('vendorTaxId', textOf(seller.taxId), seller.taxId);
  f.set('vendorAddress', seller.address?.value, seller.address?.el);
  f.set('customerName', textOf(buyer.name), buyer.name);
  f.set('customerTaxId', textOf(buyer.taxId), buyer.taxId);

  const id = child(header, 'ram:ID');
  f.set('invoiceNumber', textOf(id), id);
  const issue = at(header, 'ram:IssueDateTime', 'udt:DateTimeString');
  f.set('invoiceDate', r.date(issue), issue);
  const due = earliest(
    all(settlement, 'ram:SpecifiedTradePaymentTerms', 'ram:DueDateDateTime', 'udt:DateTimeString').map(
      (el) => ({
        value: r.date(el),
        el,
      }),
    ),
  );
  f.set('dueDate', due?.value, due?.el);
  const order = at(agreement, ...v.orderId);
  f.set('purchaseOrder', textOf(order), order);
  f.set('currency', currency, currencyEl);

  const s = child(settlement, v.summation);
  const amount = (name: string): [Decimal | undefined, XmlElement | undefined] => {
    const el = child(s, name);
    return [r.decimal(el), el];
  };
  const [basis, basisEl] = amount('ram:TaxBasisTotalAmount');
  const [grand, grandEl] = amount('ram:GrandTotalAmount');
  const [due_, dueEl] = amount('ram:DuePayableAmount');
  // BT-110 in the invoice currency; a second TaxTotalAmount in the tax currency (BT-111) only restates it.
  const taxTotals = childrenNamed(s, 'ram:TaxTotalAmount');
  const taxEl =
    taxTotals.find((t) => t.attrs.currencyID?.toUpperCase() === currency) ??
    taxTotals.find((t) => !t.attrs.currencyID) ??
    taxTotals[0];
  f.amount('subtotal', basis, basisEl);
  f.amount('taxAmount', r.decimal(taxEl), taxEl);
  f.amount('totalAmount', grand, grandEl);
  f.amount('amountDue', due_, dueEl);

  const account = all(
    settlement,
    'ram:SpecifiedTradeSettlementPaymentMeans',
    'ram:PayeePartyCreditorFinancialAccount',
  )
    .map((a) => child(a, 'ram:IBANID') ?? child(a, 'ram:ProprietaryID'))
    .find((e) => e?.text);
  f.set('bankAccount', compactAccount(textOf(account)), account);

  const taxes: TaxSubtotal[] = childrenNamed(settlement, 'ram:ApplicableTradeTax').map((t) => {
    const rate = r.decimal(child(t, v.rate));
    const taxable = r.decimal(child(t, 'ram:BasisAmount'));
    const tax = r.decimal(child(t, 'ram:CalculatedAmount'));
    const category = textOf(child(t, 'ram:CategoryCode'));
    return {
      ...(category ? { category } : {}),
      ...(rate ? { rate: plain(rate) } : {}),
      ...(taxable ? { taxable: money(taxable) } : {}),
      ...(tax ? { tax: money(tax) } : {}),
    };
  });

  const lineItems = childrenNamed(transaction, 'ram:IncludedSupplyChainTradeLineItem')
    .filter((line) => {
      const doc = child(line, 'ram:AssociatedDocumentLineDocument');
      return (
        !child(doc, 'ram:ParentLineID') &&
        textOf(child(doc, 'ram:LineStatusReasonCode'))?.toUpperCase() !== 'INFORMATION'
      );
    })
    .map((line) => {
      const product = child(line, 'ram:SpecifiedTradeProduct');
      const price = at(line, v.line.agreement, 'ram:NetPriceProductTradePrice');
      const lineSettlement = child(line, v.line.settlement);
      return lineItem(
        textOf(child(product, 'ram:Name')) ?? textOf(child(product, 'ram:Description')),
        r.decimal(at(line, v.line.delivery, 'ram:BilledQuantity')),
        unitPrice(r.decimal(child(price, 'ram:ChargeAmount')), r.decimal(child(price, 'ram:BasisQuantity'))),
        r.decimal(at(lineSettlement, v.line.summation, 'ram:LineTotalAmount')),
        r.decimal(at(lineSettlement, 'ram:ApplicableTradeTax', v.rate)),
      );
    });

  const typeCode = textOf(child(header, 'ram:TypeCode'));
  const specification = textOf(
    at(root, v.context, 'ram:GuidelineSpecifiedDocumentContextParameter', 'ram:ID'),
  );
  return {
    documentType: documentTypeOf(typeCode, f.value('totalAmount') ?? f.value('amountDue')),
    language: languageOf(seller.country),
    fields: f.fields,
    lineItems,
    einvoice: {
      syntax: v.syntax,
      ...(specification ? { specification } : {}),
      ...(typeCode ? { typeCode } : {}),
      ...(seller.country ? { sellerCountry: seller.country.toUpperCase() } : {}),
      ...(buyer.country ? { buyerCountry: buyer.country.toUpperCase() } : {}),
      totals: totalsOf({
        lineTotal: amount('ram:LineTotalAmount')[0],
        allowanceTotal: amount('ram:AllowanceTotalAmount')[0],
        chargeTotal: amount('ram:ChargeTotalAmount')[0],
        prepaid: amount('ram:TotalPrepaidAmount')[0],
        rounding: amount('ram:RoundingAmount')[0],
        withheld: undefined,
        retained: undefined,
      }),
      taxes,
    },
  };
}
