// Hostile files, generated at test time: each is small on disk and built to cost a naive reader minutes or
// gigabytes (operator and inflation bombs, cycles, absurd sizes, loops, polyglots, cuts, entity expansion). The
// hostile-input suite and the soak benchmark send the same list; each case says what a person must see.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants, deflateRawSync, deflateSync } from 'node:zlib';

/** What a hostile file must come to: a failed document with one of these codes, or a refusal at intake. */
export type HostileOutcome = { failed: readonly string[] } | { refused: true } | { readOrFailed: true };

export interface HostileCase {
  name: string;
  file: string;
  bytes: () => Buffer;
  outcome: HostileOutcome;
}

/** A PDF from its objects' bodies (object i + 1 is bodies[i]), with a correct cross-reference table. */
export function pdfOf(bodies: (string | Buffer)[], trailer = '/Root 1 0 R', options: { xref?: string } = {}) {
  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  const offsets: number[] = [];
  let size = parts[0]!.length;
  bodies.forEach((body, i) => {
    offsets.push(size);
    const chunk = Buffer.concat([
      Buffer.from(`${i + 1} 0 obj\n`),
      typeof body === 'string' ? Buffer.from(body, 'latin1') : body,
      Buffer.from('\nendobj\n'),
    ]);
    parts.push(chunk);
    size += chunk.length;
  });
  const xref =
    options.xref ??
    `xref\n0 ${bodies.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  parts.push(
    Buffer.from(`${xref}trailer\n<< /Size ${bodies.length + 1} ${trailer} >>\nstartxref\n${size}\n%%EOF\n`),
  );
  return Buffer.concat(parts);
}

/** A stream object's body: its dictionary entries and its (compressed) data. */
export function streamOf(dict: string, data: Buffer, compress: boolean | 'already' = true): Buffer {
  const body = compress === true ? deflateSync(data, { level: 9 }) : data;
  return Buffer.concat([
    Buffer.from(`<< ${dict} ${compress ? '/Filter /FlateDecode ' : ''}/Length ${body.length} >>\nstream\n`),
    body,
    Buffer.from('\nendstream'),
  ]);
}

/** A one-page PDF whose page content is `content`. */
export function onePagePdf(
  content: Buffer,
  mediaBox = '[0 0 595 842]',
  compress: boolean | 'already' = true,
): Buffer {
  return pdfOf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox ${mediaBox} >>`,
    '<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    streamOf('', content, compress),
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ]);
}

/** `count` path operators (moveto, lineto, stroke…), as a content stream. */
function pathOperators(count: number): Buffer {
  const unit = '1 1 m 2 2 l ';
  return Buffer.from(unit.repeat(Math.ceil(count / 2)));
}

/** A zlib stream of `bytes` spaces, built from one compressed MiB repeated: making it costs no gigabyte. */
function inflationBomb(bytes: number): Buffer {
  const mib = 1 << 20;
  // A full flush ends the block on a byte boundary with no reference to what came before, so the blocks chain.
  const block = deflateRawSync(Buffer.alloc(mib, 0x20), { level: 9, finishFlush: constants.Z_FULL_FLUSH });
  const last = deflateRawSync(Buffer.alloc(0));
  const count = Math.ceil(bytes / mib);
  // The checksum is left wrong: a reader never reaches it before its limit, and pdf.js does not check it.
  return Buffer.concat([
    Buffer.from([0x78, 0xda]),
    ...Array.from({ length: count }, () => block),
    last,
    Buffer.alloc(4),
  ]);
}

const FIXTURES = join(import.meta.dirname, '../fixtures');

