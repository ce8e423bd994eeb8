// npm run bench:split -- [--train] [--count N] [--digital-only] [--cache] [--verbose]
//
// Batches as a back office receives them (scripts/invoices/batches.ts): 2–15 generated invoices of 1–3 pages in
// one PDF, digital or scanned (2–4 documents, their OCR being slow), some with separator sheets, the others
// with nothing but their content to cut on. Each batch is read by the real reader (text layer, OCR, codes) and
// split by src/pipeline/split.ts. Prints the share of batches split exactly right and the cuts' precision and
// recall, with and without separator sheets, and the time per page that splitting and code reading add.
// Default: the held-out seed; --train: the seed the splitter was tuned on.
//
// --cache keeps each batch's layout and codes in tests/artifacts/split-cache/ (keyed by its bytes), so a re-run
// after a splitter change only splits again; timings are printed only for batches read in this run.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Batch, buildBatch } from '../scripts/invoices/batches.ts';
import type { PrintedCode } from '../src/contract/result.ts';
import type { Layout } from '../src/pipeline/layout.ts';
import { planSplit } from '../src/pipeline/split.ts';
import { createReader, isFailure } from '../src/reading/read-document.ts';

/** The splitter's cues and weights were tuned on TRAIN_SEED's batches only; HELD_OUT_SEED's are for reporting. */
const TRAIN_SEED = 41;
const HELD_OUT_SEED = 977;

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const opt = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const out = (s = '') => process.stdout.write(`${s}\n`);
const pct = (n: number, d: number) => (d ? `${((100 * n) / d).toFixed(1)}%` : '–');

const seed = flag('train') ? TRAIN_SEED : HELD_OUT_SEED;
const count = Number(opt('count') ?? 36);
const CACHE_DIR = resolve(import.meta.dirname, '..', 'tests', 'artifacts', 'split-cache');

interface Read {
  layout: Layout;
  codes: PrintedCode[];
  ocrMs: number;
  codesMs: number;
  ocrPages: number;
  /** Wall time of reading without and with codes (digital batches only: reading a scan twice costs minutes). */
  plainMs?: number;
  withCodesMs?: number;
}

const reader = createReader({ secondLook: false });
const plainReader = createReader({ secondLook: false, codes: false });

async function read(batch: Batch): Promise<Read & { cached: boolean }> {
  const key = createHash('sha256').update(batch.bytes).digest('hex').slice(0, 24);
  const path = join(CACHE_DIR, `${key}.json`);
  if (flag('cache') && existsSync(path))
    return { ...(JSON.parse(readFileSync(path, 'utf8')) as Read), cached: true };
  let plainMs: number | undefined;
  if (batch.kind === 'digital') {
    const t = performance.now();
    await plainReader.readWithLayout({ bytes: batch.bytes, file: batch.name });
    plainMs = performance.now() - t;
  }
  const t = performance.now();
  const { result, layout } = await reader.readWithLayout({ bytes: batch.bytes, file: batch.name });
  const withCodesMs = performance.now() - t;
  if (isFailure(result) || !layout) throw new Error(`${batch.name}: ${JSON.stringify(result)}`);
  const value: Read = {
    layout,
    codes: result.codes ?? [],
    ocrMs: result.timings.ocrMs,
    codesMs: result.timings.codesMs ?? 0,
    ocrPages: layout.pages.filter((p) => p.source === 'ocr').length,
    ...(plainMs !== undefined ? { plainMs, withCodesMs } : {}),
  };
  if (flag('cache')) {
    mkdirSync(CACHE_DIR, { recursive: true });
    writeFileSync(path, JSON.stringify(value));
  }
  return { ...value, cached: false };
}

interface Tally {
  batches: number;
  exact: number;
  truePositive: number;
  predicted: number;
  actual: number;
  separatorsFound: number;
  separators: number;
  uncertain: number;
  uncertainWrong: number;
  wrong: number;
}
const tally = (): Tally => ({
  batches: 0,
  exact: 0,
  truePositive: 0,
  predicted: 0,
  actual: 0,
  separatorsFound: 0,
  separators: 0,
  uncertain: 0,
  uncertainWrong: 0,
  wrong: 0,
});
const groups = { 'with separator sheets': tally(), 'content cues only': tally() };
const byKind = { digital: tally(), scan: tally() };
let splitMs = 0;
let pagesSplit = 0;
const digital = { pages: 0, plainMs: 0, withCodesMs: 0, codesMs: 0 };
const scanned = { pages: 0, ocrMs: 0, codesMs: 0 };

