// Reading speed: digital PDFs (text layer) in this process, then the OCR figures (bench/ocr-speed.ts).
//
//   npm run bench:speed
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createReader } from '../src/reading/read-document.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = (s = '') => process.stdout.write(`${s}\n`);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

async function digital(): Promise<void> {
  const files = ['invoice-en-digital.pdf', 'invoice-pt-digital.pdf', 'invoice-en-multipage.pdf'];
  const reader = createReader();
  const docs = await Promise.all(
    files.map(async (f) => ({ file: f, bytes: await readFile(path.join(root, 'samples', f)) })),
  );
  // Warm-up: module loading and pdf.js start-up are process start, not per-page cost.
  for (const d of docs) await reader.read({ bytes: d.bytes, file: d.file });
  out('Digital PDFs (text layer, whole pipeline: sniff, load, extract, route), warm process:');
  for (const d of docs) {
    const perPage: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      const r = await reader.read({ bytes: d.bytes, file: d.file });
      const elapsed = performance.now() - t;
      if ('error' in r) throw new Error(`${d.file}: ${r.error.message}`);
      perPage.push(elapsed / r.pages);
    }
    out(`  ${d.file.padEnd(28)} median of 20 re-reads ${median(perPage).toFixed(1)} ms/page (goal ≤ 30)`);
  }
  await reader.close();
}

await digital();
out();
await import('./ocr-speed.ts');
