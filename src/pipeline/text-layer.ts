// Decides whether a PDF page's text layer can be trusted, or whether the page must be rendered and OCR'd.
import type { PdfTextPage } from './ports.ts';

export interface TextLayerQuality {
  /** Letters and digits in the layer. */
  alphanumeric: number;
  /** Non-space characters in the layer. */
  characters: number;
  /** Characters that only come out of broken font encodings: U+FFFD, private-use and control characters. */
  broken: number;
  /** Words of two or more characters that look like words: they have a vowel or a digit (Latin text only). */
  wordLike: number;
  /** Words of two or more characters. */
  longWords: number;
}

/** Fewer real characters than this and the page is treated as having no text layer (a stamp, a page number). */
export const MIN_USABLE_CHARACTERS = 20;

const ALNUM = /[\p{L}\p{N}]/u;
const BROKEN = /[\uFFFD\p{Co}\p{Cc}]/u;
const LATIN = /\p{Script=Latin}/u;
const VOWEL_OR_DIGIT = /[aeiouyàáâãäåèéêëìíîïòóôõöùúûüýÿ\p{N}]/iu;

export function measureTextLayer(page: PdfTextPage): TextLayerQuality {
  const q: TextLayerQuality = { alphanumeric: 0, characters: 0, broken: 0, wordLike: 0, longWords: 0 };
  for (const word of page.words) {
    let latinLetters = 0;
    let alnum = 0;
    for (const ch of word.text) {
      if (/\s/u.test(ch)) continue;
      q.characters++;
      if (ALNUM.test(ch)) {
        alnum++;
        if (LATIN.test(ch)) latinLetters++;
      } else if (BROKEN.test(ch)) q.broken++;
    }
    q.alphanumeric += alnum;
    if (alnum >= 2) {
      q.longWords++;
      // Non-Latin scripts have no vowels to look for: count them as word-like rather than guess.
      if (latinLetters === 0 || VOWEL_OR_DIGIT.test(word.text)) q.wordLike++;
    }
  }
  return q;
}

/**
 * True when the page has enough real text to read fields from: at least {@link MIN_USABLE_CHARACTERS} letters or
 * digits, mostly letters and digits rather than symbols, almost no characters that only broken font encodings
 * produce, and words that look like words. Scanned PDFs have no layer, a few stray glyphs, or an invisible layer
 * of mis-encoded characters; those go to OCR instead.
 */
export function hasUsableTextLayer(page: PdfTextPage, minCharacters = MIN_USABLE_CHARACTERS): boolean {
  const q = measureTextLayer(page);
  if (q.alphanumeric < minCharacters) return false;
  if (q.alphanumeric / q.characters < 0.5) return false;
  if (q.broken / q.characters > 0.05) return false;
  if (q.longWords > 0 && q.wordLike / q.longWords < 0.6) return false;
  return true;
}
