// PDF: each page's text layer when it can be trusted, otherwise the page rendered at 300 dpi and OCR'd.
import { groupIntoLines, type Page } from '../pipeline/layout.ts';
import type { PdfDocumentHandle } from '../pipeline/ports.ts';
import { hasUsableTextLayer } from '../pipeline/text-layer.ts';
import type { DocumentFormat, ReadTools } from './format.ts';

/** Resolution at which PDF pages without a text layer are rendered for OCR. */
export const OCR_RENDER_DPI = 300;
/** Resolution at which a digital page that paints pictures is drawn to look for codes on it. */
const CODES_DPI = 150;
/** Drawn paths from which a page without images may hold a vector barcode or QR code (a table's rules are fewer). */
const CODE_PATHS = 40;
/** Resolution of the page images shown to reviewers. */
const VIEW_DPI = 150;

export const pdfFormat: DocumentFormat = {
  id: 'pdf',
  label: 'PDF',
  extensions: ['.pdf'],
  detect: ({ sniffed }) =>
    sniffed?.mime === 'application/pdf' ? { mediaType: 'application/pdf', score: 1 } : undefined,

  async read(bytes, tools) {
    const pdf = await tools.pdf.open(bytes, tools.limits);
    try {
      return { layout: { pages: await readPdfPages(pdf, tools) } };
    } finally {
      await pdf.close();
    }
  },

  async renderPage(bytes, page, tools) {
    const doc = await tools.pdf.open(bytes, tools.limits);
    try {
      if (page < 1 || page > doc.pageCount) return undefined;
      return await doc.render(page, VIEW_DPI);
    } finally {
      await doc.close();
    }
  },
};

/** Every page of an open PDF: its text layer when it can be trusted, otherwise rendered and OCR'd. */
export async function readPdfPages(pdf: PdfDocumentHandle, tools: ReadTools): Promise<Page[]> {
  const pages: Promise<Page>[] = [];
  for (let n = 1; n <= pdf.pageCount; n++) {
    const text = await pdf.textLayer(n);
    if (hasUsableTextLayer(text)) {
      pages.push(
        Promise.resolve({
          number: n,
          width: text.width,
          height: text.height,
          source: 'text-layer',
          rotation: 0,
          lines: groupIntoLines(text.words),
        }),
      );
      if (tools.readCodes && pdf.pictures) {
        // Only a page that paints an image or many paths can carry a code: text alone costs no rendering.
        const pictures = await pdf.pictures(n);
        if (pictures.images > 0 || pictures.paths >= CODE_PATHS) {
          await tools.readCodes(await pdf.render(n, CODES_DPI), n, text);
        }
      }
    } else {
      // Rendering is sequential (pdf.js holds the document); OCR of rendered pages runs on the pool. A page
      // failing while later ones render is reported by Promise.all below, not as an unhandled rejection.
      const page = tools.ocrPage(await pdf.render(n, OCR_RENDER_DPI), n);
      page.catch(() => {});
      pages.push(page);
    }
  }
  return Promise.all(pages);
}
