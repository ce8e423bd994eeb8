// The one layout model that both the PDF text layer and OCR produce: pages → lines → words.
import { z } from 'zod';
import { BBox } from '../contract/geometry.ts';

export { BBox } from '../contract/geometry.ts';

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
  /** Why the page could not be read (a damaged page): it has no lines, and the documents around it still split. */
  unreadable: z.string().optional(),
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
 * Groups loose words into reading-order lines, words left to right and lines top to bottom. Both the text layer
 * and OCR output go through it. OCR boxes stay in the frame of the page as scanned, so a skewed scan's lines
 * slope: the slope is measured from neighbouring words and taken out before words are banded by height. A word
 * joins the line whose centre band it fits best, measured against the line's typical word height: comparing it
 * with a line's growing union box would let two lines of a wrapped table cell merge into one.
 */
export function groupIntoLines(words: readonly Word[]): Line[] {
  const kept = words.filter((w) => w.text.trim() !== '');
  const slope = lineSlope(kept);
  const placed = kept.map((w) => {
    const width = w.bbox[2] - w.bbox[0];
    const h = w.bbox[3] - w.bbox[1];
    const cx = (w.bbox[0] + w.bbox[2]) / 2;
    // A slanted word's box is taller than its letters by the rise across its width.
    return {
      w,
      cy: (w.bbox[1] + w.bbox[3]) / 2 - slope * cx,
      top: w.bbox[1] - slope * cx,
      h: Math.max(h * 0.5, h - Math.abs(slope) * width),
    };
  });
  placed.sort((a, b) => a.cy - b.cy);
  type Band = { items: typeof placed; cy: number; heights: number[] };
  const bands: Band[] = [];
  // A mark far shorter than the page's words (an OCR'd dash or full stop, a box a few pixels high) would found
  // a band of its own that the next words, closest to it, join: lines are built from the words first, and the
  // marks then go to the nearest line.
  const typical = median(placed.map((p) => p.h));
  const isMark = (p: (typeof placed)[number]) => p.h < typical * 0.4;
  const marks = placed.filter(isMark);
  for (const p of placed) {
    if (isMark(p)) continue;
    let best: Band | undefined;
    let bestDist = Number.POSITIVE_INFINITY;
    // Only the last few bands can still take a word: words come sorted by centre.
    for (let i = bands.length - 1; i >= 0 && i >= bands.length - 8; i--) {
      const band = bands[i] as Band;
      const lh = median(band.heights);
      const dist = Math.abs(band.cy - p.cy);
      if (dist < Math.max(2, Math.min(p.h, lh) * 0.5) && dist < bestDist) {
        best = band;
        bestDist = dist;
      }
    }
    if (best) {
      best.items.push(p);
      best.heights.push(p.h);
      best.cy = best.items.reduce((s, x) => s + x.cy, 0) / best.items.length;
    } else bands.push({ items: [p], cy: p.cy, heights: [p.h] });
  }
  for (const p of marks) {
    let best: Band | undefined;
    let bestDist = Number.POSITIVE_INFINITY;
    for (const band of bands) {
      const dist = Math.abs(band.cy - p.cy);
      if (dist < Math.max(2, median(band.heights) * 0.5) && dist < bestDist) {
        best = band;
        bestDist = dist;
      }
    }
    if (best) best.items.push(p);
    else bands.push({ items: [p], cy: p.cy, heights: [p.h] });
  }
  return bands
    .map((band) => {
      const ws = band.items.sort((a, b) => a.w.bbox[0] - b.w.bbox[0]);
      const top = Math.min(...ws.map((x) => x.top));
      const line: Line = {
        text: ws.map((x) => x.w.text).join(' '),
        bbox: unionBox(ws.map((x) => x.w.bbox)),
        words: ws.map((x) => x.w),
      };
      return { line, top, x0: line.bbox[0] };
    })
    .sort((a, b) => a.top - b.top || a.x0 - b.x0)
    .map((x) => x.line);
}

/** The slope (dy/dx) of the page's text lines, from words that follow each other on one line; 0 when unsure. */
function lineSlope(words: readonly Word[]): number {
  const slopes: number[] = [];
  for (let i = 1; i < words.length; i++) {
    const a = words[i - 1] as Word;
    const b = words[i] as Word;
    const ha = a.bbox[3] - a.bbox[1];
    const hb = b.bbox[3] - b.bbox[1];
    const gap = b.bbox[0] - a.bbox[2];
    if (gap < -0.2 * Math.min(ha, hb) || gap > 3 * Math.max(ha, hb)) continue;
    // Boxes of similar height (same font), overlapping vertically.
    if (Math.abs(ha - hb) > 0.3 * Math.max(ha, hb)) continue;
    const dy = (b.bbox[1] + b.bbox[3]) / 2 - (a.bbox[1] + a.bbox[3]) / 2;
    const dx = (b.bbox[0] + b.bbox[2]) / 2 - (a.bbox[0] + a.bbox[2]) / 2;
    if (dx <= 0 || Math.abs(dy) > 0.5 * Math.min(ha, hb)) continue;
    slopes.push(dy / dx);
  }
  if (slopes.length < 8) return 0;
  const s = median(slopes);
  // Beyond ~8° the page was not read as lines anyway; below ~0.2° it makes no difference.
  return Math.abs(s) < 0.0035 || Math.abs(s) > 0.14 ? 0 : s;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[Math.floor(s.length / 2)] as number) : 0;
}
