// OCR speed and receipt accuracy: the product engine (src/adapters/ocr.ts) against native tesseract and plain
// tesseract.js. Prints figures; nothing is written.
//
//   tsx bench/ocr-speed.ts [--pages 6] [--sroie 20] [--pool N]
//
// - ms per page for a 300 DPI A4 invoice page (2480×3508) through the pool, one page alone;
// - pages per minute with N pages in flight on the pool; peak RSS with the pool and eng+por+spa loaded;
// - pages per minute on the scanned/photographed samples through the whole reader, as `process` runs them;
// - ms per page of the native `tesseract img.png out -l eng+por+spa` on the same image (skipped if absent);
// - on the first K SROIE receipts: share whose OCR text contains the exact ground-truth total, with the
//   engine's preparation vs plain tesseract.js on the decoded image.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { createScheduler, createWorker, OEM } from 'tesseract.js';
import { createImageDecoder } from '../src/adapters/image.ts';
import { localLangPath } from '../src/adapters/ocr/pool.ts';
import { createOcrEngine } from '../src/adapters/ocr.ts';
import { ocrReadOptions } from '../src/pipeline/ocr-languages.ts';
import { DEFAULT_LIMITS, type PageImage } from '../src/pipeline/ports.ts';
import { createReader } from '../src/reading/read-document.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SROIE = path.resolve(root, '../shared/data/sroie-dev');

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const out = (line: string) => process.stdout.write(`${line}\n`);

const ALL = ['eng', 'por', 'spa'];
/** The reader's options: every page read in the languages its words are in. */
const asTheReaderDoes = ocrReadOptions(ALL);

/** A dense A4 invoice page at 300 DPI: header, 30 item lines, totals; ~11 pt text. */
async function a4Page(): Promise<PageImage> {
  const width = 2480;
  const height = 3508;
  const rows: string[] = [];
  const t = (x: number, y: number, s: string, size = 46) =>
    rows.push(
      `<text x="${x}" y="${y}" font-family="DejaVu Sans" font-size="${size}" fill="#111">${s}</text>`,
    );
  t(180, 260, 'Papelaria Central Ltda.', 80);
  t(180, 360, 'CNPJ 11.222.333/0001-81 · Rua das Flores, 120 · Sao Paulo SP');
  t(180, 440, 'NOTA FISCAL 2025-0042        Data de emissao 15/03/2025        Vencimento 14/04/2025');
  for (let i = 0; i < 30; i++) {
    const y = 620 + i * 80;
    t(180, y, `${String(i + 1).padStart(2, '0')}  Cadernos universitarios 200 folhas lote ${1000 + i * 7}`);
    t(1800, y, `${i + 2} x 25,50`);
    t(2150, y, `${((i + 2) * 25.5).toFixed(2).replace('.', ',')}`);
  }
  t(1500, 3150, 'Subtotal 12.495,00');
  t(1500, 3230, 'ICMS 18% 2.249,10');
  t(1500, 3330, 'TOTAL R$ 14.744,10', 60);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#fbfaf7"/>${rows.join('')}</svg>`;
  const png = await sharp(Buffer.from(svg)).png().toBuffer();
  return { png, width, height };
}

