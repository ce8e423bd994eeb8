// Cross-validation of one field's ranker and calibrator: the figures a model is reported with are always those
// of documents it was not fitted on.
import { fitLogistic, fitRanker, folds, type Group, priorScale } from '../../src/evaluation/learn.ts';
import { type Features, type RankerModel, rank, standing } from '../../src/pipeline/extract/scoring.ts';

export interface FieldTask<E extends { id: string }, C extends { features: Features }> {
  /** e.g. "receipt.totalAmount" */
  field: string;
  features: readonly string[];
  /** The hand-written reader's weights by feature: where the data says little, the model stays near them. */
  prior?: Readonly<Record<string, number>>;
  /** Features whose prior is a fact of logic rather than habit ("no total exceeds the cash handed over"): held
   * to it ten times as firmly, so that rare or noisy labels do not undo it. */
  firm?: readonly string[];
  calibratorFeatures: readonly string[];
  candidates(example: E): C[];
  isRight(example: E, candidate: C): boolean;
  /** Document-level facts for the calibrator (see `standing`). */
  extra(candidate: C): Features;
}

export interface Outcome<E> {
  example: E;
  /** Out of fold: the chosen candidate was right. */
  right: boolean;
  /** Out of fold: the calibrated probability it is right. */
  confidence: number;
  /** Some candidate was right (the most the ranker could reach). */
  reachable: boolean;
  chosen: string | undefined;
}

const vector = (names: readonly string[], f: Features) => names.map((n) => f[n] ?? 0);

function rankerOf<E extends { id: string }, C extends { features: Features }>(
  task: FieldTask<E, C>,
  examples: readonly E[],
  l2: number,
): RankerModel {
  const groups: Group[] = examples.map((e) => {
    const cs = task.candidates(e);
    return {
      x: cs.map((c) => vector(task.features, c.features)),
      right: cs.findIndex((c) => task.isRight(e, c)),
    };
  });
  const hand = task.prior ? task.features.map((f) => task.prior?.[f] ?? 0) : undefined;
  const scale = hand ? priorScale(groups, hand) : 1;
  return {
    field: task.field,
    ranker: {
      features: [...task.features],
      weights: fitRanker(groups, task.features.length, {
        l2,
        ...(hand ? { prior: hand.map((w) => w * scale) } : {}),
        ...(task.firm ? { firmness: task.features.map((f) => (task.firm?.includes(f) ? 10 : 1)) } : {}),
      }),
      bias: 0,
    },
    calibrator: {
      features: [...task.calibratorFeatures],
      weights: task.calibratorFeatures.map(() => 0),
      bias: 0,
    },
    trainedOn: '',
  };
}

interface Standing<E> {
  example: E;
  x: Features;
  right: boolean;
  reachable: boolean;
  chosen: string | undefined;
}

/** k-fold: rank each fold with a ranker fitted on the others; then the calibrator the same way over those. */
export function crossValidate<E extends { id: string }, C extends { features: Features; value?: unknown }>(
  task: FieldTask<E, C>,
  examples: readonly E[],
  options: { k?: number; l2?: number; show?: (c: C) => string } = {},
): { outcomes: Outcome<E>[]; model: RankerModel } {
  const k = options.k ?? 5;
  const l2 = options.l2 ?? 0.01;
  const parts = folds(examples, k);
  const standings: Standing<E>[] = [];
  parts.forEach((test, i) => {
    const train = parts.filter((_, j) => j !== i).flat();
    const m = rankerOf(task, train, l2);
    for (const e of test) {
      const cs = task.candidates(e);
      const ranked = rank(m, cs);
      const best = ranked[0]?.candidate;
      standings.push({
        example: e,
        x: standing(ranked, best ? task.extra(best) : {}),
        right: !!best && task.isRight(e, best),
        reachable: cs.some((c) => task.isRight(e, c)),
        chosen: best ? (options.show?.(best) ?? String(best.value)) : undefined,
      });
    }
  });
  const fitCalibrator = (rows: readonly Standing<E>[]) =>
    fitLogistic(
      rows.map((r) => ({ x: vector(task.calibratorFeatures, r.x), y: r.right ? 1 : 0 })),
      task.calibratorFeatures.length,
    );
  // The calibrator's own figures come from folds it was not fitted on either.
  const outcomes: Outcome<E>[] = [];
  const byId = new Map(standings.map((s) => [s.example.id, s]));
  for (const [i, test] of parts.entries()) {
    const trainRows = parts
      .filter((_, j) => j !== i)
      .flat()
      .map((e) => byId.get(e.id) as Standing<E>);
    const cal = fitCalibrator(trainRows);
    for (const e of test) {
      const s = byId.get(e.id) as Standing<E>;
      const z = cal.weights.reduce(
        (a, w, n) => a + w * (s.x[task.calibratorFeatures[n] as string] ?? 0),
        cal.bias,
      );
      outcomes.push({
        example: e,
        right: s.right,
        confidence: s.chosen === undefined ? 0 : 1 / (1 + Math.exp(-z)),
        reachable: s.reachable,
        chosen: s.chosen,
      });
    }
  }
  const model = rankerOf(task, examples, l2);
  const cal = fitCalibrator(standings);
  model.calibrator = { features: [...task.calibratorFeatures], weights: cal.weights, bias: cal.bias };
  return { outcomes, model };
}

/** Confidence buckets → the share of choices in each that were right (a reliability table). */
export function reliability(
  outcomes: readonly { confidence: number; right: boolean }[],
  edges = [0.5, 0.8, 0.9, 0.95, 0.98, 0.99],
) {
  const bounds = [0, ...edges, 1.0001];
  return bounds.slice(0, -1).map((lo, i) => {
    const hi = bounds[i + 1] as number;
    const inBucket = outcomes.filter((o) => o.confidence >= lo && o.confidence < hi);
    const right = inBucket.filter((o) => o.right).length;
    return {
      from: lo,
      to: Math.min(1, hi),
      n: inBucket.length,
      right,
      share: inBucket.length ? right / inBucket.length : undefined,
    };
  });
}
