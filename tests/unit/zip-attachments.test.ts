// A zipped attachment opened within its limits: what a finance team's batch gives, and what a hostile or
// broken archive gives instead (a refusal with a reason, never a crash or memory without bound).
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { isZipBatch, unpackZip, ZIP_MAX_FILES } from '../../src/services/zip-attachments.ts';

const LIMIT = 25 * 1048576;
const pdf = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
const zip = (files: Record<string, Uint8Array>) => Buffer.from(zipSync(files));

/** Sets an entry's declared uncompressed size, in its local header and the central directory. */
function declareSize(archive: Buffer, size: number): Buffer {
  const b = Buffer.from(archive);
  b.writeUInt32LE(size, 22); // the first local header's uncompressed size
  const central = b.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  b.writeUInt32LE(size, central + 24);
  return b;
}

describe('zip attachments', () => {
  it('gives each file with its path, and leaves out folders and what archivers add', () => {
    const { files, refused } = unpackZip(
      'march.zip',
      zip({
        'march/INV-1.pdf': pdf,
        'march/sub/INV-2.pdf': pdf,
        '__MACOSX/march/._INV-1.pdf': Buffer.from('fork'),
        'march/.DS_Store': Buffer.from('x'),
        'march/Thumbs.db': Buffer.from('x'),
      }),
      LIMIT,
    );
    expect(refused).toEqual([]);
    expect(files.map((f) => [f.entry, f.fileName])).toEqual([
      ['march/INV-1.pdf', 'INV-1.pdf'],
      ['march/sub/INV-2.pdf', 'INV-2.pdf'],
    ]);
    expect(files[0]?.bytes.equals(pdf)).toBe(true);
  });

  it('refuses names that climb out of the archive, and archives inside it, one by one', () => {
    const { files, refused } = unpackZip(
      'batch.zip',
      zip({
        '../up.pdf': pdf,
        '/etc/abs.pdf': pdf,
        'C:/windows.pdf': pdf,
        'a\\b.pdf': pdf,
        'inner.zip': zip({ 'x.pdf': pdf }),
        'renamed.pdf': zip({ 'x.pdf': pdf }),
        'fine.pdf': pdf,
      }),
      LIMIT,
    );
    expect(files.map((f) => f.entry)).toEqual(['fine.pdf']);
    expect(refused.map((r) => [r.entry, r.code])).toEqual([
      ['../up.pdf', 'unsafe_entry_name'],
      ['/etc/abs.pdf', 'unsafe_entry_name'],
      ['C:/windows.pdf', 'unsafe_entry_name'],
      ['a\\b.pdf', 'unsafe_entry_name'],
      ['inner.zip', 'nested_archive'],
      // An archive by its bytes, whatever its name says.
      ['renamed.pdf', 'nested_archive'],
    ]);
  });

  it('refuses the whole archive when it holds too many files or too much once unpacked', () => {
    const many = Object.fromEntries(Array.from({ length: ZIP_MAX_FILES + 1 }, (_, i) => [`f${i}.pdf`, pdf]));
    expect(unpackZip('many.zip', zip(many), LIMIT).refused).toMatchObject([
      { fileName: 'many.zip', code: 'archive_too_many_files' },
    ]);
    const big = zip({ 'a.pdf': new Uint8Array(600_000), 'b.pdf': new Uint8Array(600_000) });
    expect(unpackZip('big.zip', big, 1_000_000)).toEqual({
      files: [],
      refused: [
        {
          fileName: 'big.zip',
          code: 'archive_too_large',
          message: 'big.zip holds 1.1 MB once unpacked; the limit is 1.0 MB. Send it in parts.',
        },
      ],
    });
  });

  it('stops a file that inflates past the size its archive declares, and refuses a damaged archive', () => {
    // 5 MB of zeros declared as 1000 bytes: a bomb hiding its size. Inflating stops just past 1000 bytes.
    const lying = declareSize(zip({ 'bomb.pdf': new Uint8Array(5 * 1048576) }), 1000);
    const { files, refused } = unpackZip('lying.zip', lying, LIMIT);
    expect(files).toEqual([]);
    expect(refused).toMatchObject([{ entry: 'bomb.pdf', code: 'unreadable_archive' }]);
    expect(refused[0]?.message).toMatch(/inflates past the size its archive declares/);

    const cut = zip({ 'a.pdf': pdf }).subarray(0, 40);
    expect(unpackZip('cut.zip', Buffer.from(cut), LIMIT).refused).toMatchObject([
      { fileName: 'cut.zip', code: 'unreadable_archive' },
    ]);
    expect(unpackZip('empty.zip', zip({ 'folder/': new Uint8Array(0) }), LIMIT).refused).toMatchObject([
      { code: 'empty_archive' },
    ]);
  });

  it('opens a ZIP of invoices, but takes a Word or Excel file, ZIPs inside too, as the file it is', async () => {
    expect(await isZipBatch(zip({ 'march/inv-1.pdf': pdf }))).toBe(true);
    const text = (t: string) => new Uint8Array(Buffer.from(t));
    // The content types a Word and an Excel file declare, as Office writes them.
    const types = (main: string) =>
      text(
        `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/${main}"/></Types>`,
      );
    const docx = zip({
      '[Content_Types].xml': types(
        'word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml',
      ),
      'word/document.xml': text('<?xml version="1.0"?><w:document/>'),
      'word/media/image1.png': pdf,
    });
    const xlsx = zip({
      '[Content_Types].xml': types(
        'xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml',
      ),
      'xl/workbook.xml': text('<?xml version="1.0"?><workbook/>'),
    });
    expect(await isZipBatch(docx)).toBe(false);
    expect(await isZipBatch(xlsx)).toBe(false);
    expect(await isZipBatch(pdf)).toBe(false);
  });
});