async function main(): Promise<void> {
  const pool = arg('pool', availableParallelism());
  const inFlight = arg('pages', 6);
  const sroieCount = arg('sroie', 20);
  const page = await a4Page();
  out(`cores ${availableParallelism()}, pool ${pool} workers, eng+por+spa`);

  // Each page's language is first told from its top (read in English), until the last three pages were all read
  // in the same languages; from then on a page is read in those straight away. Both are measured.
  const engine = createOcrEngine({ languages: ALL, poolSize: pool });
  let t = performance.now();
  const first = await engine.readPage(page, asTheReaderDoes);
  out(`A4 300 DPI, first page (includes starting ${pool} workers): ${Math.round(performance.now() - t)} ms`);
  const text = first.words.map((w) => w.text).join(' ');
  out(`  reads "TOTAL R$ 14.744,10": ${text.includes('14.744,10') ? 'yes' : 'NO'}`);
  const batch = async (stage: string): Promise<void> => {
    t = performance.now();
    const one = await engine.readPage(page, asTheReaderDoes);
    out(
      `A4 300 DPI, ${stage}, one page on a warm pool: ${Math.round(performance.now() - t)} ms ` +
        `(${one.words.length} words, read in ${one.languages.join('+')})`,
    );
    t = performance.now();
    await Promise.all(Array.from({ length: inFlight }, () => engine.readPage(page, asTheReaderDoes)));
    const elapsed = performance.now() - t;
    out(
      `A4 300 DPI, ${stage}, ${inFlight} pages in flight: ${Math.round(elapsed)} ms, ` +
        `${Math.round(elapsed / inFlight)} ms/page, ${((inFlight / elapsed) * 60_000).toFixed(1)} pages/min`,
    );
  };
  await batch('language told from the top of each page');
  await batch('language settled');
  // tesseract.js runs its workers as threads of this process, so this covers the whole pool.
  out(`peak RSS with the pool loaded: ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
  await engine.close();

  const dir = mkdtempSync(path.join(tmpdir(), 'ocr-speed-'));
  try {
    const img = path.join(dir, 'a4.png');
    writeFileSync(img, page.png);
    if (spawnSync('tesseract', ['--version']).status === 0) {
      // As installed, tesseract runs OpenMP threads on every core; with one thread it is what a pool of
      // single-threaded processes (one page per core) would get, as the tesseract.js pool does.
      for (const threads of ['default', '1']) {
        const env = threads === 'default' ? process.env : { ...process.env, OMP_THREAD_LIMIT: threads };
        const runs = 2;
        t = performance.now();
        for (let i = 0; i < runs; i++) {
          execFileSync('tesseract', [img, path.join(dir, 'out'), '-l', 'eng+por+spa'], {
            stdio: 'ignore',
            env,
          });
        }
        const native = readFileSync(path.join(dir, 'out.txt'), 'utf8');
        out(
          `native tesseract -l eng+por+spa (Debian's models), ${threads === 'default' ? 'OpenMP threads as installed' : 'OMP_THREAD_LIMIT=1'}, ` +
            `one page: ${Math.round((performance.now() - t) / runs)} ms (reads the total: ${native.includes('14.744,10') ? 'yes' : 'NO'})`,
        );
      }
    } else {
      out(
        'native tesseract: not installed, skipped (apt-get install tesseract-ocr tesseract-ocr-por tesseract-ocr-spa)',
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  await scannedSamples(pool);
  if (sroieCount > 0 && existsSync(path.join(SROIE, 'key'))) await sroie(sroieCount, pool);
  else out('SROIE sample: not found, skipped');
}

/**
 * The scanned and photographed documents of samples/ (one page each), twice over, through the whole reader as
 * `retaguarda process` runs them: as many documents at a time as there are cores, sharing one OCR pool.
 */
async function scannedSamples(pool: number): Promise<void> {
  const names = [
    'invoice-en-scan.pdf',
    'invoice-pt-scan.pdf',
    'invoice-es-scan.pdf',
    'invoice-en-eu-scan.pdf',
    'invoice-es-photo.webp',
    'receipt-es-photo.jpg',
  ];
  const docs = names.map((file) => ({ file, bytes: readFileSync(path.join(root, 'samples', file)) }));
  const reader = createReader({ ocrPoolSize: pool });
  await reader.read(docs[0]!); // starts the pool and pdf.js
  const queue = [...docs, ...docs];
  const count = queue.length;
  const t = performance.now();
  let pages = 0;
  await Promise.all(
    Array.from({ length: availableParallelism() }, async () => {
      for (let d = queue.shift(); d; d = queue.shift()) {
        const r = await reader.read(d);
        if ('error' in r) throw new Error(`${d.file}: ${r.error.message}`);
        pages += r.pages;
      }
    }),
  );
  const elapsed = performance.now() - t;
  await reader.close();
  out(
    `samples/ scans and photos, ${count} documents through the reader, ${availableParallelism()} at a time: ` +
      `${((pages / elapsed) * 60_000).toFixed(1)} pages/min`,
  );
  out(
    `peak RSS of this process after them (pdf.js and the reader too): ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`,
  );
}

async function sroie(count: number, pool: number): Promise<void> {
  const decoder = createImageDecoder();
  const ids = Array.from({ length: count }, (_, i) => String(i).padStart(3, '0')).filter((id) =>
    existsSync(path.join(SROIE, 'img', `${id}.jpg`)),
  );
  const items = await Promise.all(
    ids.map(async (id) => {
      const key = JSON.parse(readFileSync(path.join(SROIE, 'key', `${id}.json`), 'utf8')) as {
        total: string;
      };
      const [image] = await decoder.decode(
        readFileSync(path.join(SROIE, 'img', `${id}.jpg`)),
        DEFAULT_LIMITS,
      );
      return { id, total: key.total, image: image! };
    }),
  );

  const engine = createOcrEngine({ languages: ALL, poolSize: pool });
  let t = performance.now();
  const prepared = await Promise.all(
    items.map(async (it) =>
      (await engine.readPage(it.image, asTheReaderDoes)).words
        .map((w) => w.text)
        .join(' ')
        .includes(it.total),
    ),
  );
  const preparedMs = performance.now() - t;
  await engine.close();

  // Plain: the decoded PNG straight into tesseract.js, same languages and pool size, no preparation.
  const scheduler = createScheduler();
  for (let i = 0; i < pool; i++) {
    scheduler.addWorker(
      await createWorker(['eng', 'por', 'spa'], OEM.LSTM_ONLY, {
        langPath: localLangPath(['eng', 'por', 'spa']),
        cacheMethod: 'none',
        errorHandler: () => {},
      }),
    );
  }
  t = performance.now();
  const plain = await Promise.all(
    items.map(async (it) => {
      const r = (await scheduler.addJob('recognize', it.image.png)) as { data: { text: string } };
      return r.data.text.replace(/\s+/g, ' ').includes(it.total);
    }),
  );
  const plainMs = performance.now() - t;
  await scheduler.terminate();

  const share = (xs: boolean[]) => `${xs.filter(Boolean).length}/${xs.length}`;
  out(`SROIE first ${items.length} receipts, exact total in the OCR text:`);
  out(`  engine (prepared): ${share(prepared)} in ${Math.round(preparedMs / 1000)} s`);
  out(`  plain tesseract.js: ${share(plain)} in ${Math.round(plainMs / 1000)} s`);
  const missed = items.filter((_, i) => !prepared[i]).map((it) => it.id);
  if (missed.length) out(`  engine missed: ${missed.join(', ')}`);
}

await main();
