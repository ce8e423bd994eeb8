// One turn of a page read on the pool: header band apart, body in parts, probes, boxes mapped back upright.
import type { BBox, Word } from '../../pipeline/layout.ts';
import type { PageImage } from '../../pipeline/ports.ts';
import { crop, type Grey, pgm, rows } from './grey.ts';
import { applyHomography } from './paper.ts';
import type { Recognize } from './pool.ts';
import { type PreparedImage, prepareImage } from './prepare.ts';
import { findCuts, findHeaderBand } from './regions.ts';
import {
  clamp,
  confidentShare,
  DOUBTFUL_CONFIDENCE,
  readingScore,
  type TesseractWord,
  wordsOf,
} from './words.ts';

/** Tesseract's page segmentation mode for sparse text: blobs are found wherever they are, in no set order. */
const SPARSE_TEXT = '11';

/** A page prepared for tesseract, with where it is read apart. */
export interface Prepared extends PreparedImage {
  bandBottom: number | undefined;
  /** Where the body (below the header band) is cut into parts read side by side; ascending, may be empty. */
  cuts: number[];
}

/** A reading of a page turned by `rotation`; a probe's has a score and no words. */
export interface Attempt {
  rotation: number;
  words: Word[];
  score: number;
}

/** A word as tesseract read it in a band of the prepared image, and the band's top. */
interface BandWord {
  word: TesseractWord;
  dy: number;
}

export async function preparePage(
  image: PageImage,
  rotation: number,
  options: { headerBand: boolean; parts: number },
): Promise<Prepared> {
  const page = await prepareImage(image, rotation);
  // A header band (title, vendor block and invoice-number block side by side above the first full-width rule)
  // is read apart, in sparse-text mode: read as one uniform block with the rest, tesseract merges the columns'
  // staggered lines and loses their words. The rest of the page is still read as one block (tables, receipts).
  const bandBottom = options.headerBand ? await findHeaderBand(page.prepared) : undefined;
  const cuts = findCuts(page.prepared, bandBottom ?? 0, options.parts);
  return { ...page, bandBottom, cuts };
}

/**
 * Reads a prepared page. A probe reads only the middle of the page (half its width, a quarter of its height) to
 * score this turn, and returns no words.
 */
export async function readAt(
  page: Prepared,
  rotation: number,
  recognize: Recognize,
  probe: boolean,
): Promise<Attempt> {
  if (probe) return { rotation, words: [], score: await readMiddle(page.prepared, recognize) };
  const words = (await readWords(page, recognize)).map(toUprightWord(page));
  const chars = words.reduce((n, w) => n + w.text.length, 0);
  // The score of a reading is the share of its characters that sit in confident, real-looking horizontal words.
  return { rotation, words, score: chars ? readingScore(words) / chars : 0 };
}

/** The score of the middle of a prepared page: half its width, a quarter of its height. */
async function readMiddle(prepared: Grey, recognize: Recognize): Promise<number> {
  const ph = prepared.height;
  const pw = prepared.width;
  const middle = crop(
    prepared,
    Math.floor(pw / 4),
    Math.floor((ph * 3) / 8),
    Math.ceil(pw / 2),
    Math.ceil(ph / 4),
  );
  return confidentShare(wordsOf(await recognize(pgm(middle))));
}

/** tesseract's words of a whole prepared page, in the prepared image's frame, with their bands' tops. */
async function readWords(page: Prepared, recognize: Recognize): Promise<BandWord[]> {
  const { prepared, bandBottom, cuts } = page;
  // A header band is queued first: it is short, and a doubtful one is read a second time. The body is read in
  // parts side by side, each on its own worker when the pool has them free.
  const top = bandBottom === undefined ? undefined : pgm(rows(prepared, 0, bandBottom));
  const sparse = top && recognize(top, { tessedit_pageseg_mode: SPARSE_TEXT });
  const readBody = readBands(prepared, [bandBottom ?? 0, ...cuts, prepared.height], recognize);
  if (!top || !sparse) return readBody;
  const [sparsePage, body] = await Promise.all([sparse, readBody]);
  let header = wordsOf(sparsePage);
  // A band that sparse reading makes little of (a photo's clutter, a logo) is read as one block as well, and
  // the better reading kept.
  if (confidentShare(header) < DOUBTFUL_CONFIDENCE) {
    const single = wordsOf(await recognize(top));
    if (confidentShare(single) > confidentShare(header)) header = single;
  }
  return [...header.map((word) => ({ word, dy: 0 })), ...body];
}

/** Maps words from the prepared image back to the upright image at the resolution passed in. */
function toUprightWord(page: Prepared): (read: BandWord) => Word {
  const { upW, upH, region, scale, sw, sh, skew, prepared, toPhoto } = page;
  const ph = prepared.height;
  const pw = prepared.width;
  const theta = (-skew * Math.PI) / 180;
  const cos = Math.cos(theta);
  const sin = Math.sin(theta);
  const toUpright = (x: number, y: number): [number, number] => {
    const dx = x - pw / 2;
    const dy = y - ph / 2;
    // Undo a clockwise turn by theta (y grows downwards).
    const ux = dx * cos + dy * sin + sw / 2;
    const uy = -dx * sin + dy * cos + sh / 2;
    const x0 = ux / scale + region.left;
    const y0 = uy / scale + region.top;
    return toPhoto ? applyHomography(toPhoto, x0, y0) : [x0, y0];
  };
  return ({ word: w, dy }) => {
    const corners = [
      toUpright(w.bbox.x0, w.bbox.y0 + dy),
      toUpright(w.bbox.x1, w.bbox.y0 + dy),
      toUpright(w.bbox.x0, w.bbox.y1 + dy),
      toUpright(w.bbox.x1, w.bbox.y1 + dy),
    ];
    const xs = corners.map((c) => c[0]);
    const ys = corners.map((c) => c[1]);
    const bbox: BBox = [
      clamp(Math.min(...xs), 0, upW),
      clamp(Math.min(...ys), 0, upH),
      clamp(Math.max(...xs), 0, upW),
      clamp(Math.max(...ys), 0, upH),
    ].map((v) => Math.round(v * 10) / 10) as BBox;
    return { text: w.text.trim(), bbox, confidence: clamp(w.confidence / 100, 0, 1), source: 'ocr' };
  };
}

/** The text of the top quarter of a prepared page, read in parts side by side when it is long enough. */
export async function readTop(page: Prepared, recognize: Recognize, parts: number): Promise<string> {
  const height = Math.max(1, Math.ceil(page.prepared.height / 4));
  const bounds = [0, ...findCuts(rows(page.prepared, 0, height), 0, parts), height];
  return (await readBands(page.prepared, bounds, recognize)).map(({ word }) => word.text).join(' ');
}

/**
 * The words of an image's rows between consecutive `bounds`, each band read as its own image, side by side on
 * the pool; `dy` is the band's top, to add to its words' boxes. In reading order.
 */
async function readBands(image: Grey, bounds: readonly number[], recognize: Recognize): Promise<BandWord[]> {
  const bands = await Promise.all(
    bounds.slice(0, -1).map(async (from, i) => {
      const band = rows(image, from, (bounds[i + 1] as number) - from);
      return wordsOf(await recognize(pgm(band))).map((word) => ({ word, dy: from }));
    }),
  );
  return bands.flat();
}
