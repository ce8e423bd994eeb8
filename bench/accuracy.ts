// Field accuracy on real and generated documents.
//
//   npm run bench:accuracy -- [--cached] [--engine plain|adapter] [--verbose] [--only sroie|samples]
//
// Part A: the SROIE dev receipts (../shared/data/sroie-dev): total, date and company name against the keys.
//   --cached reads layouts from tests/artifacts/ocr-cache/<engine>/ (bench/ocr-cache.ts) instead of OCRing.
// Part B: every samples/<name>.<ext> with its <name>.expected.json, read end to end by the reader.
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Decimal } from 'decimal.js';
import type { DocumentFailure, DocumentResult, Fields } from '../src/contract/result.ts';
import { type FieldScore, scoreFields, scoreLineItems } from '../src/evaluation/score.ts';
import { findDates } from '../src/pipeline/extract/dates.ts';
import { extractReceiptFields } from '../src/pipeline/extract/receipt.ts';
import type { Layout } from '../src/pipeline/layout.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SROIE_DIR = path.resolve(root, '../shared/data/sroie-dev');
const CACHE_DIR = path.join(root, 'tests/artifacts/ocr-cache');
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

// ---- comparisons ------------------------------------------------------------------------------------------

/** Case, punctuation and whitespace folded. */
export function normaliseName(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');
}

export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] as number;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j] as number;
      prev[j] = Math.min(up + 1, (prev[j - 1] as number) + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length] as number;
}

/** The key's date as printed (DD/MM/YYYY mostly, sometimes MM/DD or "25 Dec 2018") → the ISO dates it can mean. */
function keyDates(printed: string): string[] {
  const compact = printed.trim().match(/^(\d{4})(\d{2})(\d{2})$/);
  if (compact) return [`${compact[1]}-${compact[2]}-${compact[3]}`];
  const a = findDates(printed, { order: 'DMY' }).map((d) => d.value);
  const b = findDates(printed, { order: 'MDY' }).map((d) => d.value);
  return [...new Set([...a.slice(0, 1), ...b.slice(0, 1)])];
}

function sameAmount(expected: string, got: string | null | undefined): boolean {
  if (!got) return false;
  try {
    return new Decimal(expected.replace(/[^\d.-]/g, '')).equals(new Decimal(got));
  } catch {
    return false;
  }
}

// ---- part A: SROIE ----------------------------------------------------------------------------------------

interface SroieKey {
  company: string;
  date: string;
  address: string;
  total: string;
}

async function partA(reader: ReaderLike | undefined): Promise<void> {
  out('== Part A: SROIE receipts');
  if (!existsSync(SROIE_DIR)) {
    out(`   skipped: ${SROIE_DIR} is absent (put the SROIE dev set there to measure receipts).`);
    return;
  }
  const cached = flag('cached');
  const engine = opt('engine') ?? (cached ? 'plain' : 'reader');
  const keyDir = path.join(SROIE_DIR, 'key');
  const ids = (await readdir(keyDir))
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.replace(/\.json$/, ''))
    .sort();
  let n = 0;
  let totalOk = 0;
  let dateOk = 0;
  let companyOk = 0;
  let companyLenient = 0;
  let missingLayout = 0;
  const misses: string[] = [];
  if (!cached && !reader) out('   the reader (src/reading/read-document.ts) is missing: run with --cached');
  if (!cached) await mkdir(path.join(CACHE_DIR, engine), { recursive: true });
  for (const id of ids) {
    const key = JSON.parse(await readFile(path.join(keyDir, `${id}.json`), 'utf8')) as SroieKey;
    let layout: Layout | undefined;
    if (cached) {
      const file = path.join(CACHE_DIR, engine, `${id}.json`);
      if (existsSync(file)) layout = JSON.parse(await readFile(file, 'utf8')) as Layout;
    } else if (reader?.readWithLayout) {
      const img = (await readdir(path.join(SROIE_DIR, 'img'))).find((f) => f.startsWith(`${id}.`));
      if (img) {
        const { layout: l } = await reader.readWithLayout({
          bytes: await readFile(path.join(SROIE_DIR, 'img', img)),
          file: img,
        });
        layout = l;
        // Keep what the product's path read, so the next run can iterate on it with --cached --engine reader.
        if (l) await writeFile(path.join(CACHE_DIR, engine, `${id}.json`), JSON.stringify(l));
      }
    }
    if (!layout) {
      missingLayout++;
      continue;
    }
    n++;
    // SROIE images are all receipts: measure the receipt reader itself, whatever the classifier says.
    const fields: Fields = extractReceiptFields(layout, { language: 'en' });
    const total = fields.totalAmount?.value;
    const date = fields.invoiceDate?.value;
    const company = fields.vendorName?.value ?? '';
    const tOk = sameAmount(key.total, total);
    const dOk = !!date && keyDates(key.date).includes(date);
    const want = normaliseName(key.company);
    const got = normaliseName(company);
    const cOk = want === got;
    const cLenient =
      cOk || (got !== '' && editDistance(want, got) <= Math.max(1, Math.floor(want.length * 0.1)));
    totalOk += tOk ? 1 : 0;
    dateOk += dOk ? 1 : 0;
    companyOk += cOk ? 1 : 0;
    companyLenient += cLenient ? 1 : 0;
    if (!tOk) misses.push(`${id} total    expected ${key.total}  got ${total ?? '(none)'}`);
    if (!dOk) misses.push(`${id} date     expected ${key.date}  got ${date ?? '(none)'}`);
    if (!cLenient) misses.push(`${id} company  expected ${key.company}  got ${company || '(none)'}`);
    else if (!cOk) misses.push(`${id} company~ expected ${key.company}  got ${company}`);
  }
  out(
    `   source: ${cached ? `OCR cache "${engine}"` : 'reader'}; ${n} receipts${missingLayout ? ` (${missingLayout} without a layout)` : ''}`,
  );
  out(`   total    ${pct(totalOk, n)} (${totalOk}/${n})`);
  out(`   date     ${pct(dateOk, n)} (${dateOk}/${n})`);
  out(
    `   company  ${pct(companyOk, n)} (${companyOk}/${n}); lenient (edit distance ≤ 10%) ${pct(companyLenient, n)}`,
  );
  if (verbose) for (const m of misses.sort()) out(`   miss ${m}`);
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
  const needReader = !(flag('cached') && only === 'sroie');
  const reader = needReader ? await loadReader() : undefined;
  try {
    if (!only || only === 'sroie') await partA(reader);
    if (!only || only === 'samples') await partB(reader);
  } finally {
    await reader?.close();
  }
}

await main();
