// A phone photo of a page: the sheet found against the desk it lies on, straightened out of its perspective, and
// its uneven light (a lamp's falloff, a hand's shadow) divided away, so that the page reads like a scan.
import { fromGrey, type Grey, toGrey } from './grey.ts';
import { otsu } from './ink.ts';

/** A 3×3 projective map, row after row: (x, y) → ((m0 x + m1 y + m2) / w, (m3 x + m4 y + m5) / w), w = m6 x + m7 y + m8. */
export type Homography = readonly number[];

export interface Paper {
  /** The sheet, straightened and evenly lit. */
  image: Grey;
  /** Maps a point of `image` to the photo it was taken from. */
  toPhoto: Homography;
}

/** Long side of the copy on which the sheet is looked for. */
const FIND_LONG_SIDE = 512;
/** The sheet covers between these shares of the photo; outside them the image is a scan or a close-up. */
const MIN_SHEET_SHARE = 0.25;
const MAX_SHEET_SHARE = 0.93;
/** How much darker than the paper the desk around it must be, in grey levels. */
const MIN_CONTRAST = 40;
/** The most two neighbouring pixels of the desk differ by, on the small blurred copy, in grey levels. */
const DESK_STEP = 6;
/** Blocks across the sheet's long side in which the light is measured. */
const LIGHT_BLOCKS = 48;

export function applyHomography(m: Homography, x: number, y: number): [number, number] {
  const w = (m[6] as number) * x + (m[7] as number) * y + (m[8] as number);
  return [
    ((m[0] as number) * x + (m[1] as number) * y + (m[2] as number)) / w,
    ((m[3] as number) * x + (m[4] as number) * y + (m[5] as number)) / w,
  ];
}

/** The projective map that takes each of `from` to the point of `to` at the same place (four points each). */
export function homography(from: readonly [number, number][], to: readonly [number, number][]): number[] {
  // Eight equations in the eight unknowns m0…m7 (m8 = 1), solved by Gaussian elimination.
  const a: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const [x, y] = from[i] as [number, number];
    const [u, v] = to[i] as [number, number];
    a.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u]);
    a.push([0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  }
  for (let c = 0; c < 8; c++) {
    let pivot = c;
    for (let r = c + 1; r < 8; r++)
      if (Math.abs(a[r]?.[c] as number) > Math.abs(a[pivot]?.[c] as number)) pivot = r;
    [a[c], a[pivot]] = [a[pivot] as number[], a[c] as number[]];
    const row = a[c] as number[];
    for (let r = 0; r < 8; r++) {
      if (r === c) continue;
      const other = a[r] as number[];
      const f = (other[c] as number) / (row[c] as number);
      for (let k = c; k < 9; k++) other[k] = (other[k] as number) - f * (row[k] as number);
    }
  }
  return [...a.map((row, i) => (row[8] as number) / (row[i] as number)), 1];
}

/**
 * The sheet of paper in a photo, when the photo shows one lying on something darker: straightened and evenly lit.
 * Undefined for a scan, a screenshot or a close-up, whose paper fills the frame, and for anything not sheet-shaped.
 */
export async function findPaper(photo: Grey): Promise<Paper | undefined> {
  const corners = await sheetCorners(photo);
  if (!corners) return undefined;
  const [tl, tr, br, bl] = corners;
  const side = (p: [number, number], q: [number, number]) => Math.hypot(p[0] - q[0], p[1] - q[1]);
  const width = Math.round(Math.max(side(tl, tr), side(bl, br)));
  const height = Math.round(Math.max(side(tl, bl), side(tr, br)));
  const toPhoto = homography(
    [
      [0, 0],
      [width - 1, 0],
      [width - 1, height - 1],
      [0, height - 1],
    ],
    corners,
  );
  const straight = warp(photo, toPhoto, width, height);
  return { image: await evenLight(straight), toPhoto };
}

