// Photos and scans: JPEG, PNG, TIFF (every page) and WebP, decoded upright and OCR'd page by page.
import { isFrameFault } from '../pipeline/ports.ts';
import { type DocumentFormat, settlePages } from './format.ts';

const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/tiff', 'image/webp'];

export const imageFormat: DocumentFormat = {
  id: 'image',
  label: 'JPEG, PNG, TIFF, WebP',
  extensions: ['.jpg', '.jpeg', '.png', '.tif', '.tiff', '.webp'],
  detect: ({ sniffed }) =>
    sniffed && IMAGE_TYPES.includes(sniffed.mime) ? { mediaType: sniffed.mime, score: 1 } : undefined,

  async read(bytes, tools) {
    const frames = await tools.images.decodeFrames(bytes, tools.limits);
    // A damaged frame of a stack, or one OCR fails on, is an unreadable page; the others are read.
    const pages = frames.map((frame, i) => {
      const page = isFrameFault(frame) ? Promise.reject(frame.fault) : tools.ocrPage(frame, i + 1);
      page.catch(() => {});
      return page;
    });
    // A lone frame that fails fails the file: settlePages throws when no page could be read.
    return { layout: { pages: await settlePages(pages, (i) => frames[i]!) } };
  },

  async renderPage(bytes, page, tools) {
    const frame = (await tools.images.decodeFrames(bytes, tools.limits))[page - 1];
    return frame && !isFrameFault(frame) ? frame : undefined;
  },
};
