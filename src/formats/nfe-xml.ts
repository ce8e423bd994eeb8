// Brazilian NF-e XML: the fiscal document itself, read from its tags (see src/pipeline/extract/nfe-xml.ts).

import { decodeXml, isNfeXml, readNfeXml } from '../pipeline/extract/nfe-xml.ts';
import type { Layout } from '../pipeline/layout.ts';
import type { DocumentFormat } from './format.ts';

export const nfeXmlFormat: DocumentFormat = {
  id: 'nfe-xml',
  label: 'NF-e XML',
  extensions: ['.xml'],
  // Judged by its root element only; the rest may still turn out malformed, which reading reports.
  detect: ({ sniffed, head }) =>
    (!sniffed || sniffed.mime === 'application/xml') && isNfeXml(head)
      ? { mediaType: 'application/xml', score: 1 }
      : undefined,

  async read(bytes) {
    const understood = readNfeXml(decodeXml(bytes));
    // One nominal A4 page with no words: fields from XML carry page 1 and a zero-size bbox.
    const layout: Layout = {
      pages: [{ number: 1, width: 595, height: 842, source: 'xml', rotation: 0, lines: [] }],
    };
    // ICMS, PIS and COFINS are inside the product prices: subtotal + tax is not the total.
    return { layout, understood, pricesIncludeTax: true };
  },
};
