// UN/CEFACT Cross Industry Invoice XML (XRechnung, Factur-X, ZUGFeRD 2.x) and ZUGFeRD 1.0's CrossIndustryDocument,
// read from their elements.
import { einvoiceXmlFormat } from './einvoice-xml.ts';

export const ciiXmlFormat = einvoiceXmlFormat({
  id: 'cii-xml',
  label: 'CII XML (XRechnung, ZUGFeRD)',
  syntaxes: ['cii', 'zugferd1'],
  describes: /UN\/CEFACT|<CrossIndustry/,
});
