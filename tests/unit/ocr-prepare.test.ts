// Page preparation before tesseract: contrast stretch, speck cleaning, and cutting a long page between its lines
// so that the pool's workers read its parts side by side.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanPage, findTextRegion, leaderDots, normalise } from '../../src/adapters/ocr/clean.ts';
import type { Grey } from '../../src/adapters/ocr/grey.ts';
import type { Part } from '../../src/adapters/ocr/ink.ts';
import { findPaper } from '../../src/adapters/ocr/paper.ts';
import { findCuts } from '../../src/adapters/ocr/regions.ts';
import { createOcrEngine } from '../../src/adapters/ocr.ts';
import type { OcrEngine } from '../../src/pipeline/ports.ts';

/** A grey page: paper of `paper`, with black bars (text lines) at the given rows [top, bottom). */
function barsPage(width: number, height: number, bars: [number, number][], paper = 250): Grey {
  const data = Buffer.alloc(width * height, paper);
  for (const [top, bottom] of bars)
    for (let y = top; y < bottom; y++) data.fill(20, y * width + 40, y * width + width - 40);
  return { data, width, height };
}

describe('normalise', () => {
  it("stretches a dull scan's contrast as sharp's normalise() does, byte for byte", async () => {
    // Grey paper, dark-grey text and some noise: a scan that needs stretching.
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="900" height="600"><rect width="100%" height="100%" fill="#b9b4aa"/>${Array.from(
      { length: 8 },
      (_, i) =>
        `<text x="40" y="${70 + i * 66}" font-family="DejaVu Sans" font-size="40" fill="#5a5550">Total R$ ${i + 1}.234,56</text>`,
    ).join('')}</svg>`;
    const { data, info } = await sharp(Buffer.from(svg))
      .greyscale()
      .blur(0.8)
      .raw()
      .toBuffer({ resolveWithObject: true });
    const image: Grey = { data, width: info.width, height: info.height };
    const bySharp = await sharp(data, { raw: { width: info.width, height: info.height, channels: 1 } })
      .normalise()
      .greyscale()
      .raw()
      .toBuffer();
    const ours = await normalise(image);
    expect(Buffer.compare(ours.data, bySharp)).toBe(0);
    // And it did stretch: the paper, grey at about 180, is now near white and the text near black.
    const lightest = (d: Buffer) => d.reduce((a, b) => Math.max(a, b), 0);
    expect(lightest(data)).toBeLessThan(200);
    expect(lightest(ours.data)).toBeGreaterThan(240);
    expect(ours.data.reduce((a, b) => Math.min(a, b), 255)).toBeLessThan(20);
  });

  it('on a large page with little ink, differs from sharp at most on a few rare grey levels', async () => {
    // An A4 at 300 DPI with one line of small text on grainy paper: 0.05% ink, the stand-in's shares are rounded.
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="2480" height="3508"><rect width="100%" height="100%" fill="#c8c4bc"/><text x="200" y="300" font-family="DejaVu Sans" font-size="30" fill="#444">Total 1.234,56</text></svg>`;
    const { data, info } = await sharp(Buffer.from(svg))
      .greyscale()
      .blur(1)
      .raw()
      .toBuffer({ resolveWithObject: true });
    // Paper grain: ±3 grey levels, from a fixed seed.
    let seed = 12345;
    for (let i = 0; i < data.length; i++) {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      data[i] = Math.max(0, Math.min(255, (data[i] as number) + (seed % 7) - 3));
    }
    const bySharp = await sharp(data, { raw: { width: info.width, height: info.height, channels: 1 } })
      .normalise()
      .greyscale()
      .raw()
      .toBuffer();
    const ours = await normalise({ data, width: info.width, height: info.height });
    let differing = 0;
    let largest = 0;
    for (let i = 0; i < data.length; i++) {
      const d = Math.abs((ours.data[i] as number) - (bySharp[i] as number));
      if (d) differing++;
      largest = Math.max(largest, d);
    }
    expect(differing / data.length).toBeLessThan(0.001);
    expect(largest).toBeLessThanOrEqual(10);
  });
});

