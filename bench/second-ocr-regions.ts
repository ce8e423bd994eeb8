// Region re-reading, as the second reader would be used: the lines of tesseract's cached reading that hold a
// receipt's total, date and company (located fuzzily against the key) are cropped from the scan and read again
// by PaddleOCR's recognition alone (src/adapters/second-ocr.ts) and, for comparison, by tesseract on the crop as a
// single line (PSM 7). Counts exact readings per field and per set, how the readings would vote, and ms per crop.
//
//   tsx bench/second-ocr-regions.ts [--set dev|train|all] [--limit N] [--no-tesseract]
// Writes tests/artifacts/second-ocr/regions.json (every located line and its three readings).

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { createWorker, OEM, PSM } from 'tesseract.js';
import { createSecondReader } from '../src/adapters/second-ocr.ts';
import type { BBox } from '../src/pipeline/layout.ts';
import { receiptIds, receiptKey, SROIE_IMAGE, setOf, tesseractLayout } from './second-ocr-data.ts';
import { fold, hasDate, hasTotal, keyTotal, levenshtein, substringDistance } from './second-ocr-match.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const out = (line: string) => process.stdout.write(`${line}\n`);

type Field = 'total' | 'date' | 'company';
const FIELDS: Field[] = ['total', 'date', 'company'];
interface Located {
  field: Field;
  /** One group of lines that together should hold the value (the company may take two). */
  lines: { text: string; box: BBox }[];
}

/** The lines of the reading closest to each key value; nothing for a field whose value is nowhere near. */
function locate(lines: { text: string; box: BBox }[], key: ReturnType<typeof receiptKey>): Located[] {
  const found: Located[] = [];
  const nearest = (needle: string, within: number, field: Field) => {
    if (!needle) return;
    const d = lines.map((l) => substringDistance(needle, l.text.replace(/\s+/g, '')));
    const best = Math.min(...d);
    if (best > within) return;
    // Every line at the best distance: a total is often printed two or three times.
    lines.forEach((l, i) => {
      if (d[i] === best) found.push({ field, lines: [l] });
    });
  };
  nearest(keyTotal(key.total) ?? '', 1, 'total');
  nearest(key.date.replace(/\s+/g, ''), 2, 'date');
  const company = fold(key.company);
  let best: { d: number; group: { text: string; box: BBox }[] } | undefined;
  for (let i = 0; i < lines.length; i++) {
    for (const group of [lines.slice(i, i + 1), lines.slice(i, i + 2)]) {
      if (group.length === 2 && i + 1 >= lines.length) continue;
      const d = levenshtein(fold(group.map((l) => l.text).join('')), company) / Math.max(1, company.length);
      if (!best || d < best.d) best = { d, group };
    }
  }
  if (company && best && best.d <= 0.34) found.push({ field: 'company', lines: best.group });
  return found;
}

function exact(field: Field, texts: string[], key: ReturnType<typeof receiptKey>): boolean {
  const text = texts.join(' ');
  if (field === 'total') return hasTotal(text, key.total);
  if (field === 'date') return hasDate(text, key.date);
  return fold(text) === fold(key.company);
}

/** Whether the value's characters are there once every space is dropped: an upper bound for a reader (like
 * PP-OCRv4 here) that often runs words together, since "2155031.00" holds 31.00 without reading 15.50 31.00. */
function spaceBlind(field: Field, texts: string[], key: ReturnType<typeof receiptKey>): boolean {
  const text = texts.join('').replace(/\s+/g, '').toLowerCase();
  if (field === 'company') return fold(text) === fold(key.company);
  const value = field === 'total' ? (keyTotal(key.total) ?? '') : key.date.replace(/\s+/g, '').toLowerCase();
  return value !== '' && text.includes(value);
}

