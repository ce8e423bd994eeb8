// Text lines: a layout's lines as text with each word's character offset, in reading order across pages, and
// the blocks a line splits into at wide gaps. What every extractor reads a document through.
import { type BBox, type Layout, unionBox, type Word } from './layout.ts';

/** One line of the document with the character offset of each word in `text`. */
export interface TextLine {
  /** Reading order across pages. */
  index: number;
  page: number;
  text: string;
  words: Word[];
  offsets: number[];
  bbox: BBox;
}

/**
 * A diagonal watermark ("SEM VALOR FISCAL", "CANCELADA") or vertical text in a text layer: a word far taller than
 * the page's text whose box is too narrow for its letters to be written across. It says nothing about the fields
 * and, grouped into a line, would stretch that line over half the page.
 */
function isWatermark(w: Word, medianHeight: number): boolean {
  const h = w.bbox[3] - w.bbox[1];
  const chars = Math.max(1, w.text.trim().length);
  return h > medianHeight * 3 && (w.bbox[2] - w.bbox[0]) / chars < h * 0.35;
}

export function toTextLines(layout: Layout, options: { dropWatermarks?: boolean } = {}): TextLine[] {
  const out: TextLine[] = [];
  for (const page of layout.pages) {
    const heights = page.lines
      .flatMap((l) => l.words.map((w) => w.bbox[3] - w.bbox[1]))
      .sort((a, b) => a - b);
    const median = heights[Math.floor(heights.length / 2)] ?? 0;
    for (const line of page.lines) {
      const words = line.words.filter(
        (w) => w.text.trim() !== '' && !(options.dropWatermarks && median > 0 && isWatermark(w, median)),
      );
      if (!words.length) continue;
      const offsets: number[] = [];
      let text = '';
      for (const w of words) {
        if (text) text += ' ';
        offsets.push(text.length);
        text += w.text.trim();
      }
      out.push({
        index: out.length,
        page: page.number,
        text,
        words,
        offsets,
        bbox: unionBox(words.map((w) => w.bbox)),
      });
    }
  }
  return out;
}

/** Words of a line that a character span touches. */
export function wordsInSpan(line: TextLine, start: number, end: number): Word[] {
  return line.words.filter((w, i) => {
    const ws = line.offsets[i] as number;
    const we = ws + w.text.trim().length;
    return ws < end && we > start;
  });
}

export const lineHeight = (l: TextLine) => Math.max(1, l.bbox[3] - l.bbox[1]);

/** Blocks of a line split at wide gaps (two columns printed on one baseline), as spans of `line.text`. */
export function segmentsOf(line: TextLine): { start: number; end: number; words: Word[] }[] {
  // The letters' height, not the line box's: a skewed scan's long line has a tall box and would close every gap.
  const hs = line.words.map((w) => w.bbox[3] - w.bbox[1]).sort((a, b) => a - b);
  const h = Math.min(lineHeight(line), Math.max(1, hs[Math.floor(hs.length / 2)] ?? 1));
  const out: { start: number; end: number; words: Word[] }[] = [];
  line.words.forEach((w, i) => {
    const start = line.offsets[i] as number;
    const end = start + w.text.trim().length;
    const prev = out[out.length - 1];
    const prevWord = line.words[i - 1];
    if (prev && prevWord && w.bbox[0] - prevWord.bbox[2] < h * 2.5) {
      prev.end = end;
      prev.words.push(w);
    } else out.push({ start, end, words: [w] });
  });
  return out;
}

/** A block of a line as a line of its own (same index, so block and line stay linked). */
export function segmentLine(line: TextLine, seg: { start: number; end: number; words: Word[] }): TextLine {
  const text = line.text.slice(seg.start, seg.end);
  const offsets = seg.words.map(
    (_, i) => (line.offsets[line.words.indexOf(seg.words[i] as Word)] as number) - seg.start,
  );
  return {
    index: line.index,
    page: line.page,
    text,
    words: seg.words,
    offsets,
    bbox: unionBox(seg.words.map((w) => w.bbox)),
  };
}
