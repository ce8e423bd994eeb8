import zlib from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { createImageDecoder } from '../../src/adapters/image.ts';
import { DocumentError } from '../../src/pipeline/errors.ts';
import { DEFAULT_LIMITS } from '../../src/pipeline/ports.ts';

const decoder = createImageDecoder();

function textSvg(width: number, height: number, text: string): Buffer {
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
      <rect width="100%" height="100%" fill="white"/>
      <text x="40" y="${height / 2}" font-family="DejaVu Sans" font-size="40" fill="black">${text}</text>
    </svg>`,
  );
}

/** A valid 1-bit greyscale PNG of the given size whose rows are all zero: a few kilobytes on disk. */
function bombPng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.writeUInt8(1, 8); // bit depth
  ihdr.writeUInt8(0, 9); // greyscale
  const rows = Buffer.alloc((Math.ceil(width / 8) + 1) * height); // filter byte 0 + zero pixels per row
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

async function jpeg(): Promise<Buffer> {
  return sharp(textSvg(800, 400, 'TOTAL 1.234,56'))
    .jpeg({ quality: 85 })
    .toBuffer();
}

async function codeOf(bytes: Uint8Array, limits = DEFAULT_LIMITS): Promise<string> {
  try {
    await decoder.decode(bytes, limits);
    return 'ok';
  } catch (e) {
    if (e instanceof DocumentError) return e.code;
    throw e;
  }
}

describe('image decoder', () => {
  it('decodes JPEG, PNG and WebP to one upright PNG page with its size', async () => {
    const svg = textSvg(640, 320, 'Nota fiscal 42');
    for (const bytes of [
      await sharp(svg).jpeg().toBuffer(),
      await sharp(svg).png().toBuffer(),
      await sharp(svg).webp().toBuffer(),
    ]) {
      const pages = await decoder.decode(bytes, DEFAULT_LIMITS);
      expect(pages).toHaveLength(1);
      expect(pages[0]).toMatchObject({ width: 640, height: 320 });
      const meta = await sharp(pages[0]!.png).metadata();
      expect(meta.format).toBe('png');
    }
  });

  it('applies EXIF orientation so a phone photo taken sideways comes out upright', async () => {
    // Orientation 6: the stored pixels must be turned 90° clockwise to display.
    const bytes = await sharp(textSvg(640, 320, 'sideways'))
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const [page] = await decoder.decode(bytes, DEFAULT_LIMITS);
    expect(page).toMatchObject({ width: 320, height: 640 });
  });

  it('returns every page of a multi-page TIFF', async () => {
    const frames = await Promise.all(
      ['page one', 'page two', 'page three'].map((t) =>
        sharp(textSvg(500, 300, t))
          .png()
          .toBuffer(),
      ),
    );
    const tiff = await sharp(frames, { join: { animated: true } })
      .tiff()
      .toBuffer();
    const pages = await decoder.decode(tiff, DEFAULT_LIMITS);
    expect(pages).toHaveLength(3);
    for (const p of pages) expect(p).toMatchObject({ width: 500, height: 300 });
    expect(await codeOf(tiff, { ...DEFAULT_LIMITS, maxPages: 2 })).toBe('too_many_pages');
  });

  it('refuses a 1×1 image as too small to hold text', async () => {
    const png = await sharp({ create: { width: 1, height: 1, channels: 3, background: '#fff' } })
      .png()
      .toBuffer();
    expect(await codeOf(png)).toBe('image_too_small');
  });

  it('refuses a 20000×20000 PNG (a decompression bomb) from its header, without decoding it', async () => {
    const bomb = bombPng(20_000, 20_000);
    expect(bomb.length).toBeLessThan(1_000_000);
    const before = process.memoryUsage().rss;
    const t = performance.now();
    expect(await codeOf(bomb)).toBe('too_many_pixels');
    expect(performance.now() - t).toBeLessThan(1000);
    // Decoding 400 MP would take hundreds of megabytes.
    expect(process.memoryUsage().rss - before).toBeLessThan(100_000_000);
  }, 60_000);

  it('reads a JPEG with corrupt bytes in the middle, or refuses it as corrupt, and never crashes', async () => {
    const good = await jpeg();
    const outcomes: string[] = [];
    for (const at of [0.3, 0.5, 0.7, 0.9]) {
      const bad = Buffer.from(good);
      const i = Math.floor(bad.length * at);
      bad.fill(0x5a, i, i + 64);
      outcomes.push(await codeOf(bad));
      const flipped = Buffer.from(good);
      for (let k = 0; k < 10; k++) flipped[i + k * 13] = (flipped[i + k * 13] as number) ^ 0xff;
      outcomes.push(await codeOf(flipped));
    }
    for (const o of outcomes) expect(['ok', 'corrupt_file']).toContain(o);
    // Most of these still decode to a picture: damaged scans are read, not refused.
    expect(outcomes.filter((o) => o === 'ok').length).toBeGreaterThanOrEqual(4);
  });

  it('refuses truncated, header-only, empty and non-image data as corrupt', async () => {
    const good = await jpeg();
    expect(await codeOf(good.subarray(0, Math.floor(good.length / 2)))).toBe('corrupt_file');
    expect(await codeOf(good.subarray(0, 200))).toBe('corrupt_file');
    expect(await codeOf(new Uint8Array(0))).toBe('corrupt_file');
    expect(await codeOf(Buffer.from('%PDF-1.7 not an image at all, just words'.repeat(5)))).toBe(
      'corrupt_file',
    );
  });
});
