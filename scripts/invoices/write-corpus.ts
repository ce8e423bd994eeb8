// Writes a generated invoice corpus to disk, to look at or to feed elsewhere: each document, its truth
// (<name>.truth.json: the samples' expected shape plus layout and delivery tags) and the vendors file.
//
//   npx tsx scripts/invoices/write-corpus.ts [--seed 1] [--count 20] [--delivery mix|digital|scan|photo|turned] [--out DIR]
//
// Default folder: tests/artifacts/invoices/seed-<seed>/ (not committed).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type DeliveryChoice, generateInvoices } from './generate.ts';

const argv = process.argv.slice(2);
const opt = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};

const seed = Number(opt('seed') ?? 1);
const count = Number(opt('count') ?? 20);
const delivery = (opt('delivery') ?? 'mix') as DeliveryChoice;
const out = resolve(
  opt('out') ?? join(import.meta.dirname, '..', '..', 'tests', 'artifacts', 'invoices', `seed-${seed}`),
);

const t0 = performance.now();
const corpus = await generateInvoices({ seed, count, delivery });
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
for (const d of corpus.documents) {
  writeFileSync(join(out, d.file), d.bytes);
  writeFileSync(join(out, `${d.spec.name}.truth.json`), `${JSON.stringify(d.truth, null, 2)}\n`);
}
writeFileSync(join(out, 'vendors.json'), `${JSON.stringify(corpus.vendors, null, 2)}\n`);
process.stdout.write(
  `${corpus.documents.length} documents in ${out} (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`,
);
