// The bad inputs generated at test time (the PDFs are fixtures in tests/fixtures/bad): written into `dir`
// for the CLI's bad-input test and for the same inputs sent through the API, with the one list of cases both use.
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

const FIXTURES = join(import.meta.dirname, '../fixtures/bad');

/** A bad input: what it is, where it is (once `writeGeneratedBadInputs` has run), the error codes it may get. */
export type BadInputCase = [name: string, file: () => string, codes: string[]];

/** Every bad input, fixtures and generated ones; `dir()` is the folder given to `writeGeneratedBadInputs`. */
export function badInputCases(dir: () => string): BadInputCase[] {
  const fixture = (name: string) => () => join(FIXTURES, name);
  const generated = (name: string) => () => join(dir(), name);
  return [
    ['an empty file', fixture('empty.pdf'), ['empty_file']],
    ['a 0-byte image', generated('empty.jpg'), ['empty_file']],
    ['a truncated PDF', fixture('truncated.pdf'), ['truncated_pdf']],
    ['a password-protected PDF', fixture('encrypted.pdf'), ['encrypted_pdf']],
    ['garbage after a PDF header', fixture('garbage.pdf'), ['corrupt_file', 'truncated_pdf']],
    ['a PDF over the page limit', fixture('too-many-pages.pdf'), ['too_many_pages']],
    ['a 1-pixel image', generated('one-pixel.png'), ['image_too_small']],
    ['a decompression bomb', generated('bomb.png'), ['too_many_pixels']],
    ['an SVG', generated('drawing.svg'), ['unsupported_type']],
    ['a ZIP archive', generated('archive.zip'), ['unsupported_type']],
    ['an executable', generated('program.exe'), ['unsupported_type']],
    ['a text file', generated('notes.txt'), ['unsupported_type']],
  ];
}
