// How each issuing country writes an invoice: language, currency, numbers, dates, tax rates, tax IDs, and
// the words a document uses for its labels (several per label, so layouts do not all say the same thing).
import { Decimal } from 'decimal.js';
import { MONTHS } from '../samples/model.ts';

export type Country = 'US' | 'GB' | 'DE' | 'FR' | 'NL' | 'PT' | 'ES' | 'BR';
export type DocLanguage = 'en' | 'pt' | 'es';
export type CurrencyCode = 'USD' | 'EUR' | 'BRL' | 'GBP';

export const COUNTRIES: readonly Country[] = ['US', 'GB', 'DE', 'FR', 'NL', 'PT', 'ES', 'BR'];

/** The language an issuer from each country writes in: English for the northern European ones. */
export const LANGUAGE_OF: Record<Country, DocLanguage> = {
  US: 'en',
  GB: 'en',
  DE: 'en',
  FR: 'en',
  NL: 'en',
  PT: 'pt',
  ES: 'es',
  BR: 'pt',
};

export const CURRENCY_OF: Record<Country, CurrencyCode> = {
  US: 'USD',
  GB: 'GBP',
  DE: 'EUR',
  FR: 'EUR',
  NL: 'EUR',
  PT: 'EUR',
  ES: 'EUR',
  BR: 'BRL',
};

// ---- Numbers and money ----

export interface NumberStyle {
  thousands: string;
  decimal: string;
}

/** Money as printed in totals: a symbol or code before or after the number. */
export interface MoneyStyle {
  before: string;
  after: string;
}

export const NUMBER_STYLES: Record<Country, NumberStyle[]> = {
  US: [{ thousands: ',', decimal: '.' }],
  GB: [{ thousands: ',', decimal: '.' }],
  DE: [
    { thousands: '.', decimal: ',' },
    { thousands: ',', decimal: '.' },
  ],
  FR: [
    { thousands: ' ', decimal: ',' },
    { thousands: ',', decimal: '.' },
  ],
  NL: [
    { thousands: '.', decimal: ',' },
    { thousands: ',', decimal: '.' },
  ],
  PT: [
    { thousands: '.', decimal: ',' },
    { thousands: ' ', decimal: ',' },
  ],
  ES: [{ thousands: '.', decimal: ',' }],
  BR: [{ thousands: '.', decimal: ',' }],
};

export const MONEY_STYLES: Record<CurrencyCode, MoneyStyle[]> = {
  USD: [
    { before: '$', after: '' },
    { before: 'USD ', after: '' },
    { before: 'US$', after: '' },
  ],
  GBP: [
    { before: '£', after: '' },
    { before: 'GBP ', after: '' },
  ],
  EUR: [
    { before: '', after: ' €' },
    { before: '€', after: '' },
    { before: '€ ', after: '' },
    { before: 'EUR ', after: '' },
    { before: '', after: ' EUR' },
  ],
  BRL: [
    { before: 'R$ ', after: '' },
    { before: 'R$', after: '' },
  ],
};

export function formatAmount(value: Decimal | string, style: NumberStyle): string {
  const d = new Decimal(value);
  const fixed = d.abs().toFixed(2);
  const [int, frac] = fixed.split('.') as [string, string];
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, style.thousands);
  return `${d.isNegative() ? '-' : ''}${grouped}${style.decimal}${frac}`;
}

export function formatMoneyIn(value: Decimal | string, n: NumberStyle, m: MoneyStyle): string {
  const d = new Decimal(value);
  const body = `${m.before}${formatAmount(d.abs(), n)}${m.after}`;
  return d.isNegative() ? `-${body}` : body;
}

/** A quantity: whole numbers plain, fractions with the decimal sign of the document. */
export function formatQuantityIn(value: string, style: NumberStyle): string {
  const d = new Decimal(value);
  if (d.isInteger()) return d.toFixed(0);
  return d.toFixed(d.decimalPlaces()).replace('.', style.decimal);
}

/** A tax rate as printed: "21", "5.5" or "5,5". */
export function formatRate(rate: string, style: NumberStyle): string {
  return new Decimal(rate).toString().replace('.', style.decimal);
}

// ---- Dates ----

