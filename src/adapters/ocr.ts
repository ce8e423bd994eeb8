// The OCR engine: a pool of tesseract.js workers fed page images that sharp has prepared (greyscale,
// normalised, scaled to a text height tesseract reads well, deskewed, turned upright).
import { availableParallelism } from 'node:os';
import type { Page as TesseractPage } from 'tesseract.js';
import { DocumentError } from '../pipeline/errors.ts';
import type { BBox, Word } from '../pipeline/layout.ts';
import { toTesseractCode } from '../pipeline/ocr-languages.ts';
import type { OcrEngine, OcrPage, OcrReadOptions, PageImage } from '../pipeline/ports.ts';
import { analysePage } from './ocr/analyse.ts';
import { cleanPage, type Region } from './ocr/clean.ts';
import { crop, decodeGrey, fromGrey, type Grey, pgm, rows, toGrey, WHITE } from './ocr/grey.ts';
import { binarise, otsu } from './ocr/ink.ts';
import { type Recognize, WorkerPool } from './ocr/pool.ts';

export interface OcrEngineOptions {
  /** Tesseract language codes (eng, por, spa); the first is the primary one. */
  languages?: string[];
  /** Workers in the pool; defaults to the number of cores. */
  poolSize?: number;
  /** Read an invoice's header band (above the first full-width rule) apart in sparse-text mode; default on. */
  headerBand?: boolean;
}

