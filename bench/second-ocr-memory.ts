// Memory of region re-reading over many receipts: the crops located by bench/second-ocr-regions.ts
// (tests/artifacts/second-ocr/regions.json), read page after page by
//   inproc-arena    recognition in this process with onnxruntime's memory arena on (its default),
//   inproc          the same with the arena off (the adapter's setting),
//   adapter         the bounded adapter (a child process, replaced after --pages pages or past --max-rss MB).
// Prints the RSS of the process that holds the model every --every pages, and its peak.
//
//   tsx bench/second-ocr-memory.ts --mode inproc|inproc-arena|adapter [--rounds 1] [--every 30]
//       [--pages 100] [--max-rss 400]
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { createSecondReader } from '../src/adapters/second-ocr.ts';
import { type BoxTuple, createRecognizer } from '../src/adapters/second-ocr-process.ts';
import { SROIE_IMAGE } from './second-ocr-data.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
}
const out = (line: string) => process.stdout.write(`${line}\n`);

const mode = arg('mode', 'adapter');
const rounds = Number(arg('rounds', '1'));
const every = Number(arg('every', '30'));
const details = JSON.parse(
  await readFile(path.join(root, 'tests/artifacts/second-ocr/regions.json'), 'utf8'),
) as { id: string; located: { boxes: BoxTuple[] }[] }[];

interface Reader {
  read(png: Buffer, width: number, height: number, boxes: BoxTuple[]): Promise<unknown>;
  rssMb(): number;
  close(): Promise<void>;
  note(): string;
}

async function reader(): Promise<Reader> {
  if (mode === 'adapter') {
    const r = createSecondReader({
      pagesPerProcess: Number(arg('pages', '100')),
      maxRssMb: Number(arg('max-rss', '400')),
    });
    return {
      read: (png, width, height, boxes) => r.readRegions({ png, width, height }, boxes),
      rssMb: () => r.stats().lastRssMb,
      close: () => r.close(),
      note: () => `${r.stats().processesStarted} processes`,
    };
  }
  const r = await createRecognizer({ threads: 1, arena: mode === 'inproc-arena' });
  return {
    read: (png, _w, _h, boxes) => r.read(png, boxes),
    rssMb: () => Math.round(process.memoryUsage().rss / 1e6),
    close: () => r.release(),
    note: () => 'one process',
  };
}

const r = await reader();
let pages = 0;
let crops = 0;
let peak = 0;
const started = performance.now();
for (let round = 0; round < rounds; round++) {
  for (const d of details) {
    const bytes = await readFile(SROIE_IMAGE(d.id));
    const { data, info } = await sharp(bytes).rotate().png().toBuffer({ resolveWithObject: true });
    const boxes = d.located.flatMap((l) => l.boxes);
    await r.read(data, info.width, info.height, boxes);
    pages++;
    crops += boxes.length;
    peak = Math.max(peak, r.rssMb());
    if (pages % every === 0)
      out(`${String(pages).padStart(4)} pages, ${crops} crops: RSS ${r.rssMb()} MB (peak ${peak})`);
  }
}
out(
  `${mode}: ${pages} pages, ${crops} crops in ${Math.round((performance.now() - started) / 1000)} s; peak RSS ${peak} MB; ${r.note()}`,
);
await r.close();
