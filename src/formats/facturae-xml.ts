// Spanish Facturae 3.2.x XML, read from its elements.
import { einvoiceXmlFormat } from './einvoice-xml.ts';

export const facturaeXmlFormat = einvoiceXmlFormat({
  id: 'facturae-xml',
  label: 'Facturae XML',
  syntaxes: ['facturae'],
  describes: /<Facturae>/,
});