describe('cleanPage', () => {
  it('wipes isolated specks off a sheet and keeps the text lines', async () => {
    const width = 1200;
    const height = 1600;
    const page = barsPage(width, height, [
      [300, 330],
      [360, 390],
      [420, 450],
    ]);
    // Forty 2×2 specks scattered far from the text.
    const specks: [number, number][] = [];
    for (let i = 0; i < 40; i++) specks.push([60 + ((i * 97) % 1080), 700 + ((i * 131) % 800)]);
    for (const [x, y] of specks)
      for (let dy = 0; dy < 2; dy++) page.data.fill(0, (y + dy) * width + x, (y + dy) * width + x + 2);
    const { image, region } = await cleanPage(page);
    // The text is kept (the region may crop the sheet: map back).
    const at = (x: number, y: number) => image.data[(y - region.top) * image.width + (x - region.left)];
    expect(at(600, 315)).toBeLessThan(60);
    const inRegion = specks.filter(
      ([x, y]) =>
        x >= region.left && x < region.left + image.width && y >= region.top && y < region.top + image.height,
    );
    for (const [x, y] of inRegion) expect(at(x, y)).toBe(255);
  });
});

describe('findTextRegion', () => {
  // A small receipt (text bars) in the middle of an A4 sheet at 150 DPI.
  const sheet = (): Grey => {
    const width = 1240;
    const height = 1754;
    const page = barsPage(width, height, []);
    for (let i = 0; i < 20; i++)
      for (let y = 500 + i * 30; y < 512 + i * 30; y++) page.data.fill(20, y * width + 500, y * width + 760);
    return page;
  };

  it("leaves a scanner's shaded edge out of the text region", async () => {
    const page = sheet();
    // Grey dots, half the pixels, along the left side from top to bottom, 100 px wide.
    for (let y = 0; y < page.height; y++)
      for (let x = 10; x < 110; x++) if ((x + y) % 2 === 0) page.data[y * page.width + x] = 90;
    const region = await findTextRegion(page);
    expect(region.left).toBeGreaterThan(400);
    expect(region.left + region.width).toBeLessThan(900);
  });

  it('keeps a column of text along a side of the sheet', async () => {
    const page = sheet();
    // Label lines down the left margin: a tall, narrow blob too, but mostly paper.
    for (let i = 0; i < 50; i++)
      for (let y = 100 + i * 30; y < 110 + i * 30; y++)
        page.data.fill(20, y * page.width + 20, y * page.width + 120);
    const region = await findTextRegion(page);
    expect(region.left).toBeLessThan(30);
  });
});

describe('findCuts', () => {
  // 60 lines of text 26 px high, 40 px apart, from y = 100.
  const lines: [number, number][] = Array.from({ length: 60 }, (_, i) => [100 + i * 40, 126 + i * 40]);
  const page = barsPage(1000, 2600, lines);
  const inGap = (y: number) => lines.every(([top, bottom]) => y < top || y >= bottom);

  it('cuts a long page between lines, near even parts', () => {
    const two = findCuts(page, 0, 2);
    expect(two).toHaveLength(1);
    expect(inGap(two[0]!)).toBe(true);
    expect(Math.abs(two[0]! - 1300)).toBeLessThan(60);
    const four = findCuts(page, 0, 4);
    expect(four).toHaveLength(3);
    four.forEach((y, k) => {
      expect(inGap(y)).toBe(true);
      expect(Math.abs(y - (2600 * (k + 1)) / 4)).toBeLessThan(60);
    });
  });

  it('cuts only below where it is told to start (the header band)', () => {
    const cuts = findCuts(page, 1000, 2);
    expect(cuts).toHaveLength(1);
    expect(Math.abs(cuts[0]! - 1800)).toBeLessThan(60);
  });

  it('does not cut a short page, nor one with no gap between lines near the middle', () => {
    expect(findCuts(barsPage(1000, 400, lines.slice(0, 6)), 0, 2)).toEqual([]);
    expect(findCuts(barsPage(1000, 2600, [[100, 2500]]), 0, 2)).toEqual([]);
    expect(findCuts(page, 0, 1)).toEqual([]);
  });
});