/** Median text-line height (ink rows of one line) that tesseract's LSTM reads best, in pixels. */
const TARGET_LINE_HEIGHT = 26;
/** Largest prepared image handed to tesseract; bigger costs time without reading better. */
const MAX_PREPARED_PIXELS = 16_000_000;
/** Below this mean word confidence an orientation is doubted and the opposite one is tried. */
const DOUBTFUL_CONFIDENCE = 0.5;
export function createOcrEngine(options: OcrEngineOptions = {}): OcrEngine {
  const languages = (options.languages?.length ? options.languages : ['eng', 'por', 'spa']).map(
    toTesseractCode,
  );
  const poolSize = Math.max(1, options.poolSize ?? availableParallelism());
  const headerBand = options.headerBand ?? true;
  const pool = new WorkerPool(languages, poolSize);
  // Preparation is mostly JavaScript on this thread, so pages gain nothing from preparing side by side, while
  // each holds several full-size copies (about 20 bytes a pixel) meanwhile: one page at a time.
  let preparing: Promise<unknown> = Promise.resolve();
  const prepare = <T>(work: () => Promise<T>): Promise<T> => {
    const run = preparing.then(work, work);
    preparing = run.catch(() => {});
    return run;
  };
  let closed = false;
  // Per set of languages asked for: what its last pages were read in.
  const memories = new Map<string, LanguageMemory>();

  /** The languages asked for, as the engine's tesseract codes; all of the engine's when none are given. */
  const resolve = (asked: readonly string[] | undefined): string[] => {
    const codes = [...new Set((asked?.length ? asked : languages).map(toTesseractCode))];
    const missing = codes.filter((code) => !languages.includes(code));
    if (missing.length) {
      throw new DocumentError(
        'ocr_failed',
        `OCR language ${missing.join(', ')} is not loaded; this engine reads ${languages.join('+')}.`,
      );
    }
    return codes;
  };

  return {
    async readPage(image: PageImage, readOptions: OcrReadOptions = {}): Promise<OcrPage> {
      if (closed) throw new DocumentError('ocr_failed', 'The OCR engine has been closed.');
      const asked = resolve(readOptions.languages);
      const choose = readOptions.chooseLanguages;
      let recent = memories.get(asked.join('+'));
      if (!recent) {
        recent = createLanguageMemory();
        memories.set(asked.join('+'), recent);
      }
      try {
        return await readPage(image, (langs) => pool.recognizer(langs), {
          headerBand,
          parts: poolSize,
          prepare,
          recent,
          languages: asked,
          chooseLanguages:
            choose &&
            ((text) => {
              const chosen = choose(text);
              return chosen && resolve(chosen);
            }),
        });
      } catch (cause) {
        if (cause instanceof DocumentError) throw cause;
        throw new DocumentError('ocr_failed', 'The page image could not be read by OCR.', { cause });
      }
    },
    async close(): Promise<void> {
      closed = true;
      await pool.close();
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Page preparation and reading

interface Attempt {
  rotation: number;
  words: Word[];
  score: number;
}

async function readPage(
  image: PageImage,
  recognizer: (langs: readonly string[]) => Recognize,
  options: ReadOptions,
): Promise<OcrPage> {
  // Each turn is prepared once, whether it is probed, read whole, read again in other languages, or all of these.
  const preparations = new Map<number, Promise<Prepared>>();
  const prepared = (rotation: number): Promise<Prepared> => {
    let p = preparations.get(rotation);
    if (!p) {
      p = options.prepare(() => preparePage(image, rotation, options));
      preparations.set(rotation, p);
    }
    return p;
  };
  const { languages, chooseLanguages, recent } = options;
  const choose = languages.length > 1 ? chooseLanguages : undefined;
  if (!choose) return pageOf(image, await orient(languages, prepared, recognizer), languages);

  // When the last pages were all read in the same languages, as a back office's documents mostly are, this one is
  // read in them straight away and checked after. Otherwise the top of the page (title, vendor, labels), read in
  // the first language alone, most often tells; when it does not (a logo, a page upside down), the page is read in
  // the first language and its whole text asked.
  const primary = languages.slice(0, 1);
  const settled = recent?.settled();
  const fromTop = settled
    ? undefined
    : choose(await readTop(await prepared(0), recognizer(primary), options.parts));
  const langs = settled ?? fromTop ?? primary;
  const best = await orient(langs, prepared, recognizer);
  const chosen = fromTop ?? choose(best.words.map((w) => w.text).join(' '));
  if (chosen) recent?.record(chosen);
  if (!chosen || chosen.join('+') === langs.join('+')) return pageOf(image, best, langs);
  const reread = await readAt(await prepared(best.rotation), best.rotation, recognizer(chosen), false);
  return pageOf(image, reread, chosen);
}

/** How many pages in a row must be read in the same languages before the next is read in them untried. */
const SETTLE_AFTER = 3;

/** The languages the last pages were chosen to be read in. */
interface LanguageMemory {
  /** The languages of the last SETTLE_AFTER pages, when they all agree. */
  settled(): readonly string[] | undefined;
  record(langs: readonly string[]): void;
}

function createLanguageMemory(): LanguageMemory {
  const last: string[] = [];
  return {
    settled() {
      const [first] = last;
      return first !== undefined && last.length === SETTLE_AFTER && last.every((k) => k === first)
        ? first.split('+')
        : undefined;
    },
    record(langs) {
      last.push(langs.join('+'));
      if (last.length > SETTLE_AFTER) last.shift();
    },
  };
}

function pageOf(image: PageImage, best: Attempt, languages: readonly string[]): OcrPage {
  const upright = best.rotation % 180 === 0 ? image : { width: image.height, height: image.width };
  return {
    width: upright.width,
    height: upright.height,
    rotation: best.rotation,
    languages: [...languages],
    words: best.words,
  };
}

/** The text of the top quarter of a prepared page, read in parts side by side when it is long enough. */
async function readTop(page: Prepared, recognize: Recognize, parts: number): Promise<string> {
  const height = Math.max(1, Math.ceil(page.prepared.height / 4));
  const bounds = [0, ...findCuts(rows(page.prepared, 0, height), 0, parts), height];
  return (await readBands(page.prepared, bounds, recognize)).map(({ word }) => word.text).join(' ');
}

/**
 * The words of an image's rows between consecutive `bounds`, each band read as its own image, side by side on
 * the pool; `dy` is the band's top, to add to its words' boxes. In reading order.
 */
async function readBands(
  image: Grey,
  bounds: readonly number[],
  recognize: Recognize,
): Promise<{ word: TesseractWord; dy: number }[]> {
  const bands = await Promise.all(
    bounds.slice(0, -1).map(async (from, i) => {
      const band = rows(image, from, (bounds[i + 1] as number) - from);
      return wordsOf(await recognize(pgm(band))).map((word) => ({ word, dy: from }));
    }),
  );
  return bands.flat();
}

/** The best reading of a page in `langs`: upright first, and a doubtful one tried the other ways round. */
async function orient(
  langs: readonly string[],
  prepared: (rotation: number) => Promise<Prepared>,
  recognizer: (langs: readonly string[]) => Recognize,
): Promise<Attempt> {
  const recognize = recognizer(langs);
  const read = async (rotation: number, probe = false): Promise<Attempt> =>
    readAt(await prepared(rotation), rotation, recognize, probe);
  // Most pages arrive upright, so that reading is tried first; a doubtful one is tried the other ways round.
  let best = await read(0);
  if (best.words.length >= 3 && best.score < DOUBTFUL_CONFIDENCE) {
    // The best reading's score on the probe strip, to compare probes with probes (a strip cuts words at its ends).
    let bestOnProbe: number | undefined;
    for (const rotation of [180, 90, 270]) {
      // Turned sideways, a page's lines become hundreds of junk words that take tesseract four times as long as
      // the page itself (40 s for one poor receipt in three languages). A quarter turn is tried on a probe, an eighth
      // of the page from its middle, and the whole page read that way only when the probe reads better than the
      // best reading so far does on the same strip.
      if (rotation % 180 !== 0) {
        const probe = await read(rotation, true);
        bestOnProbe ??= (await read(best.rotation, true)).score;
        if (probe.score <= bestOnProbe) continue;
      }
      const attempt = await read(rotation);
      if (attempt.score > best.score) {
        best = attempt;
        bestOnProbe = undefined;
      }
      if (attempt.words.length < 3 || attempt.score >= DOUBTFUL_CONFIDENCE) break;
    }
  }
  return best;
}

interface ReadOptions {
  /** Read a header band above the first full-width rule apart, in sparse-text mode. */
  headerBand: boolean;
  /** Into how many parts, cut between lines, a page's body may be cut to be read side by side. */
  parts: number;
  /** tesseract codes, the first tried first. */
  languages: readonly string[];
  chooseLanguages?: ((text: string) => readonly string[] | undefined) | undefined;
  /** What the engine's last pages in these languages were read in. */
  recent?: LanguageMemory | undefined;
  /** Runs a page's preparation; the engine lets one page at a time hold the full-size working copies. */
  prepare: <T>(work: () => Promise<T>) => Promise<T>;
}

/** A page turned, cleaned, scaled and deskewed for tesseract, with what it takes to map boxes back. */
interface Prepared {
  upW: number;
  upH: number;
  region: Region;
  scale: number;
  sw: number;
  sh: number;
  skew: number;
  prepared: Grey;
  bandBottom: number | undefined;
  /** Where the body (below the header band) is cut into parts read side by side; ascending, may be empty. */
  cuts: number[];
}

async function preparePage(image: PageImage, rotation: number, options: ReadOptions): Promise<Prepared> {
  const upright = await decodeGrey(image.png, rotation);
  const upW = upright.width;
  const upH = upright.height;
  // A small receipt on a full-page scan: read only the paper's text, with the scanner's specks wiped off, so
  // the line height is measured on text and the scale budget is spent on it. Boxes come back offset.
  const content = await cleanPage(upright);
  const region = content.region;
  const analysis = await analysePage(content.image);
  const cropW = region.width;
  const cropH = region.height;
  let scale = analysis.lineHeight > 0 ? TARGET_LINE_HEIGHT / analysis.lineHeight : 1800 / upW;
  scale = Math.min(4, Math.max(0.5, scale));
  scale = Math.min(scale, Math.sqrt(MAX_PREPARED_PIXELS / (cropW * cropH)));
  const sw = Math.max(1, Math.round(cropW * scale));
  const sh = Math.max(1, Math.round(cropH * scale));
  const skew = analysis.skew;
  let prepared = await toGrey(
    fromGrey(content.image).resize(sw, sh, { kernel: scale > 1 ? 'cubic' : 'lanczos3' }),
  );
  if (Math.abs(skew) >= 0.3) prepared = await toGrey(fromGrey(prepared).rotate(-skew, { background: WHITE }));

  // A header band (title, vendor block and invoice-number block side by side above the first full-width rule)
  // is read apart, in sparse-text mode: read as one uniform block with the rest, tesseract merges the columns'
  // staggered lines and loses their words. The rest of the page is still read as one block (tables, receipts).
  const bandBottom = options.headerBand ? await findHeaderBand(prepared) : undefined;
  const cuts = findCuts(prepared, bandBottom ?? 0, options.parts);
  return { upW, upH, region, scale, sw, sh, skew, prepared, bandBottom, cuts };
}

/**
 * Reads a prepared page. A probe reads only the middle of the page (half its width, a quarter of its height) to
 * score this turn, and returns no words.
 */
async function readAt(
  page: Prepared,
  rotation: number,
  recognize: Recognize,
  probe: boolean,
): Promise<Attempt> {
  const { upW, upH, region, scale, sw, sh, skew, prepared, bandBottom, cuts } = page;
  const ph = prepared.height;
  const pw = prepared.width;
  if (probe) {
    const middle = crop(
      prepared,
      Math.floor(pw / 4),
      Math.floor((ph * 3) / 8),
      Math.ceil(pw / 2),
      Math.ceil(ph / 4),
    );
    return { rotation, words: [], score: confidentShare(wordsOf(await recognize(pgm(middle)))) };
  }
  // A header band is queued first: it is short, and a doubtful one is read a second time. The body is read in
  // parts side by side, each on its own worker when the pool has them free.
  const top = bandBottom === undefined ? undefined : pgm(rows(prepared, 0, bandBottom));
  const sparse = top && recognize(top, { tessedit_pageseg_mode: SPARSE_TEXT });
  const readBody = readBands(prepared, [bandBottom ?? 0, ...cuts, ph], recognize);
  let read: { word: TesseractWord; dy: number }[];
  if (!top || !sparse) {
    read = await readBody;
  } else {
    const [sparsePage, body] = await Promise.all([sparse, readBody]);
    let header = wordsOf(sparsePage);
    // A band that sparse reading makes little of (a photo's clutter, a logo) is read as one block as well, and
    // the better reading kept.
    if (confidentShare(header) < DOUBTFUL_CONFIDENCE) {
      const single = wordsOf(await recognize(top));
      if (confidentShare(single) > confidentShare(header)) header = single;
    }
    read = [...header.map((word) => ({ word, dy: 0 })), ...body];
  }
  // Map boxes from the prepared image back to the upright image at the resolution passed in.
  const theta = (-skew * Math.PI) / 180;
  const cos = Math.cos(theta);
  const sin = Math.sin(theta);
  const toUpright = (x: number, y: number): [number, number] => {
    const dx = x - pw / 2;
    const dy = y - ph / 2;
    // Undo a clockwise turn by theta (y grows downwards).
    const ux = dx * cos + dy * sin + sw / 2;
    const uy = -dx * sin + dy * cos + sh / 2;
    return [ux / scale + region.left, uy / scale + region.top];
  };
  const toWord = ({ word: w, dy }: { word: TesseractWord; dy: number }): Word => {
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

  const words = read.map(toWord);
  const chars = words.reduce((n, w) => n + w.text.length, 0);
  // The score of a reading is the share of its characters that sit in confident, real-looking horizontal words.
  return { rotation, words, score: chars ? readingScore(words) / chars : 0 };
}

type TesseractWord = TesseractPage['blocks'] extends (infer B)[] | null
  ? B extends { paragraphs: (infer P)[] }
    ? P extends { lines: (infer L)[] }
      ? L extends { words: (infer W)[] }
        ? W
        : never
      : never
    : never
  : never;

function wordsOf(page: TesseractPage): TesseractWord[] {
  const words: TesseractWord[] = [];
  for (const block of page.blocks ?? [])
    for (const para of block.paragraphs)
      for (const line of para.lines) for (const w of line.words) if (w.text.trim()) words.push(w);
  return words;
}

/**
 * Characters in confident, real-looking horizontal words, weighted by confidence. Text read the wrong way round
 * comes out as scattered symbols, and tesseract can also read vertical text with good confidence, so short
 * tokens and words taller than wide count for nothing.
 */
/** readingScore per character, on tesseract's words in the frame they were read in. */
function confidentShare(words: readonly TesseractWord[]): number {
  const asWords = words.map((w) => ({
    text: w.text.trim(),
    bbox: [w.bbox.x0, w.bbox.y0, w.bbox.x1, w.bbox.y1] as BBox,
    confidence: clamp(w.confidence / 100, 0, 1),
    source: 'ocr' as const,
  }));
  const chars = asWords.reduce((n, w) => n + w.text.length, 0);
  return chars ? readingScore(asWords) / chars : 0;
}

function readingScore(words: readonly Word[]): number {
  let good = 0;
  for (const w of words) {
    const wide = w.bbox[2] - w.bbox[0] > w.bbox[3] - w.bbox[1];
    if (wide && (w.text.match(/[\p{L}\p{N}]/gu)?.length ?? 0) >= 3) good += w.confidence * w.text.length;
  }
  return good;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

// ---------------------------------------------------------------------------------------------------------------
// Header band: the text above the first full-width rule near the top of the page (an invoice's letterhead and its
// number/date block), found on a small binarised copy of the prepared, deskewed image.

/** Tesseract's page segmentation mode for sparse text: blobs are found wherever they are, in no set order. */
const SPARSE_TEXT = '11';
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

// ---------------------------------------------------------------------------------------------------------------
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
