// The SROIE receipts (../shared/data/sroie-dev 000–099 and sroie-train 100–299) with their keys and the layouts
// our OCR reads from them, cached by bench/ocr-cache.ts: the labelled data the receipt models learn from.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Decimal } from 'decimal.js';
import { findDates } from '../../src/pipeline/extract/dates.ts';
import type { Layout } from '../../src/pipeline/layout.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SROIE_SETS = {
  dev: path.resolve(root, '../shared/data/sroie-dev'),
  train: path.resolve(root, '../shared/data/sroie-train'),
} as const;
export const OCR_CACHE = path.join(root, 'tests/artifacts/ocr-cache/adapter');

export interface SroieKey {
  company: string;
  date: string;
  address: string;
  total: string;
}

export interface Receipt {
  id: string;
  set: keyof typeof SROIE_SETS;
  key: SroieKey;
  layout: Layout;
}

/** Every receipt whose key and cached layout are both there; `missing` lists ids with no cached layout. */
export function loadReceipts(): { receipts: Receipt[]; missing: string[] } {
  const receipts: Receipt[] = [];
  const missing: string[] = [];
  for (const set of Object.keys(SROIE_SETS) as (keyof typeof SROIE_SETS)[]) {
    const keyDir = path.join(SROIE_SETS[set], 'key');
    if (!existsSync(keyDir)) continue;
    for (const f of readdirSync(keyDir)
      .filter((x) => x.endsWith('.json'))
      .sort()) {
      const id = f.replace(/\.json$/, '');
      const cached = path.join(OCR_CACHE, `${id}.json`);
      if (!existsSync(cached)) {
        missing.push(id);
        continue;
      }
      receipts.push({
        id,
        set,
        key: JSON.parse(readFileSync(path.join(keyDir, f), 'utf8')) as SroieKey,
        layout: JSON.parse(readFileSync(cached, 'utf8')) as Layout,
      });
    }
  }
  return { receipts, missing };
}

/** Case, accents and everything but letters and digits folded away: how the company name is compared. */
export function foldName(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');
}

/** The key's date as printed (DD/MM/YYYY mostly, sometimes "25 Dec 2018") → the ISO dates it can mean. */
export function keyDates(printed: string): string[] {
  const compact = printed.trim().match(/^(\d{4})(\d{2})(\d{2})$/);
  if (compact) return [`${compact[1]}-${compact[2]}-${compact[3]}`];
  const a = findDates(printed, { order: 'DMY' }).map((d) => d.value);
  const b = findDates(printed, { order: 'MDY' }).map((d) => d.value);
  return [...new Set([...a.slice(0, 1), ...b.slice(0, 1)])];
}

export function sameAmount(key: string, got: string | null | undefined): boolean {
  if (!got) return false;
  try {
    return new Decimal(key.replace(/[^\d.-]/g, '')).equals(new Decimal(got));
  } catch {
    return false;
  }
}
