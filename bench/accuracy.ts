// Field accuracy on real and generated documents.
//
//   npm run bench:accuracy -- [--verbose] [--only sroie|samples]
//
// Part A: the 300 SROIE receipts (../shared/data/sroie-dev and sroie-train): total, date and company name
//   against the keys, each chosen by a model fitted on the other folds, from the OCR cached by
//   `npx tsx bench/ocr-cache.ts --engine adapter`; with the straight-through rate and the silent errors.
// Part B: every samples/<name>.<ext> with its <name>.expected.json, read end to end by the reader.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDefaultRuleSet } from '../src/config/config-file.ts';
import type { DocumentFailure, DocumentResult } from '../src/contract/result.ts';
import { type FieldScore, scoreFields, scoreLineItems } from '../src/evaluation/score.ts';
import type { Layout } from '../src/pipeline/layout.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SAMPLES_DIR = path.join(root, 'samples');

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const opt = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const verbose = flag('verbose');
const out = (s = '') => process.stdout.write(`${s}\n`);
const pct = (n: number, d: number) => (d ? `${((100 * n) / d).toFixed(1)}%` : 'n/a');

interface ReaderLike {
  readWithLayout?(input: { bytes: Uint8Array; file: string }): Promise<{
    result: DocumentResult | DocumentFailure;
    layout?: Layout;
  }>;
  read(input: { bytes: Uint8Array; file: string }): Promise<DocumentResult | DocumentFailure>;
  close(): Promise<void>;
}

async function loadReader(): Promise<ReaderLike | undefined> {
  const file = path.join(root, 'src/reading/read-document.ts');
  if (!existsSync(file)) return undefined;
  const mod = (await import(file)) as { createReader: (o?: object) => ReaderLike };
  return mod.createReader({ ocrPoolSize: 1 });
}

// ---- part A: SROIE, cross-validated ------------------------------------------------------------------------

/**
 * The 300 SROIE receipts, each field chosen by a model fitted on the other four fifths (5 folds): the figures a
 * receipt nobody tuned on can expect. A receipt goes straight through when its name, date and total are all at
 * or above the receipts' confidence threshold in the shipped rules; a silent error is such a receipt with any
 * of the three wrong.
 */
async function partA(): Promise<void> {
  out('== Part A: SROIE receipts (../shared/data/sroie-dev and sroie-train), 5-fold cross-validated');
  const { loadReceipts } = await import('../scripts/training/sroie.ts');
  const { crossValidate } = await import('../scripts/training/cross-validate.ts');
  const { receiptDate, receiptTotal, receiptVendor } = await import('../scripts/training/tasks.ts');
  const { receipts, missing } = loadReceipts();
  if (!receipts.length) {
    out('   skipped: no SROIE receipts with cached OCR (npx tsx bench/ocr-cache.ts --engine adapter).');
    return;
  }
  if (missing.length) out(`   ${missing.length} receipts without cached OCR are left out`);
  const byField = {
    total: new Map(crossValidate(receiptTotal, receipts).outcomes.map((o) => [o.example.id, o])),
    date: new Map(crossValidate(receiptDate, receipts).outcomes.map((o) => [o.example.id, o])),
    company: new Map(crossValidate(receiptVendor, receipts).outcomes.map((o) => [o.example.id, o])),
  };
  const bar = receiptThresholds();
  for (const set of ['all', 'dev', 'train'] as const) {
    const part = receipts.filter((r) => set === 'all' || r.set === set);
    const n = part.length;
    const line = Object.entries(byField)
      .map(([name, m]) => {
        const right = part.filter((r) => m.get(r.id)?.right).length;
        return `${name} ${pct(right, n)}`;
      })
      .join(', ');
    let auto = 0;
    let silent = 0;
    for (const r of part) {
      const os = (Object.keys(byField) as (keyof typeof byField)[]).map((name) => ({
        o: byField[name].get(r.id),
        bar: bar[name],
      }));
      if (os.every(({ o, bar }) => o?.chosen !== undefined && o.confidence >= bar)) {
        auto++;
        if (os.some(({ o }) => !o?.right)) silent++;
      }
    }
    out(`   ${set.padEnd(5)} ${String(n).padStart(3)} receipts: ${line}`);
    out(
      `         straight-through ${pct(auto, n)} at the rules' confidence bars; silent errors ${silent} (${pct(silent, n)} of all, ${pct(silent, auto)} of those passed)`,
    );
  }
  if (verbose) {
    for (const [name, m] of Object.entries(byField)) {
      for (const o of m.values()) {
        if (o.right) continue;
        const r = o.example;
        const want = name === 'total' ? r.key.total : name === 'date' ? r.key.date : r.key.company;
        out(
          `   miss ${r.id} ${name.padEnd(7)} expected ${want}  got ${o.chosen ?? '(none)'} (${o.confidence.toFixed(2)})`,
        );
      }
    }
  }
}

