// Page preparation before tesseract: contrast stretch and speck cleaning.
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { cleanPage, type Grey, normalise } from '../../src/adapters/ocr.ts';

/** A grey page: paper of `paper`, with black bars (text lines) at the given rows [top, bottom). */
function barsPage(width: number, height: number, bars: [number, number][], paper = 250): Grey {
  const data = Buffer.alloc(width * height, paper);
  for (const [top, bottom] of bars)
    for (let y = top; y < bottom; y++) data.fill(20, y * width + 40, y * width + width - 40);
  return { data, width, height };
}

describe('normalise', () => {
  it("stretches a dull scan's contrast exactly as sharp's normalise() does", async () => {
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
