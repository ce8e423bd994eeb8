// The OCR engine: a pool of tesseract.js workers fed page images that sharp has prepared (greyscale,
// normalised, scaled to a text height tesseract reads well, deskewed, turned upright).
import { mkdirSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { createScheduler, createWorker, OEM, type Page as TesseractPage, type Worker } from 'tesseract.js';
import { DocumentError } from '../pipeline/errors.ts';
import type { BBox, Word } from '../pipeline/layout.ts';
import type { OcrEngine, OcrPage, PageImage } from '../pipeline/ports.ts';

export interface OcrEngineOptions {
  /** Tesseract language codes (eng, por, spa); the first is the primary one. */
  languages?: string[];
  /** Workers in the pool; defaults to the number of cores. */
  poolSize?: number;
}

const ISO_TO_TESSERACT: Record<string, string> = { en: 'eng', pt: 'por', es: 'spa' };

/** Median text-line height (ink rows of one line) that tesseract's LSTM reads best, in pixels. */
const TARGET_LINE_HEIGHT = 26;
/** Largest prepared image handed to tesseract; bigger costs time without reading better. */
const MAX_PREPARED_PIXELS = 16_000_000;
/** Below this mean word confidence an orientation is doubted and the opposite one is tried. */
const DOUBTFUL_CONFIDENCE = 0.5;
/** A page whose recognition takes longer than this is failed rather than left to hold its caller forever. */
const PAGE_TIMEOUT_MS = 180_000;

export function createOcrEngine(options: OcrEngineOptions = {}): OcrEngine {
  const languages = (options.languages?.length ? options.languages : ['eng', 'por', 'spa']).map(
    toTesseractCode,
  );
  const poolSize = Math.max(1, options.poolSize ?? availableParallelism());
  const scheduler = createScheduler();
  let ready: Promise<void> | undefined;
  let closed = false;

  // Workers are started on first use so a process that never OCRs pays nothing.
  const start = (): Promise<void> => {
    ready ??= (async () => {
      const langPath = localLangPath(languages);
      const workers = await Promise.all(
        Array.from({ length: poolSize }, () =>
          createWorker(languages, OEM.LSTM_ONLY, {
            langPath,
            cacheMethod: 'none',
            gzip: true,
            // Without a handler tesseract.js rethrows worker errors from a message callback, which no caller
            // can catch: the whole process would go down with one bad page.
            errorHandler: () => {},
          }),
        ),
      );
      for (const w of workers) {
        await w.setParameters({ preserve_interword_spaces: '0', user_defined_dpi: '300' });
        scheduler.addWorker(w as Worker);
      }
    })();
    return ready;
  };

  const recognize = async (png: Buffer): Promise<TesseractPage> => {
    await start();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new DocumentError('ocr_failed', `OCR did not finish within ${PAGE_TIMEOUT_MS / 1000} s.`)),
        PAGE_TIMEOUT_MS,
      );
    });
    try {
      const job = scheduler.addJob('recognize', png, {}, { blocks: true, text: false }) as Promise<{
        data: TesseractPage;
      }>;
      return (await Promise.race([job, timeout])).data;
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    async readPage(image: PageImage, _options: { languages: readonly string[] }): Promise<OcrPage> {
      if (closed) throw new DocumentError('ocr_failed', 'The OCR engine has been closed.');
      try {
        return await readPage(image, recognize);
      } catch (cause) {
        if (cause instanceof DocumentError) throw cause;
        throw new DocumentError('ocr_failed', 'The page image could not be read by OCR.', { cause });
      }
    },
    async close(): Promise<void> {
      closed = true;
      if (ready) {
        await ready.catch(() => {});
        await scheduler.terminate();
      }
    },
  };
}

function toTesseractCode(code: string): string {
  return ISO_TO_TESSERACT[code] ?? code;
}

/**
 * tesseract.js reads `${langPath}/${lang}.traineddata.gz` from one folder, while each language ships in its own
 * npm package: link the installed LSTM (best_int) files into one folder so nothing is ever fetched.
 */
