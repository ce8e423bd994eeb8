// Photos and scans: JPEG, PNG, TIFF (every page) and WebP, decoded upright and OCR'd page by page.
import type { DocumentFormat } from './format.ts';

const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/tiff', 'image/webp'];

export const imageFormat: DocumentFormat = {
  id: 'image',
  label: 'JPEG, PNG, TIFF, WebP',
  extensions: ['.jpg', '.jpeg', '.png', '.tif', '.tiff', '.webp'],
  detect: ({ sniffed }) =>
    sniffed && IMAGE_TYPES.includes(sniffed.mime) ? { mediaType: sniffed.mime, score: 1 } : undefined,

  async read(bytes, tools) {
    const images = await tools.images.decode(bytes, tools.limits);
    const pages = await Promise.all(images.map((image, i) => tools.ocrPage(image, i + 1)));
    return { layout: { pages } };
  },

  async renderPage(bytes, page, tools) {
    const pages = await tools.images.decode(bytes, tools.limits);
    return pages[page - 1];
  },
};
