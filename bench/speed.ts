// Reading speed: digital PDFs (text layer) in this process, then the OCR figures (bench/ocr-speed.ts).
//
//   npm run bench:speed
import { spawn } from 'node:child_process';
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
  const load = (f: string) => readFile(path.join(root, 'samples', f));
  const docs = await Promise.all(files.map(async (f) => ({ file: f, bytes: await load(f) })));
  // Warm-up on other documents: module loading and pdf.js start-up are process start, not per-page cost.
  for (const f of ['receipt-en-digital.pdf', 'receipt-pt-digital.pdf', 'receipt-es-digital.pdf']) {
    await reader.read({ bytes: await load(f), file: f });
  }
  out('Digital PDFs (text layer, whole pipeline: sniff, load, extract, route), warm process:');
  for (const d of docs) {
    // First sight of this document: nothing of it is in any cache yet.
    const t = performance.now();
    const first = await reader.read({ bytes: d.bytes, file: d.file });
    const pages = 'pages' in first ? first.pages : 1;
    out(`  ${d.file.padEnd(28)} first read ${((performance.now() - t) / pages).toFixed(1)} ms/page`);
  }
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
out(`  peak RSS of this process (pdf.js loaded): ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
out();
if (!process.argv.includes('--digital-only')) {
  // The OCR figures come from a process of their own, so its peak RSS is that of the OCR pool alone.
  const script = fileURLToPath(new URL('./ocr-speed.ts', import.meta.url));
  const args = [...process.execArgv, script, ...process.argv.slice(2).filter((a) => a !== '--digital-only')];
  const code = await new Promise<number | null>((resolve) =>
    spawn(process.execPath, args, { stdio: 'inherit' }).on('exit', resolve),
  );
  process.exitCode = code ?? 1;
}
