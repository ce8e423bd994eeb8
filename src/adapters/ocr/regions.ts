// Where a prepared page is read apart: its header band, and the cuts between lines for reading it in parts.
import type { Grey } from './grey.ts';
import { binarise, otsu } from './ink.ts';
import { TARGET_LINE_HEIGHT } from './prepare.ts';

// Header band: the text above the first full-width rule near the top of the page (an invoice's letterhead and its
// number/date block), found on a small binarised copy of the prepared, deskewed image.

/** Width of the copy on which rules are looked for. */
const RULE_SCAN_WIDTH = 1000;
/** A rule spans at least this share of the page's width... */
const RULE_MIN_SPAN = 0.5;
/** ...with breaks no wider than this (pixels of the copy): a scanned rule is never quite solid. */
const RULE_MAX_BREAK = 3;
/**
 * A header band sits in the top of the page: a rule lower than this share of its height starts no header. The
 * height is at least that of a portrait A4 sheet as wide as the image: a short invoice's text region, cropped
 * off the blank rest of its sheet, is mostly header.
 */
const HEADER_MAX_SHARE = 0.4;

/** The bottom of the header band in pixels of the image given, or undefined when the page has none. */
export async function findHeaderBand(image: Grey): Promise<number | undefined> {
  const { width, height } = image;
  const f = Math.min(1, RULE_SCAN_WIDTH / width);
  const bin = await binarise(image, Math.max(1, Math.round(width * f)), Math.max(1, Math.round(height * f)));
  const { ink, w, h } = bin;
  const limit = Math.min(h, Math.floor(Math.max(h, w * Math.SQRT2) * HEADER_MAX_SHARE));
  let textRows = 0;
  for (let y = 0; y < limit; y++) {
    let inkInRow = 0;
    let run = 0;
    let longest = 0;
    let gap = RULE_MAX_BREAK + 1;
    for (let x = 0; x < w; x++) {
      if (ink[y * w + x]) {
        inkInRow++;
        run = gap <= RULE_MAX_BREAK ? run + gap + 1 : 1;
        gap = 0;
        if (run > longest) longest = run;
      } else gap++;
    }
    if (longest >= w * RULE_MIN_SPAN) {
      // A rule with text above it (not a page border or a rule over the letterhead) closes the band.
      if (textRows < h * 0.03) continue;
      // The page must go on below the band: a rule on the last rows closes nothing.
      const bottom = Math.floor(y / f);
      return bottom >= 1 && bottom < height - 8 ? bottom : undefined;
    }
    if (inkInRow >= w * 0.01) textRows++;
  }
  return undefined;
}

// Cutting a page's body between its lines, so that one page keeps every worker of the pool busy: tesseract reads
// a page on one thread, and a dense A4 page takes it seconds.

/** A body shorter than this many text lines (at the prepared scale) is not worth cutting. */
const CUT_MIN_LINES_PER_PART = 12;
/** How far from an even cut a gap between lines is looked for, as a share of a part's height. */
const CUT_SEARCH_SHARE = 0.25;

/**
 * Up to `parts - 1` rows at which the image's rows [from, height) can be cut into parts of about the same height,
 * each in a gap between text lines: the middle of the run of blank rows nearest each even cut. A cut with no
 * gap near it is skipped, so the parts may be fewer.
 */
export function findCuts(image: Grey, from: number, parts: number): number[] {
  const { data, width: w, height: h } = image;
  const bodyHeight = h - from;
  const count = Math.min(parts, Math.floor(bodyHeight / (TARGET_LINE_HEIGHT * CUT_MIN_LINES_PER_PART)));
  if (count < 2) return [];
  const threshold = otsu(data.subarray(from * w));
  // Blank rows have no ink at all: a line of narrow glyphs ("1", ":", "|") has only a few pixels in a row.
  const blank = new Uint8Array(h);
  for (let y = from; y < h; y++) {
    const row = y * w;
    let x = 0;
    while (x < w && (data[row + x] as number) >= threshold) x++;
    blank[y] = x === w ? 1 : 0;
  }
  const cuts: number[] = [];
  const reach = Math.floor((bodyHeight / count) * CUT_SEARCH_SHARE);
  for (let k = 1; k < count; k++) {
    const target = from + Math.round((bodyHeight * k) / count);
    let best: { middle: number; width: number; distance: number } | undefined;
    let y = Math.max(from + 1, target - reach);
    const end = Math.min(h - 1, target + reach);
    while (y <= end) {
      if (!blank[y]) {
        y++;
        continue;
      }
      // Only the part of a gap inside the window counts, so that a wide blank area does not pull the cut away.
      let last = y;
      while (last + 1 <= end && blank[last + 1]) last++;
      const middle = Math.floor((y + last) / 2);
      const width = last - y + 1;
      const distance = Math.abs(middle - target);
      // The gap nearest the even cut, so the parts take as long to read; the wider on a tie. A gap of a row or
      // two may be inside a line's descenders.
      if (
        width >= 3 &&
        (!best || distance < best.distance || (distance === best.distance && width > best.width))
      )
        best = { middle, width, distance };
      y = last + 1;
    }
    if (best && best.middle > (cuts.at(-1) ?? from)) cuts.push(best.middle);
  }
  return cuts;
}
