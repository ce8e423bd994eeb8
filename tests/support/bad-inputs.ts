// The bad inputs generated at test time (the PDFs are fixtures in tests/fixtures/bad): written into `dir`
// for the CLI's bad-input test and for the same inputs sent through the API.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';

export async function writeGeneratedBadInputs(dir: string): Promise<void> {
  const good = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#ffffff' } })
    .jpeg()
    .toBuffer();
  await writeFile(join(dir, 'empty.jpg'), Buffer.alloc(0));
  await writeFile(
    join(dir, 'one-pixel.png'),
    await sharp({ create: { width: 1, height: 1, channels: 3, background: '#fff' } })
      .png()
      .toBuffer(),
  );
  // A decompression bomb: 9000 × 9000 pixels (81 megapixels, over the 60-megapixel limit) of one colour compresses to a few hundred KB.
  await writeFile(
    join(dir, 'bomb.png'),
    await sharp({
      create: { width: 9000, height: 9000, channels: 3, background: '#fff' },
      limitInputPixels: false,
    })
      .png({ compressionLevel: 9 })
      .toBuffer(),
  );
  // Corrupt JPEG: the entropy-coded data cut short and followed by garbage, as in real broken scans.
  const corrupt = Buffer.from(good);
  corrupt.fill(0x00, Math.floor(corrupt.length * 0.3));
  await writeFile(join(dir, 'corrupt.jpg'), corrupt.subarray(0, Math.floor(corrupt.length * 0.6)));
  await writeFile(
    join(dir, 'drawing.svg'),
    '<svg xmlns="http://www.w3.org/2000/svg"><text>Total 10</text></svg>',
  );
  await writeFile(join(dir, 'archive.zip'), Buffer.from('504b0304140000000800', 'hex'));
  await writeFile(join(dir, 'program.exe'), Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 0x90)]));
  await writeFile(join(dir, 'notes.txt'), 'Invoice total 10.00\n');
}
