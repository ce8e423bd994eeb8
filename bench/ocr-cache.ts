// OCRs every SROIE receipt (dev 000–099 and train 100–299) once and stores its Layout as JSON, so extraction can
// be iterated on without re-OCR.
//
//   tsx bench/ocr-cache.ts [--engine plain|adapter] [--lang eng] [--concurrency 1] [--force] [--only 000,001]
//                          [--set dev|train|all]
//
// The receipts are English: by default the adapter reads them with English alone, as `--lang eng` would; pass
// `--lang eng+por+spa` for the product's default languages (written to ocr-cache/adapter-eng+por+spa).
//
// `plain` is tesseract.js with light sharp preprocessing (greyscale, normalise, upscale small scans);
// `adapter` is the product's own engine (src/adapters/ocr.ts + image.ts) when it exists.
// Output: tests/artifacts/ocr-cache/<engine>/NNN.json (gitignored).
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { groupIntoLines, type Layout, type Word } from '../src/pipeline/layout.ts';
import { ocrReadOptions } from '../src/pipeline/ocr-languages.ts';
import type { OcrEngine, OcrPage, PageImage } from '../src/pipeline/ports.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SROIE_DIR = path.resolve(root, '../shared/data/sroie-dev');
/** The SROIE sets by name: 300 real receipts with keys, numbered apart (000–099, 100–299). */
export const SROIE_SETS: Record<string, string> = {
  dev: SROIE_DIR,
  train: path.resolve(root, '../shared/data/sroie-train'),
};
export const CACHE_DIR = path.join(root, 'tests/artifacts/ocr-cache');

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const LANGUAGES = (arg('lang') ?? 'eng').split('+');

interface PageReader {
  read(bytes: Buffer): Promise<OcrPage[]>;
  close(): Promise<void>;
}

/** tesseract.js straight from the installed traineddata, one worker per slot; no download. */
async function plainReader(): Promise<PageReader> {
  const require = createRequire(import.meta.url);
  const { createWorker, PSM } = await import('tesseract.js');
  const sharp = (await import('sharp')).default;
  const langPath = path.join(path.dirname(require.resolve('@tesseract.js-data/eng/package.json')), '4.0.0');
  const worker = await createWorker('eng', 1, { langPath, gzip: true, cacheMethod: 'none' });
  await worker.setParameters({ tessedit_pageseg_mode: PSM.AUTO, preserve_interword_spaces: '1' });
  return {
    async read(bytes) {
      const meta = await sharp(bytes).rotate().metadata();
      const w = meta.autoOrient?.width ?? meta.width ?? 0;
      // Receipt scans are often ~450px wide: tesseract reads small print much better at about 2x.
      const scale = Number(process.env.PLAIN_OCR_SCALE ?? 2);
      const png = await sharp(bytes)
        .rotate()
        .greyscale()
        .resize({ width: Math.round(w * scale), kernel: 'lanczos3' })
        .normalise()
        .png()
        .toBuffer({ resolveWithObject: true });
      const { data } = await worker.recognize(png.data, {}, { blocks: true, text: false });
      const words: Word[] = [];
      for (const b of data.blocks ?? [])
        for (const p of b.paragraphs)
          for (const l of p.lines)
            for (const wd of l.words) {
              if (!wd.text.trim()) continue;
              words.push({
                text: wd.text,
                bbox: [wd.bbox.x0, wd.bbox.y0, wd.bbox.x1, wd.bbox.y1],
                confidence: Math.max(0, Math.min(1, wd.confidence / 100)),
                source: 'ocr',
              });
            }
      return [{ width: png.info.width, height: png.info.height, rotation: 0, languages: ['eng'], words }];
    },
    close: async () => {
      await worker.terminate();
    },
  };
}

/** The product's engine, through the same ports the reader uses. */
async function adapterReader(): Promise<PageReader> {
  const ocrMod = (await import(path.join(root, 'src/adapters/ocr.ts'))) as {
    createOcrEngine: (o: { languages: string[]; poolSize: number }) => Promise<OcrEngine> | OcrEngine;
  };
  const imgMod = (await import(path.join(root, 'src/adapters/image.ts'))) as {
    createImageDecoder: () => { decode(bytes: Uint8Array, limits: unknown): Promise<PageImage[]> };
  };
  const { DEFAULT_LIMITS } = await import('../src/pipeline/ports.ts');
  const engine = await ocrMod.createOcrEngine({ languages: LANGUAGES, poolSize: 1 });
  const decoder = imgMod.createImageDecoder();
  return {
    async read(bytes) {
      const images = await decoder.decode(bytes, DEFAULT_LIMITS);
      const pages: OcrPage[] = [];
      // As the reader does: with several languages, each page is read in the one its words are in.
      for (const img of images) pages.push(await engine.readPage(img, ocrReadOptions(LANGUAGES)));
      return pages;
    },
    close: () => engine.close(),
  };
}

export function toLayout(pages: OcrPage[]): Layout {
  return {
    pages: pages.map((p, i) => ({
      number: i + 1,
      width: p.width,
      height: p.height,
      source: 'ocr' as const,
      rotation: p.rotation,
      lines: groupIntoLines(p.words),
    })),
  };
}

async function main(): Promise<void> {
  const setName = arg('set') ?? 'all';
  const dirs = (setName === 'all' ? Object.values(SROIE_SETS) : [SROIE_SETS[setName] ?? '']).filter((d) =>
    existsSync(d),
  );
  if (!dirs.length) {
    process.stdout.write(`SROIE data not found (${setName}): nothing to cache.\n`);
    return;
  }
  const engineName = arg('engine') ?? 'plain';
  const concurrency = Math.max(1, Math.min(2, Number(arg('concurrency') ?? 1)));
  const only = arg('only')?.split(',');
  const force = process.argv.includes('--force');
  // The plain reader is English only; the adapter's folder names the languages when they are not just English.
  const lang = engineName === 'adapter' ? arg('lang') : undefined;
  const outDir = path.join(CACHE_DIR, lang && lang !== 'eng' ? `${engineName}-${lang}` : engineName);
  await mkdir(outDir, { recursive: true });
  const images = new Map<string, string>();
  for (const dir of dirs) {
    for (const f of await readdir(path.join(dir, 'img'))) {
      if (/\.(jpe?g|png)$/i.test(f)) images.set(f.replace(/\.[^.]+$/, ''), path.join(dir, 'img', f));
    }
  }
  const ids = [...images.keys()]
    .filter((id) => !only || only.includes(id))
    .filter((id) => force || !existsSync(path.join(outDir, `${id}.json`)))
    .sort();
  process.stdout.write(`OCR ${ids.length} receipts with engine "${engineName}" → ${outDir}\n`);
  const make = engineName === 'adapter' ? adapterReader : plainReader;
  const started = Date.now();
  let done = 0;
  const queue = [...ids];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      const reader = await make();
      try {
        for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
          const file = images.get(id);
          if (!file) continue;
          const t0 = Date.now();
          try {
            const pages = await reader.read(await readFile(file));
            await writeFile(path.join(outDir, `${id}.json`), JSON.stringify(toLayout(pages)));
            done++;
            process.stdout.write(`${id} ${Date.now() - t0}ms (${done}/${ids.length})\n`);
          } catch (e) {
            process.stdout.write(`${id} failed: ${(e as Error).message}\n`);
          }
        }
      } finally {
        await reader.close();
      }
    }),
  );
  process.stdout.write(`done in ${((Date.now() - started) / 1000).toFixed(0)}s\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
