// The OCR engine: a pool of tesseract.js workers fed page images that sharp has prepared (greyscale,
// normalised, scaled to a text height tesseract reads well, deskewed, turned upright).
import { availableParallelism } from 'node:os';
import sharp, { type Sharp } from 'sharp';
import type { Page as TesseractPage } from 'tesseract.js';
import { DocumentError } from '../pipeline/errors.ts';
import type { BBox, Word } from '../pipeline/layout.ts';
import { toTesseractCode } from '../pipeline/ocr-languages.ts';
import type { OcrEngine, OcrPage, OcrReadOptions, PageImage } from '../pipeline/ports.ts';
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

/**
 * An 8-bit greyscale image held raw, one byte per pixel, row after row. Page preparation passes these between its
 * steps: a PNG round trip per step (encode, then decode in the next one) cost more than all the steps themselves.
 */
export interface Grey {
  data: Buffer;
  width: number;
  height: number;
}

const WHITE = { r: 255, g: 255, b: 255 };

function fromGrey(image: Grey): Sharp {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 1 } });
}

/**
 * The result of a sharp pipeline as one grey channel. sharp keeps only the first band of a greyscale result, so
 * an image that may have an alpha channel is flattened onto white first (see `decodeGrey`).
 */
async function toGrey(pipeline: Sharp): Promise<Grey> {
  const { data, info } = await pipeline.greyscale().raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 1) throw new Error(`Expected one grey channel, got ${info.channels}.`);
  return { data, width: info.width, height: info.height };
}

/**
 * Any image sharp reads (PNG, JPEG, …) as a grey image, turned by `rotation` degrees clockwise; transparent pixels
 * become white paper, whatever colour they hold.
 */
export function decodeGrey(image: Buffer, rotation = 0): Promise<Grey> {
  return toGrey(sharp(image).rotate(rotation).flatten({ background: WHITE }));
}

/** Rows [top, top + height) of an image; a view, not a copy. */
function rows(image: Grey, top: number, height: number): Grey {
  return {
    data: image.data.subarray(top * image.width, (top + height) * image.width),
    width: image.width,
    height,
  };
}

/** A rectangle of an image, copied. */
function crop(image: Grey, left: number, top: number, width: number, height: number): Grey {
  const data = Buffer.allocUnsafe(width * height);
  for (let y = 0; y < height; y++) {
    const from = (top + y) * image.width + left;
    image.data.copy(data, y * width, from, from + width);
  }
  return { data, width, height };
}

/** The image as binary PGM, which tesseract (leptonica) reads without the cost of decompressing a PNG. */
function pgm(image: Grey): Buffer {
  return Buffer.concat([Buffer.from(`P5\n${image.width} ${image.height}\n255\n`), image.data]);
}

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
// Page analysis on a small binarised copy of an upright page: skew and text-line height.

interface Analysis {
  /** Clockwise skew of the text lines in degrees, in the frame of the image as given. */
  skew: number;
  /** Median text-line height in pixels of the image as given; 0 when unknown. */
  lineHeight: number;
}

const ANALYSIS_LONG_SIDE = 1400;

