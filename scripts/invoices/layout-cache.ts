// Layouts of generated invoices kept on disk (tests/artifacts/invoice-cache/), keyed by the document's bytes and a
// hash of the code that turns bytes into a layout, so benches and training read each document once.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Layout } from '../../src/pipeline/layout.ts';
import { type DocumentReader, sha256Hex } from '../../src/reading/read-document.ts';

const ROOT = resolve(import.meta.dirname, '../..');
export const INVOICE_CACHE_DIR = join(ROOT, 'tests', 'artifacts', 'invoice-cache');

/** A hash of the code that turns bytes into a layout: a change there makes the cached layouts stale. */
export function readingFingerprint(): string {
  const h = createHash('sha256');
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? files(p) : [p];
    });
  const sources = [
    ...files(join(ROOT, 'src', 'adapters')),
    ...files(join(ROOT, 'src', 'formats')),
    ...['read-document.ts'].map((f) => join(ROOT, 'src', 'reading', f)),
    ...['layout.ts', 'text-layer.ts', 'ocr-languages.ts', 'ports.ts'].map((f) =>
      join(ROOT, 'src', 'pipeline', f),
    ),
    join(ROOT, 'package-lock.json'),
  ].sort();
  for (const f of sources) h.update(f.slice(ROOT.length)).update(readFileSync(f));
  return h.digest('hex').slice(0, 16);
}

export interface CachedReading {
  layout: Layout;
  format?: string;
  mimeType?: string;
  loadMs: number;
  ocrMs: number;
}

/** The folder of the current reading code's layouts, created when missing. */
export function layoutCacheDir(): string {
  const dir = join(INVOICE_CACHE_DIR, readingFingerprint());
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** A document's cached reading, or undefined. */
export function cachedReading(dir: string, bytes: Uint8Array): CachedReading | undefined {
  const path = join(dir, `${sha256Hex(bytes)}.json`);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as CachedReading) : undefined;
}

/** A document's layout from the cache, else read by `reader` and cached. */
export async function layoutOf(
  dir: string,
  reader: () => DocumentReader,
  doc: { bytes: Uint8Array; file: string },
): Promise<Layout | undefined> {
  const known = cachedReading(dir, doc.bytes);
  if (known) return known.layout;
  const { result, layout } = await reader().readWithLayout({ bytes: doc.bytes, file: doc.file });
  if (!layout || 'error' in result) return undefined;
  const cached: CachedReading = {
    layout,
    ...(result.format ? { format: result.format } : {}),
    ...(result.mimeType ? { mimeType: result.mimeType } : {}),
    loadMs: result.timings.loadMs,
    ocrMs: result.timings.ocrMs,
  };
  writeFileSync(join(dir, `${sha256Hex(doc.bytes)}.json`), JSON.stringify(cached));
  return layout;
}
