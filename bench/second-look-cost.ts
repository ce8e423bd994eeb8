// What the second look costs a scanned page: the same receipts read through the whole reader with the second
// reader (the default) and without it, in one process, alternating which goes first, so that a busy machine
// slows both alike. Prints the time of each, their ratio, how many receipts were read again, and the peak memory
// of this process (the second reader's own process is bounded apart: see docs/reading.md).
//
//   npx tsx bench/second-look-cost.ts [--count 20] [--from 0]
import { readFile } from 'node:fs/promises';
import { createReader } from '../src/reading/read-document.ts';
import { receiptIds, SROIE_IMAGE } from './second-ocr-data.ts';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
}
const out = (line = '') => process.stdout.write(`${line}\n`);

const count = Number(arg('count', '20'));
const from = Number(arg('from', '0'));
const ids = receiptIds('all').slice(from, from + count);

const withSecond = createReader({ ocrPoolSize: 2 });
const without = createReader({ ocrPoolSize: 2, secondLook: false });

async function timed(reader: typeof withSecond, bytes: Buffer, file: string): Promise<{ ms: number }> {
  const t = performance.now();
  const r = await reader.read({ bytes, file });
  if ('error' in r) throw new Error(`${file}: ${r.error.message}`);
  return { ms: performance.now() - t };
}

// Warm both: tesseract's pool and languages, and the second reader's process and model.
const warm = await readFile(SROIE_IMAGE(ids[0]!));
await timed(withSecond, warm, 'warm.jpg');
await timed(without, warm, 'warm.jpg');

let a = 0;
let b = 0;
let reread = 0;
const ratios: number[] = [];
for (const [i, id] of ids.entries()) {
  const bytes = await readFile(SROIE_IMAGE(id));
  const first = i % 2 === 0;
  const one = first ? await timed(withSecond, bytes, `${id}.jpg`) : undefined;
  const plain = await timed(without, bytes, `${id}.jpg`);
  const two = one ?? (await timed(withSecond, bytes, `${id}.jpg`));
  a += two.ms;
  b += plain.ms;
  ratios.push(two.ms / plain.ms);
  // A receipt read again took longer than its plain reading by more than noise.
  if (two.ms - plain.ms > 50) reread++;
  out(`  ${id}  with ${two.ms.toFixed(0).padStart(6)} ms   without ${plain.ms.toFixed(0).padStart(6)} ms`);
}
ratios.sort((x, y) => x - y);
out();
out(`${ids.length} SROIE receipts, whole reader (prepare, OCR, extract, route), one process:`);
out(`  with the second look     ${(a / ids.length).toFixed(0)} ms a receipt on average`);
out(`  without                  ${(b / ids.length).toFixed(0)} ms a receipt on average`);
out(
  `  ratio of the averages    ${(a / b).toFixed(3)}   median ratio per receipt ${ratios[Math.floor(ratios.length / 2)]!.toFixed(3)}`,
);
out(`  receipts that took > 50 ms more with it: ${reread}/${ids.length}`);
out(
  `  peak RSS of this process (two tesseract pools and the reader): ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`,
);
await withSecond.close();
await without.close();
