// What the e-invoice XML formats share (UBL, CII, Facturae): recognised by their root element and namespace,
// read from their elements (src/pipeline/extract/einvoice/), one nominal page without words, like NF-e.
import type { EInvoiceSyntax } from '../contract/result.ts';
import { describeNonInvoice, einvoiceSyntaxOf, readEInvoiceXml } from '../pipeline/extract/einvoice/index.ts';
import { decodeXml } from '../pipeline/extract/nfe-xml.ts';
import type { Layout } from '../pipeline/layout.ts';
import type { DocumentFormat, FormatReading } from './format.ts';

/** Fields read from XML carry page 1 and a zero-size box: the layout has one nominal A4 page with no words. */
export const XML_LAYOUT: Layout = {
  pages: [{ number: 1, width: 595, height: 842, source: 'xml', rotation: 0, lines: [] }],
};

export function einvoiceXmlFormat(spec: {
  id: string;
  label: string;
  syntaxes: readonly EInvoiceSyntax[];
  /** Says what an XML of this family is when it is not one that is read (an order, a wrong namespace). */
  describes?: RegExp;
}): DocumentFormat {
  const syntaxIn = (head: string) => {
    const syntax = einvoiceSyntaxOf(head);
    return syntax && spec.syntaxes.includes(syntax) ? syntax : undefined;
  };
  return {
    id: spec.id,
    label: spec.label,
    extensions: ['.xml'],
    // Judged by the root element and its namespace; a malformed rest is reported by read(), as corrupt_file.
    detect: ({ sniffed, head }) =>
      (!sniffed || sniffed.mime === 'application/xml') && syntaxIn(head)
        ? { mediaType: 'application/xml', score: 1 }
        : undefined,
    describe: ({ head }) => {
      const what = describeNonInvoice(head);
      return what && spec.describes?.test(what) ? what : undefined;
    },
    async read(bytes): Promise<FormatReading> {
      const { einvoice, ...understood } = readEInvoiceXml(decodeXml(bytes));
      return { layout: structuredClone(XML_LAYOUT), understood, einvoice };
    },
    // No renderPage: an XML has no page images, and the page route answers 404 no_pages.
  };
}
