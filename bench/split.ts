// npm run bench:split -- [--train] [--count N] [--index N] [--digital-only] [--real N] [--real-only] [--cache] [--verbose]
//
// Batches as a back office receives them (scripts/invoices/batches.ts): 2–15 generated invoices of 1–3 pages in
// one PDF, digital or scanned (2–4 documents, their OCR being slow), some with separator sheets, the others
// with nothing but their content to cut on. Each batch is read by the real reader (text layer, OCR, codes) and
// split by src/pipeline/split.ts. Prints the share of batches split exactly right and the cuts' precision and
// recall, with and without separator sheets, and the time per page that splitting and code reading add.
// Default: the held-out seed; --train: the seed the splitter was tuned on. Then batches of real documents: the
// PDFs of ../shared/data merged in a seeded order (--real N batches, 30 by default; --real-only for just those).
//
// --cache keeps each batch's layout and codes in tests/artifacts/split-cache/ (keyed by its bytes), so a re-run
// after a splitter change only splits again; timings are printed only for batches read in this run.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { type Batch, buildBatch, mergeBatch } from '../scripts/invoices/batches.ts';
import { prng } from '../scripts/samples/raster.ts';
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
const SHARED = resolve(import.meta.dirname, '..', '..', 'shared', 'data');
/** The real files' batches: their own seed, and how many. */
const SHARED_SEED = 2026;
const SHARED_BATCHES = Number(opt('real') ?? 30);
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
const realGroups = { 'with separator sheets': tally(), 'content cues only': tally() };
/** Time reading codes adds: digital pages without and with separator sheets in their batch, OCR'd pages. */
const times = () => ({
  digital: { pages: 0, plainMs: 0, withCodesMs: 0, codesMs: 0 },
  digitalWithSheets: { pages: 0, plainMs: 0, withCodesMs: 0, codesMs: 0 },
  scanned: { pages: 0, ocrMs: 0, codesMs: 0 },
});
type Times = ReturnType<typeof times>;
const generatedTimes = times();
const realTimes = times();

