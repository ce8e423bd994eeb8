// E-invoices as structured input: which standard an XML is, from its root element and namespace, and reading it
// into the result contract's fields (confidence 1, no box, the element's path as the source).
import type { EInvoiceSyntax } from '../../../contract/result.ts';
import { DocumentError } from '../../errors.ts';
import { CII_D16B, readCii, ZUGFERD_1 } from './cii.ts';
import { readFacturae } from './facturae.ts';
import type { EInvoiceReading } from './reading.ts';
import { readUbl, UBL_CREDIT_NOTE, UBL_INVOICE } from './ubl.ts';
import { FACTURAE_NAMESPACE, parseXml, type RootElement, rootElementOf } from './xml.ts';

export type { EInvoiceReading } from './reading.ts';

/** The syntaxes read, as the formats that read them name them. */
export const SYNTAX_NAMES: Record<EInvoiceSyntax, string> = {
  ubl: 'UBL invoice',
  cii: 'CII invoice',
  zugferd1: 'ZUGFeRD 1.0 invoice',
  facturae: 'Facturae invoice',
};

/** Which e-invoice syntax a root element is, or undefined when it is none of them. */
export function syntaxOfRoot(root: RootElement | undefined): EInvoiceSyntax | undefined {
  if (!root) return undefined;
  if (
    (root.local === 'Invoice' && root.ns === UBL_INVOICE) ||
    (root.local === 'CreditNote' && root.ns === UBL_CREDIT_NOTE)
  )
    return 'ubl';
  if (root.local === 'CrossIndustryInvoice' && root.ns === CII_D16B) return 'cii';
  if (root.local === 'CrossIndustryDocument' && root.ns === ZUGFERD_1) return 'zugferd1';
  if (root.local === 'Facturae' && FACTURAE_NAMESPACE.test(root.ns)) return 'facturae';
  return undefined;
}

/** The e-invoice syntax of an XML text, judged from its start (the first few kilobytes are enough). */
export function einvoiceSyntaxOf(head: string): EInvoiceSyntax | undefined {
  return syntaxOfRoot(rootElementOf(head.slice(0, 65536)));
}

const UBL_FAMILY = /^urn:oasis:names:specification:ubl:schema:xsd:([A-Za-z]+)-2$/;
const CII_FAMILY = /^urn:un:unece:uncefact:data:standard:(CrossIndustry[A-Za-z]+):\d+$/;

/**
 * What an XML of the e-invoice families is when it is not an invoice that is read: a UBL Order, a CII order, an
 * invoice element without its standard's namespace. Undefined when the root says nothing of the kind.
 */
export function describeNonInvoice(head: string): string | undefined {
  const root = rootElementOf(head.slice(0, 65536));
  if (!root || syntaxOfRoot(root)) return undefined;
  const ubl = UBL_FAMILY.exec(root.ns);
  if (ubl) return `a UBL ${ubl[1]}, not an invoice or credit note`;
  const cii = CII_FAMILY.exec(root.ns);
  if (cii) return `a UN/CEFACT ${cii[1]}, not an invoice`;
  if (
    ['Invoice', 'CreditNote', 'CrossIndustryInvoice', 'CrossIndustryDocument', 'Facturae'].includes(
      root.local,
    )
  ) {
    return `an XML whose root <${root.local}> is not in the namespace of its standard${root.ns ? ` (it is in "${root.ns}")` : ''}`;
  }
  return undefined;
}

/**
 * Reads an e-invoice XML of any of the syntaxes. Throws DocumentError: `corrupt_file` when it is malformed,
 * carries a DOCTYPE, or holds values its standard does not allow; `unsupported_type` when it is none of them.
 */
export function readEInvoiceXml(xml: string, syntax = einvoiceSyntaxOf(xml)): EInvoiceReading {
  if (!syntax) {
    const what = describeNonInvoice(xml);
    throw new DocumentError(
      'unsupported_type',
      `This XML is ${what ?? 'not an e-invoice that is read (UBL, CII, ZUGFeRD or Facturae)'}.`,
    );
  }
  const root = parseXml(xml, SYNTAX_NAMES[syntax]);
  if (syntaxOfRoot(root) !== syntax) {
    throw new DocumentError(
      'corrupt_file',
      `The ${SYNTAX_NAMES[syntax]} could not be read: its root element is not what its start says.`,
    );
  }
  if (syntax === 'ubl') return readUbl(root);
  if (syntax === 'facturae') return readFacturae(root);
  return readCii(root);
}
