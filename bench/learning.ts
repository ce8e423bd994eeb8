// npm run bench:learning -- [--streams 24] [--controls 8] [--confirmations 1] [--layouts 10000] [--first-seed N]
//                             [--verbose]
//
// How fast the service learns from its reviewers. Streams of documents per vendor layout: generated invoices
// (scripts/invoices/, one issuer per stream, digital PDFs, 10 documents with different values each), kept
// where today's reader gets some field wrong, and the SROIE receipts of the companies that repeat in
// ../shared/data (three receipts or more, in file order). The streams are read side by side, document 1 of
// each, then document 2 of each, …, every one with the vendor memory learned so far. A simulated reviewer takes
// document 1 of each stream, and any later one still wrong: corrects the wrong fields and approves, each
// through `learnFromReview`, the function the review service calls on a correction and an approval. Control
// streams (other generated vendors) are never corrected: they must read exactly as without memory.
//
// Prints, per position in the stream, first-pass field accuracy and the straight-through rate (route auto,
// every field right), with and without memory; then the lookup time per document with --layouts layouts (one
// run each, and the best of five).
//
// The invoices' layouts are kept in tests/artifacts/learning-cache/ (keyed by the PDF's bytes); the receipts'
// OCR comes from bench/ocr-cache.ts (npx tsx bench/ocr-cache.ts --engine adapter).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type GeneratedInvoice, generateInvoices } from '../scripts/invoices/generate.ts';
import { expectedPartOf } from '../scripts/invoices/spec.ts';
import { keyDates, loadReceipts } from '../scripts/training/sroie.ts';
import { loadDefaultRuleSet } from '../src/config/config-file.ts';
import type { FieldName } from '../src/contract/fields.ts';
import type { Extraction, Fields } from '../src/contract/result.ts';
import { sameValue } from '../src/evaluation/score.ts';
import { layoutFingerprint } from '../src/pipeline/extract/memory/fingerprint.ts';
import { learnFromReview } from '../src/pipeline/extract/memory/learn.ts';
import { VendorMemory } from '../src/pipeline/extract/memory/memory.ts';
import { recall } from '../src/pipeline/extract/memory/recall.ts';
import type { MemoryLayout } from '../src/pipeline/extract/memory/schema.ts';
import type { Layout } from '../src/pipeline/layout.ts';
import { understandDocument } from '../src/pipeline/understand.ts';
import { createReader, documentIdFor, sha256Hex } from '../src/reading/read-document.ts';
import { type HistoryEntry, historyEntryOf, vendorKeyOf } from '../src/rules/context.ts';
import { judge } from '../src/rules/judge.ts';
import type { Vendor } from '../src/rules/master-data.ts';