/** A minimal little-endian TIFF of one 8×8 grey strip whose IFD's next pointer points back at itself. */
function tiffLoop(): Buffer {
  const entries: [number, number, number, number][] = [
    [256, 3, 1, 8], // width
    [257, 3, 1, 8], // height
    [258, 3, 1, 8], // bits per sample
    [259, 3, 1, 1], // no compression
    [262, 3, 1, 1], // black is zero
    [273, 4, 1, 0], // strip offset, set below
    [277, 3, 1, 1], // samples per pixel
    [278, 3, 1, 8], // rows per strip
    [279, 4, 1, 64], // strip byte count
  ];
  const ifdAt = 8;
  const ifdSize = 2 + entries.length * 12 + 4;
  const dataAt = ifdAt + ifdSize;
  const b = Buffer.alloc(dataAt + 64, 0x80);
  b.write('II', 0, 'latin1');
  b.writeUInt16LE(42, 2);
  b.writeUInt32LE(ifdAt, 4);
  b.writeUInt16LE(entries.length, ifdAt);
  entries.forEach(([tag, type, count, value], i) => {
    const at = ifdAt + 2 + i * 12;
    b.writeUInt16LE(tag, at);
    b.writeUInt16LE(type, at + 2);
    b.writeUInt32LE(count, at + 4);
    if (type === 3) b.writeUInt16LE(value, at + 8);
    else b.writeUInt32LE(tag === 273 ? dataAt : value, at + 8);
  });
  b.writeUInt32LE(ifdAt, ifdAt + 2 + entries.length * 12); // next IFD: itself
  return b;
}

const UBL = 'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2';

function billionLaughs(): Buffer {
  const entities = ['<!ENTITY lol0 "lol">'];
  for (let i = 1; i <= 9; i++) entities.push(`<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`);
  return Buffer.from(
    `<?xml version="1.0"?>\n<!DOCTYPE Invoice [\n${entities.join('\n')}\n]>\n<Invoice xmlns="${UBL}" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"><cbc:ID>&lol9;</cbc:ID><cbc:Note>&lol9;&lol9;</cbc:Note></Invoice>\n`,
  );
}

function cut(bytes: Buffer, share: number): Buffer {
  return bytes.subarray(0, Math.floor(bytes.length * share));
}

/**
 * The hostile files. `scale` shrinks the bombs for quick runs (1: the sizes of the probe that found them: two
 * million operators, a 1 GiB inflation).
 */
