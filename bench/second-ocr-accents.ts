// What the second reader makes of Portuguese and Spanish accents, beside tesseract (por+spa) on the same crop.
//
//   tsx bench/second-ocr-accents.ts
import { mkdir, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { createWorker, OEM, PSM } from 'tesseract.js';
import { createSecondReader } from '../src/adapters/second-ocr.ts';

const TEXTS = ['Emissão Ação Señor', 'Nº 123 Descrição: Maçã', 'Preço unitário R$ 12,50', 'Año Niño Mañana'];
const out = (line: string) => process.stdout.write(`${line}\n`);

const reader = createSecondReader();
const require = createRequire(import.meta.url);
const dir = path.join(tmpdir(), 'second-ocr-accents');
const tesseract = await createWorker(['por', 'spa'], OEM.LSTM_ONLY, {
  langPath: await langs(),
  cacheMethod: 'none',
});
await tesseract.setParameters({ tessedit_pageseg_mode: PSM.SINGLE_LINE });
out('| text drawn | PP-OCRv4 reads | confidence | can spell | tesseract por+spa (PSM 7) |');
out('|---|---|---|---|---|');
for (const text of TEXTS) {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="64"><rect width="100%" height="100%" fill="white"/><text x="20" y="44" font-family="DejaVu Sans" font-size="30" fill="black">${text}</text></svg>`;
  const png = await sharp(Buffer.from(svg)).png().toBuffer();
  const [reading] = await reader.readRegions({ png, width: 640, height: 64 }, [[16, 14, 624, 54]]);
  const { data } = await tesseract.recognize(png);
  out(
    `| ${text} | ${reading!.text} | ${reading!.confidence.toFixed(2)} | ${reader.canSpell(text) ? 'yes' : 'no'} | ${data.text.trim()} |`,
  );
}
await tesseract.terminate();
await reader.close();

/** tesseract.js reads every language from one folder; the packages ship one each. */
async function langs(): Promise<string> {
  await mkdir(dir, { recursive: true });
  for (const lang of ['por', 'spa']) {
    const file = path.join(
      path.dirname(require.resolve(`@tesseract.js-data/${lang}`)),
      '4.0.0_best_int',
      `${lang}.traineddata.gz`,
    );
    await symlink(file, path.join(dir, `${lang}.traineddata.gz`)).catch(() => undefined);
  }
  return dir;
}
