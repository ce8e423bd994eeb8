// A page cropped to its text and wiped of scanner specks, with its contrast stretched.
import { fromGrey, type Grey, toGrey } from './grey.ts';
import { binarise, components, integral, type Part, windowSum } from './ink.ts';

// Small receipts scanned on a whole A4 sheet, often with a dotted or textured background, read as junk when the
// whole sheet goes to tesseract: the specks spoil the line-height measure (so the page is shrunk instead of
// enlarged) and tesseract reads them as characters.

export interface Region {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Long side of the copy on which the text region is looked for. */
const REGION_LONG_SIDE = 800;
/** Only a region this much smaller than the page is cropped to; otherwise the page is read whole. */
const CROP_MAX_AREA_SHARE = 0.6;
const MIN_REGION_SIDE = 32;
/** Share of ink in its box above which a blob along a side of the sheet is shading, not text. */
const EDGE_MIN_INK = 0.3;
/** Pixels in the stand-in image whose normalisation gives the table (see `normalise`). */
const NORMALISE_SAMPLE = 1 << 16;

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
  // Dot leaders ("Total ........ 131,64") are wiped too: read as one block, tesseract drops a whole block of
  // lines whose rows of dots it cannot read, labels and amounts with them.
  const leaders = leaderDots(parts);
  for (const i of leaders) specks[i] = 1;
  if (speckCount < 20 && !leaders.length) return { image: cropped, region };
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

/** Dots in a row this long or longer are a leader, not punctuation ("..." is three). */
const LEADER_MIN_DOTS = 6;
/** More dot-sized blots than this on a page are a texture: no leaders are looked for. */
const MAX_DOTS = 20_000;

/**
 * The components that are the dots of leader rows: small, squarish blots of about the same size, evenly spaced
 * along one baseline, at least LEADER_MIN_DOTS of them. Letters are told by their height, the page's median.
 */
export function leaderDots(parts: readonly Part[]): number[] {
  const heights = parts
    .filter((p) => p.area >= 12)
    .map((p) => p.y1 - p.y0 + 1)
    .sort((a, b) => a - b);
  const letter = heights[Math.floor(heights.length / 2)] ?? 0;
  if (letter < 6) return [];
  const max = Math.max(2, letter * 0.4);
  const dots = parts
    .map((p, i) => ({
      i,
      w: p.x1 - p.x0 + 1,
      h: p.y1 - p.y0 + 1,
      cx: (p.x0 + p.x1) / 2,
      cy: (p.y0 + p.y1) / 2,
    }))
    .filter((d) => d.w <= max && d.h <= max && d.w <= d.h * 2.5 && d.h <= d.w * 2.5);
  // A grainy sheet's thousands of specks are no leaders, and the sweep below would take seconds on them.
  if (dots.length > MAX_DOTS) return [];
  // Rows of dots: each dot joins the row whose last dot is just left of it on the same baseline.
  type Dot = (typeof dots)[number];
  const rows: Dot[][] = [];
  // Swept left to right; only rows whose last dot is within reach stay open.
  let open: Dot[][] = [];
  const reach = letter * 1.2;
  for (const d of [...dots].sort((a, b) => a.cx - b.cx)) {
    open = open.filter((r) => d.cx - (r[r.length - 1] as Dot).cx <= reach);
    const row = open.find((r) => {
      const last = r[r.length - 1] as Dot;
      return d.cx > last.cx && Math.abs(d.cy - last.cy) <= Math.max(1.5, last.h * 0.6);
    });
    if (row) row.push(d);
    else {
      const fresh = [d];
      open.push(fresh);
      rows.push(fresh);
    }
  }
  return rows
    .filter((r) => {
      if (r.length < LEADER_MIN_DOTS) return false;
      const gaps = r.slice(1).map((d, k) => d.cx - (r[k] as Dot).cx);
      const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
      return gaps.every((g) => Math.abs(g - mean) <= Math.max(2, mean * 0.5));
    })
    .flatMap((r) => r.map((d) => d.i));
}
