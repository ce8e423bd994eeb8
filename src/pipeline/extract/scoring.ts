// Learned choice among a field's candidates. Each candidate carries named features (what the hand-written
// readers used to add up into a score: the label beside it, where it sits, what the document's arithmetic says
// of it); a model trained from labelled documents (scripts/train.ts) weighs them into a probability per
// candidate, and a calibrator turns the chosen candidate's standing into the probability that it is right.
import { z } from 'zod';

/** A candidate's features by name; a feature it does not have is 0. */
export type Features = Record<string, number>;

const Linear = z.object({
  features: z.array(z.string()),
  weights: z.array(z.number()),
  bias: z.number().default(0),
});

export const RankerModel = z
  .object({
    /** What the model chooses, e.g. "receipt.totalAmount". */
    field: z.string(),
    /** Softmax over the candidates of one document: P(c) ∝ exp(w · features(c)). */
    ranker: Linear,
    /** P(the chosen candidate is right) = σ(bias + w · [its standing]), see `standing`. */
    calibrator: Linear,
    /** Where the weights came from, for people: the data and the cross-validated figures. */
    trainedOn: z.string(),
  })
  .refine((m) => m.ranker.features.length === m.ranker.weights.length, 'one weight per ranker feature')
  .refine(
    (m) => m.calibrator.features.length === m.calibrator.weights.length,
    'one weight per calibrator feature',
  );
export type RankerModel = z.infer<typeof RankerModel>;

export interface Ranked<C> {
  candidate: C;
  /** The model's share for this candidate among the document's candidates (sums to 1). */
  share: number;
}

/** The candidates best first, each with its share. */
export function rank<C extends { features: Features }>(
  model: RankerModel,
  candidates: readonly C[],
): Ranked<C>[] {
  if (!candidates.length) return [];
  const { features, weights } = model.ranker;
  const scores = candidates.map((c) =>
    features.reduce((s, name, i) => s + (c.features[name] ?? 0) * (weights[i] ?? 0), 0),
  );
  const top = Math.max(...scores);
  const exps = scores.map((s) => Math.exp(s - top));
  const sum = exps.reduce((a, b) => a + b, 0);
  return candidates
    .map((candidate, i) => ({ candidate, share: (exps[i] ?? 0) / sum }))
    .sort((a, b) => b.share - a.share);
}

/**
 * How the chosen candidate stands, as the calibrator sees it: its share (as log-odds), its lead over the
 * runner-up, how many candidates there were, and document-level facts the ranker cannot use because they are
 * the same for every candidate of a document (`extra`: the OCR's confidence in the chosen words, say).
 */
export function standing(ranked: readonly Ranked<unknown>[], extra: Features = {}): Features {
  const first = ranked[0]?.share ?? 0;
  const second = ranked[1]?.share ?? 0;
  const p = Math.min(1 - 1e-6, Math.max(1e-6, first));
  return {
    logOdds: Math.log(p / (1 - p)),
    lead: first - second,
    candidates: Math.log1p(ranked.length),
    ...extra,
  };
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

export function linear(model: z.infer<typeof Linear>, x: Features): number {
  return model.features.reduce((s, name, i) => s + (x[name] ?? 0) * (model.weights[i] ?? 0), model.bias);
}

/** The calibrated probability that the first of `ranked` is right. */
export function confidence(
  model: RankerModel,
  ranked: readonly Ranked<unknown>[],
  extra: Features = {},
): number {
  if (!ranked.length) return 0;
  return sigmoid(linear(model.calibrator, standing(ranked, extra)));
}
