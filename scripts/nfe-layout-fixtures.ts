// Writes the trimmed DANFE layout fixtures of tests/unit/danfe.test.ts from the NF-e development set
// (public LGPL-3.0 test fixtures of Engenere/BrazilFiscalReport): page 1 only, coordinates to 0.1 pt.
//
//   npx tsx scripts/nfe-layout-fixtures.ts
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Layout } from '../src/pipeline/layout.ts';
import { createReader } from '../src/reading/read-document.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DATA = path.resolve(root, '../shared/data/nfe-dev/danfe/pdf');
const NAMES = ['danfe_default', 'danfe_mei', 'danfe_multipage_landscape', 'danfe_reforma_tributaria'];
const r1 = (n: number) => Math.round(n * 10) / 10;

if (!existsSync(DATA)) {
  process.stdout.write(`skipped: ${DATA} is absent.\n`);
} else {
  const reader = createReader({ ocrPoolSize: 1 });
  try {
    for (const name of NAMES) {
      const { layout } = await reader.readWithLayout({
        bytes: await readFile(path.join(DATA, `${name}.pdf`)),
        file: name,
      });
      if (!layout) throw new Error(`${name}: no layout`);
      const trimmed: Layout = {
        pages: layout.pages.slice(0, 1).map((p) => ({
          ...p,
          lines: p.lines.map((l) => ({
            text: l.text,
            bbox: l.bbox.map(r1) as Layout['pages'][number]['lines'][number]['bbox'],
            words: l.words.map((w) => ({ ...w, bbox: w.bbox.map(r1) as typeof w.bbox })),
          })),
        })),
      };
      await writeFile(
        path.join(root, 'tests/fixtures/nfe', `${name}.layout.json`),
        `${JSON.stringify(trimmed)}\n`,
      );
      process.stdout.write(`${name}: ${trimmed.pages[0]?.lines.length} lines\n`);
    }
  } finally {
    await reader.close();
  }
}
