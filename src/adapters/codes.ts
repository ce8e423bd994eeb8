// QR codes and barcodes on page images, with zxing-cpp compiled to WebAssembly (zxing-wasm). The .wasm ships in
// the npm package and is loaded from node_modules: nothing is fetched at run time.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import sharp from 'sharp';
import { prepareZXingModule, type ReaderOptions, readBarcodes } from 'zxing-wasm/reader';
import type { CodeReader, CodeReading, PageImage } from '../pipeline/ports.ts';

/** The symbologies invoices carry: QR (payment and fiscal codes, separator sheets), Data Matrix, CODE-128 (NF-e
 * key), ITF (boleto), CODE-39 and EAN. */
const OPTIONS: ReaderOptions = {
  formats: ['QRCode', 'MicroQRCode', 'DataMatrix', 'Code128', 'Code39', 'ITF', 'EAN13'],
  tryHarder: true,
  tryRotate: true,
  maxNumberOfSymbols: 8,
};

/** Longest side a page is decoded at: a 300 dpi A4 scan is halved, which keeps a boleto's narrowest bar over a
 * pixel wide and the decoding a small share of the OCR's time. */
const MAX_SIDE = 1800;

let loading: Promise<unknown> | undefined;

function load(): Promise<unknown> {
  loading ??= (async () => {
    const path = createRequire(import.meta.url).resolve('zxing-wasm/reader/zxing_reader.wasm');
    const bytes = await readFile(path);
    const wasmBinary = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    return prepareZXingModule({ overrides: { wasmBinary }, fireImmediately: true });
  })();
  return loading;
}

export function createCodeReader(): CodeReader {
  return {
    async read(image: PageImage): Promise<CodeReading[]> {
      await load();
      try {
        const scale = Math.min(1, MAX_SIDE / Math.max(image.width, image.height));
        let pipeline = sharp(image.png).removeAlpha();
        if (scale < 1)
          pipeline = pipeline.resize(Math.round(image.width * scale), Math.round(image.height * scale));
        // ImageData is RGBA: four channels, whatever the page image had.
        const { data, info } = await pipeline.ensureAlpha().raw().toBuffer({ resolveWithObject: true });
        const pixels = {
          data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.length),
          width: info.width,
          height: info.height,
          colorSpace: 'srgb',
        } as ImageData;
        const found = await readBarcodes(pixels, OPTIONS);
        return found
          .filter((r) => r.isValid && r.text)
          .map((r) => {
            const p = r.position;
            const xs = [p.topLeft.x, p.topRight.x, p.bottomLeft.x, p.bottomRight.x].map((x) => x / scale);
            const ys = [p.topLeft.y, p.topRight.y, p.bottomLeft.y, p.bottomRight.y].map((y) => y / scale);
            return {
              format: r.format,
              text: r.text,
              bbox: [
                Math.min(...xs),
                Math.min(...ys),
                Math.max(...xs),
                Math.max(...ys),
              ] as CodeReading['bbox'],
            };
          });
      } catch {
        // A page whose image will not decode has no codes to give; its reading goes on.
        return [];
      }
    },
  };
}
