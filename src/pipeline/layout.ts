// The one layout model that both the PDF text layer and OCR produce: pages → lines → words.
import { z } from 'zod';

/** [x0, y0, x1, y1] in page coordinates: origin top-left, y grows downwards. */
export const BBox = z.tuple([z.number(), z.number(), z.number(), z.number()]);
export type BBox = z.infer<typeof BBox>;

export const WordSource = z.enum(['text-layer', 'ocr', 'xml']);
export type WordSource = z.infer<typeof WordSource>;

export const Word = z.object({
  text: z.string(),
  bbox: BBox,
  /** 0..1 */
  confidence: z.number().min(0).max(1),
  source: WordSource,
});
export type Word = z.infer<typeof Word>;

export const Line = z.object({
  text: z.string(),
  bbox: BBox,
  words: z.array(Word),
});
export type Line = z.infer<typeof Line>;

export const Page = z.object({
  /** 1-based */
  number: z.number().int().positive(),
  /** Page size in the unit of its bboxes: PDF points for text-layer pages, pixels of the upright image for OCR pages. */
  width: z.number().positive(),
  height: z.number().positive(),
  source: WordSource,
  /** Degrees the page image was turned (clockwise) to read it upright; 0 for text-layer pages. */
  rotation: z.number().default(0),
  lines: z.array(Line),
});
export type Page = z.infer<typeof Page>;

export const Layout = z.object({ pages: z.array(Page) });
export type Layout = z.infer<typeof Layout>;

export function unionBox(boxes: readonly BBox[]): BBox {
  let x0 = Number.POSITIVE_INFINITY;
  let y0 = Number.POSITIVE_INFINITY;
  let x1 = Number.NEGATIVE_INFINITY;
  let y1 = Number.NEGATIVE_INFINITY;
  for (const b of boxes) {
    x0 = Math.min(x0, b[0]);
    y0 = Math.min(y0, b[1]);
    x1 = Math.max(x1, b[2]);
    y1 = Math.max(y1, b[3]);
  }
  return boxes.length ? [x0, y0, x1, y1] : [0, 0, 0, 0];
}

/**
 * Groups loose words into reading-order lines: words whose vertical centres overlap enough share a line,
 * lines are sorted top to bottom and words left to right. Both the text layer and OCR output go through it.
 */
export function groupIntoLines(words: readonly Word[]): Line[] {
  const sorted = [...words]
    .filter((w) => w.text.trim() !== '')
    .sort((a, b) => (a.bbox[1] + a.bbox[3]) / 2 - (b.bbox[1] + b.bbox[3]) / 2);
  const lines: Word[][] = [];
  for (const w of sorted) {
    const h = w.bbox[3] - w.bbox[1];
    const cy = (w.bbox[1] + w.bbox[3]) / 2;
    const line = lines.find((l) => {
      const box = unionBox(l.map((x) => x.bbox));
      const lh = box[3] - box[1];
      const lcy = (box[1] + box[3]) / 2;
      return Math.abs(lcy - cy) < Math.max(2, Math.min(h, lh) * 0.5);
    });
    if (line) line.push(w);
    else lines.push([w]);
  }
  return lines
    .map((ws) => {
      ws.sort((a, b) => a.bbox[0] - b.bbox[0]);
      return { text: ws.map((w) => w.text).join(' '), bbox: unionBox(ws.map((w) => w.bbox)), words: ws };
    })
    .sort((a, b) => a.bbox[1] - b.bbox[1] || a.bbox[0] - b.bbox[0]);
}