export function hostileCases(scale = 1): HostileCase[] {
  const digital = () => readFileSync(join(FIXTURES, 'digital-invoice.pdf'));
  const limit = { failed: ['processing_limit'] } as const;
  return [
    {
      name: 'an operator bomb (2 million path operators on one page)',
      file: 'operator-bomb.pdf',
      bytes: () => onePagePdf(pathOperators(Math.round(2_000_000 * scale))),
      outcome: limit,
    },
    {
      name: 'an operator bomb spread over many small streams',
      file: 'operator-bomb-split.pdf',
      bytes: () => {
        const parts = 40;
        const per = pathOperators(Math.round((2_000_000 * scale) / parts));
        const contents = Array.from({ length: parts }, (_, i) => `${i + 6} 0 R`).join(' ');
        return pdfOf([
          '<< /Type /Catalog /Pages 2 0 R >>',
          '<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 595 842] >>',
          `<< /Type /Page /Parent 2 0 R /Contents [${contents}] >>`,
          '<< >>',
          '<< >>',
          ...Array.from({ length: parts }, () => streamOf('', per)),
        ]);
      },
      outcome: limit,
    },
    {
      name: 'an inflation bomb (a stream of 1 GiB of spaces)',
      file: 'inflation-bomb.pdf',
      bytes: () => onePagePdf(inflationBomb(Math.round(1024 * 1048576 * scale)), undefined, 'already'),
      outcome: limit,
    },
    {
      name: 'a page tree that contains itself',
      file: 'page-tree-cycle.pdf',
      bytes: () =>
        pdfOf([
          '<< /Type /Catalog /Pages 2 0 R >>',
          '<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 /MediaBox [0 0 595 842] >>',
          '<< /Type /Pages /Kids [2 0 R] /Parent 2 0 R /Count 1 >>',
        ]),
      outcome: { failed: ['corrupt_file', 'truncated_pdf', 'processing_limit'] },
    },
    {
      name: 'a cross-reference table claiming two billion objects',
      file: 'xref-huge-size.pdf',
      bytes: () => {
        const body = digital().toString('latin1');
        return Buffer.from(body.replace(/\/Size\s+\d+/, '/Size 2147483647'), 'latin1');
      },
      outcome: { readOrFailed: true },
    },
    {
      name: 'a cross-reference section of 100 million entries',
      file: 'xref-huge-count.pdf',
      bytes: () =>
        pdfOf(['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [] /Count 0 >>'], '/Root 1 0 R', {
          xref: 'xref\n0 100000000\n0000000000 65535 f \n',
        }),
      outcome: { failed: ['corrupt_file', 'truncated_pdf', 'processing_limit'] },
    },
    {
      name: 'a page of 5 000 km by 5 000 km with nothing on it',
      file: 'huge-media-box.pdf',
      bytes: () => onePagePdf(Buffer.from('0 0 m 1 1 l S'), '[0 0 14400000 14400000]'),
      outcome: { readOrFailed: true },
    },
    {
      name: 'a TIFF whose page list loops back on itself',
      file: 'ifd-loop.tif',
      bytes: tiffLoop,
      outcome: { failed: ['corrupt_file', 'image_too_small', 'too_many_pages', 'processing_limit'] },
    },
    {
      name: 'a PDF that is also a ZIP archive',
      file: 'polyglot-pdf-zip.pdf',
      bytes: () =>
        Buffer.concat([digital(), Buffer.from('504b0506000000000000000000000000000000000000', 'hex')]),
      outcome: { readOrFailed: true },
    },
    {
      name: 'a ZIP archive with a PDF inside its first bytes',
      file: 'polyglot-zip-pdf.pdf',
      bytes: () => Buffer.concat([Buffer.from('504b030414000000080000000000', 'hex'), digital()]),
      outcome: { refused: true },
    },
    {
      name: 'a JPEG header followed by a PDF',
      file: 'polyglot-jpeg-pdf.jpg',
      bytes: () => Buffer.concat([Buffer.from('ffd8ffe000104a46494600', 'hex'), digital()]),
      outcome: { failed: ['corrupt_file', 'image_too_small'] },
    },
    {
      name: 'a PDF cut in half',
      file: 'truncated-half.pdf',
      bytes: () => cut(digital(), 0.5),
      // What is left of its page may be drawn and OCR'd: with a test's few seconds a page, that can be the limit.
      outcome: { failed: ['truncated_pdf', 'corrupt_file', 'processing_limit'] },
    },
    {
      name: 'an operator bomb cut short',
      file: 'truncated-bomb.pdf',
      bytes: () => cut(onePagePdf(pathOperators(Math.round(2_000_000 * scale))), 0.9),
      outcome: { failed: ['truncated_pdf', 'corrupt_file', 'processing_limit'] },
    },
    {
      name: 'an XML invoice with nested entities (billion laughs)',
      file: 'billion-laughs.xml',
      bytes: billionLaughs,
      outcome: { failed: ['corrupt_file', 'processing_limit', 'unsupported_type'] },
    },
  ];
}

/** Whether a final state is what the case asks for. */
export function outcomeHolds(
  outcome: HostileOutcome,
  answer: { refused: true; status: number } | { status: string; code?: string | null },
): boolean {
  if ('refused' in outcome) return 'refused' in answer && answer.status >= 400 && answer.status < 500;
  if ('refused' in answer) return false;
  if ('readOrFailed' in outcome) return ['auto_approved', 'needs_review', 'failed'].includes(answer.status);
  return answer.status === 'failed' && outcome.failed.includes(answer.code ?? '');
}
