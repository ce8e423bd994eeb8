// PDF: each page's text layer when it can be trusted, otherwise the page rendered at 300 dpi and OCR'd.
import { groupIntoLines, type Page } from '../pipeline/layout.ts';
import type { PageImage, PdfDocumentHandle } from '../pipeline/ports.ts';
import { BLANK_WORDS, wordsOn } from '../pipeline/split.ts';
import { hasUsableTextLayer } from '../pipeline/text-layer.ts';
import { type DocumentFormat, pageFault, type ReadTools, settlePages } from './format.ts';

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

/**
 * Every page of an open PDF: its text layer when it can be trusted, otherwise rendered and OCR'd. A damaged page
 * becomes a page with no text, marked unreadable, so a batch splits around it; when no page can be read at all the
 * file is what is damaged, and the first fault stands.
 */
export async function readPdfPages(pdf: PdfDocumentHandle, tools: ReadTools): Promise<Page[]> {
  const pages: Promise<Page>[] = [];
  // A page whose size cannot be read takes the one before it (A4 for the first).
  const sizes: { width: number; height: number }[] = [];
  for (let n = 1; n <= pdf.pageCount; n++) {
    let text: Awaited<ReturnType<PdfDocumentHandle['textLayer']>>;
    try {
      text = await pdf.textLayer(n);
    } catch (e) {
      if (!pageFault(e)) throw e;
      const failed = Promise.reject(e);
      // Settled below: handled now, or the rejection would be reported as unhandled while later pages render.
      failed.catch(() => {});
      pages.push(failed);
      continue;
    }
    sizes[n - 1] = { width: text.width, height: text.height };
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
        // A code that cannot be drawn is a code not read, never a page lost.
        const pictures = await pdf
          .pictures(n)
          .catch((e: unknown) => (pageFault(e) ? undefined : Promise.reject(e)));
        if (pictures && (pictures.images > 0 || pictures.paths >= CODE_PATHS)) {
          const image = await pdf
            .render(n, CODES_DPI)
            .catch((e: unknown) => (pageFault(e) ? undefined : Promise.reject(e)));
          if (image) await tools.readCodes(image, n, text);
        }
      }
    } else {
      // Rendering is sequential (pdf.js holds the document); OCR of rendered pages runs on the pool. A page
      // failing while later ones render is reported by allSettled below, not as an unhandled rejection.
      const image = await pdf
        .render(n, OCR_RENDER_DPI)
        .catch((e: unknown) => (pageFault(e) ? e : Promise.reject(e)));
      const damaged = text.damaged;
      const page =
        image instanceof Error
          ? Promise.reject(image)
          : tools.ocrPage(image as PageImage, n).then((read) =>
              // A drawing pdf.js could not decode, and nothing read off its picture: a damaged page, not a blank one.
              damaged && wordsOn(read) < BLANK_WORDS ? { ...read, unreadable: damaged } : read,
            );
      page.catch(() => {});
      pages.push(page);
    }
  }
  return settlePages(
    pages,
    (i) => sizes.slice(0, i + 1).findLast(Boolean) ?? { width: 595.28, height: 841.89 },
  );
}
