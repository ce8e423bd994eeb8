// What each hostile file costs under the reading budget: its time and the reading process's peak memory, read one
// at a time in one reading process with the default limits, and the processes' idle memory before and after.
//
//   npm run bench:hostile
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkPdfCost } from '../src/adapters/pdf-budget.ts';
import { DEFAULT_LIMITS } from '../src/pipeline/ports.ts';
import { createReadingPool, type TaskReport } from '../src/reading/reading-pool.ts';
import { hostileCases } from '../tests/support/hostile-inputs.ts';

const out = (s = '') => process.stdout.write(`${s}\n`);
const dir = mkdtempSync(join(tmpdir(), 'rtg-hostile-'));
const reports: TaskReport[] = [];
const pool = createReadingPool({
  languages: ['eng', 'por', 'spa'],
  ocrPoolSize: 1,
  concurrency: 1,
  onReport: (r) => reports.push(r),
});
const settle = () => new Promise((r) => setTimeout(r, 3000));
try {
  await pool.read({ path: join(import.meta.dirname, '../samples/invoice-en-digital.pdf'), file: 'warm.pdf' });
  await settle();
  const idleBefore = await pool.rssMb();
  out('| file | what it is | final state | time | peak RSS of the reading process |');
  out('| --- | --- | --- | ---: | ---: |');
  for (const c of hostileCases()) {
    const path = join(dir, c.file);
    writeFileSync(path, c.bytes());
    const { result: r } = await pool.read({ path, file: c.file });
    const report = reports.at(-1)!;
    const state = 'error' in r ? `failed \`${r.error.code}\`` : `read (${r.pages} p.)`;
    out(
      `| \`${c.file}\` | ${c.name} | ${state} | ${(report.ms / 1000).toFixed(2)} s | ${report.peakRssMb} MB |`,
    );
  }
  // A normal document after the storm, then the processes' memory once they are idle.
  await pool.read({
    path: join(import.meta.dirname, '../samples/invoice-en-digital.pdf'),
    file: 'after.pdf',
  });
  await settle();
  out();
  out(
    `Idle RSS of the reading process: ${idleBefore} MB before the hostile files, ${await pool.rssMb()} MB after.`,
  );
  // What the pre-scan adds to a normal document, warm.
  for (const f of ['invoice-en-digital.pdf', 'invoice-en-multipage.pdf', 'invoice-pt-scan.pdf']) {
    const bytes = readFileSync(join(import.meta.dirname, '../samples', f));
    for (let i = 0; i < 50; i++) checkPdfCost(bytes, DEFAULT_LIMITS);
    const t = performance.now();
    for (let i = 0; i < 200; i++) checkPdfCost(bytes, DEFAULT_LIMITS);
    out(
      `Pre-scan of ${f} (${Math.round(bytes.length / 1024)} KB): ${((performance.now() - t) / 200).toFixed(2)} ms`,
    );
  }
} finally {
  await pool.close();
  rmSync(dir, { recursive: true, force: true });
}
