import sharp, { type Sharp } from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImageDecoder } from '../../src/adapters/image.ts';
import { createOcrEngine } from '../../src/adapters/ocr.ts';
import { DocumentError } from '../../src/pipeline/errors.ts';
import type { Word } from '../../src/pipeline/layout.ts';
import { DEFAULT_LIMITS, type OcrEngine, type PageImage } from '../../src/pipeline/ports.ts';

const W = 1100;
const H = 760;
const LINES = [
  'Papelaria Central Ltda.',
  'CNPJ 11.222.333/0001-81',
  'Nota Fiscal 2025-0042',
  'Data de emissao 15/03/2025',
  'Cadernos universitarios 255,00',
  'TOTAL 1.234,56',
];
// Baselines of the lines above; TOTAL sits on the last one, starting at x = 60.
const Y = LINES.map((_, i) => 110 + i * 105);

function invoiceSvg(): Buffer {
  const text = LINES.map(
    (l, i) => `<text x="60" y="${Y[i]}" font-family="DejaVu Sans" font-size="38" fill="#111">${l}</text>`,
  ).join('');
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><rect width="100%" height="100%" fill="#f4f1ea"/>${text}</svg>`,
  );
}

async function page(transform: (s: Sharp) => Sharp = (s) => s): Promise<PageImage> {
  const flat = await sharp(invoiceSvg()).png().toBuffer();
  const { data, info } = await transform(sharp(flat)).png().toBuffer({ resolveWithObject: true });
  return { png: data, width: info.width, height: info.height };
}

const text = (words: Word[]) => words.map((w) => w.text).join(' ');
const find = (words: Word[], t: string) => words.find((w) => w.text === t);

let engine: OcrEngine;
beforeAll(() => {
  engine = createOcrEngine({ languages: ['eng', 'por', 'spa'], poolSize: 2 });
});
afterAll(async () => {
  await engine.close();
});

describe('OCR engine', () => {
  it('reads an upright invoice with word boxes where the words are', async () => {
    const read = await engine.readPage(await page(), { languages: ['eng', 'por', 'spa'] });
    expect(read).toMatchObject({ width: W, height: H, rotation: 0 });
    const all = text(read.words);
    expect(all).toContain('TOTAL 1.234,56');
    expect(all).toContain('11.222.333/0001-81');
    expect(all).toContain('15/03/2025');
    const total = find(read.words, 'TOTAL')!;
    expect(total.source).toBe('ocr');
    expect(total.confidence).toBeGreaterThan(0.8);
    // Cap height of 38 px text is ~28 px: the box spans the baseline minus that.
    expect(total.bbox[0]).toBeGreaterThan(50);
    expect(total.bbox[0]).toBeLessThan(75);
    expect(total.bbox[3]).toBeGreaterThan(Y[5]! - 6);
    expect(total.bbox[3]).toBeLessThan(Y[5]! + 6);
    expect(total.bbox[1]).toBeGreaterThan(Y[5]! - 40);
  });

  it('reads text on a transparent background as text on white paper', async () => {
    // Black text on transparent pixels whose stored colour is black too, as PNG exporters commonly leave them:
    // without its alpha channel the page is black on black.
    const svg = invoiceSvg()
      .toString()
      .replace('<rect width="100%" height="100%" fill="#f4f1ea"/>', '')
      .replaceAll('fill="#111"', 'fill="#000"');
    const { data, info } = await sharp(Buffer.from(svg))
      .ensureAlpha()
      .png()
      .toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(4);
    const read = await engine.readPage(
      { png: data, width: info.width, height: info.height },
      { languages: ['eng'] },
    );
    expect(text(read.words)).toContain('TOTAL 1.234,56');
  });

  it('reads pages scanned sideways and upside down, with boxes in the upright frame', async () => {
    const cases = [
      { turned: 90, expected: 270 },
      { turned: 180, expected: 180 },
    ];
    const reads = await Promise.all(
      cases.map(async (c) => engine.readPage(await page((s) => s.rotate(c.turned)), { languages: ['eng'] })),
    );
    reads.forEach((read, i) => {
      expect(read.rotation).toBe(cases[i]!.expected);
      expect(read).toMatchObject({ width: W, height: H });
      expect(text(read.words)).toContain('TOTAL 1.234,56');
      // The upright image is the original one, so TOTAL is where it was drawn.
      const total = find(read.words, 'TOTAL')!;
      expect(Math.abs(total.bbox[0] - 60)).toBeLessThan(12);
      expect(Math.abs(total.bbox[3] - Y[5]!)).toBeLessThan(10);
    });
  });

  it('reads a page scanned 4° askew, a small low-resolution scan, and maps boxes back to its scale', async () => {
    const [skewed, small] = await Promise.all([
      page((s) => s.rotate(4, { background: '#f4f1ea' })),
      page((s) => s.resize(Math.round(W * 0.4))),
    ]);
    const [a, b] = await Promise.all([
      engine.readPage(skewed, { languages: ['eng'] }),
      engine.readPage(small, { languages: ['eng'] }),
    ]);
    expect(a.rotation).toBe(0);
    expect(text(a.words)).toContain('TOTAL 1.234,56');
    expect(text(a.words)).toContain('15/03/2025');
    expect(text(b.words)).toContain('1.234,56');
    expect(b).toMatchObject({ width: small.width, height: small.height });
    const total = find(b.words, 'TOTAL')!;
    expect(Math.abs(total.bbox[0] - 60 * 0.4)).toBeLessThan(6);
    expect(Math.abs(total.bbox[3] - Y[5]! * 0.4)).toBeLessThan(5);
  });

  it('reads damaged JPEGs that still decode, without bringing the process down', async () => {
    const good = await sharp(invoiceSvg()).jpeg({ quality: 80 }).toBuffer();
    const decoder = createImageDecoder();
    const reads: string[] = [];
    for (const at of [0.4, 0.75]) {
      const bad = Buffer.from(good);
      const i = Math.floor(bad.length * at);
      bad.fill(0x5a, i, i + 48);
      try {
        const [image] = await decoder.decode(bad, DEFAULT_LIMITS);
        const read = await engine.readPage(image!, { languages: ['eng'] });
        reads.push(text(read.words));
      } catch (e) {
        // Refusing is fine; it must be a document error, not a crash.
        expect(e).toBeInstanceOf(DocumentError);
      }
    }
    // The damage sits below the first lines, so whatever was read still has the vendor.
    expect(reads.length).toBeGreaterThan(0);
    for (const r of reads) expect(r).toContain('Papelaria');
  });

  it('reads a small receipt scanned on a whole dotted sheet, with boxes on the sheet', async () => {
    // A4 at ~130 DPI with scanner specks all over, and a receipt in small print in the middle of it.
    const SW = 1080;
    const SH = 1527;
    let seed = 7;
    const rand = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const dots = Array.from(
      { length: 1500 },
      () =>
        `<circle cx="${(rand() * SW).toFixed(1)}" cy="${(rand() * SH).toFixed(1)}" r="${(0.8 + rand()).toFixed(1)}" fill="#555"/>`,
    ).join('');
    const receipt = [
      'KEDAI RUNCIT BAHAGIA SDN BHD',
      '12 Jalan Mawar 3, Taman Seri',
      'Date 10/03/2018 18:24',
      'Nasi Lemak 2 x 4.10 8.20',
      'Teh Tarik 1 x 2.00 2.00',
      'Nett Total: 10.20',
      'Cash 20.00 Change 9.80',
    ]
      .map(
        (l, i) =>
          `<text x="380" y="${420 + i * 17}" font-family="DejaVu Sans" font-size="12" fill="#222">${l}</text>`,
      )
      .join('');
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${SW}" height="${SH}"><rect width="100%" height="100%" fill="#fdfdfd"/>${dots}${receipt}</svg>`;
    const jpeg = await sharp(Buffer.from(svg)).jpeg({ quality: 85 }).toBuffer();
    const [image] = await createImageDecoder().decode(jpeg, DEFAULT_LIMITS);
    const read = await engine.readPage(image!, { languages: ['eng'] });
    const all = text(read.words);
    expect(all).toContain('KEDAI RUNCIT BAHAGIA');
    expect(all).toContain('10/03/2018');
    expect(all).toContain('Total: 10.20');
    expect(read).toMatchObject({ width: SW, height: SH, rotation: 0 });
    const total = find(read.words, '10.20')!;
    // Drawn at x ≈ 380 + the label's width, on the baseline y = 505.
    expect(total.bbox[0]).toBeGreaterThan(400);
    expect(total.bbox[2]).toBeLessThan(620);
    expect(Math.abs(total.bbox[3] - 505)).toBeLessThan(6);
  });

  it('returns no words for a blank page rather than failing', async () => {
    const blank = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#fff' } })
      .png()
      .toBuffer();
    const read = await engine.readPage({ png: blank, width: 800, height: 600 }, { languages: ['eng'] });
    expect(read.words.filter((w) => w.confidence > 0.5)).toEqual([]);
  });
});
