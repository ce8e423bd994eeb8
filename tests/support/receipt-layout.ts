// Small receipt layouts for extraction tests: rows of words laid out top to bottom, as OCR would give them.
import { groupIntoLines, type Layout, type Word } from '../../src/pipeline/layout.ts';

/** A token: its text, or its text with OCR confidence and print height (default 0.95 and 20 px). */
export type Token = string | { text: string; conf?: number; h?: number };

/** A one-page layout from rows of tokens, top to bottom; every token sits on its row's centre line. */
export function layoutOf(rows: Token[][]): Layout {
  const words: Word[] = [];
  rows.forEach((row, r) => {
    const cy = 20 + r * 40;
    let x = 10;
    for (const t of row) {
      const { text, conf = 0.95, h = 20 } = typeof t === 'string' ? { text: t } : t;
      words.push({
        text,
        bbox: [x, cy - h / 2, x + text.length * 10, cy + h / 2],
        confidence: conf,
        source: 'ocr',
      });
      x += text.length * 10 + 10;
    }
  });
  return {
    pages: [
      {
        number: 1,
        width: 800,
        height: 40 + rows.length * 40,
        source: 'ocr',
        rotation: 0,
        lines: groupIntoLines(words),
      },
    ],
  };
}

/** Rows of tokens from text lines, a token per space-separated word. */
export const rowsOf = (lines: string[]): Token[][] => lines.map((l) => l.split(' '));
