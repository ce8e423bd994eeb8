// Hybrid e-invoices: a PDF (PDF/A-3) carrying its invoice as an attached XML (Factur-X, ZUGFeRD, XRechnung). The
// fields come from the XML; the visible pages are read too, so the rules can check that they say what the XML says.
import type { EInvoiceSyntax } from '../contract/result.ts';
import { DocumentError, isDocumentError } from '../pipeline/errors.ts';
import { describeNonInvoice, einvoiceSyntaxOf, readEInvoiceXml } from '../pipeline/extract/einvoice/index.ts';
import { checkPages } from '../pipeline/extract/einvoice/visible.ts';
import { decodeXml } from '../pipeline/extract/nfe-xml.ts';
import type { PdfAttachment } from '../pipeline/ports.ts';
import { understandDocument } from '../pipeline/understand.ts';
import type { DocumentFormat, FormatReading } from './format.ts';
import { pdfFormat, readPdfPages } from './pdf.ts';

/** The names the standards give the attached invoice, most preferred first: Factur-X and ZUGFeRD 2.1+ write
 * factur-x.xml, XRechnung in a PDF xrechnung.xml, ZUGFeRD 2.0 zugferd-invoice.xml and 1.0 ZUGFeRD-invoice.xml. */
const INVOICE_NAMES = ['factur-x.xml', 'xrechnung.xml', 'zugferd-invoice.xml'];

/**
 * Whether the raw bytes hint at an attached e-invoice, without parsing the PDF: an embedded file, or the XMP
 * extension schema that Factur-X and ZUGFeRD require (PDF/A keeps metadata streams uncompressed). A hint only:
 * reading falls back to a plain PDF when no invoice is attached.
 */
export function mayCarryEInvoice(bytes: Uint8Array): boolean {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return (
    b.includes('/EmbeddedFile', 0, 'latin1') || b.includes(':pdfa:CrossIndustryDocument:invoice', 0, 'latin1')
  );
}

/** The attachment name the PDF's XMP metadata declares (fx:DocumentFileName), when it declares one. */
export function declaredInvoiceName(bytes: Uint8Array): string | undefined {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = b.indexOf('DocumentFileName', 0, 'latin1');
  if (at < 0) return undefined;
  const window = b.subarray(at, at + 300).toString('latin1');
  const m = /^DocumentFileName\s*(?:>|=\s*["'])\s*([^<"']{1,120}?)\s*(?:<|["'])/.exec(window);
  return m?.[1];
}

interface Chosen {
  attachment: PdfAttachment;
  syntax: EInvoiceSyntax;
  text: string;
}

/** The attached e-invoice: a standard name first (factur-x.xml when there are two), then the declared name, then any
 * XML attachment that is an invoice. A file under a standard or declared name that is not one is a broken hybrid. */
function chooseInvoice(
  attachments: PdfAttachment[],
  declared: string | undefined,
  maxBytes: number,
): Chosen | undefined {
  const lower = (s: string) => s.toLowerCase();
  const named = [...INVOICE_NAMES, ...(declared ? [lower(declared)] : [])];
  const rank = (a: PdfAttachment) => {
    const i = named.indexOf(lower(a.name));
    return i < 0 ? named.length : i;
  };
  const candidates = attachments
    .filter((a) => rank(a) < named.length || /\.xml$/i.test(a.name))
    .sort((a, b) => rank(a) - rank(b));
  for (const attachment of candidates) {
    const expected = rank(attachment) < named.length;
    if (attachment.bytes.length > maxBytes) {
      throw new DocumentError(
        'file_too_large',
        `The e-invoice attached to this PDF (${attachment.name}) is ${(attachment.bytes.length / 1048576).toFixed(1)} MB; the limit is ${(maxBytes / 1048576).toFixed(0)} MB.`,
      );
    }
    const text = decodeXml(attachment.bytes);
    const syntax = einvoiceSyntaxOf(text);
    if (syntax) return { attachment, syntax, text };
    if (expected) {
      const what = describeNonInvoice(text);
      throw new DocumentError(
        'corrupt_file',
        `The PDF carries ${attachment.name}, where its e-invoice belongs, but it is ${what ?? 'not an e-invoice XML (UBL or CII)'}; the PDF was not read. Ask the sender for a corrected file.`,
      );
    }
  }
  return undefined;
}

export const einvoicePdfFormat: DocumentFormat = {
  id: 'einvoice-pdf',
  label: 'Factur-X/ZUGFeRD/XRechnung PDF',
  extensions: ['.pdf'],
  // Above plain PDF (1) when the bytes hint at an attachment; the attachments themselves are looked at in read().
  detect: ({ sniffed, bytes }) =>
    sniffed?.mime === 'application/pdf' && mayCarryEInvoice(bytes)
      ? { mediaType: 'application/pdf', score: 2 }
      : undefined,

  async read(bytes, tools): Promise<FormatReading> {
    const pdf = await tools.pdf.open(bytes, tools.limits);
    try {
      const declared = declaredInvoiceName(bytes);
      const chosen = chooseInvoice(await pdf.attachments(), declared, tools.limits.maxBytes);
      if (!chosen) {
        if (declared) {
          throw new DocumentError(
            'corrupt_file',
            `The PDF declares an attached e-invoice (${declared}), but it cannot be found or extracted; the file is damaged. Ask the sender for it again.`,
          );
        }
        // An attachment of another kind (a spreadsheet, a picture): an ordinary PDF.
        return { layout: { pages: await readPdfPages(pdf, tools) }, readAs: pdfFormat.id };
      }
      let reading: ReturnType<typeof readEInvoiceXml>;
      try {
        reading = readEInvoiceXml(chosen.text, chosen.syntax);
      } catch (error) {
        if (!isDocumentError(error)) throw error;
        throw new DocumentError(
          error.code,
          `The e-invoice attached to this PDF (${chosen.attachment.name}) cannot be read: ${error.message}`,
          { cause: error },
        );
      }
      const layout = { pages: await readPdfPages(pdf, tools) };
      const { einvoice, ...understood } = reading;
      // The page as a person sees it, read as any PDF is, then checked against the XML's values.
      const page = understandDocument(layout, {});
      return {
        layout,
        understood,
        einvoice: {
          ...einvoice,
          attachment: chosen.attachment.name,
          visible: checkPages(layout, understood.fields, page.fields),
        },
      };
    } finally {
      await pdf.close();
    }
  },

  renderPage: pdfFormat.renderPage,
};
