import sharp, { type Sharp } from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { photograph } from '../../scripts/samples/raster.ts';
import { createImageDecoder } from '../../src/adapters/image.ts';
import { createOcrEngine } from '../../src/adapters/ocr.ts';
import { DocumentError } from '../../src/pipeline/errors.ts';
import type { Word } from '../../src/pipeline/layout.ts';
import { ocrReadOptions } from '../../src/pipeline/ocr-languages.ts';
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

const ALL = ['eng', 'por', 'spa'];
/** As the reader asks: each page read in the languages its words are in. */
const asTheReaderDoes = ocrReadOptions(ALL);

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
      asTheReaderDoes,
    );
    expect(text(read.words)).toContain('TOTAL 1.234,56');
  });

  it('reads pages scanned sideways and upside down, with boxes in the upright frame', async () => {
    const cases = [
      { turned: 90, expected: 270 },
      { turned: 180, expected: 180 },
    ];
    const reads = await Promise.all(
      cases.map(async (c) => engine.readPage(await page((s) => s.rotate(c.turned)), asTheReaderDoes)),
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
      engine.readPage(skewed, asTheReaderDoes),
      engine.readPage(small, asTheReaderDoes),
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
        const read = await engine.readPage(image!, asTheReaderDoes);
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

  it('reads a phone photo of a sheet on a desk, shadow and all, with boxes on the photo', async () => {
    const flat = await sharp(invoiceSvg()).png().toBuffer();
    const photo = await (await photograph(flat, { seed: 1, shadow: 0.5, tilt: 0.05 })).png().toBuffer();
    const { width, height } = await sharp(photo).metadata();
    const read = await engine.readPage({ png: photo, width: width!, height: height! }, asTheReaderDoes);
    expect(read).toMatchObject({ width, height, rotation: 0 });
    expect(text(read.words)).toContain('TOTAL 1.234,56');
    expect(text(read.words)).toContain('15/03/2025');
    // Where the photo shows it: the sheet lies turned and foreshortened on the desk, TOTAL at about (195, 715).
    const total = find(read.words, 'TOTAL')!;
    expect(Math.abs(total.bbox[0] - 195)).toBeLessThan(25);
    expect(Math.abs(total.bbox[3] - 715)).toBeLessThan(25);
  });

  it('reads the lines of a totals block printed with dot leaders', async () => {
    const rows = [
      ['Net total', 'EUR 6,224.99'],
      ['VAT 20%', 'EUR 1,041.95'],
      ['Grand Total', 'EUR 7,368.46'],
      ['Deposit received', '-EUR 2,210.54'],
      ['Balance', 'EUR 5,157.92'],
    ];
    const body = rows
      .map(([label, amount], i) => {
        const y = 300 + i * 34;
        return `<text x="500" y="${y}" font-family="DejaVu Sans" font-size="20" fill="#111">${label}</text><text x="660" y="${y}" font-family="DejaVu Sans" font-size="20" fill="#111">${'.'.repeat(40)}</text><text x="1040" y="${y}" font-family="DejaVu Sans" font-size="20" fill="#111" text-anchor="end">${amount}</text>`;
      })
      .join('');
    const head = `<text x="60" y="90" font-family="DejaVu Sans" font-size="30" fill="#111">Lumiere Engineering SAS</text><text x="60" y="140" font-family="DejaVu Sans" font-size="20" fill="#111">Sourdough loaf, 800 g   6   2.19   13.14</text>`;
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><rect width="100%" height="100%" fill="#ffffff"/>${head}${body}</svg>`;
    const png = await sharp(Buffer.from(svg)).png().toBuffer();
    const read = await engine.readPage({ png, width: W, height: H }, { languages: ['eng'] });
    const all = text(read.words);
    for (const [, amount] of rows) expect(all).toContain(amount);
    expect(all).toContain('Grand Total');
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
    // Read in all three languages: in English alone, as the reader would choose, tesseract reads this 12 px total
    // as 160.20 (the receipt reader then works 10.20 out from the cash and change, see receipt.test.ts). What is
    // checked here is the crop to the receipt and the boxes on the sheet.
    const read = await engine.readPage(image!, { languages: ALL });
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
    const read = await engine.readPage({ png: blank, width: 800, height: 600 }, asTheReaderDoes);
    expect(read.words.filter((w) => w.confidence > 0.5)).toEqual([]);
  });
});

describe('reading each page in its own language', () => {
  /** Lines of 34 px text from y = top, 70 px apart, on a 1100 × 1300 page. */
  const sheet = async (lines: string[], top = 110): Promise<PageImage> => {
    const body = lines
      .map(
        (l, i) =>
          `<text x="60" y="${top + i * 70}" font-family="DejaVu Sans" font-size="34" fill="#111">${l}</text>`,
      )
      .join('');
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1100" height="1300"><rect width="100%" height="100%" fill="#fff"/>${body}</svg>`;
    return { png: await sharp(Buffer.from(svg)).png().toBuffer(), width: 1100, height: 1300 };
  };
  const portuguese = [
    'Papelaria São João Ltda.',
    'Nota Fiscal de Serviços 2025-0042',
    'Data de Emissão 15/03/2025',
    'Descrição dos serviços',
    'Manutenção de impressoras 1.234,56',
    'Valor Total R$ 1.234,56',
  ];
  const english = [
    'Maple Street Office Supply',
    'Invoice number 2025-0042',
    'Invoice date 03/15/2025 Due date 04/14/2025',
    'Description of the services',
    'Printer maintenance 1,234.56',
    'Total amount due $1,234.56',
  ];

  // Each test has an engine of its own: an engine remembers what its last pages were read in.
  const withFreshEngine = async (run: (own: OcrEngine) => Promise<void>): Promise<void> => {
    const own = createOcrEngine({ languages: ALL, poolSize: 2 });
    try {
      await run(own);
    } finally {
      await own.close();
    }
  };

  it('reads a Portuguese page in Portuguese, accents and all, and an English one in English alone', () =>
    withFreshEngine(async (own) => {
      // Side by side on the two workers, each switching to the languages of the page it is given.
      // Both sheets drawn first, so that no read waits unobserved while the other sheet is drawn.
      const [ptSheet, enSheet] = await Promise.all([sheet(portuguese), sheet(english)]);
      const [pt, en] = await Promise.all([
        own.readPage(ptSheet, asTheReaderDoes),
        own.readPage(enSheet, asTheReaderDoes),
      ]);
      expect(pt.languages).toEqual(['por', 'eng']);
      expect(text(pt.words)).toContain('Data de Emissão 15/03/2025');
      expect(text(pt.words)).toContain('Manutenção');
      expect(en.languages).toEqual(['eng']);
      expect(text(en.words)).toContain('Total amount due $1,234.56');
    }));

  it('reads the whole page again in its language when its top does not tell', () =>
    withFreshEngine(async (own) => {
      // A letterhead of names and numbers, then the Portuguese body far below it.
      const page = await sheet([
        'PAPELARIA SJ 11.222.333/0001-81',
        ...Array(9).fill(''),
        ...portuguese.slice(1),
      ]);
      const read = await own.readPage(page, asTheReaderDoes);
      expect(read.languages).toEqual(['por', 'eng']);
      expect(text(read.words)).toContain('Data de Emissão 15/03/2025');
    }));

  it('after a run of Portuguese pages, still reads an English page in English alone', () =>
    withFreshEngine(async (own) => {
      const pt = await sheet(portuguese);
      for (let i = 0; i < 3; i++) {
        expect((await own.readPage(pt, asTheReaderDoes)).languages).toEqual(['por', 'eng']);
      }
      // Read first in the settled por+eng, then again in English when its words turn out English.
      const en = await own.readPage(await sheet(english), asTheReaderDoes);
      expect(en.languages).toEqual(['eng']);
      expect(text(en.words)).toContain('Total amount due $1,234.56');
    }));

  it('fails pages still waiting or being read when the engine is closed, rather than leaving them hanging', async () => {
    const own = createOcrEngine({ languages: ALL, poolSize: 1 });
    const pages = await Promise.all([sheet(portuguese), sheet(english), sheet(portuguese)]);
    // Observed from the start: close() fails the reads while it still waits for a worker that is starting (on a
    // cold machine it is, 1.5 s in), and a rejection nobody listens to yet fails the run.
    const outcomes = Promise.allSettled(pages.map((p) => own.readPage(p, asTheReaderDoes)));
    // Once the first page is being read, close.
    await new Promise((r) => setTimeout(r, 1500));
    await own.close();
    const settled = await outcomes;
    expect(settled.some((o) => o.status === 'rejected')).toBe(true);
    for (const o of settled) {
      if (o.status === 'rejected') expect(o.reason).toMatchObject({ code: 'ocr_failed' });
    }
    await expect(own.readPage(pages[0]!, { languages: ALL })).rejects.toMatchObject({ code: 'ocr_failed' });
  });

  it('reads in every language it is given when nothing chooses, and refuses a language it has not loaded', async () => {
    const read = await engine.readPage(await sheet(portuguese), { languages: ALL });
    expect(read.languages).toEqual(ALL);
    await expect(engine.readPage(await sheet(english), { languages: ['fra'] })).rejects.toMatchObject({
      code: 'ocr_failed',
      message: expect.stringContaining('fra is not loaded'),
    });
  });
});