export type DateStyle =
  | 'dmy-slash'
  | 'mdy-slash'
  | 'dmy-dot'
  | 'dmy-dash'
  | 'iso'
  | 'long'
  | 'short'
  | 'dmy-slash-2y';

export const DATE_STYLES: Record<Country, DateStyle[]> = {
  US: ['mdy-slash', 'mdy-slash', 'long', 'short'],
  GB: ['dmy-slash', 'long', 'short'],
  DE: ['dmy-dot', 'long', 'iso'],
  FR: ['dmy-slash', 'long'],
  NL: ['dmy-dash', 'long', 'dmy-slash'],
  PT: ['dmy-slash', 'iso', 'dmy-dash', 'long'],
  ES: ['dmy-slash', 'long', 'dmy-dash', 'dmy-slash-2y'],
  BR: ['dmy-slash', 'dmy-slash', 'long'],
};

export function formatDateIn(iso: string, style: DateStyle, language: DocLanguage, country: Country): string {
  const [y, m, d] = iso.split('-') as [string, string, string];
  const month = Number(m) - 1;
  const day = Number(d);
  switch (style) {
    case 'dmy-slash':
      return `${d}/${m}/${y}`;
    case 'dmy-slash-2y':
      return `${d}/${m}/${y.slice(2)}`;
    case 'mdy-slash':
      return `${m}/${d}/${y}`;
    case 'dmy-dot':
      return `${d}.${m}.${y}`;
    case 'dmy-dash':
      return `${d}-${m}-${y}`;
    case 'iso':
      return iso;
    case 'short': {
      const mon = MONTHS.en[month]!.slice(0, 3);
      return country === 'US' ? `${mon} ${day}, ${y}` : `${day} ${mon} ${y}`;
    }
    case 'long':
      if (language === 'en') {
        return country === 'US' ? `${MONTHS.en[month]} ${day}, ${y}` : `${day} ${MONTHS.en[month]} ${y}`;
      }
      return `${day} de ${MONTHS[language][month]} de ${y}`;
  }
}

// ---- Taxes ----

export const TAX_RATES: Record<Country, { standard: string[]; reduced: string[] }> = {
  US: { standard: ['8.25', '7', '6.5', '5.5', '9.5', '4'], reduced: [] },
  GB: { standard: ['20'], reduced: ['5'] },
  DE: { standard: ['19'], reduced: ['7'] },
  FR: { standard: ['20'], reduced: ['10', '5.5'] },
  NL: { standard: ['21'], reduced: ['9'] },
  PT: { standard: ['23'], reduced: ['13', '6'] },
  ES: { standard: ['21'], reduced: ['10', '4'] },
  BR: { standard: ['5', '3', '2'], reduced: [] },
};

/** The tax line's label for a rate, per issuing country. */
export const TAX_LABELS: Record<Country, ((rate: string) => string)[]> = {
  US: [(r) => `Sales Tax (${r}%)`, (r) => `Tax ${r}%`, (r) => `Sales tax @ ${r}%`],
  GB: [(r) => `VAT @ ${r}%`, (r) => `VAT ${r}%`, (r) => `VAT (${r}%)`],
  DE: [(r) => `VAT ${r}%`, (r) => `VAT (${r}%)`, (r) => `plus ${r}% VAT`],
  FR: [(r) => `VAT ${r}%`, (r) => `VAT (TVA) ${r}%`],
  NL: [(r) => `VAT ${r}%`, (r) => `VAT (BTW) ${r}%`],
  PT: [(r) => `IVA ${r}%`, (r) => `IVA (${r}%)`, (r) => `Taxa IVA ${r}%`],
  ES: [(r) => `IVA ${r}%`, (r) => `I.V.A. ${r}%`, (r) => `Cuota IVA ${r}%`],
  BR: [(r) => `ISS (${r}%)`, (r) => `Impostos (${r}%)`, (r) => `ISS ${r}%`],
};