/** Reads and splits one batch, and counts it in `into`. */
async function measure(batch: Batch, into: Tally[], times: Times): Promise<void> {
  const r = await read(batch).catch((e: Error) => {
    // A batch the reader refused (OCR timed out on a busy machine) counts as split wrong.
    out(`  FAIL ${batch.name} ${batch.kind}: ${e.message.slice(0, 160)}`);
    return undefined;
  });
  if (!r) {
    for (const t of into) {
      t.batches++;
      t.actual += batch.parts.length - 1;
      t.wrong++;
    }
    return;
  }
  const t = performance.now();
  // As the reader splits: pages that could not be read stand alone rather than pass for blank.
  const unreadable = r.layout.pages.filter((p) => p.unreadable !== undefined).map((p) => p.number);
  const plan = planSplit(r.layout, r.codes, { unreadable });
  splitMs += performance.now() - t;
  pagesSplit += batch.pages;
  if (!r.cached && batch.kind === 'digital' && r.plainMs !== undefined && r.withCodesMs !== undefined) {
    const d = batch.separators ? times.digitalWithSheets : times.digital;
    d.pages += batch.pages;
    d.plainMs += r.plainMs;
    d.withCodesMs += r.withCodesMs;
    d.codesMs += r.codesMs;
  }
  if (!r.cached && batch.kind === 'scan') {
    times.scanned.pages += r.ocrPages;
    times.scanned.ocrMs += r.ocrMs;
    times.scanned.codesMs += r.codesMs;
  }
  const truth = new Set(batch.parts.slice(1).map((p) => p.first));
  const found = new Set(plan.parts.slice(1).map((p) => p.first));
  const tp = [...found].filter((c) => truth.has(c)).length;
  const exact =
    tp === truth.size &&
    found.size === truth.size &&
    plan.parts.every((p, i) => p.first === batch.parts[i]?.first && p.last === batch.parts[i]?.last);
  for (const g of into) {
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

/**
 * Batches of real documents: the PDFs of ../shared/data (NF-e DANFEs, NFS-e DANFSEs, the e-invoices' visible
 * pages) merged in a seeded random order, 2–8 files a batch, a third of them with separator sheets. Nobody
 * tuned the splitter on them. Files pdf-lib cannot load, or the reader cannot read alone, are left out.
 */
async function sharedDataBatches(): Promise<Batch[]> {
  const roots = ['nfe-dev/danfe/pdf', 'nfe-dev/danfse/pdf', 'einvoice-dev/pdf'].map((d) => join(SHARED, d));
  const files: { name: string; bytes: Uint8Array }[] = [];
  for (const root of roots.filter((r) => existsSync(r))) {
    for (const name of readdirSync(root)
      .filter((n) => n.endsWith('.pdf'))
      .sort()) {
      const bytes = new Uint8Array(readFileSync(join(root, name)));
      const alone = await plainReader.read({ bytes, file: name }).catch(() => undefined);
      const loads = await PDFDocument.load(bytes, { updateMetadata: false }).then(
        () => true,
        () => false,
      );
      if (alone && !isFailure(alone) && loads) files.push({ name, bytes });
    }
  }
  if (files.length < 2) return [];
  const r = prng(SHARED_SEED);
  const batches: Batch[] = [];
  for (let index = 0; index < SHARED_BATCHES; index++) {
    const order = [...files];
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const chosen = order.slice(0, 2 + Math.floor(r() * 7));
    const separators = r() < 1 / 3;
    const name = `real-${index} (${chosen.map((f) => f.name.replace(/\.pdf$/, '')).join(', ')})`;
    const merged = await mergeBatch(
      name,
      chosen.map((f) => f.bytes),
      separators,
    );
    batches.push({ name, bytes: merged.pdf, kind: 'digital', separators, ...merged });
  }
  return batches;
}

if (!flag('real-only')) {
  out(`bench:split: ${count} batches of generator seed ${seed} (${flag('train') ? 'tuning' : 'held out'})`);
  const only = opt('index');
  for (let index = 0; index < count; index++) {
    if (only !== undefined && index !== Number(only)) continue;
    const batch = await buildBatch({
      seed,
      index,
      ...(flag('digital-only') ? { kind: 'digital' as const } : {}),
    });
    await measure(
      batch,
      [groups[batch.separators ? 'with separator sheets' : 'content cues only'], byKind[batch.kind]],
      generatedTimes,
    );
  }
}
const real = await sharedDataBatches();
if (real.length) {
  out(`bench:split: ${real.length} batches of the real PDFs in ${SHARED}`);
  for (const batch of real) {
    await measure(
      batch,
      [realGroups[batch.separators ? 'with separator sheets' : 'content cues only']],
      realTimes,
    );
  }
} else out(`bench:split: ${SHARED} not found: no batches of real documents`);

const line = (name: string, g: Tally) =>
  out(
    `${name.padEnd(24)} ${String(g.batches).padStart(3)} batches  exact ${pct(g.exact, g.batches).padStart(6)}  ` +
      `cut precision ${pct(g.truePositive, g.predicted).padStart(6)}  recall ${pct(g.truePositive, g.actual).padStart(6)}  ` +
      `separators found ${g.separators ? pct(g.separatorsFound, g.separators) : '–'}  ` +
      `wrong batches held for review ${g.wrong ? `${g.uncertainWrong}/${g.wrong}` : '–'}`,
  );
const sum = (gs: Tally[]) =>
  gs.reduce((a, g) => {
    for (const k of Object.keys(a) as (keyof Tally)[]) a[k] += g[k];
    return a;
  }, tally());
out();
if (!flag('real-only')) {
  out(`generated, seed ${seed}:`);
  for (const [name, g] of Object.entries(groups)) line(name, g);
  for (const [name, g] of Object.entries(byKind)) line(name, g);
  line('all', sum(Object.values(groups)));
}
if (real.length) {
  out('real PDFs merged:');
  for (const [name, g] of Object.entries(realGroups)) line(name, g);
  line('all', sum(Object.values(realGroups)));
}
out();
out(`splitting: ${(splitMs / Math.max(1, pagesSplit)).toFixed(2)} ms per page (${pagesSplit} pages)`);
const timesLine = (what: string, t: Times) => {
  for (const [name, d] of [
    ['digital pages', t.digital],
    ['digital pages, batches with separator sheets', t.digitalWithSheets],
  ] as const) {
    if (!d.pages) continue;
    out(
      `codes, ${what} ${name}: ${((d.withCodesMs - d.plainMs) / d.pages).toFixed(2)} ms per page added to reading ` +
        `(${(d.plainMs / d.pages).toFixed(1)} → ${(d.withCodesMs / d.pages).toFixed(1)} ms; decoding ${(d.codesMs / d.pages).toFixed(2)} ms; ${d.pages} pages)`,
    );
  }
  const sc = t.scanned;
  if (sc.pages) {
    out(
      `codes, ${what} OCR'd pages: ${(sc.codesMs / sc.pages).toFixed(0)} ms per page beside ${(sc.ocrMs / sc.pages).toFixed(0)} ms of OCR ` +
        `(${pct(sc.codesMs, sc.ocrMs)}; ${sc.pages} pages)`,
    );
  }
};
timesLine('generated', generatedTimes);
timesLine('real', realTimes);
await Promise.all([reader.close(), plainReader.close()]);
