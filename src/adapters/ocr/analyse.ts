// Page analysis on a small binarised copy of an upright page: skew and text-line height.
import { fromGrey, type Grey, toGrey } from './grey.ts';
import { otsu } from './ink.ts';

export interface Analysis {
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
  const { xs, ys, inkCount } = inkPoints(small);
  // A page that is mostly ink (photo, dark background) or blank has no lines to measure.
  if (xs.length < 50 || inkCount > small.data.length * 0.5) return { skew: 0, lineHeight: 0 };

  const projection = createProjection(xs, ys, small.width, small.height);
  const angle = sharpestAngle(projection.sharpness);
  // Line height: runs of inked rows in the projection at the chosen angle.
  projection.sharpness(angle);
  return { skew: round1(angle), lineHeight: medianRun(projection.hist) / factor };
}

/** Ink pixels, relative to the image's centre, sub-sampled to bound the work on dense pages; and how many in all. */
function inkPoints({ data, width: w, height: h }: Grey): { xs: number[]; ys: number[]; inkCount: number } {
  const threshold = otsu(data);
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
  return { xs, ys, inkCount };
}

/** The ink points' histogram along the axis across text lines at an angle, and how sharp its peaks are. */
function createProjection(xs: readonly number[], ys: readonly number[], w: number, h: number) {
  const diag = Math.ceil(Math.hypot(w, h)) + 2;
  const hist = new Float64Array(diag);
  // Sharpness of the projection onto the axis perpendicular to lines at `deg` (0 = horizontal lines); leaves that
  // projection in `hist`.
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
  return { hist, sharpness };
}

/** The angle within 10° of horizontal at which the projection is sharpest: by half degrees, then by tenths. */
function sharpestAngle(sharpness: (deg: number) => number): number {
  let best = { angle: 0, score: -1 };
  for (let a = -10; a <= 10.001; a += 0.5) {
    const score = sharpness(a);
    if (score > best.score) best = { angle: a, score };
  }
  const coarse = best.angle;
  for (let a = coarse - 0.5; a <= coarse + 0.501; a += 0.1) {
    const score = sharpness(a);
    if (score > best.score) best = { angle: a, score };
  }
  return best.angle;
}

/** The median length of the runs of inked rows (above 4% of the peak) in a projection; 0 with fewer than three. */
function medianRun(hist: Float64Array): number {
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
  return runs.length >= 3 ? (runs[Math.floor(runs.length / 2)] as number) : 0;
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}