export const TAX_ID_LABELS: Record<Country, string[]> = {
  US: ['EIN', 'Tax ID', 'Federal Tax ID', 'EIN No.'],
  GB: ['VAT Reg. No.', 'VAT No.', 'VAT Registration No.'],
  DE: ['VAT ID', 'VAT No.', 'USt-IdNr.'],
  FR: ['VAT No.', 'TVA', 'VAT Number'],
  NL: ['VAT No.', 'BTW-nr.', 'VAT Number'],
  PT: ['NIF', 'Contribuinte', 'NIPC'],
  ES: ['CIF', 'C.I.F.', 'NIF'],
  BR: ['CNPJ', 'C.N.P.J.', 'CNPJ nº'],
};

// ---- Words on the page ----

export interface LabelSet {
  number: string[];
  date: string[];
  due: string[];
  po: string[];
  billTo: string[];
  shipTo: string[];
  from: string[];
  subtotal: string[];
  total: string[];
  paid: string[];
  balance: string[];
  totalTax: string[];
  inclTax: ((rate: string) => string)[];
  discount: ((pct: string) => string)[];
  shipping: string[];
  description: string[];
  quantity: string[];
  unitPrice: string[];
  amount: string[];
  code: string[];
  unit: string[];
  rate: string[];
  base: string[];
  page: (n: number, of: number) => string;
  continued: string;
  summary: string[];
  terms: (days: number) => string[];
  onReceipt: string;
  thanks: string[];
  bank: string[];
  reverseCharge: string;
  phone: string;
  receiptStamp: string[];
  deliveredBy: string[];
}

