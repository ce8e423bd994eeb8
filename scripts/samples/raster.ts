// Turns a digital sample into what a scanner or a phone would give us: render with pdf.js, then skew,
// noise, blur and lossy compression with sharp. All randomness comes from a seeded PRNG.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import { PDFDocument } from 'pdf-lib';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import sharp, { type Sharp } from 'sharp';

const require = createRequire(import.meta.url);
const PDFJS_ROOT = dirname(require.resolve('pdfjs-dist/package.json'));
const STANDARD_FONTS = `${join(PDFJS_ROOT, 'standard_fonts')}/`;

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function seedOf(name: string): number {
  let h = 2166136261;
  for (const ch of name) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return h >>> 0;
}

/** Each page of the PDF as an RGB PNG at `dpi`. */
export async function renderPages(pdf: Uint8Array, dpi: number): Promise<Buffer[]> {
  const doc = await getDocument({
    data: new Uint8Array(pdf),
    standardFontDataUrl: STANDARD_FONTS,
    isEvalSupported: false,
    verbosity: 0,
  }).promise;
  const out: Buffer[] = [];
  try {
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const viewport = page.getViewport({ scale: dpi / 72 });
      const canvas = createCanvas(Math.round(viewport.width), Math.round(viewport.height));
      await page.render({
        canvas: canvas as unknown as HTMLCanvasElement,
        canvasContext: canvas.getContext('2d') as unknown as CanvasRenderingContext2D,
        viewport,
        background: '#ffffff',
      }).promise;
      out.push(canvas.toBuffer('image/png'));
      page.cleanup();
    }
  } finally {
    await doc.destroy();
  }
  return out;
}

export interface Degradation {
  look: 'scan' | 'photo';
  /** Skew in degrees (positive = clockwise). */
  angle: number;
  /** Standard deviation of the added grain, in grey levels. */
  noise: number;
  blur: number;
  seed: number;
}

/**
 * A scan: greyscale, paper a little grey, grain, soft focus, a crooked feed, same page size.
 * A photo: colour, warm paper, light falling off across the page, the page skewed on a dark desk.
 */
export async function degrade(png: Buffer, d: Degradation): Promise<Sharp> {
  const random = prng(d.seed);
  const gauss = () => random() + random() + random() + random() - 2; // ≈ N(0, 0.33)
  const channels = d.look === 'scan' ? 1 : 3;
  const base = sharp(png).flatten({ background: '#ffffff' });
  const { data, info } = await (d.look === 'scan' ? base.greyscale() : base.removeAlpha())
    .raw()
    .toBuffer({ resolveWithObject: true });
  const { width, height } = info;
  // A clamped view: values past 0 or 255 saturate, as film and sensors do.
  const px = new Uint8ClampedArray(data.buffer, data.byteOffset, data.length);
  const tint = d.look === 'photo' ? [1, 0.965, 0.9] : [0.94];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // Photos: brighter at the top left where the lamp is.
      const light = d.look === 'photo' ? 1 - 0.16 * ((x / width) * 0.4 + (y / height) * 0.6) : 1;
      const grain = gauss() * 3 * d.noise;
      for (let c = 0; c < channels; c++) {
        const i = (y * width + x) * channels + c;
        px[i] = (12 + px[i]! * 0.95) * tint[c]! * light + grain;
      }
    }
  }
  const space = d.look === 'scan' ? 'b-w' : 'srgb';
  let img = sharp(data, { raw: { width, height, channels } });
  if (d.blur > 0) img = await materialize(img.blur(d.blur), space);

  if (d.look === 'scan') {
    const paper = { r: 240, g: 240, b: 240 };
    const rotated = await materialize(img.rotate(d.angle, { background: paper }), space);
    const { width: rw, height: rh } = await rotated.metadata();
    const left = Math.floor((rw - width) / 2);
    const top = Math.floor((rh - height) / 2);
    return materialize(rotated.extract({ left, top, width, height }), space);
  }
  const desk = { r: 92, g: 78, b: 64 };
  const margin = Math.round(Math.min(width, height) * 0.06);
  const framed = await materialize(
    img.extend({ top: margin, bottom: margin, left: margin, right: margin, background: desk }),
    space,
  );
  return materialize(framed.rotate(d.angle, { background: desk }), space);
}

/** Runs the pipeline so far, so later operations apply in the order written (sharp reorders within one). */
async function materialize(img: Sharp, space: 'b-w' | 'srgb'): Promise<Sharp> {
  const { data, info } = await img.toColourspace(space).raw().toBuffer({ resolveWithObject: true });
  return sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } });
}

/** Wraps page images (JPEG) in a PDF with no text layer, each page sized as it was scanned. */
export async function imagesToPdf(jpegs: Buffer[], dpi: number, title: string): Promise<Uint8Array> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  const fixed = new Date('2025-03-20T12:00:00Z');
  doc.setTitle(title);
  doc.setProducer('Retaguarda sample generator (scan)');
  doc.setCreationDate(fixed);
  doc.setModificationDate(fixed);
  for (const jpeg of jpegs) {
    const image = await doc.embedJpg(jpeg);
    const w = (image.width * 72) / dpi;
    const h = (image.height * 72) / dpi;
    doc.addPage([w, h]).drawImage(image, { x: 0, y: 0, width: w, height: h });
  }
  return doc.save();
}
