// OCR cost of reading invoice header bands apart (src/adapters/ocr/regions.ts findHeaderBand): every scanned or
// photographed page in samples/ read by two one-worker engines, header band off and on, taking turns so a busy
// machine weighs on both alike. Prints ms per page for each and the words each reading found.
//
//   tsx bench/ocr-header.ts [--rounds 2]
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createImageDecoder } from '../src/adapters/image.ts';
import { createOcrEngine } from '../src/adapters/ocr.ts';
import { createPdfReader } from '../src/adapters/pdf.ts';
import { OCR_RENDER_DPI } from '../src/formats/pdf.ts';
import { DEFAULT_LIMITS, type PageImage } from '../src/pipeline/ports.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = (s = '') => process.stdout.write(`${s}\n`);
const i = process.argv.indexOf('--rounds');
const rounds = i >= 0 ? Number(process.argv[i + 1]) : 2;

async function pagesOf(file: string): Promise<PageImage[]> {
  const bytes = await readFile(path.join(root, 'samples', file));
  if (!file.endsWith('.pdf')) return createImageDecoder().decode(bytes, DEFAULT_LIMITS);
  const pdf = await createPdfReader().open(bytes, DEFAULT_LIMITS);
  try {
    const pages: PageImage[] = [];
    for (let n = 1; n <= pdf.pageCount; n++) pages.push(await pdf.render(n, OCR_RENDER_DPI));
    return pages;
  } finally {
    await pdf.close();
  }
}

const files = (await readdir(path.join(root, 'samples'))).filter(
  (f) => /(scan|photo|lowres)/.test(f) && !f.endsWith('.json'),
);
const pages = (await Promise.all(files.map(async (f) => (await pagesOf(f)).map((p) => ({ f, p }))))).flat();
const engines = {
  off: createOcrEngine({ poolSize: 1, headerBand: false }),
  on: createOcrEngine({ poolSize: 1, headerBand: true }),
};
const languages = ['eng', 'por', 'spa'];
// Warm-up: starting workers is not per-page cost.
for (const e of Object.values(engines)) await e.readPage(pages[0]!.p, { languages });
const ms = { off: 0, on: 0 };
out(`${pages.length} pages from ${files.length} files, ${rounds} rounds, one worker per engine`);
for (let r = 0; r < rounds; r++) {
  for (const { f, p } of pages) {
    const row: string[] = [];
    for (const key of (r % 2 ? ['on', 'off'] : ['off', 'on']) as ('off' | 'on')[]) {
      const t = performance.now();
      const read = await engines[key].readPage(p, { languages });
      const elapsed = performance.now() - t;
      ms[key] += elapsed;
      row.push(`${key} ${Math.round(elapsed)} ms ${read.words.length} words`);
    }
    out(`  ${f.padEnd(30)} ${row.join('   ')}`);
  }
}
const n = pages.length * rounds;
out(
  `ms per page: header band off ${Math.round(ms.off / n)}, on ${Math.round(ms.on / n)} (${(((ms.on - ms.off) / ms.off) * 100).toFixed(0)}%)`,
);
await Promise.all(Object.values(engines).map((e) => e.close()));