export async function analysePage(image: Grey): Promise<Analysis> {
  const w0 = image.width;
  const h0 = image.height;
  const factor = Math.min(1, ANALYSIS_LONG_SIDE / Math.max(w0, h0));
  const small =
    factor < 1
      ? await toGrey(
          fromGrey(image).resize(Math.max(1, Math.round(w0 * factor)), Math.max(1, Math.round(h0 * factor))),
        )
      : image;
  const { data, width: w, height: h } = small;
  const threshold = otsu(data);
  // Ink pixels, sub-sampled to bound the work on dense pages.
  const xs: number[] = [];
  const ys: number[] = [];
  let inkCount = 0;
  for (let i = 0; i < data.length; i++) if ((data[i] as number) < threshold) inkCount++;
  const step = Math.max(1, Math.ceil(inkCount / 150_000));
  let k = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if ((data[y * w + x] as number) < threshold && k++ % step === 0) {
        xs.push(x - w / 2);
        ys.push(y - h / 2);
      }
    }
  }
  // A page that is mostly ink (photo, dark background) or blank has no lines to measure.
  if (xs.length < 50 || inkCount > data.length * 0.5) return { skew: 0, lineHeight: 0 };

  const diag = Math.ceil(Math.hypot(w, h)) + 2;
  const hist = new Float64Array(diag);
  // Sharpness of the projection onto the axis perpendicular to lines at `deg` (0 = horizontal lines).
  const sharpness = (deg: number): number => {
    const t = (deg * Math.PI) / 180;
    const c = Math.cos(t);
    const s = Math.sin(t);
    hist.fill(0);
    for (let i = 0; i < xs.length; i++) {
      const bin = Math.round(-(xs[i] as number) * s + (ys[i] as number) * c + diag / 2);
      hist[bin] = (hist[bin] as number) + 1;
    }
    let sum = 0;
    for (let i = 1; i < diag; i++) {
      const d = (hist[i] as number) - (hist[i - 1] as number);
      sum += d * d;
    }
    return sum;
  };
  const search = (centre: number): { angle: number; score: number } => {
    let best = { angle: centre, score: -1 };
    for (let a = centre - 10; a <= centre + 10.001; a += 0.5) {
      const score = sharpness(a);
      if (score > best.score) best = { angle: a, score };
    }
    const coarse = best.angle;
    for (let a = coarse - 0.5; a <= coarse + 0.501; a += 0.1) {
      const score = sharpness(a);
      if (score > best.score) best = { angle: a, score };
    }
    return best;
  };
  const chosen = search(0);
  const skew = round1(chosen.angle);

  // Line height: runs of inked rows in the projection at the chosen angle.
  sharpness(chosen.angle);
  let max = 0;
  for (const v of hist) max = Math.max(max, v);
  const runs: number[] = [];
  let run = 0;
  for (const v of hist) {
    if (v > max * 0.04) run++;
    else if (run > 0) {
      if (run >= 3) runs.push(run);
      run = 0;
    }
  }
  runs.sort((a, b) => a - b);
  const median = runs.length >= 3 ? (runs[Math.floor(runs.length / 2)] as number) : 0;
  return { skew, lineHeight: median / factor };
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}

function otsu(data: Uint8Array | Buffer): number {
  const hist = new Float64Array(256);
  for (let i = 0; i < data.length; i++) hist[data[i] as number] = (hist[data[i] as number] as number) + 1;
  const total = data.length;
  let sum = 0;
  for (let i = 0; i < 256; i++) sum += i * (hist[i] as number);
  let sumB = 0;
  let wB = 0;
  let best = 0;
  let threshold = 128;
  for (let t = 0; t < 256; t++) {
    wB += hist[t] as number;
    if (wB === 0) continue;
    const wF = total - wB;
    if (wF === 0) break;
    sumB += t * (hist[t] as number);
    const mB = sumB / wB;
    const mF = (sum - sumB) / wF;
    const between = wB * wF * (mB - mF) * (mB - mF);
    if (between > best) {
      best = between;
      threshold = t + 1;
    }
  }
  return threshold;
}

// ---------------------------------------------------------------------------------------------------------------
// Content region and speck cleaning: small receipts scanned on a whole A4 sheet, often with a dotted or textured
// background, read as junk when the whole sheet goes to tesseract: the specks spoil the line-height measure (so
// the page is shrunk instead of enlarged) and tesseract reads them as characters.