/** The corners of the sheet (top left, top right, bottom right, bottom left) in the photo's pixels. */
async function sheetCorners(
  photo: Grey,
): Promise<[[number, number], [number, number], [number, number], [number, number]] | undefined> {
  const f = Math.min(1, FIND_LONG_SIDE / Math.max(photo.width, photo.height));
  const small = await toGrey(
    fromGrey(photo).resize(
      Math.max(1, Math.round(photo.width * f)),
      Math.max(1, Math.round(photo.height * f)),
    ),
  );
  const { width: w, height: h, data } = small;
  const t = otsu(data);
  // The desk is grown from the photo's dark edges to every neighbour of a like shade: its light changes gently,
  // while the sheet's edge is a step. A shadow across the sheet is no edge, so the shaded paper stays paper.
  const desk = new Uint8Array(w * h);
  const stack: number[] = [];
  const seed = (i: number) => {
    if (!desk[i] && (data[i] as number) < t) {
      desk[i] = 1;
      stack.push(i);
    }
  };
  for (let x = 0; x < w; x++) {
    seed(x);
    seed((h - 1) * w + x);
  }
  for (let y = 0; y < h; y++) {
    seed(y * w);
    seed(y * w + w - 1);
  }
  if (!stack.length) return undefined;
  const grow = (from: number, i: number) => {
    if (!desk[i] && Math.abs((data[i] as number) - (data[from] as number)) <= DESK_STEP) {
      desk[i] = 1;
      stack.push(i);
    }
  };
  while (stack.length) {
    const i = stack.pop() as number;
    const x = i % w;
    if (x > 0) grow(i, i - 1);
    if (x < w - 1) grow(i, i + 1);
    if (i >= w) grow(i, i - w);
    if (i < w * (h - 1)) grow(i, i + w);
  }
  // A sheet on a desk has desk around it, on three sides at least; a dark band along one edge of a scan (a
  // coloured letterhead, a sidebar) is print, not a desk.
  const edges = [
    Array.from({ length: w }, (_, x) => x),
    Array.from({ length: w }, (_, x) => (h - 1) * w + x),
    Array.from({ length: h }, (_, y) => y * w),
    Array.from({ length: h }, (_, y) => y * w + w - 1),
  ];
  const deskSides = edges.filter((edge) => edge.filter((i) => desk[i]).length >= edge.length * 0.5).length;
  if (deskSides < 3) return undefined;
  // Specks of the desk's grain left unreached are not the sheet: the sheet is the largest region left.
  const rest = new Uint8Array(w * h);
  for (let i = 0; i < rest.length; i++) rest[i] = desk[i] ? 0 : 1;
  const sheet = largestRegion(rest, w, h);
  if (!sheet) return undefined;
  let paperArea = 0;
  let paperSum = 0;
  let deskSum = 0;
  const best = [Infinity, -Infinity, -Infinity, Infinity]; // min x+y, max x−y, max x+y, min x−y
  const at: number[][] = [
    [0, 0],
    [0, 0],
    [0, 0],
    [0, 0],
  ];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const v = data[i] as number;
      if (!sheet[i]) {
        deskSum += v;
        continue;
      }
      paperArea++;
      paperSum += v;
      const s = x + y;
      const d = x - y;
      if (s < (best[0] as number)) [best[0], at[0]] = [s, [x, y]];
      if (d > (best[1] as number)) [best[1], at[1]] = [d, [x, y]];
      if (s > (best[2] as number)) [best[2], at[2]] = [s, [x, y]];
      if (d < (best[3] as number)) [best[3], at[3]] = [d, [x, y]];
    }
  }
  const share = paperArea / (w * h);
  if (share < MIN_SHEET_SHARE || share > MAX_SHEET_SHARE) return undefined;
  const deskArea = w * h - paperArea;
  if (paperSum / paperArea - deskSum / deskArea < MIN_CONTRAST) return undefined;
  // Sheet-shaped: the four corners' quadrilateral covers the region, and the region fills it.
  const quad = at as [number, number][];
  const area = Math.abs(
    quad.reduce((s, [x, y], i) => {
      const [nx, ny] = quad[(i + 1) % 4] as [number, number];
      return s + x * ny - nx * y;
    }, 0) / 2,
  );
  if (area < paperArea * 0.9 || area > paperArea * 1.1) return undefined;
  const scale = (p: [number, number]): [number, number] => [(p[0] + 0.5) / f, (p[1] + 0.5) / f];
  return [
    scale(quad[0] as [number, number]),
    scale(quad[1] as [number, number]),
    scale(quad[2] as [number, number]),
    scale(quad[3] as [number, number]),
  ];
}

/** The largest 4-connected region of set pixels, as a mask; undefined when there is none. */
function largestRegion(mask: Uint8Array, w: number, h: number): Uint8Array | undefined {
  const label = new Int32Array(w * h);
  let next = 0;
  let bestLabel = 0;
  let bestSize = 0;
  const stack: number[] = [];
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || label[start]) continue;
    next++;
    let size = 0;
    label[start] = next;
    stack.push(start);
    while (stack.length) {
      const i = stack.pop() as number;
      size++;
      const x = i % w;
      for (const j of [
        x > 0 ? i - 1 : -1,
        x < w - 1 ? i + 1 : -1,
        i >= w ? i - w : -1,
        i < w * (h - 1) ? i + w : -1,
      ]) {
        if (j >= 0 && mask[j] && !label[j]) {
          label[j] = next;
          stack.push(j);
        }
      }
    }
    if (size > bestSize) {
      bestSize = size;
      bestLabel = next;
    }
  }
  if (!bestLabel) return undefined;
  const out = new Uint8Array(w * h);
  for (let i = 0; i < label.length; i++) if (label[i] === bestLabel) out[i] = 1;
  return out;
}

