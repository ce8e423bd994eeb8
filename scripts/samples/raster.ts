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

export interface PhotoLook {
  seed: number;
  /** Largest corner displacement, as a share of the page width: how far from square-on the phone was. */
  tilt?: number;
  /** How dark the shadow across part of the page is (0 = none, 0.5 = half the light). */
  shadow?: number;
}

/**
 * A phone photo of a page: the page as a quadrilateral in perspective on a desk, light falling off from one
 * side, the soft shadow of the phone or a hand across part of it, warm colour and sensor grain.
 */
export async function photograph(png: Buffer, look: PhotoLook): Promise<Sharp> {
  const random = prng(look.seed);
  const between = (lo: number, hi: number) => lo + random() * (hi - lo);
  const gauss = () => random() + random() + random() + random() - 2;
  const { data: src, info } = await sharp(png)
    .flatten({ background: '#ffffff' })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const w = info.width;
  const h = info.height;
  const margin = between(0.05, 0.1);
  const W = Math.round(w * (1 + 2 * margin));
  const H = Math.round(h * (1 + 2 * margin * 0.8));
  // Where the page's corners land: a centred rectangle, turned a little, each corner pushed by the tilt, and
  // the far edge (top or bottom) narrowed, as when the phone leans over the page.
  const tilt = look.tilt ?? between(0.015, 0.05);
  const angle = (between(-3.5, 3.5) * Math.PI) / 180;
  const narrow = between(0, 0.06) * w;
  const farTop = random() < 0.7;
  const cx = W / 2;
  const cy = H / 2;
  const base: [number, number][] = [
    [-w / 2 + (farTop ? narrow : 0), -h / 2],
    [w / 2 - (farTop ? narrow : 0), -h / 2],
    [w / 2 - (farTop ? 0 : narrow), h / 2],
    [-w / 2 + (farTop ? 0 : narrow), h / 2],
  ];
  const dst = base.map(([x, y]) => {
    const jx = x + (random() - 0.5) * 2 * tilt * w;
    const jy = y + (random() - 0.5) * 2 * tilt * w;
    return [
      cx + jx * Math.cos(angle) - jy * Math.sin(angle),
      cy + jx * Math.sin(angle) + jy * Math.cos(angle),
    ] as [number, number];
  });
  const corners: [number, number][] = [
    [0, 0],
    [w - 1, 0],
    [w - 1, h - 1],
    [0, h - 1],
  ];
  const m = homography(dst, corners);

  // Light: brightest at a random point, falling off; a shadow whose edge is a soft line across the page.
  const lx = between(0, W);
  const ly = between(0, H * 0.5);
  const falloff = between(0.1, 0.22);
  const diag = Math.hypot(W, H);
  const depth = look.shadow ?? between(0.2, 0.42);
  const shadowAngle = between(0, 2 * Math.PI);
  const nx = Math.cos(shadowAngle);
  const ny = Math.sin(shadowAngle);
  // The shadow's edge passes through a point on the page, so it covers a part of it (about a quarter to a half).
  const px = cx + (random() - 0.5) * w * 0.5;
  const py = cy + (random() - 0.5) * h * 0.5;
  const offset = between(0.1, 0.35) * Math.min(w, h);
  const soft = between(0.02, 0.06) * diag;
  const desk = [between(70, 130), between(60, 110), between(45, 90)];
  const warm = [1, between(0.95, 0.98), between(0.86, 0.93)];
  const out = Buffer.alloc(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const d = m[6]! * x + m[7]! * y + m[8]!;
      const u = (m[0]! * x + m[1]! * y + m[2]!) / d;
      const v = (m[3]! * x + m[4]! * y + m[5]!) / d;
      const light = 1 - (falloff * Math.hypot(x - lx, y - ly)) / diag;
      const t = ((x - px) * nx + (y - py) * ny - offset) / soft;
      const shade = 1 - depth * (t <= -1 ? 0 : t >= 1 ? 1 : (t + 1) / 2);
      const grain = gauss() * 4;
      const o = (y * W + x) * 3;
      if (u >= 0 && v >= 0 && u < w - 1 && v < h - 1) {
        const x0 = Math.floor(u);
        const y0 = Math.floor(v);
        const fx = u - x0;
        const fy = v - y0;
        const i00 = (y0 * w + x0) * 3;
        const i10 = i00 + 3;
        const i01 = i00 + w * 3;
        const i11 = i01 + 3;
        for (let c = 0; c < 3; c++) {
          const top = src[i00 + c]! * (1 - fx) + src[i10 + c]! * fx;
          const bottom = src[i01 + c]! * (1 - fx) + src[i11 + c]! * fx;
          const value = (top * (1 - fy) + bottom * fy) * 0.93 + 10;
          out[o + c] = clamp(value * warm[c]! * light * shade + grain);
        }
      } else {
        for (let c = 0; c < 3; c++) out[o + c] = clamp(desk[c]! * light * shade + grain * 2);
      }
    }
  }
  return materialize(sharp(out, { raw: { width: W, height: H, channels: 3 } }).blur(between(0.5, 1)), 'srgb');
}

const clamp = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));

/** The 3×3 projective transform taking each `from` point to its `to` point (row-major, m[8] = 1). */
export function homography(from: [number, number][], to: [number, number][]): number[] {
  const a: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const [x, y] = from[i]!;
    const [u, v] = to[i]!;
    a.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u]);
    a.push([0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  }
  // Gaussian elimination with partial pivoting on the 8×9 augmented matrix.
  for (let col = 0; col < 8; col++) {
    let pivot = col;
    for (let r = col + 1; r < 8; r++) if (Math.abs(a[r]![col]!) > Math.abs(a[pivot]![col]!)) pivot = r;
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    for (let r = 0; r < 8; r++) {
      if (r === col) continue;
      const f = a[r]![col]! / a[col]![col]!;
      for (let c = col; c < 9; c++) a[r]![c]! -= f * a[col]![c]!;
    }
  }
  return [...Array.from({ length: 8 }, (_, i) => a[i]![8]! / a[i]![i]!), 1];
}
