// The learned field scoring: the fitting recovers what labelled data says, the shipped models weigh exactly
// the features the code computes, and a confidence is a probability.
import { describe, expect, it } from 'vitest';
import { fitLogistic, fitRanker, folds } from '../../src/evaluation/learn.ts';
import { DATE_FEATURES, RECEIPT_DATE_MODEL } from '../../src/pipeline/extract/receipt/date.ts';
import { RECEIPT_TOTAL_MODEL, TOTAL_FEATURES } from '../../src/pipeline/extract/receipt/totals.ts';
import { RECEIPT_VENDOR_MODEL, VENDOR_FEATURES } from '../../src/pipeline/extract/receipt/vendor.ts';
import { confidence, type RankerModel, rank } from '../../src/pipeline/extract/scoring.ts';

/** A seeded stream of numbers in [0, 1). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a * 1664525 + 1013904223) >>> 0;
    return a / 2 ** 32;
  };
}

describe('fitting', () => {
  it('learns which feature marks the right candidate, and ignores one that is noise', () => {
    const r = random(7);
    // In each group the right candidate has feature 0 set more often than the others; feature 1 is noise.
    const groups = Array.from({ length: 200 }, () => {
      const right = Math.floor(r() * 4);
      const x = Array.from({ length: 4 }, (_, k) => [
        k === right ? (r() < 0.9 ? 1 : 0) : r() < 0.2 ? 1 : 0,
        r(),
      ]);
      return { x, right };
    });
    const [signal, noise] = fitRanker(groups, 2, { l2: 0.001 });
    expect(signal).toBeGreaterThan(1.5);
    expect(Math.abs(noise ?? 0)).toBeLessThan(0.5);
  });

  it('holds a weight to its prior where the data says nothing, and lets the data move it where it does', () => {
    // Feature 1 is never set: its weight stays where the prior put it.
    const groups = Array.from({ length: 50 }, () => ({
      x: [
        [1, 0],
        [0, 0],
      ],
      right: 0,
    }));
    const [seen, unseen] = fitRanker(groups, 2, { l2: 0.01, prior: [0, -3] });
    expect(seen).toBeGreaterThan(1);
    expect(unseen).toBeCloseTo(-3, 5);
  });

  it('fits a logistic calibrator whose probabilities match the rates in the data', () => {
    const r = random(3);
    const samples = Array.from({ length: 2000 }, () => {
      const x = r() < 0.5 ? 1 : 0;
      // Right 90% of the time when x is 1, 40% when it is 0.
      return { x: [x], y: (r() < (x ? 0.9 : 0.4) ? 1 : 0) as 0 | 1 };
    });
    const { weights, bias } = fitLogistic(samples, 1, { l2: 0 });
    const p = (x: number) => 1 / (1 + Math.exp(-(bias + (weights[0] ?? 0) * x)));
    expect(p(1)).toBeGreaterThan(0.85);
    expect(p(1)).toBeLessThan(0.95);
    expect(p(0)).toBeGreaterThan(0.33);
    expect(p(0)).toBeLessThan(0.47);
  });

  it('splits into the same folds on every run, each item in exactly one', () => {
    const items = Array.from({ length: 23 }, (_, i) => ({ id: String(i).padStart(3, '0') }));
    const a = folds(items, 5).map((f) => f.map((x) => x.id));
    const b = folds([...items].reverse(), 5).map((f) => f.map((x) => x.id));
    expect(a).toEqual(b);
    expect(a.flat().sort()).toEqual(items.map((x) => x.id));
  });
});

describe('the shipped models', () => {
  it.each([
    ['receipt total', RECEIPT_TOTAL_MODEL, TOTAL_FEATURES],
    ['receipt date', RECEIPT_DATE_MODEL, DATE_FEATURES],
    ['receipt vendor', RECEIPT_VENDOR_MODEL, VENDOR_FEATURES],
  ] as const)(
    '%s weighs exactly the features the code computes (retrain with npm run train when they change)',
    (_name, model, features) => {
      expect(model.ranker.features).toEqual([...features]);
      expect(model.trainedOn).toMatch(/cross-validated/);
    },
  );

  it('ranks candidates into shares that sum to 1, and gives a probability for the first', () => {
    const model: RankerModel = {
      field: 'test',
      ranker: { features: ['a'], weights: [2], bias: 0 },
      calibrator: { features: ['logOdds'], weights: [1], bias: 0 },
      trainedOn: 'test',
    };
    const ranked = rank(model, [{ features: { a: 0 } }, { features: { a: 1 } }, { features: {} }]);
    expect(ranked[0]?.candidate.features.a).toBe(1);
    expect(ranked.reduce((s, r) => s + r.share, 0)).toBeCloseTo(1, 10);
    const c = confidence(model, ranked);
    expect(c).toBeGreaterThan(0);
    expect(c).toBeLessThan(1);
    expect(rank(model, [])).toEqual([]);
    expect(confidence(model, [])).toBe(0);
  });
});