export const LABELS: Record<DocLanguage, LabelSet> = {
  en: {
    number: ['Invoice No.', 'Invoice #', 'Invoice Number', 'No.', 'Number', 'Invoice ref.', 'Document No.'],
    date: ['Invoice Date', 'Date', 'Date of issue', 'Issue date', 'Dated'],
    due: ['Due Date', 'Payment Due', 'Due', 'Pay by'],
    po: ['P.O. Number', 'PO #', 'Your order', 'Order No.', 'Customer PO', 'Your ref.'],
    billTo: ['BILL TO', 'Bill to:', 'Invoice to:', 'To:', 'Customer', 'Sold to:', 'Billed to'],
    shipTo: ['SHIP TO', 'Deliver to:', 'Delivery address', 'Ship to:'],
    from: ['From:', 'Seller:', 'Supplier:', 'Issued by:'],
    subtotal: ['Subtotal', 'Sub-total', 'Net amount', 'Total net', 'Net total'],
    total: ['Total', 'Total Due', 'Invoice Total', 'TOTAL', 'Total Amount', 'Grand Total'],
    paid: ['Amount paid', 'Deposit received', 'Less: payment received', 'Paid on account'],
    balance: ['Balance due', 'Amount due', 'Balance', 'Amount outstanding'],
    totalTax: ['Total VAT', 'Total tax', 'VAT total'],
    inclTax: [(r) => `Includes VAT ${r}%`, (r) => `of which VAT ${r}%`, (r) => `VAT ${r}% included`],
    discount: [(p) => `Discount ${p}%`, (p) => `Less ${p}% trade discount`, (p) => `Volume discount ${p}%`],
    shipping: ['Shipping & handling', 'Delivery charge', 'Freight', 'Carriage'],
    description: ['Description', 'Item', 'Product / Service', 'Details'],
    quantity: ['Qty', 'Quantity', 'Units', 'Qty.'],
    unitPrice: ['Unit Price', 'Rate', 'Price', 'Unit Cost'],
    amount: ['Amount', 'Total', 'Line Total', 'Net'],
    code: ['Code', 'SKU', 'Ref.', 'Item #'],
    unit: ['Unit', 'UoM'],
    rate: ['VAT %', 'Tax %', 'VAT'],
    base: ['Net', 'Taxable', 'Base'],
    page: (n, of) => `Page ${n} of ${of}`,
    continued: 'Continued on next page',
    summary: ['Summary', 'Invoice summary', 'Account summary'],
    terms: (d) => [`Payment terms: ${d} days net.`, `Terms: Net ${d}`, `Please pay within ${d} days.`],
    onReceipt: 'Payment due on receipt.',
    thanks: ['Thank you for your business!', 'Thank you for your order.', 'We appreciate your business.'],
    bank: ['Bank details', 'Payment details', 'Please pay to'],
    reverseCharge: 'Reverse charge: VAT to be accounted for by the recipient.',
    phone: 'Tel.',
    receiptStamp: ['PAYMENT RECEIPT', 'PAID - THANK YOU', 'RECEIPT OF PAYMENT'],
    deliveredBy: ['Delivered by', 'Driver', 'Received by'],
  },
  pt: {
    number: ['Nº da Fatura', 'Fatura Nº', 'Número', 'Nº', 'N.º Documento', 'Documento Nº'],
    date: ['Data de Emissão', 'Data', 'Emissão', 'Data da fatura'],
    due: ['Vencimento', 'Data de Vencimento', 'Pagar até'],
    po: ['Pedido de Compra', 'Pedido', 'Sua referência', 'Nº Pedido'],
    billTo: ['CLIENTE', 'Cliente:', 'Faturar a:', 'Para:', 'Destinatário', 'Exmo(s). Sr(s).'],
    shipTo: ['Entregar em:', 'Local de entrega', 'Endereço de entrega'],
    from: ['De:', 'Emitente:', 'Fornecedor:', 'Prestador:'],
    subtotal: ['Subtotal', 'Total líquido', 'Total ilíquido', 'Valor dos serviços'],
    total: ['Total', 'Valor Total', 'Total a pagar', 'TOTAL', 'Total da Fatura', 'Valor da Fatura'],
    paid: ['Valor pago', 'Sinal recebido', 'Adiantamento recebido'],
    balance: ['Saldo a pagar', 'Valor em dívida', 'Saldo devedor'],
    totalTax: ['Total IVA', 'Total de impostos', 'Total do imposto'],
    inclTax: [(r) => `IVA ${r}% incluído`, (r) => `Inclui IVA ${r}%`],
    discount: [(p) => `Desconto ${p}%`, (p) => `Desconto comercial ${p}%`],
    shipping: ['Frete', 'Portes', 'Transporte e entrega'],
    description: ['Descrição', 'Produto/Serviço', 'Discriminação', 'Artigo'],
    quantity: ['Qtd.', 'Quant.', 'Qtde', 'Quantidade'],
    unitPrice: ['Valor Unit.', 'Preço Unit.', 'P. Unit.', 'Preço'],
    amount: ['Valor', 'Total', 'Valor Total', 'Montante'],
    code: ['Cód.', 'Ref.', 'Código'],
    unit: ['Un.', 'Unid.'],
    rate: ['IVA %', 'Taxa', 'IVA'],
    base: ['Base', 'Incidência', 'Base tributável'],
    page: (n, of) => `Página ${n} de ${of}`,
    continued: 'Continua na próxima página',
    summary: ['Resumo', 'Resumo da fatura', 'Sumário'],
    terms: (d) => [`Condições de pagamento: ${d} dias.`, `Pagamento a ${d} dias.`],
    onReceipt: 'Pagamento à vista.',
    thanks: ['Obrigado pela preferência!', 'Agradecemos a sua encomenda.'],
    bank: ['Dados bancários', 'Pagamento por transferência', 'Coordenadas bancárias'],
    reverseCharge: 'IVA - autoliquidação (art. 2.º n.º 1 al. j) do CIVA).',
    phone: 'Tel.',
    receiptStamp: ['RECIBO DE PAGAMENTO', 'PAGO', 'QUITADO'],
    deliveredBy: ['Entregue por', 'Motorista', 'Recebido por'],
  },
  es: {
    number: ['Factura N.º', 'Nº Factura', 'Número', 'N.º', 'Núm. factura', 'Factura nº'],
    date: ['Fecha', 'Fecha de emisión', 'Fecha factura', 'Fecha de expedición'],
    due: ['Vencimiento', 'Fecha de vencimiento', 'Fecha de pago'],
    po: ['Su pedido', 'Pedido N.º', 'Su referencia', 'N.º pedido'],
    billTo: ['CLIENTE', 'Cliente:', 'Facturar a:', 'Datos del cliente', 'Para:', 'Destinatario'],
    shipTo: ['Enviar a:', 'Dirección de entrega', 'Lugar de entrega'],
    from: ['De:', 'Remitente:', 'Emisor:', 'Proveedor:'],
    subtotal: ['Base imponible', 'Subtotal', 'Importe neto', 'Suma'],
    total: ['Total', 'Importe total', 'TOTAL FACTURA', 'Total a pagar', 'TOTAL'],
    paid: ['Pagado a cuenta', 'Anticipo recibido', 'Entregado a cuenta'],
    balance: ['Saldo pendiente', 'Importe pendiente', 'Pendiente de pago'],
    totalTax: ['Total IVA', 'Total cuota', 'Total impuestos'],
    inclTax: [(r) => `IVA ${r}% incluido`, (r) => `Incluye IVA ${r}%`],
    discount: [(p) => `Descuento ${p}%`, (p) => `Dto. comercial ${p}%`],
    shipping: ['Portes', 'Gastos de envío', 'Transporte'],
    description: ['Concepto', 'Descripción', 'Artículo', 'Detalle'],
    quantity: ['Cantidad', 'Cant.', 'Uds.', 'Unidades'],
    unitPrice: ['Precio unit.', 'Precio', 'P. unitario', 'Precio ud.'],
    amount: ['Importe', 'Total', 'Importe neto', 'Subtotal'],
    code: ['Ref.', 'Código', 'Cód.'],
    unit: ['Ud.', 'Unidad'],
    rate: ['% IVA', 'IVA', 'Tipo'],
    base: ['Base', 'Base imp.', 'Base imponible'],
    page: (n, of) => `Página ${n} de ${of}`,
    continued: 'Continúa en la página siguiente',
    summary: ['Resumen', 'Resumen de la factura', 'Totales'],
    terms: (d) => [`Forma de pago: transferencia a ${d} días.`, `Vencimiento a ${d} días fecha factura.`],
    onReceipt: 'Pago al contado.',
    thanks: ['Gracias por su confianza.', 'Gracias por su pedido.'],
    bank: ['Datos bancarios', 'Forma de pago: transferencia', 'Cuenta de abono'],
    reverseCharge: 'Inversión del sujeto pasivo (art. 84 LIVA).',
    phone: 'Tel.',
    receiptStamp: ['RECIBO DE PAGO', 'PAGADO', 'COBRADO'],
    deliveredBy: ['Entregado por', 'Conductor', 'Recibí conforme'],
  },
};