/** The photo resampled (bilinear) onto a width × height image through `toPhoto`; outside the photo is white. */
function warp(photo: Grey, toPhoto: Homography, width: number, height: number): Grey {
  const { data: src, width: pw, height: ph } = photo;
  const out = Buffer.alloc(width * height, 255);
  const m = toPhoto;
  for (let v = 0; v < height; v++) {
    for (let u = 0; u < width; u++) {
      const d = (m[6] as number) * u + (m[7] as number) * v + (m[8] as number);
      const x = ((m[0] as number) * u + (m[1] as number) * v + (m[2] as number)) / d;
      const y = ((m[3] as number) * u + (m[4] as number) * v + (m[5] as number)) / d;
      if (x < 0 || y < 0 || x > pw - 1 || y > ph - 1) continue;
      const x0 = Math.min(pw - 2, Math.floor(x));
      const y0 = Math.min(ph - 2, Math.floor(y));
      const fx = x - x0;
      const fy = y - y0;
      const i = y0 * pw + x0;
      const top = (src[i] as number) * (1 - fx) + (src[i + 1] as number) * fx;
      const bottom = (src[i + pw] as number) * (1 - fx) + (src[i + pw + 1] as number) * fx;
      out[v * width + u] = Math.round(top * (1 - fy) + bottom * fy);
    }
  }
  return { data: out, width, height };
}

/**
 * The page with its light made even: each pixel divided by the paper's brightness around it. The paper's
 * brightness is a high percentile of each block (the paper between the letters), or its neighbours' median where
 * that is brighter (a block filled with print has no paper of its own), spread smoothly between blocks.
 */
async function evenLight(page: Grey): Promise<Grey> {
  const { data, width, height } = page;
  const block = Math.max(8, Math.round(Math.max(width, height) / LIGHT_BLOCKS));
  const bw = Math.ceil(width / block);
  const bh = Math.ceil(height / block);
  const level = new Float64Array(bw * bh);
  const hist = new Uint32Array(256);
  for (let by = 0; by < bh; by++) {
    for (let bx = 0; bx < bw; bx++) {
      hist.fill(0);
      let n = 0;
      for (let y = by * block; y < Math.min(height, (by + 1) * block); y++)
        for (let x = bx * block; x < Math.min(width, (bx + 1) * block); x++) {
          const g = data[y * width + x] as number;
          hist[g] = (hist[g] as number) + 1;
          n++;
        }
      let seen = 0;
      let v = 255;
      while (v > 0 && seen + (hist[v] as number) < n * 0.05) seen += hist[v--] as number;
      level[by * bw + bx] = v;
    }
  }
  // Inside a dark area wider than a few blocks (a header bar, a filled table head) no block sees paper: its
  // light is taken as no less than half the page's paper, so that white print on it stays white on dark.
  const paper = [...level].sort((a, b) => a - b)[Math.floor(level.length / 2)] as number;
  const light = new Float64Array(bw * bh);
  for (let by = 0; by < bh; by++)
    for (let bx = 0; bx < bw; bx++) {
      const around: number[] = [];
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const x = bx + dx;
          const y = by + dy;
          if (x >= 0 && y >= 0 && x < bw && y < bh) around.push(level[y * bw + x] as number);
        }
      around.sort((a, b) => a - b);
      const m = Math.max(
        level[by * bw + bx] as number,
        around[Math.floor(around.length / 2)] as number,
        paper * 0.5,
      );
      light[by * bw + bx] = Math.max(32, m);
    }
  // The light at each pixel, interpolated between the blocks' centres by sharp's resize.
  const field = await toGrey(
    fromGrey({
      data: Buffer.from(Uint8Array.from(light, (v) => Math.round(v))),
      width: bw,
      height: bh,
    }).resize(width, height, { kernel: 'cubic' }),
  );
  const out = Buffer.allocUnsafe(width * height);
  for (let i = 0; i < out.length; i++)
    out[i] = Math.min(255, Math.round(((data[i] as number) * 255) / Math.max(32, field.data[i] as number)));
  return { data: out, width, height };
}