/** The receipts' confidence bar per field, from the shipped rules' low_confidence rule for receipts. */
function receiptThresholds(): { total: number; date: number; company: number } {
  const rules = loadDefaultRuleSet();
  const rule = rules.documentTypes.receipt?.rules.find((r) => r.code === 'low_confidence');
  const params = rule?.code === 'low_confidence' ? rule.params : {};
  const base = params.threshold ?? rules.routing.confidenceThreshold;
  return {
    total: params.thresholds?.totalAmount ?? base,
    date: params.thresholds?.invoiceDate ?? base,
    company: params.thresholds?.vendorName ?? base,
  };
}

// ---- part B: samples --------------------------------------------------------------------------------------

interface ExpectedSample {
  file: string;
  fields: Record<string, string | undefined>;
  lineItems: { description: string; quantity?: string; unitPrice?: string; amount: string }[];
}

async function partB(reader: ReaderLike | undefined): Promise<void> {
  out('== Part B: samples/');
  if (!existsSync(SAMPLES_DIR)) {
    out('   skipped: no samples/ folder (npm run samples generates it).');
    return;
  }
  if (!reader) {
    out('   skipped: the reader (src/reading/read-document.ts) is not there yet.');
    return;
  }
  const expectedFiles = (await readdir(SAMPLES_DIR)).filter((f) => f.endsWith('.expected.json')).sort();
  const perField = new Map<string, { ok: number; n: number }>();
  const misses: string[] = [];
  let docs = 0;
  let failures = 0;
  for (const ef of expectedFiles) {
    const expected = JSON.parse(await readFile(path.join(SAMPLES_DIR, ef), 'utf8')) as ExpectedSample;
    const file = path.join(SAMPLES_DIR, expected.file);
    if (!existsSync(file)) continue;
    docs++;
    const result = await reader.read({ bytes: await readFile(file), file: expected.file });
    let scores: FieldScore[];
    if ('error' in result) {
      failures++;
      misses.push(`${expected.file}: failed (${result.error.code}: ${result.error.message})`);
      scores = scoreFields(expected.fields, {}).concat(scoreLineItems(expected.lineItems, []));
    } else {
      scores = scoreFields(expected.fields, result.fields).concat(
        scoreLineItems(expected.lineItems, result.lineItems),
      );
    }
    for (const s of scores) {
      const key = s.field.startsWith('lineItems[') ? `lineItems.${s.field.split('.').pop()}` : s.field;
      const agg = perField.get(key) ?? { ok: 0, n: 0 };
      agg.n++;
      agg.ok += s.ok ? 1 : 0;
      perField.set(key, agg);
      if (!s.ok) misses.push(`${expected.file} ${s.field}: expected ${s.expected}  got ${s.got ?? '(none)'}`);
    }
  }
  out(`   ${docs} documents${failures ? `, ${failures} failed to read` : ''}`);
  let ok = 0;
  let n = 0;
  for (const [f, a] of [...perField.entries()].sort()) {
    out(`   ${f.padEnd(22)} ${pct(a.ok, a.n).padStart(6)} (${a.ok}/${a.n})`);
    ok += a.ok;
    n += a.n;
  }
  out(`   ${'all fields'.padEnd(22)} ${pct(ok, n).padStart(6)} (${ok}/${n})`);
  if (verbose) for (const m of misses) out(`   miss ${m}`);
}

async function main(): Promise<void> {
  const only = opt('only');
  const needReader = only !== 'sroie';
  const reader = needReader ? await loadReader() : undefined;
  try {
    if (!only || only === 'sroie') await partA();
    if (!only || only === 'samples') await partB(reader);
  } finally {
    await reader?.close();
  }
}

await main();