const ROOT = resolve(import.meta.dirname, '..');
const CACHE_DIR = join(ROOT, 'tests', 'artifacts', 'learning-cache');
const argv = process.argv.slice(2);
const opt = (name: string, fallback: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const verbose = argv.includes('--verbose');
const out = (s = '') => process.stdout.write(`${s}\n`);
const pct = (n: number, d: number) => (d ? `${((100 * n) / d).toFixed(1)}%` : '–');

const STREAM_LENGTH = 10;
const WANTED = opt('streams', 24);
const CONTROLS = opt('controls', 8);
const CONFIRMATIONS = opt('confirmations', 1);
/** Streams were tuned on seeds from 9001; --first-seed 9501 gives streams never looked at. */
const FIRST_SEED = opt('first-seed', 9001);

interface Doc {
  id: string;
  file: string;
  layout: Layout;
  language?: string;
  /** Field → the true value, in the contract's form (several when a date can be read two ways). */
  truth: Partial<Record<FieldName, string[]>>;
}

interface Stream {
  name: string;
  kind: 'invoice' | 'receipt';
  corrected: boolean;
  docs: Doc[];
}

// ---- The streams ----

async function invoiceStreams(): Promise<{ streams: Stream[]; vendors: Vendor[]; now: Date }> {
  mkdirSync(CACHE_DIR, { recursive: true });
  const reader = createReader({ ocrPoolSize: 1, secondLook: false });
  const streams: Stream[] = [];
  const vendors: Vendor[] = [];
  let now = new Date();
  let wrong = 0;
  let controls = 0;
  for (let seed = FIRST_SEED; wrong < WANTED || controls < CONTROLS; seed++) {
    if (seed > FIRST_SEED + 400) break;
    const corpus = await generateInvoices({ seed, count: STREAM_LENGTH, delivery: 'digital', vendors: 1 });
    now = corpus.now;
    const docs: Doc[] = [];
    for (const g of corpus.documents) docs.push(await invoiceDoc(reader, g));
    // Today's reader, without memory: does it get a field of this layout wrong?
    const misses = docs.some((d) => score(d, understandDocument(d.layout, {}).fields).wrong.length > 0);
    const family = corpus.documents[0]!.spec.layout;
    const name = `${family} s${seed}`;
    if (misses && wrong < WANTED) {
      streams.push({ name, kind: 'invoice', corrected: true, docs });
      wrong++;
    } else if (controls < CONTROLS) {
      streams.push({ name, kind: 'invoice', corrected: false, docs });
      controls++;
    } else continue;
    vendors.push(...corpus.vendors.vendors);
  }
  await reader.close();
  return { streams, vendors, now };
}

async function invoiceDoc(reader: ReturnType<typeof createReader>, g: GeneratedInvoice): Promise<Doc> {
  const sha = sha256Hex(g.bytes);
  const path = join(CACHE_DIR, `${sha}.json`);
  let layout: Layout;
  if (existsSync(path)) layout = JSON.parse(readFileSync(path, 'utf8')) as Layout;
  else {
    const read = await reader.readWithLayout({ bytes: g.bytes, file: g.file });
    if (!read.layout) throw new Error(`${g.file} could not be read`);
    layout = read.layout;
    writeFileSync(path, JSON.stringify(layout));
  }
  const truth: Doc['truth'] = {};
  for (const [k, v] of Object.entries(expectedPartOf(g.truth).fields)) {
    if (typeof v === 'string') truth[k as FieldName] = [v];
  }
  return { id: documentIdFor(sha), file: g.file, layout, language: g.truth.language, truth };
}

function receiptStreams(): Stream[] {
  const { receipts } = loadReceipts();
  const byCompany = new Map<string, typeof receipts>();
  for (const r of receipts) {
    const key = r.key.company.trim().toUpperCase();
    byCompany.set(key, [...(byCompany.get(key) ?? []), r]);
  }
  return [...byCompany.entries()]
    .filter(([, rs]) => rs.length >= 3)
    .map(([company, rs]) => ({
      name: `receipts ${company}`,
      kind: 'receipt' as const,
      corrected: true,
      docs: rs.map((r) => ({
        id: `sroie_${r.id}`,
        file: `${r.id}.jpg`,
        layout: r.layout,
        truth: {
          vendorName: [r.key.company],
          invoiceDate: keyDates(r.key.date),
          totalAmount: [r.key.total.replace(/[^\d.-]/g, '')],
        },
      })),
    }));
}

// ---- Reading, judging, reviewing ----

function score(doc: Doc, fields: Fields) {
  const wrong: FieldName[] = [];
  let right = 0;
  for (const [name, values] of Object.entries(doc.truth) as [FieldName, string[]][]) {
    if (values.some((v) => sameValue(name, v, fields[name]?.value))) right++;
    else wrong.push(name);
  }
  return { right, total: right + wrong.length, wrong };
}

function extractionOf(doc: Doc, memory: VendorMemory | undefined): Extraction {
  const understood = understandDocument(doc.layout, memory ? { memory } : {});
  return {
    id: doc.id,
    file: doc.file,
    sha256: doc.id,
    documentType: understood.documentType,
    language: understood.language,
    pages: doc.layout.pages.length,
    fields: understood.fields,
    lineItems: understood.lineItems,
    timings: { loadMs: 0, ocrMs: 0, extractMs: 0, validateMs: 0 },
  };
}

/** The reviewer: every wrong field corrected to its true value, then the document approved. */
function review(memory: VendorMemory, doc: Doc, read: Extraction, wrong: readonly FieldName[], at: Date) {
  const fields: Fields = { ...read.fields };
  for (const name of wrong) {
    const old = read.fields[name];
    fields[name] = {
      value: doc.truth[name]![0]!,
      confidence: 1,
      page: old?.page ?? 1,
      bbox: old?.bbox ?? [0, 0, 0, 0],
    };
  }
  const vendorKey = vendorKeyOf({ ...read, fields }) ?? `doc:${doc.id}`;
  const source = { actor: 'usr_bench', actorName: 'Ana', at: at.toISOString() };
  const steps = [
    ...(wrong.length ? [{ how: 'correction' as const, corrected: wrong }] : []),
    { how: 'approval' as const, corrected: [] },
  ];
  for (const step of steps) {
    const learned = learnFromReview(memory, {
      documentId: doc.id,
      layout: doc.layout,
      fields,
      corrected: step.corrected,
      vendorKey,
      source: { ...source, how: step.how },
    });
    memory.put(learned.layout);
  }
}

interface Outcome {
  stream: Stream;
  position: number;
  right: number;
  total: number;
  straight: boolean;
  baseRight: number;
  baseStraight: boolean;
  changed: boolean;
}

async function main() {
  const t0 = performance.now();
  const { streams: invoices, vendors, now } = await invoiceStreams();
  const receipts = receiptStreams();
  const streams = [...invoices, ...receipts];
  out(
    `${invoices.filter((s) => s.corrected).length} invoice layouts the reader gets wrong, ${invoices.filter((s) => !s.corrected).length} control invoice layouts never corrected, ${receipts.length} repeat receipt vendors (${receipts.reduce((a, s) => a + s.docs.length, 0)} receipts); ${CONFIRMATIONS} confirmation(s) before use`,
  );
  if (!receipts.length)
    out('   (no SROIE receipts with cached OCR: npx tsx bench/ocr-cache.ts --engine adapter)');
  const ruleSet = loadDefaultRuleSet();
  const memory = new VendorMemory([], { minConfirmations: CONFIRMATIONS });
  const histories = new Map<Stream, HistoryEntry[]>();
  const baseHistories = new Map<Stream, HistoryEntry[]>();
  const outcomes: Outcome[] = [];
  const longest = Math.max(...streams.map((s) => s.docs.length));
  const clock = new Date(now);
  for (let position = 0; position < longest; position++) {
    for (const stream of streams) {
      const doc = stream.docs[position];
      if (!doc) continue;
      const context = { vendors: stream.kind === 'invoice' ? vendors : [], now };
      const judgeWith = (read: Extraction, history: HistoryEntry[]) => {
        const result = judge(read, { ruleSet, context: { ...context, history } });
        history.push(historyEntryOf(result));
        return result;
      };
      const base = judgeWith(extractionOf(doc, undefined), baseHistories.get(stream) ?? []);
      baseHistories.set(stream, baseHistories.get(stream) ?? []);
      const history = histories.get(stream) ?? [];
      histories.set(stream, history);
      const result = judgeWith(extractionOf(doc, memory), history);
      const s = score(doc, result.fields);
      const b = score(doc, base.fields);
      const changed = JSON.stringify(base.fields) !== JSON.stringify(result.fields);
      outcomes.push({
        stream,
        position,
        right: s.right,
        total: s.total,
        straight: result.route === 'auto' && s.wrong.length === 0,
        baseRight: b.right,
        baseStraight: base.route === 'auto' && b.wrong.length === 0,
        changed,
      });
      if (verbose && s.wrong.length)
        out(
          `   ${stream.name} #${position + 1}: ${s.wrong.map((f) => `${f} got ${result.fields[f]?.value ?? '–'}`).join('; ')}`,
        );
      clock.setUTCMinutes(clock.getUTCMinutes() + 1);
      if (stream.corrected && (position === 0 || s.wrong.length > 0))
        review(memory, doc, result, s.wrong, clock);
    }
  }
  const curve = (title: string, pick: (o: Outcome) => boolean) => {
    const chosen = outcomes.filter(pick);
    if (!chosen.length) return;
    out();
    out(`== ${title}`);
    out('   doc   documents   fields right (memory / without)   straight through (memory / without)');
    for (let p = 0; p < longest; p++) {
      const at = chosen.filter((o) => o.position === p);
      if (!at.length) continue;
      const r = at.reduce((a, o) => a + o.right, 0);
      const br = at.reduce((a, o) => a + o.baseRight, 0);
      const t = at.reduce((a, o) => a + o.total, 0);
      const st = at.filter((o) => o.straight).length;
      const bst = at.filter((o) => o.baseStraight).length;
      out(
        `   ${String(p + 1).padStart(3)}   ${String(at.length).padStart(9)}   ${pct(r, t).padStart(6)} / ${pct(br, t).padEnd(20)}   ${pct(st, at.length).padStart(6)} / ${pct(bst, at.length)}`,
      );
    }
    const later = chosen.filter((o) => o.position > 0);
    const r = later.reduce((a, o) => a + o.right, 0);
    const t = later.reduce((a, o) => a + o.total, 0);
    out(
      `   documents 2 and after: fields right ${pct(r, t)} (without memory ${pct(
        later.reduce((a, o) => a + o.baseRight, 0),
        t,
      )}), straight through ${pct(later.filter((o) => o.straight).length, later.length)} (without ${pct(
        later.filter((o) => o.baseStraight).length,
        later.length,
      )})`,
    );
  };
  curve(
    'Invoice layouts the reader gets wrong, corrected by a reviewer',
    (o) => o.stream.kind === 'invoice' && o.stream.corrected,
  );
  curve('Repeat receipt vendors (SROIE), corrected by a reviewer', (o) => o.stream.kind === 'receipt');
  curve('Control invoice layouts, never corrected', (o) => !o.stream.corrected);
  const controls = outcomes.filter((o) => !o.stream.corrected);
  out(
    `   control documents read differently with memory than without: ${controls.filter((o) => o.changed).length}/${controls.length}`,
  );
  out();
  out(`memory: ${memory.size} layouts`);
  lookupTimes(memory, streams);
  out(`(${((performance.now() - t0) / 1000).toFixed(0)} s)`);
}

/** Lookup and use per document with many layouts learned: the real ones among synthetic vendors. */
function lookupTimes(memory: VendorMemory, streams: readonly Stream[]) {
  const target = opt('layouts', 10_000);
  const real = memory.layouts();
  if (!real.length) return;
  const big = new VendorMemory(real, { minConfirmations: CONFIRMATIONS });
  let i = 0;
  while (big.size < target) {
    const from = real[i % real.length]!;
    // Another vendor on the same template: the template's words where they were, the vendor's own words its own.
    const tag = `v${i}`;
    const tokens = from.tokens.map((t, k) =>
      k % 3 === 0 ? `${t.split('@')[0]}${tag}${t.includes('@') ? `@${t.split('@')[1]}` : ''}` : t,
    );
    const layout: MemoryLayout = { ...from, id: `syn_${i}`, vendorKey: `name:synthetic ${i}`, tokens };
    big.put(layout);
    i++;
  }
  const docs = streams.flatMap((s) => s.docs);
  const times: number[] = [];
  const lookups: number[] = [];
  for (const doc of docs) {
    const t = performance.now();
    big.match(layoutFingerprint(doc.layout));
    lookups.push(performance.now() - t);
  }
  for (const doc of docs) {
    const t = performance.now();
    recall(big, doc.layout);
    times.push(performance.now() - t);
  }
  // On a shared machine one run per document counts other processes' time slices and collections in its tail;
  // the best of five is what the lookup itself costs.
  const best = docs.map((doc) => {
    let ms = Number.POSITIVE_INFINITY;
    for (let k = 0; k < 5; k++) {
      const t = performance.now();
      recall(big, doc.layout);
      ms = Math.min(ms, performance.now() - t);
    }
    return ms;
  });
  const q = (xs: number[], p: number) =>
    [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!.toFixed(2);
  const figures = (xs: number[]) => `median ${q(xs, 0.5)} ms, p95 ${q(xs, 0.95)} ms, max ${q(xs, 1)} ms`;
  out(`with ${big.size} layouts, per document (${docs.length} documents):`);
  out(`   finding the layout (fingerprint and index): ${figures(lookups)}`);
  out(`   finding it and reading every learned field: ${figures(times)}`);
  out(`   the same, best of 5 runs per document: ${figures(best)}`);
}

await main();
