// UBL 2.1 Invoice and CreditNote XML (EN 16931, Peppol BIS Billing 3.0), read from their elements.
import { einvoiceXmlFormat } from './einvoice-xml.ts';

export const ublXmlFormat = einvoiceXmlFormat({
  id: 'ubl-xml',
  label: 'UBL XML (Peppol)',
  syntaxes: ['ubl'],
  describes: /UBL|<Invoice>|<CreditNote>/,
});
