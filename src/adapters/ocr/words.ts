// tesseract's words and how much a reading is worth: the score that picks a page's turn and a header band's mode.
import type { Page as TesseractPage } from 'tesseract.js';
import type { BBox, Word } from '../../pipeline/layout.ts';

/** Below this mean word confidence an orientation is doubted and the opposite one is tried. */
export const DOUBTFUL_CONFIDENCE = 0.5;

export type TesseractWord = TesseractPage['blocks'] extends (infer B)[] | null
  ? B extends { paragraphs: (infer P)[] }
    ? P extends { lines: (infer L)[] }
      ? L extends { words: (infer W)[] }
        ? W
        : never
      : never
    : never
  : never;

export function wordsOf(page: TesseractPage): TesseractWord[] {
  const words: TesseractWord[] = [];
  for (const block of page.blocks ?? [])
    for (const para of block.paragraphs)
      for (const line of para.lines) for (const w of line.words) if (w.text.trim()) words.push(w);
  return words;
}

/** readingScore per character, on tesseract's words in the frame they were read in. */
export function confidentShare(words: readonly TesseractWord[]): number {
  const asWords = words.map((w) => ({
    text: w.text.trim(),
    bbox: [w.bbox.x0, w.bbox.y0, w.bbox.x1, w.bbox.y1] as BBox,
    confidence: clamp(w.confidence / 100, 0, 1),
    source: 'ocr' as const,
  }));
  const chars = asWords.reduce((n, w) => n + w.text.length, 0);
  return chars ? readingScore(asWords) / chars : 0;
}

/**
 * Characters in confident, real-looking horizontal words, weighted by confidence. Text read the wrong way round
 * comes out as scattered symbols, and tesseract can also read vertical text with good confidence, so short
 * tokens and words taller than wide count for nothing.
 */
export function readingScore(words: readonly Word[]): number {
  let good = 0;
  for (const w of words) {
    const wide = w.bbox[2] - w.bbox[0] > w.bbox[3] - w.bbox[1];
    if (wide && (w.text.match(/[\p{L}\p{N}]/gu)?.length ?? 0) >= 3) good += w.confidence * w.text.length;
  }
  return good;
}

export function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
