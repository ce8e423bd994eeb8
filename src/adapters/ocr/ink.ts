// Ink on a grey page: Otsu's threshold, binary copies, summed-area tables and connected components.
import { fromGrey, type Grey, toGrey } from './grey.ts';

/** The grey level below which a pixel is ink, by Otsu's method (the split that best separates two classes). */
export function otsu(data: Uint8Array | Buffer): number {
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

export interface Binary {
  ink: Uint8Array;
  w: number;
  h: number;
}

/** The image at w×h (itself when it has that size), thresholded with Otsu's method. */
export async function binarise(image: Grey, w: number, h: number): Promise<Binary & { grey: Buffer }> {
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
export function integral({ ink, w, h }: Binary): Uint32Array {
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

/** Ink in the box [x0, x1] × [y0, y1] (inclusive, clipped to the image), from its summed-area table. */
export function windowSum(
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

export interface Part {
  area: number;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** A mask's horizontal runs of ink (row, first and last column, as triples) and which of them touch. */
interface LabelledRuns {
  runs: Int32Array;
  count: number;
  /** The run that stands for the component of run `run` (union-find with path compression). */
  find: (run: number) => number;
}

/** Labels a mask run by run, joining each run to those of the row above that touch it, diagonals included. */
function labelRuns(mask: Uint8Array, w: number, h: number): LabelledRuns {
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
  return { runs, count, find };
}

/**
 * 8-connected components of a binary image: their pixel counts and boxes, and the horizontal runs of ink that make
 * them up (row, first and last column, as triples) with each run's component. Labelled run by run with union-find:
 * a page of text has a few runs per row where it has thousands of pixels.
 */
export function components(
  mask: Uint8Array,
  w: number,
  h: number,
): { parts: Part[]; runs: Int32Array; partOf: Int32Array } {
  const { runs, count, find } = labelRuns(mask, w, h);
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