export function localLangPath(languages: readonly string[]): string {
  const require = createRequire(import.meta.url);
  const dir = path.join(tmpdir(), `retaguarda-tessdata-${process.getuid?.() ?? 'u'}`);
  mkdirSync(dir, { recursive: true });
  for (const lang of languages) {
    let pkg: string;
    try {
      pkg = path.dirname(require.resolve(`@tesseract.js-data/${lang}`));
    } catch (cause) {
      throw new DocumentError(
        'ocr_failed',
        `OCR language ${lang} is not installed (@tesseract.js-data/${lang}).`,
        {
          cause,
        },
      );
    }
    const target = path.join(pkg, '4.0.0_best_int', `${lang}.traineddata.gz`);
    const link = path.join(dir, `${lang}.traineddata.gz`);
    try {
      symlinkSync(target, link);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  return dir;
}

// ---------------------------------------------------------------------------------------------------------------
// Page preparation and reading

type Recognize = (png: Buffer) => Promise<TesseractPage>;

interface Attempt {
  rotation: number;
  words: Word[];
  score: number;
}

async function readPage(image: PageImage, recognize: Recognize): Promise<OcrPage> {
  // Most pages arrive upright, so that reading is tried first; a doubtful one is tried the other ways round.
  let best: Attempt | undefined;
  for (const rotation of [0, 180, 90, 270]) {
    const attempt = await readAt(image, rotation, recognize);
    if (!best || attempt.score > best.score) best = attempt;
    if (attempt.words.length < 3 || attempt.score >= DOUBTFUL_CONFIDENCE) break;
  }
  const chosen = best!;
  const upright = chosen.rotation % 180 === 0 ? image : { width: image.height, height: image.width };
  return { width: upright.width, height: upright.height, rotation: chosen.rotation, words: chosen.words };
}

async function readAt(image: PageImage, rotation: number, recognize: Recognize): Promise<Attempt> {
  const upright = await sharp(image.png)
    .rotate(rotation)
    .greyscale()
    .normalise()
    .png({ compressionLevel: 1 })
    .toBuffer();
  const analysis = await analysePage(upright);
  const upW = rotation % 180 === 0 ? image.width : image.height;
  const upH = rotation % 180 === 0 ? image.height : image.width;
  let scale = analysis.lineHeight > 0 ? TARGET_LINE_HEIGHT / analysis.lineHeight : 1800 / upW;
  scale = Math.min(4, Math.max(0.5, scale));
  scale = Math.min(scale, Math.sqrt(MAX_PREPARED_PIXELS / (upW * upH)));
  const sw = Math.max(1, Math.round(upW * scale));
  const sh = Math.max(1, Math.round(upH * scale));
  const skew = analysis.skew;
  let pipeline = sharp(upright).resize(sw, sh, { kernel: scale > 1 ? 'cubic' : 'lanczos3' });
  let prepared = await pipeline.png({ compressionLevel: 1 }).toBuffer();
  let pw = sw;
  let ph = sh;
  if (Math.abs(skew) >= 0.3) {
    pipeline = sharp(prepared).rotate(-skew, { background: { r: 255, g: 255, b: 255 } });
    const out = await pipeline.png({ compressionLevel: 1 }).toBuffer({ resolveWithObject: true });
    prepared = out.data;
    pw = out.info.width;
    ph = out.info.height;
  }

  const page = await recognize(prepared);
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
    return [ux / scale, uy / scale];
  };

  const words: Word[] = [];
  let chars = 0;
  for (const block of page.blocks ?? []) {
    for (const para of block.paragraphs) {
      for (const line of para.lines) {
        for (const w of line.words) {
          const text = w.text.trim();
          if (!text) continue;
          const corners = [
            toUpright(w.bbox.x0, w.bbox.y0),
            toUpright(w.bbox.x1, w.bbox.y0),
            toUpright(w.bbox.x0, w.bbox.y1),
            toUpright(w.bbox.x1, w.bbox.y1),
          ];
          const xs = corners.map((c) => c[0]);
          const ys = corners.map((c) => c[1]);
          const bbox: BBox = [
            clamp(Math.min(...xs), 0, upW),
            clamp(Math.min(...ys), 0, upH),
            clamp(Math.max(...xs), 0, upW),
            clamp(Math.max(...ys), 0, upH),
          ].map((v) => Math.round(v * 10) / 10) as BBox;
          const confidence = clamp(w.confidence / 100, 0, 1);
          words.push({ text, bbox, confidence, source: 'ocr' });
          chars += text.length;
        }
      }
    }
  }
  // The score of a reading is the share of its characters that sit in confident, real-looking horizontal words.
  // Text read the wrong way round comes out as scattered symbols, and tesseract can also read vertical text
  // with good confidence, so short tokens and words taller than wide count for nothing.
  let good = 0;
  for (const w of words) {
    const wide = w.bbox[2] - w.bbox[0] > w.bbox[3] - w.bbox[1];
    if (wide && (w.text.match(/[\p{L}\p{N}]/gu)?.length ?? 0) >= 3) good += w.confidence * w.text.length;
  }
  return { rotation, words, score: chars ? good / chars : 0 };
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

export async function analysePage(png: Buffer): Promise<Analysis> {
  const meta = await sharp(png).metadata();
  const w0 = meta.width ?? 1;
  const h0 = meta.height ?? 1;
  const factor = Math.min(1, ANALYSIS_LONG_SIDE / Math.max(w0, h0));
  const { data, info } = await sharp(png)
    .greyscale()
    .resize(Math.max(1, Math.round(w0 * factor)), Math.max(1, Math.round(h0 * factor)))
    .raw()
    .toBuffer({ resolveWithObject: true });
  const w = info.width;
  const h = info.height;
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
  const hist = new Array<number>(256).fill(0);
  for (const v of data) hist[v] = (hist[v] as number) + 1;
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
