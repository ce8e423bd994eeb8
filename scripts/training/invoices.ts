// The generated invoices the invoice models learn from: the training seeds of scripts/invoices/ only (never the
// held-out ones), as delivered (digital, scans, photos, turned pages: their layouts from the bench's cache, or
// read once by the real reader), plus further documents of the same seeds as digital PDFs.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Layout } from '../../src/pipeline/layout.ts';
import { createReader, type DocumentReader } from '../../src/reading/read-document.ts';
import { generateInvoices } from '../invoices/generate.ts';
import {
  cachedReading,
  INVOICE_CACHE_DIR,
  layoutCacheDir,
  layoutOf,
  readingFingerprint,
} from '../invoices/layout-cache.ts';
import { DOCUMENTS_PER_SEED, TRAIN_SEEDS } from '../invoices/seeds.ts';
import { expectedPartOf, type InvoiceTruth } from '../invoices/spec.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface InvoiceExample {
  id: string;
  /** How it was delivered: digital, scan, photo, turned. */
  set: string;
  truth: InvoiceTruth;
  layout: Layout;
}

/** Digital documents per training seed beyond the first DOCUMENTS_PER_SEED, which are read as delivered. */
const EXTRA_DIGITAL = 40;

/** A hash of the generator's code: a change there makes the stored examples stale. */
function generatorFingerprint(): string {
  const h = createHash('sha256');
  const dir = path.join(root, 'scripts/invoices');
  for (const f of readdirSync(dir).sort()) h.update(f).update(readFileSync(path.join(dir, f)));
  return h.digest('hex').slice(0, 12);
}

/** The training seeds' invoices with their truth and layouts (about 300; the first run reads the scans by OCR). */
export async function loadInvoiceExamples(
  log: (s: string) => void = () => {},
  options: { cachedOnly?: boolean } = {},
): Promise<InvoiceExample[]> {
  // With `cachedOnly`, scans and photos whose layout is not cached yet are left out rather than read by OCR.
  const stored = path.join(
    INVOICE_CACHE_DIR,
    `training-${options.cachedOnly ? 'partial-' : ''}${readingFingerprint()}-${generatorFingerprint()}-${TRAIN_SEEDS.join('.')}.json`,
  );
  if (existsSync(stored)) return JSON.parse(readFileSync(stored, 'utf8')) as InvoiceExample[];
  const dir = layoutCacheDir();
  let reader: DocumentReader | undefined;
  const lazyReader = () => {
    reader ??= createReader({ ocrPoolSize: 1 });
    return reader;
  };
  const examples: InvoiceExample[] = [];
  try {
    for (const seed of TRAIN_SEEDS) {
      log(`seed ${seed}: generating`);
      const mixed = await generateInvoices({ seed, count: DOCUMENTS_PER_SEED, delivery: 'mix' });
      const digital = await generateInvoices({
        seed,
        count: DOCUMENTS_PER_SEED + EXTRA_DIGITAL,
        delivery: 'digital',
      });
      const docs = [...mixed.documents, ...digital.documents.slice(DOCUMENTS_PER_SEED)];
      for (const doc of docs) {
        const layout =
          options.cachedOnly && doc.truth.delivery !== 'digital'
            ? cachedReading(dir, doc.bytes)?.layout
            : await layoutOf(dir, lazyReader, doc);
        if (!layout) continue;
        examples.push({ id: doc.truth.file, set: doc.truth.delivery, truth: doc.truth, layout });
      }
      log(`seed ${seed}: ${docs.length} documents`);
    }
  } finally {
    await reader?.close();
  }
  mkdirSync(INVOICE_CACHE_DIR, { recursive: true });
  writeFileSync(stored, JSON.stringify(examples));
  return examples;
}

/** The truth's fields, as the result contract spells them. */
export function truthFields(e: InvoiceExample): Record<string, string | null | undefined> {
  return expectedPartOf(e.truth).fields as Record<string, string | null | undefined>;
}
