// Which seeds of the invoice generator are for looking at and which are for measuring.
//
// TRAIN_SEEDS are open: look at their documents, read their misses, tune extraction on them.
// HELD_OUT_SEEDS are what `npm run bench:invoices` reports by default, and the figures in
// docs/benchmarks.md come from them. Nobody tunes on the held-out seeds: do not open their documents to
// fix a miss, do not add their values to label lists or tests, and do not pick changes by how these seeds
// score. When a change has been judged on the training seeds, run the held-out ones once to report it. If
// the held-out seeds have been looked at, draw new ones and say so in the commit.
export const TRAIN_SEEDS: readonly number[] = [1, 2, 3, 4, 5];
export const HELD_OUT_SEEDS: readonly number[] = [101, 202, 303];

/** Documents per seed in the benchmark: 3 held-out seeds × 20 = 60, about 45% digital. */
export const DOCUMENTS_PER_SEED = 20;
