// Reads again, with the second reader, every line of the cached SROIE layouts that holds a candidate for the
// total, the date or the shop's name, and stores the readings by line: what the field models learn the second
// opinion's weight from (scripts/train.ts), without reading the scans again on every run.
//
//   tsx bench/second-ocr-cache.ts [--force] [--only 000,001]
// Without --force, a receipt already cached has only the lines its file lacks read (after the lines worth a
// second look have changed); --force reads every line again.
// Needs the first reader's cache (tsx bench/ocr-cache.ts --engine adapter). Output:
// tests/artifacts/second-ocr-cache/NNN.json: { lineIndex: { text, confidence } } (gitignored).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadReceipts, SROIE_SETS } from '../scripts/training/sroie.ts';
import { createImageDecoder } from '../src/adapters/image.ts';
import { createSecondReader } from '../src/adapters/second-ocr.ts';
import { secondLookLines } from '../src/pipeline/extract/second-look.ts';
import { DEFAULT_LIMITS } from '../src/pipeline/ports.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SECOND_CACHE = path.join(root, 'tests/artifacts/second-ocr-cache');
const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const force = process.argv.includes('--force');
const only = arg('only')?.split(',');

const { receipts } = loadReceipts();
mkdirSync(SECOND_CACHE, { recursive: true });
const cachedOf = (id: string): Record<number, { text: string; confidence: number }> => {
  const file = path.join(SECOND_CACHE, `${id}.json`);
  return !force && existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
};
// Each receipt's cached readings, and the lines worth a second look that they lack.
const todo = receipts
  .filter((r) => !only || only.includes(r.id))
  .map((r) => {
    const cached = cachedOf(r.id);
    return { r, cached, lines: secondLookLines(r.layout).filter((l) => !(l.index in cached)) };
  })
  .filter((t) => t.lines.length);
process.stdout.write(`second reading of ${todo.length} receipts → ${SECOND_CACHE}\n`);
const decoder = createImageDecoder();
const reader = createSecondReader();
const started = Date.now();
let crops = 0;
try {
  for (const { r, cached: out, lines } of todo) {
    const image = path.join(SROIE_SETS[r.set], 'img', `${r.id}.jpg`);
    const [page] = await decoder.decode(readFileSync(image), DEFAULT_LIMITS);
    if (!page) continue;
    const readings = await reader.readRegions(
      page,
      lines.map((l) => l.bbox),
    );
    lines.forEach((l, i) => {
      const reading = readings[i];
      if (reading) out[l.index] = reading;
    });
    writeFileSync(path.join(SECOND_CACHE, `${r.id}.json`), JSON.stringify(out));
    crops += lines.length;
    process.stdout.write(`${r.id} ${lines.length} lines\n`);
  }
} finally {
  await reader.close();
}
process.stdout.write(`done: ${crops} lines in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
