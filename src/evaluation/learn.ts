// Fitting the scoring models (src/pipeline/extract/scoring.ts): a conditional-logit ranker over each document's
// candidates and a logistic calibrator, both by full-batch Adam with an L2 penalty, plus k-fold splitting.
// Small on purpose: a few hundred documents and a few dozen features train in well under a second.

export interface Group {
  /** One feature vector per candidate, in the order of the feature names. */
  x: number[][];
  /** Index of the right candidate; -1 when none is right (the group then teaches nothing to the ranker). */
  right: number;
}

export interface FitOptions {
  /** Pull towards `prior` (zero when absent): |w − prior|² · l2 / 2 is added to the loss. */
  l2?: number;
  /** What the weights should stay near where the data says little: the hand-written reader's own weights. */
  prior?: readonly number[];
  /** Per weight, how many times `l2` holds it to its prior (1 when absent): for facts of logic, not habit. */
  firmness?: readonly number[];
  iterations?: number;
  rate?: number;
}

/** Minimises the groups' mean negative log-likelihood under a softmax of w·x, plus l2·|w|²/2. */
export function fitRanker(groups: readonly Group[], dim: number, options: FitOptions = {}): number[] {
  const { l2 = 0.01, iterations = 500, rate = 0.05, prior, firmness } = options;
  const usable = groups.filter((g) => g.right >= 0 && g.x.length > 0);
  return adam(dim, iterations, rate, prior, (w, grad) => {
    for (const g of usable) {
      const s = g.x.map((x) => dot(w, x));
      const top = Math.max(...s);
      const e = s.map((v) => Math.exp(v - top));
      const z = e.reduce((a, b) => a + b, 0);
      g.x.forEach((x, k) => {
        const d = (e[k] as number) / z - (k === g.right ? 1 : 0);
        for (let i = 0; i < dim; i++) grad[i] = (grad[i] as number) + (d * (x[i] as number)) / usable.length;
      });
    }
    for (let i = 0; i < dim; i++)
      grad[i] = (grad[i] as number) + l2 * (firmness?.[i] ?? 1) * ((w[i] as number) - (prior?.[i] ?? 0));
  });
}

/**
 * The hand-written weights are in points, not in the model's units: the factor that best fits them to the data
 * (their "temperature"), so that a prior of 5 for "labelled grand total" means as much to the model as it did
 * to the reader that summed it.
 */
export function priorScale(groups: readonly Group[], prior: readonly number[]): number {
  const usable = groups.filter((g) => g.right >= 0 && g.x.length > 0);
  const loss = (k: number) =>
    usable.reduce((sum, g) => {
      const s = g.x.map((x) => k * dot(prior, x));
      const top = Math.max(...s);
      const z = s.reduce((a, v) => a + Math.exp(v - top), 0);
      return sum - ((s[g.right] as number) - top - Math.log(z));
    }, 0);
  let best = 1;
  let bestLoss = loss(1);
  for (let k = 0.02; k <= 2; k *= 1.2) {
    const l = loss(k);
    if (l < bestLoss) {
      best = k;
      bestLoss = l;
    }
  }
  return best;
}

/** Logistic regression: weights (first `dim`) and bias (last), by the same optimiser. */
export function fitLogistic(
  samples: readonly { x: number[]; y: 0 | 1 }[],
  dim: number,
  options: FitOptions = {},
): { weights: number[]; bias: number } {
  const { l2 = 0.01, iterations = 800, rate = 0.05 } = options;
  const w = adam(dim + 1, iterations, rate, undefined, (p, grad) => {
    for (const s of samples) {
      const z = dot(p, s.x) + (p[dim] as number);
      const d = 1 / (1 + Math.exp(-z)) - s.y;
      for (let i = 0; i < dim; i++) grad[i] = (grad[i] as number) + (d * (s.x[i] as number)) / samples.length;
      grad[dim] = (grad[dim] as number) + d / samples.length;
    }
    // The bias is not penalised.
    for (let i = 0; i < dim; i++) grad[i] = (grad[i] as number) + l2 * (p[i] as number);
  });
  return { weights: w.slice(0, dim), bias: w[dim] as number };
}

function adam(
  dim: number,
  iterations: number,
  rate: number,
  start: readonly number[] | undefined,
  gradient: (w: number[], grad: number[]) => void,
) {
  const w = Array.from({ length: dim }, (_, i) => start?.[i] ?? 0);
  const m = new Array<number>(dim).fill(0);
  const v = new Array<number>(dim).fill(0);
  for (let t = 1; t <= iterations; t++) {
    const grad = new Array<number>(dim).fill(0);
    gradient(w, grad);
    for (let i = 0; i < dim; i++) {
      const g = grad[i] as number;
      m[i] = 0.9 * (m[i] as number) + 0.1 * g;
      v[i] = 0.999 * (v[i] as number) + 0.001 * g * g;
      const mh = (m[i] as number) / (1 - 0.9 ** t);
      const vh = (v[i] as number) / (1 - 0.999 ** t);
      w[i] = (w[i] as number) - (rate * mh) / (Math.sqrt(vh) + 1e-8);
    }
  }
  return w;
}

function dot(w: readonly number[], x: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (w[i] as number) * (x[i] as number);
  return s;
}

/** Item i goes to fold (i mod k) after a seeded shuffle: the same folds for the same ids on every run. */
export function folds<T extends { id: string }>(items: readonly T[], k: number): T[][] {
  const keyed = items.map((item) => ({ item, key: hash(item.id) }));
  keyed.sort((a, b) => a.key - b.key || a.item.id.localeCompare(b.item.id));
  const out: T[][] = Array.from({ length: k }, () => []);
  keyed.forEach(({ item }, i) => {
    out[i % k]?.push(item);
  });
  return out;
}

function hash(s: string): number {
  let h = 2166136261;
  for (const ch of s) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return h >>> 0;
}