interface Region {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Long side of the copy on which the text region is looked for. */
const REGION_LONG_SIDE = 800;
/** Only a region this much smaller than the page is cropped to; otherwise the page is read whole. */
const CROP_MAX_AREA_SHARE = 0.6;

interface Binary {
  ink: Uint8Array;
  w: number;
  h: number;
}

/** The image at w×h (itself when it has that size), thresholded with Otsu's method. */
async function binarise(image: Grey, w: number, h: number): Promise<Binary & { grey: Buffer }> {
  const sized =
    image.width === w && image.height === h
      ? image
      : await toGrey(fromGrey(image).resize(w, h, { fit: 'fill' }));
  const data = sized.data;
  const threshold = otsu(data);
  const ink = new Uint8Array(sized.width * sized.height);
  for (let i = 0; i < ink.length; i++) ink[i] = (data[i] as number) < threshold ? 1 : 0;
  return { ink, w: sized.width, h: sized.height, grey: data };
}

/** Summed-area table of a binary image, (w+1)×(h+1). */
function integral({ ink, w, h }: Binary): Uint32Array {
  const sat = new Uint32Array((w + 1) * (h + 1));
  for (let y = 0; y < h; y++) {
    let row = 0;
    for (let x = 0; x < w; x++) {
      row += ink[y * w + x] as number;
      sat[(y + 1) * (w + 1) + x + 1] = (sat[y * (w + 1) + x + 1] as number) + row;
    }
  }
  return sat;
}

function windowSum(
  sat: Uint32Array,
  w: number,
  h: number,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
): number {
  const a = Math.max(0, x0);
  const b = Math.max(0, y0);
  const c = Math.min(w, x1 + 1);
  const d = Math.min(h, y1 + 1);
  const W = w + 1;
  return (
    (sat[d * W + c] as number) -
    (sat[b * W + c] as number) -
    (sat[d * W + a] as number) +
    (sat[b * W + a] as number)
  );
}

interface Part {
  area: number;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/**
 * 8-connected components of a binary image: their pixel counts and boxes, and the horizontal runs of ink that make
 * them up (row, first and last column, as triples) with each run's component. Labelled run by run with union-find:
 * a page of text has a few runs per row where it has thousands of pixels.
 */
function components(
  mask: Uint8Array,
  w: number,
  h: number,
): { parts: Part[]; runs: Int32Array; partOf: Int32Array } {
  // Typed arrays grown by doubling: a dithered background has millions of runs.
  let runs = new Int32Array(3 * 4096);
  let parent = new Int32Array(4096);
  let count = 0;
  const find = (a: number): number => {
    let r = a;
    while (parent[r] !== r) r = parent[r] as number;
    while (parent[a] !== r) {
      const next = parent[a] as number;
      parent[a] = r;
      a = next;
    }
    return r;
  };
  let prevStart = 0;
  let prevEnd = 0;
  for (let y = 0; y < h; y++) {
    const rowStart = count;
    const row = y * w;
    let x = 0;
    let p = prevStart;
    while (x < w) {
      if (!mask[row + x]) {
        x++;
        continue;
      }
      const x0 = x;
      while (x + 1 < w && mask[row + x + 1]) x++;
      const x1 = x;
      x++;
      if (count === parent.length) {
        const grownRuns = new Int32Array(runs.length * 2);
        grownRuns.set(runs);
        runs = grownRuns;
        const grownParent = new Int32Array(parent.length * 2);
        grownParent.set(parent);
        parent = grownParent;
      }
      const id = count++;
      runs[id * 3] = y;
      runs[id * 3 + 1] = x0;
      runs[id * 3 + 2] = x1;
      parent[id] = id;
      // Runs of the row above that touch this one, diagonals included.
      while (p < prevEnd && (runs[p * 3 + 2] as number) < x0 - 1) p++;
      for (let q = p; q < prevEnd && (runs[q * 3 + 1] as number) <= x1 + 1; q++) {
        const a = find(q);
        const b = find(id);
        if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
      }
    }
    prevStart = rowStart;
    prevEnd = count;
  }
  const partOf = new Int32Array(count);
  const index = new Int32Array(count).fill(-1);
  const parts: Part[] = [];
  for (let r = 0; r < count; r++) {
    const root = find(r);
    let id = index[root] as number;
    if (id < 0) {
      id = parts.length;
      index[root] = id;
      parts.push({ area: 0, x0: w, y0: h, x1: 0, y1: 0 });
    }
    partOf[r] = id;
    const part = parts[id] as Part;
    const y = runs[r * 3] as number;
    const x0 = runs[r * 3 + 1] as number;
    const x1 = runs[r * 3 + 2] as number;
    part.area += x1 - x0 + 1;
    if (x0 < part.x0) part.x0 = x0;
    if (x1 > part.x1) part.x1 = x1;
    if (y < part.y0) part.y0 = y;
    if (y > part.y1) part.y1 = y;
  }
  return { parts, runs: runs.subarray(0, count * 3), partOf };
}

/**
 * The part of the page that holds text: on a small binarised copy, ink that has enough ink around it (text
 * lines) forms blobs, while scattered specks do not; the box of the blobs that matter, with a margin.
 */
export async function findTextRegion(image: Grey): Promise<Region> {
  const { width, height } = image;
  const whole = { left: 0, top: 0, width, height };
  const f = Math.min(1, REGION_LONG_SIDE / Math.max(width, height));
  const bin = await binarise(image, Math.max(1, Math.round(width * f)), Math.max(1, Math.round(height * f)));
  const { w, h } = bin;
  let inkCount = 0;
  for (const v of bin.ink) inkCount += v;
  if (inkCount < 50 || inkCount > bin.ink.length * 0.4) return whole;
  const sat = integral(bin);
  const r = Math.max(3, Math.round(Math.max(w, h) * 0.01));
  const need = Math.max(4, (2 * r + 1) ** 2 * 0.05);
  const dense = new Uint8Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      if (windowSum(sat, w, h, x - r, y - r, x + r, y + r) >= need) dense[y * w + x] = 1;
  const { parts } = components(dense, w, h);
  if (!parts.length) return whole;
  // A scanner's shaded edge (where the sheet lifted off the glass) is a tall, narrow blob along a side of the
  // sheet, more ink than paper: not text. Cropped to with the text, it keeps the sheet whole and spoils the
  // line-height measure, and the receipt on it is shrunk instead of enlarged.
  const edgeStrip = (p: Part): boolean => {
    const pw = p.x1 - p.x0 + 1;
    const ph = p.y1 - p.y0 + 1;
    return (
      (p.x0 <= w * 0.03 || p.x1 >= w * 0.97) &&
      ph >= h * 0.5 &&
      pw <= w * 0.2 &&
      windowSum(sat, w, h, p.x0, p.y0, p.x1, p.y1) >= pw * ph * EDGE_MIN_INK
    );
  };
  const text = parts.filter((p) => !edgeStrip(p));
  if (!text.length) return whole;
  const largest = Math.max(...text.map((p) => p.area));
  const kept = text.filter((p) => p.area >= Math.max(largest * 0.03, (4 * r) ** 2));
  let x0 = w;
  let y0 = h;
  let x1 = 0;
  let y1 = 0;
  for (const p of kept) {
    x0 = Math.min(x0, p.x0);
    y0 = Math.min(y0, p.y0);
    x1 = Math.max(x1, p.x1);
    y1 = Math.max(y1, p.y1);
  }
  const pad = 2 * r;
  const left = Math.max(0, Math.floor((x0 - pad) / f));
  const top = Math.max(0, Math.floor((y0 - pad) / f));
  const right = Math.min(width, Math.ceil((x1 + pad + 1) / f));
  const bottom = Math.min(height, Math.ceil((y1 + pad + 1) / f));
  if (right - left < MIN_REGION_SIDE || bottom - top < MIN_REGION_SIDE) return whole;
  if ((right - left) * (bottom - top) > width * height * CROP_MAX_AREA_SHARE) return whole;
  return { left, top, width: right - left, height: bottom - top };
}

const MIN_REGION_SIDE = 32;
/** Share of ink in its box above which a blob along a side of the sheet is shading, not text. */
const EDGE_MIN_INK = 0.3;

/** Pixels in the stand-in image whose normalisation gives the table (see `normalise`). */
const NORMALISE_SAMPLE = 1 << 16;

/**
 * sharp's `normalise()` (lightness stretched between its 1st and 99th percentiles), at a fraction of its cost.
 * sharp converts every pixel to LAB and back: 0.4 s for an A4 page at 300 DPI. But the stretch only depends on
 * the image's histogram and maps each grey level to one grey level, so sharp normalises a small stand-in with the
 * same histogram and its result is applied to the page as a table. The same bytes as sharp's own for a page of up
 * to 65k pixels; on a larger one the stand-in's shares are rounded, so a percentile that falls on one of libvips'
 * 1% steps can land on the other side (6 of the 100 SROIE scans, by 1 to 7 grey levels).
 */
export async function normalise(image: Grey): Promise<Grey> {
  const { data } = image;
  const counts = new Float64Array(256);
  for (let i = 0; i < data.length; i++) counts[data[i] as number] = (counts[data[i] as number] as number) + 1;
  // A page smaller than the stand-in has its histogram repeated a whole number of times: the same shares. A
  // larger one has each level's pixels in proportion, rounded on the running total, so the cumulative shares
  // (what the percentiles are read from) stay within a pixel of the page's.
  const repeat = Math.floor(NORMALISE_SAMPLE / data.length);
  const share = NORMALISE_SAMPLE / data.length;
  let below = 0;
  const sizes = Array.from(counts, (c) => {
    if (repeat >= 1) return c * repeat;
    const size = Math.round((below + c) * share) - Math.round(below * share);
    below += c;
    return size;
  });
  const sample = Buffer.allocUnsafe(sizes.reduce((a, b) => a + b, 0));
  const first = new Int32Array(256).fill(-1);
  let at = 0;
  sizes.forEach((size, v) => {
    if (!size) return;
    first[v] = at;
    sample.fill(v, at, at + size);
    at += size;
  });
  const stretched = (await toGrey(fromGrey({ data: sample, width: sample.length, height: 1 }).normalise()))
    .data;
  // A level too rare to have a pixel in the stand-in maps between its neighbours (the stretch is smooth);
  // giving it one would shift the percentiles.
  const table = new Uint8Array(256);
  const known = [...first.keys()].filter((v) => (first[v] as number) >= 0);
  const mapped = (k: number) => stretched[first[k] as number] as number;
  for (let v = 0; v < 256; v++) {
    if ((first[v] as number) >= 0) {
      table[v] = mapped(v);
      continue;
    }
    const lo = known.findLast((k) => k < v);
    const hi = known.find((k) => k > v);
    if (lo === undefined) table[v] = hi === undefined ? v : mapped(hi);
    else if (hi === undefined) table[v] = mapped(lo);
    else table[v] = Math.round(mapped(lo) + ((mapped(hi) - mapped(lo)) * (v - lo)) / (hi - lo));
  }
  const out = Buffer.allocUnsafe(data.length);
  for (let i = 0; i < data.length; i++) out[i] = table[data[i] as number] as number;
  return { data: out, width: image.width, height: image.height };
}

/**
 * Crops the page to its text and wipes specks: small ink blots with no other ink near them. Dots on a letter
 * or a full stop sit near other ink and stay.
 */
export async function cleanPage(image: Grey): Promise<{ image: Grey; region: Region }> {
  const { width, height } = image;
  const region = await findTextRegion(image);
  // Normalised after cropping: on a sheet that is nearly all paper the darkest percentile is paper grain, which
  // stretching would turn black.
  const whole = region.width === width && region.height === height;
  const cropped = await normalise(whole ? image : await toGrey(fromGrey(image).extract(region)));
  const bin = await binarise(cropped, region.width, region.height);
  const { w, h, ink, grey } = bin;
  const sat = integral(bin);
  const { parts, runs, partOf } = components(ink, w, h);
  // Specks are a few pixels across at scan resolution; scaled with the sheet's size, taken as a ~1500 px A4.
  const unit = Math.max(width, height) / 1500;
  const maxArea = Math.max(4, Math.round(14 * unit * unit));
  const reach = Math.max(4, Math.round(10 * unit));
  const specks = new Uint8Array(parts.length);
  let speckCount = 0;
  parts.forEach((p, i) => {
    if (p.area > maxArea) return;
    const around = windowSum(sat, w, h, p.x0 - reach, p.y0 - reach, p.x1 + reach, p.y1 + reach);
    if (around <= p.area) {
      specks[i] = 1;
      speckCount++;
    }
  });
  if (speckCount < 20) return { image: cropped, region };
  const out = Buffer.from(grey);
  for (let r = 0; r < partOf.length; r++) {
    if (!specks[partOf[r] as number]) continue;
    const y = runs[r * 3] as number;
    // The blot and its anti-aliased rim.
    const x0 = Math.max(0, (runs[r * 3 + 1] as number) - 1);
    const x1 = Math.min(w - 1, (runs[r * 3 + 2] as number) + 1);
    for (let ny = Math.max(0, y - 1); ny <= Math.min(h - 1, y + 1); ny++)
      out.fill(255, ny * w + x0, ny * w + x1 + 1);
  }
  return { image: { data: out, width: w, height: h }, region };
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