out(`bench:split: ${count} batches of generator seed ${seed} (${flag('train') ? 'tuning' : 'held out'})`);
for (let index = 0; index < count; index++) {
  const batch = await buildBatch({
    seed,
    index,
    ...(flag('digital-only') ? { kind: 'digital' as const } : {}),
  });
  const r = await read(batch).catch((e: Error) => {
    // A batch the reader refused (OCR timed out on a busy machine) counts as split wrong.
    out(`  FAIL ${batch.name} ${batch.kind}: ${e.message.slice(0, 160)}`);
    return undefined;
  });
  if (!r) {
    const g = groups[batch.separators ? 'with separator sheets' : 'content cues only'];
    for (const t of [g, byKind[batch.kind]]) {
      t.batches++;
      t.actual += batch.parts.length - 1;
      t.wrong++;
    }
    continue;
  }
  const t = performance.now();
  const plan = planSplit(r.layout, r.codes);
  splitMs += performance.now() - t;
  pagesSplit += batch.pages;
  if (!r.cached && batch.kind === 'digital' && r.plainMs !== undefined && r.withCodesMs !== undefined) {
    digital.pages += batch.pages;
    digital.plainMs += r.plainMs;
    digital.withCodesMs += r.withCodesMs;
    digital.codesMs += r.codesMs;
  }
  if (!r.cached && batch.kind === 'scan') {
    scanned.pages += r.ocrPages;
    scanned.ocrMs += r.ocrMs;
    scanned.codesMs += r.codesMs;
  }
  const truth = new Set(batch.parts.slice(1).map((p) => p.first));
  const found = new Set(plan.parts.slice(1).map((p) => p.first));
  const tp = [...found].filter((c) => truth.has(c)).length;
  const exact =
    tp === truth.size &&
    found.size === truth.size &&
    plan.parts.every((p, i) => p.first === batch.parts[i]?.first && p.last === batch.parts[i]?.last);
  for (const g of [
    groups[batch.separators ? 'with separator sheets' : 'content cues only'],
    byKind[batch.kind],
  ]) {
    g.batches++;
    if (exact) g.exact++;
    g.truePositive += tp;
    g.predicted += found.size;
    g.actual += truth.size;
    g.separators += batch.separatorPages.length;
    g.separatorsFound += batch.separatorPages.filter((s) => plan.separators.includes(s)).length;
    if (plan.uncertain) g.uncertain++;
    if (!exact) g.wrong++;
    if (!exact && plan.uncertain) g.uncertainWrong++;
  }
  if (flag('verbose') || !exact) {
    const show = (ps: { first: number; last: number }[]) => ps.map((p) => `${p.first}-${p.last}`).join(' ');
    out(
      `  ${exact ? 'ok  ' : 'MISS'} ${batch.name} ${batch.kind}${batch.separators ? '+sep' : ''} ${batch.parts.length} docs ${batch.pages} p` +
        `${exact ? '' : `\n       truth ${show(batch.parts)}\n       split ${show(plan.parts)}${plan.uncertain ? ' (held for review)' : ''}`}`,
    );
    if (!exact && flag('verbose')) {
      for (const c of [...plan.cuts, ...plan.joins].sort((a, b) => a.before - b.before)) {
        out(
          `       ${found.has(c.before) ? 'cut ' : 'join'} ${c.before} ${c.confidence}: ${c.reasons.join('; ')}`,
        );
      }
    }
  }
}

const line = (name: string, g: Tally) =>
  out(
    `${name.padEnd(24)} ${String(g.batches).padStart(3)} batches  exact ${pct(g.exact, g.batches).padStart(6)}  ` +
      `cut precision ${pct(g.truePositive, g.predicted).padStart(6)}  recall ${pct(g.truePositive, g.actual).padStart(6)}  ` +
      `separators found ${g.separators ? pct(g.separatorsFound, g.separators) : '–'}  ` +
      `wrong batches held for review ${g.wrong ? `${g.uncertainWrong}/${g.wrong}` : '–'}`,
  );
out();
for (const [name, g] of Object.entries(groups)) line(name, g);
for (const [name, g] of Object.entries(byKind)) line(name, g);
const all = Object.values(groups).reduce((a, g) => {
  for (const k of Object.keys(a) as (keyof Tally)[]) a[k] += g[k];
  return a;
}, tally());
line('all', all);
out();
out(`splitting: ${(splitMs / Math.max(1, pagesSplit)).toFixed(2)} ms per page (${pagesSplit} pages)`);
if (digital.pages) {
  out(
    `codes, digital pages: ${((digital.withCodesMs - digital.plainMs) / digital.pages).toFixed(2)} ms per page added to reading ` +
      `(${(digital.plainMs / digital.pages).toFixed(1)} → ${(digital.withCodesMs / digital.pages).toFixed(1)} ms; decoding ${(digital.codesMs / digital.pages).toFixed(2)} ms; ${digital.pages} pages)`,
  );
}
if (scanned.pages) {
  out(
    `codes, OCR'd pages: ${(scanned.codesMs / scanned.pages).toFixed(0)} ms per page beside ${(scanned.ocrMs / scanned.pages).toFixed(0)} ms of OCR ` +
      `(${pct(scanned.codesMs, scanned.ocrMs)}; ${scanned.pages} pages)`,
  );
}
await Promise.all([reader.close(), plainReader.close()]);
