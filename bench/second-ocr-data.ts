// Where the second-OCR benchmarks find the SROIE receipts, their keys and tesseract's cached layouts.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DATA = path.resolve(root, process.env.SROIE_DATA ?? '../shared/data');
/** The engine's cached layouts (bench/ocr-cache.ts --engine adapter); another checkout's cache can be named. */
export const TESSERACT_CACHE = path.resolve(
  root,
  process.env.TESSERACT_CACHE ?? 'tests/artifacts/ocr-cache/adapter',
);

/** dev is SROIE 000–099, train 100–299. */
export function setOf(id: string): 'dev' | 'train' {
  return Number(id) < 100 ? 'dev' : 'train';
}

export function receiptIds(set: string): string[] {
  const ids: string[] = [];
  const from = set === 'train' ? 100 : 0;
  const to = set === 'dev' ? 100 : 300;
  for (let i = from; i < to; i++) {
    const id = String(i).padStart(3, '0');
    if (existsSync(SROIE_IMAGE(id))) ids.push(id);
  }
  return ids;
}

export const SROIE_IMAGE = (id: string) =>
  path.join(DATA, setOf(id) === 'dev' ? 'sroie-dev' : 'sroie-train', 'img', `${id}.jpg`);

export interface ReceiptKey {
  company: string;
  date: string;
  total: string;
  address: string;
}

export function receiptKey(id: string): ReceiptKey {
  const file = path.join(DATA, setOf(id) === 'dev' ? 'sroie-dev' : 'sroie-train', 'key', `${id}.json`);
  return JSON.parse(readFileSync(file, 'utf8')) as ReceiptKey;
}

export interface CachedLayout {
  pages: {
    width: number;
    height: number;
    lines: { text: string; bbox: [number, number, number, number]; words: { text: string }[] }[];
  }[];
}

export function tesseractLayout(id: string): CachedLayout | undefined {
  const file = path.join(TESSERACT_CACHE, `${id}.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as CachedLayout) : undefined;
}