/** Document titles: what the issuer's country prints at the top, sometimes in its own language. */
export const TITLES: Record<Country, string[]> = {
  US: ['INVOICE', 'Invoice', 'INVOICE', 'COMMERCIAL INVOICE', 'Sales Invoice'],
  GB: ['INVOICE', 'VAT INVOICE', 'TAX INVOICE', 'Invoice'],
  DE: ['RECHNUNG', 'INVOICE', 'Rechnung / Invoice', 'INVOICE / RECHNUNG'],
  FR: ['FACTURE', 'INVOICE', 'Facture / Invoice'],
  NL: ['FACTUUR', 'FACTUUR.', 'INVOICE', 'Factuur / Invoice'],
  PT: ['FATURA', 'Fatura', 'FATURA-RECIBO'],
  ES: ['FACTURA', 'Factura', 'FACTURA ORIGINAL', 'FACTURA.'],
  BR: ['FATURA', 'Fatura de Serviços', 'FATURA / DUPLICATA', 'NOTA DE COBRANÇA'],
};

export const DELIVERY_TITLES: Record<Country, string[]> = {
  US: ['DELIVERY NOTE / INVOICE', 'DELIVERY TICKET & INVOICE'],
  GB: ['DELIVERY NOTE / INVOICE', 'DELIVERY NOTE & INVOICE'],
  DE: ['LIEFERSCHEIN / INVOICE', 'DELIVERY NOTE / INVOICE'],
  FR: ['BON DE LIVRAISON / INVOICE', 'DELIVERY NOTE / INVOICE'],
  NL: ['PAKBON / FACTUUR', 'DELIVERY NOTE / INVOICE'],
  PT: ['GUIA DE REMESSA / FATURA', 'NOTA DE ENTREGA / FATURA'],
  ES: ['ALBARÁN - FACTURA', 'ALBARÁN / FACTURA'],
  BR: ['NOTA DE ENTREGA / FATURA', 'ROMANEIO DE ENTREGA / FATURA'],
};
