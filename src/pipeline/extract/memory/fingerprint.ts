// A layout's fingerprint: the page's fixed words (letters only: labels, titles, the issuer's own name and
// address) with where they sit, so documents printed from the same template find each other whatever their
// values, and whatever vendor name the reader took off them.
import type { Layout, Page, Word } from '../../layout.ts';

/** Lower case, accents and punctuation around the word gone; undefined for a word that is not all letters. */
export function fixedWord(text: string): string | undefined {
  if (/\d/.test(text)) return undefined;
  const w = text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '');
  return w.length >= 2 && /^\p{L}+$/u.test(w) ? w : undefined;
}

/** Columns across the page, and rows per page width down it: coarse enough for a scan's drift. */
const COLUMNS = 8;
const ROWS_PER_WIDTH = 12;

const PRICE = /\d[.,]\d{2}(?!\d)/;

const centre = (w: Word, page: Page) => ({
  x: (w.bbox[0] + w.bbox[2]) / 2 / page.width,
  // Down the page in page widths, so a till roll's top keeps its places however long the roll is.
  y: (w.bbox[1] + w.bbox[3]) / 2 / page.width,
});

/**
 * The first page's fixed words, each alone and with its cell on the page. A word alone matches wherever it
 * moved to; with its cell it tells two templates with the same words apart.
 */
export function layoutFingerprint(layout: Layout): string[] {
  const page = layout.pages[0];
  if (!page) return [];
  const tokens = new Set<string>();
  for (const line of page.lines) {
    // A line with a price on it is an item or a total: its words change from one document to the next.
    if (PRICE.test(line.text)) continue;
    for (const word of line.words) {
      const w = fixedWord(word.text);
      if (!w) continue;
      const c = centre(word, page);
      tokens.add(w);
      tokens.add(`${w}@${Math.floor(c.x * COLUMNS)},${Math.floor(c.y * ROWS_PER_WIDTH)}`);
    }
  }
  return [...tokens];
}