describe('a long page read in parts side by side', () => {
  let engine: OcrEngine;
  beforeAll(() => {
    engine = createOcrEngine({ languages: ['eng'], poolSize: 2 });
  });
  afterAll(async () => {
    await engine.close();
  });

  it('reads every line, in order, with boxes where the lines are on both sides of the cut', async () => {
    const W = 1240;
    const H = 1754;
    const baselines = Array.from({ length: 36 }, (_, i) => 120 + i * 44);
    const text = baselines
      .map(
        (y, i) =>
          `<text x="100" y="${y}" font-family="DejaVu Sans" font-size="24" fill="#111">Item ${String(i + 1).padStart(2, '0')} Paper clips box ${100 + i * 3} units ${(i + 1) * 7}.50</text>`,
      )
      .join('');
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><rect width="100%" height="100%" fill="#fbfaf7"/>${text}</svg>`;
    const png = await sharp(Buffer.from(svg)).png().toBuffer();
    const read = await engine.readPage({ png, width: W, height: H });
    const items = read.words.filter((w) => w.text === 'Item');
    expect(items).toHaveLength(36);
    // In reading order, each on its own baseline: the second part's boxes are offset by where it was cut.
    items.forEach((word, i) => {
      expect(Math.abs(word.bbox[3] - baselines[i]!)).toBeLessThan(8);
    });
    const all = read.words.map((w) => w.text).join(' ');
    for (let i = 0; i < 36; i++) expect(all).toContain(`${(i + 1) * 7}.50`);
  });
});

describe('leaderDots', () => {
  const box = (x0: number, y0: number, w: number, h: number): Part => ({
    area: w * h,
    x0,
    y0,
    x1: x0 + w - 1,
    y1: y0 + h - 1,
  });
  // Letters 20 px tall on a baseline at y = 120, then a row of 3 px dots, then an amount.
  const letters = Array.from({ length: 12 }, (_, i) => box(10 + i * 14, 100, 11, 20));
  const dots = (from: number, n: number) => Array.from({ length: n }, (_, i) => box(from + i * 9, 117, 3, 3));

  it('takes a row of evenly spaced dots on a baseline for a leader', () => {
    const parts = [...letters, ...dots(200, 20), box(400, 100, 11, 20)];
    expect(leaderDots(parts).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => 12 + i));
  });

  it('leaves punctuation alone: an ellipsis, full stops, dots scattered off a baseline', () => {
    // Twelve dots side by side, each on another line than its neighbours.
    const scattered = Array.from({ length: 12 }, (_, i) => box(200 + i * 9, 40 + (i % 4) * 20, 3, 3));
    expect(leaderDots([...letters, ...dots(200, 3), box(300, 117, 3, 3), ...scattered])).toEqual([]);
  });
});

describe('findPaper', () => {
  it('leaves a scan alone: its paper fills the frame, a dark band along one edge included', async () => {
    expect(
      await findPaper(
        barsPage(600, 800, [
          [100, 120],
          [200, 220],
        ]),
      ),
    ).toBeUndefined();
    // A coloured letterhead printed to the page's edges is print, not the desk the sheet lies on.
    const banner = barsPage(600, 800, [[300, 320]]);
    banner.data.fill(60, 0, 600 * 140);
    expect(await findPaper(banner)).toBeUndefined();
  });

  it('finds a sheet lying on a darker desk and straightens it', async () => {
    // A 400×560 sheet turned 6° on a 600×760 desk, with lines of print on it.
    const sheet = barsPage(400, 560, [
      [100, 116],
      [200, 216],
      [300, 316],
    ]);
    const photo = await sharp(sheet.data, { raw: { width: 400, height: 560, channels: 1 } })
      .rotate(6, { background: { r: 70, g: 70, b: 70 } })
      .extend({ top: 80, bottom: 80, left: 80, right: 80, background: { r: 70, g: 70, b: 70 } })
      .greyscale()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const found = await findPaper({ data: photo.data, width: photo.info.width, height: photo.info.height });
    expect(found).toBeDefined();
    const { width, height } = found!.image;
    expect(Math.abs(width - 400)).toBeLessThan(12);
    expect(Math.abs(height - 560)).toBeLessThan(12);
    // Straightened: each printed bar lies along one row again (dark across its width).
    const row = (y: number) => found!.image.data.subarray(y * width, (y + 1) * width);
    const dark = (y: number) => row(y).filter((v) => v < 100).length / width;
    expect(Math.max(...[104, 106, 108, 110, 112].map(dark))).toBeGreaterThan(0.7);
  });
});
