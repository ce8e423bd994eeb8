// NF-e accuracy: each DANFE PDF of ../shared/data/nfe-dev read end to end, its fields scored against its own
// NF-e XML; then each XML read through the reader (structured input) and checked to give the same fields.
//
//   npx tsx bench/nfe.ts [--verbose] [--dump-layouts DIR]
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DocumentFailure, Extraction, Fields, LineItem } from '../src/contract/result.ts';
import { sameValue } from '../src/evaluation/score.ts';
import { readNfeXml } from '../src/pipeline/extract/nfe-xml.ts';
import { createReader } from '../src/reading/read-document.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DATA = path.resolve(root, '../shared/data/nfe-dev');
const argv = process.argv.slice(2);
const verbose = argv.includes('--verbose');
const dumpAt = argv.indexOf('--dump-layouts');
const dumpDir = dumpAt >= 0 ? argv[dumpAt + 1] : undefined;
const out = (s = '') => process.stdout.write(`${s}\n`);
const pct = (n: number, d: number) => (d ? `${((100 * n) / d).toFixed(1)}%` : 'n/a');

const FIELDS = [
  'vendorName',
  'vendorTaxId',
  'customerName',
  'customerTaxId',
  'invoiceNumber',
  'invoiceDate',
  'totalAmount',
  'subtotal',
] as const;

/** A DANFE prints "000.000.002" where the XML has "2": numbers compare as numbers. */
function same(field: string, expected: string, got: string | null | undefined): boolean {
  if (got == null) return false;
  if (field === 'invoiceNumber') {
    const digits = (s: string) => s.replace(/\D/g, '').replace(/^0+/, '');
    return digits(expected) !== '' && digits(expected) === digits(got);
  }
  return sameValue(field, expected, got);
}

const isFailure = (r: Extraction | DocumentFailure): r is DocumentFailure => 'error' in r;

/** Line items: quantity, unit price and amount of each XML item found, in order, on the DANFE. */
function lineItemScore(expected: LineItem[], got: LineItem[]): { ok: number; total: number } {
  let ok = 0;
  let total = 0;
  expected.forEach((e, i) => {
    const g = got[i];
    for (const k of ['quantity', 'unitPrice', 'amount'] as const) {
      if (e[k] == null) continue;
      total++;
      if (same(k, e[k] as string, g?.[k])) ok++;
    }
  });
  return { ok, total };
}

async function main(): Promise<void> {
  if (!existsSync(DATA)) {
    out(`skipped: ${DATA} is absent (the NF-e development set lives outside the repository).`);
    return;
  }
  const map = JSON.parse(await readFile(path.join(DATA, 'pdf_to_xml_map.json'), 'utf8')) as {
    danfe: Record<string, string>;
  };
  const reader = createReader({ ocrPoolSize: 1 });
  const hits = new Map<string, { ok: number; total: number }>(FIELDS.map((f) => [f, { ok: 0, total: 0 }]));
  const items = { ok: 0, total: 0, countOk: 0, docs: 0 };
  const misses: string[] = [];
  let failures = 0;
  try {
    for (const [pdfName, xmlName] of Object.entries(map.danfe)) {
      const pdfPath = path.join(DATA, 'danfe/pdf', pdfName);
      const xmlPath = path.join(DATA, 'danfe/xml', xmlName);
      if (!existsSync(pdfPath) || !existsSync(xmlPath)) continue;
      const truth = readNfeXml(await readFile(xmlPath, 'utf8'));
      const { result, layout } = await reader.readWithLayout({
        bytes: await readFile(pdfPath),
        file: pdfName,
      });
      if (dumpDir && layout) {
        await mkdir(dumpDir, { recursive: true });
        await writeFile(path.join(dumpDir, `${pdfName}.layout.json`), JSON.stringify(layout));
      }
      if (isFailure(result)) {
        failures++;
        misses.push(`${pdfName}: failed ${result.error.code}: ${result.error.message}`);
        continue;
      }
      for (const f of FIELDS) {
        const want = truth.fields[f]?.value;
        if (!want) continue;
        const h = hits.get(f) as { ok: number; total: number };
        h.total++;
        const got = result.fields[f]?.value;
        if (same(f, want, got)) h.ok++;
        else misses.push(`${pdfName} ${f}: want "${want}", got "${got ?? '—'}"`);
      }
      const li = lineItemScore(truth.lineItems, result.lineItems);
      items.ok += li.ok;
      items.total += li.total;
      items.docs++;
      if (result.lineItems.length === truth.lineItems.length) items.countOk++;
      else
        misses.push(`${pdfName} lineItems: want ${truth.lineItems.length}, got ${result.lineItems.length}`);
    }

    out(`DANFE PDFs against their NF-e XML (${items.docs} read, ${failures} failed)`);
    let okAll = 0;
    let totalAll = 0;
    for (const [f, h] of hits) {
      out(`  ${f.padEnd(14)} ${String(h.ok).padStart(3)}/${String(h.total).padEnd(3)} ${pct(h.ok, h.total)}`);
      okAll += h.ok;
      totalAll += h.total;
    }
    out(
      `  ${'all fields'.padEnd(14)} ${String(okAll).padStart(3)}/${String(totalAll).padEnd(3)} ${pct(okAll, totalAll)}`,
    );
    out(
      `  line items: count right ${items.countOk}/${items.docs}; quantity/unit price/amount ${items.ok}/${items.total} ${pct(items.ok, items.total)}`,
    );
    if (verbose) for (const m of misses) out(`    ${m}`);

    // The XML through the reader: the same fields as reading it directly, for every NF-e XML in the set.
    out();
    const xmlNames = [...new Set(Object.values(map.danfe))];
    let xmlOk = 0;
    const xmlMisses: string[] = [];
    for (const xmlName of xmlNames) {
      const xmlPath = path.join(DATA, 'danfe/xml', xmlName);
      if (!existsSync(xmlPath)) continue;
      const bytes = await readFile(xmlPath);
      const direct = readNfeXml(bytes.toString('utf8'));
      const result = await reader.read({ bytes, file: xmlName });
      if (isFailure(result)) {
        xmlMisses.push(`${xmlName}: failed ${result.error.code}: ${result.error.message}`);
        continue;
      }
      const diff = FIELDS.filter((f) => (direct.fields as Fields)[f]?.value !== result.fields[f]?.value);
      if (diff.length === 0 && result.lineItems.length === direct.lineItems.length) xmlOk++;
      else xmlMisses.push(`${xmlName}: differs in ${diff.join(', ') || 'line items'}`);
    }
    out(`NF-e XML through the reader: ${xmlOk}/${xmlNames.length} give the fields of the XML itself`);
    for (const m of xmlMisses) out(`    ${m}`);
  } finally {
    await reader.close();
  }
}

await main();