interface Counts {
  receipts: number;
  tesseract: number;
  paddle: number;
  tesseractCrop: number;
  /** Receipts where tesseract's line was wrong and paddle's crop right, and the reverse. */
  paddleFixes: number;
  paddleBreaks: number;
  /** Same against tesseract's own re-read of the crop (PSM 7). */
  cropFixes: number;
  cropBreaks: number;
  /** Located fields whose characters are there once spaces are dropped (see spaceBlind). */
  tesseractBlind: number;
  paddleBlind: number;
}
const zero = (): Counts => ({
  receipts: 0,
  tesseract: 0,
  paddle: 0,
  tesseractCrop: 0,
  paddleFixes: 0,
  paddleBreaks: 0,
  cropFixes: 0,
  cropBreaks: 0,
  tesseractBlind: 0,
  paddleBlind: 0,
});

async function main(): Promise<void> {
  const set = arg('set') ?? 'all';
  const limit = Number(arg('limit') ?? 0);
  const withTesseract = !process.argv.includes('--no-tesseract');
  let ids = receiptIds(set).filter((id) => tesseractLayout(id));
  if (limit > 0) ids = ids.slice(0, limit);

  const reader = createSecondReader({ threads: 1 });
  const require = createRequire(import.meta.url);
  const langPath = path.join(path.dirname(require.resolve('@tesseract.js-data/eng')), '4.0.0_best_int');
  const worker = withTesseract
    ? await createWorker('eng', OEM.LSTM_ONLY, { langPath, gzip: true, cacheMethod: 'none' })
    : undefined;
  await worker?.setParameters({ tessedit_pageseg_mode: PSM.SINGLE_LINE, user_defined_dpi: '300' });

  const counts: Record<string, Record<Field, Counts>> = {};
  const located: Record<string, Record<Field, number>> = {};
  const details: unknown[] = [];
  const paddleMs: number[] = [];
  const cropMs: number[] = [];
  let crops = 0;
  for (const id of ids) {
    const key = receiptKey(id);
    const layout = tesseractLayout(id)!;
    const page = layout.pages[0]!;
    const bytes = await readFile(SROIE_IMAGE(id));
    const meta = await sharp(bytes).rotate().metadata();
    const width = meta.autoOrient?.width ?? meta.width ?? 0;
    const height = meta.autoOrient?.height ?? meta.height ?? 0;
    // The cached layout is in the coordinates of the page it was read from; map its boxes onto the scan.
    const sx = width / page.width;
    const sy = height / page.height;
    const lines = page.lines.map((l) => ({
      text: l.words.map((w) => w.text).join(' '),
      box: [l.bbox[0] * sx, l.bbox[1] * sy, l.bbox[2] * sx, l.bbox[3] * sy] as BBox,
    }));
    const groups = locate(lines, key);
    const boxes = groups.flatMap((g) => g.lines.map((l) => l.box));
    const image = { png: await sharp(bytes).rotate().png().toBuffer(), width, height };
    let t = performance.now();
    const paddle = await reader.readRegions(image, boxes);
    if (boxes.length) paddleMs.push((performance.now() - t) / boxes.length);
    crops += boxes.length;
    const tessCrop: string[] = [];
    if (worker) {
      const grey = sharp(image.png).greyscale();
      for (const b of boxes) {
        t = performance.now();
        const h = b[3] - b[1];
        const m = h / 2;
        const left = Math.max(0, Math.floor(b[0] - m));
        const top = Math.max(0, Math.floor(b[1] - m));
        const w = Math.min(width, Math.ceil(b[2] + m)) - left;
        const hh = Math.min(height, Math.ceil(b[3] + m)) - top;
        // Scaled so the line is ~40 px high, where tesseract's LSTM reads best.
        const scale = Math.min(4, Math.max(1, 40 / Math.max(1, h)));
        const png = await grey
          .clone()
          .extract({ left, top, width: Math.max(1, w), height: Math.max(1, hh) })
          .resize({ width: Math.round(w * scale), kernel: 'cubic' })
          .normalise()
          .png()
          .toBuffer();
        const { data } = await worker.recognize(png);
        tessCrop.push(data.text.trim());
        cropMs.push(performance.now() - t);
      }
    }
    const s = setOf(id);
    counts[s] ??= { total: zero(), date: zero(), company: zero() };
    located[s] ??= { total: 0, date: 0, company: 0 };
    let k = 0;
    const byField = new Map<Field, { t: boolean; p: boolean; c: boolean; tb: boolean; pb: boolean }>();
    const record: Record<string, unknown>[] = [];
    for (const g of groups) {
      const n = g.lines.length;
      const tText = g.lines.map((l) => l.text);
      const pText = paddle.slice(k, k + n).map((r) => r.text);
      const cText = tessCrop.slice(k, k + n);
      k += n;
      const r = {
        t: exact(g.field, tText, key),
        p: exact(g.field, pText, key),
        c: worker ? exact(g.field, cText, key) : false,
      };
      const tb = spaceBlind(g.field, tText, key);
      const pb = spaceBlind(g.field, pText, key);
      record.push({
        field: g.field,
        boxes: g.lines.map((l) => l.box.map(Math.round)),
        tesseract: tText,
        paddle: pText,
        tesseractCrop: cText,
        ...r,
        spaceBlind: { t: tb, p: pb },
      });
      // A field counts as read when any of its located lines holds the value.
      const prev = byField.get(g.field) ?? { t: false, p: false, c: false, tb: false, pb: false };
      byField.set(g.field, {
        t: prev.t || r.t,
        p: prev.p || r.p,
        c: prev.c || r.c,
        tb: prev.tb || tb,
        pb: prev.pb || pb,
      });
    }
    for (const [field, r] of byField) {
      const c = counts[s]![field];
      located[s]![field]++;
      c.receipts++;
      c.tesseract += Number(r.t);
      c.paddle += Number(r.p);
      c.tesseractCrop += Number(r.c);
      c.paddleFixes += Number(!r.t && r.p);
      c.paddleBreaks += Number(r.t && !r.p);
      c.cropFixes += Number(!r.t && r.c);
      c.cropBreaks += Number(r.t && !r.c);
      c.tesseractBlind += Number(r.tb);
      c.paddleBlind += Number(r.pb);
    }
    details.push({ id, key, located: record });
    if (details.length % 25 === 0) out(`${details.length}/${ids.length} receipts, ${crops} crops`);
  }
  await worker?.terminate();
  const stats = reader.stats();
  await reader.close();

  const dir = path.join(root, 'tests/artifacts/second-ocr');
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'regions.json'), JSON.stringify(details, null, 1));

  const q = (xs: number[], p: number) =>
    Math.round([...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? 0);
  for (const s of Object.keys(counts).sort()) {
    const n = ids.filter((id) => setOf(id) === s).length;
    out(`\n${s}: ${n} receipts; a field counts when one of its located lines holds the key value exactly`);
    out(
      '| field | located | tesseract line | PaddleOCR crop | tesseract crop (PSM 7) | paddle fixes / breaks | PSM 7 fixes / breaks | space-blind: tesseract / paddle |',
    );
    out('|---|---|---|---|---|---|---|---|');
    for (const f of FIELDS) {
      const c = counts[s]![f];
      out(
        `| ${f} | ${located[s]![f]}/${n} | ${c.tesseract} | ${c.paddle} | ${worker ? c.tesseractCrop : '–'} | ${c.paddleFixes} / ${c.paddleBreaks} | ${worker ? `${c.cropFixes} / ${c.cropBreaks}` : '–'} | ${c.tesseractBlind} / ${c.paddleBlind} |`,
      );
    }
  }
  out(
    `\n${crops} crops. PaddleOCR ms per crop (through the adapter, incl. IPC): median ${q(paddleMs, 0.5)}, p90 ${q(paddleMs, 0.9)}; tesseract PSM 7 ms per crop: median ${q(cropMs, 0.5)}, p90 ${q(cropMs, 0.9)}`,
  );
  out(
    `second reader: ${stats.processesStarted} process(es), ${stats.pagesRead} pages, peak RSS ${stats.peakRssMb} MB`,
  );
}

await main();
