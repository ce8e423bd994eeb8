// Trains the field scoring models from labelled documents and writes them to src/pipeline/extract/models/.
// Every figure it prints is cross-validated (5 folds: fitted on four fifths, measured on the fifth).
//
//   npm run train [-- --only receipt-total | --only invoice] [--dry-run] [--cached-only]
//
// The receipts come from ../shared/data (SROIE), read once by our OCR into tests/artifacts/ocr-cache
// (`npx tsx bench/ocr-cache.ts --engine adapter`, about 15 minutes on 2 cores, run first when missing).
// The invoices are the invoice generator's training seeds (scripts/invoices/seeds.ts), never the held-out ones;
// their scans are read once by our OCR into tests/artifacts/invoice-cache (about 25 minutes the first time).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Features } from '../src/pipeline/extract/scoring.ts';
import { crossValidate, type FieldTask, reliability } from './training/cross-validate.ts';
import { INVOICE_TASKS } from './training/invoice-tasks.ts';
import { loadInvoiceExamples } from './training/invoices.ts';
import { loadReceipts } from './training/sroie.ts';
import { receiptDate, receiptTotal, receiptVendor } from './training/tasks.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MODELS = path.join(root, 'src/pipeline/extract/models');
const argv = process.argv.slice(2);
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;
const dryRun = argv.includes('--dry-run');
const l2 = argv.includes('--l2') ? Number(argv[argv.indexOf('--l2') + 1]) : undefined;
const out = (s = '') => process.stdout.write(`${s}\n`);
const pct = (n: number, d: number) => (d ? `${((100 * n) / d).toFixed(1)}%` : 'n/a');

const { receipts, missing } = loadReceipts();
if (missing.length) {
  out(
    `${missing.length} receipts have no cached OCR yet: run \`npx tsx bench/ocr-cache.ts --engine adapter\` first.`,
  );
}

function train<E extends { id: string; set: string }, C extends { features: Features; value?: unknown }>(
  name: string,
  task: FieldTask<E, C>,
  examples: readonly E[],
) {
  if (only && !name.startsWith(only)) return;
  const { outcomes, model } = crossValidate(task, examples, l2 === undefined ? {} : { l2 });
  const right = outcomes.filter((o) => o.right).length;
  const reachable = outcomes.filter((o) => o.reachable).length;
  out(`== ${task.field}: ${examples.length} documents, cross-validated`);
  out(
    `   right ${pct(right, outcomes.length)} (${right}/${outcomes.length}); a right candidate existed in ${pct(reachable, outcomes.length)}`,
  );
  for (const set of [...new Set(outcomes.map((o) => o.example.set))]) {
    const part = outcomes.filter((o) => o.example.set === set);
    out(`   ${set.padEnd(6)} ${pct(part.filter((o) => o.right).length, part.length)} of ${part.length}`);
  }
  out('   reliability (calibrated confidence → share right):');
  for (const b of reliability(outcomes)) {
    if (b.n)
      out(`     ${b.from.toFixed(2)}–${b.to.toFixed(2)}  ${String(b.n).padStart(4)}  ${pct(b.right, b.n)}`);
  }
  model.trainedOn = `${examples.length} labelled documents; cross-validated right ${pct(right, outcomes.length)} (npm run train, ${new Date().toISOString().slice(0, 10)})`;
  if (!dryRun) {
    writeFileSync(path.join(MODELS, `${name}.json`), `${JSON.stringify(model, null, 1)}\n`);
    out(`   written: src/pipeline/extract/models/${name}.json`);
  }
}

if (receipts.length) {
  train('receipt-total', receiptTotal, receipts);
  train('receipt-date', receiptDate, receipts);
  train('receipt-vendor', receiptVendor, receipts);
} else out('no SROIE receipts: the receipt models are left as they are.');

if (!only || only.startsWith('invoice')) {
  const invoices = await loadInvoiceExamples((s) => out(`   ${s}`), {
    cachedOnly: argv.includes('--cached-only'),
  });
  for (const [name, task] of INVOICE_TASKS) train(name, task, invoices);
}
