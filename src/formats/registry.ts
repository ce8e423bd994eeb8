// Every input format the service reads, in one list: intake detects with it, the reader reads with it, the
// review page renders with it, and the CLI picks files from folders by it. A new format is one entry here.
import { fileTypeFromBuffer } from 'file-type';
import { DocumentError } from '../pipeline/errors.ts';
import { decodeXml } from '../pipeline/extract/nfe-xml.ts';
import { ciiXmlFormat } from './cii-xml.ts';
import { einvoicePdfFormat } from './einvoice-pdf.ts';
import { facturaeXmlFormat } from './facturae-xml.ts';
import type { Detection, DocumentFormat, Probe } from './format.ts';
import { imageFormat } from './image.ts';
import { nfeXmlFormat } from './nfe-xml.ts';
import { pdfFormat } from './pdf.ts';
import { ublXmlFormat } from './ubl-xml.ts';

export const FORMATS: readonly DocumentFormat[] = [
  pdfFormat,
  imageFormat,
  nfeXmlFormat,
  ublXmlFormat,
  ciiXmlFormat,
  facturaeXmlFormat,
  einvoicePdfFormat,
];

export interface Detected extends Detection {
  format: DocumentFormat;
}

/** File name endings of every format, for picking documents out of a folder. */
export const DOCUMENT_EXTENSIONS: ReadonlySet<string> = new Set(FORMATS.flatMap((f) => f.extensions));

/** The formats named for a person: "PDF, JPEG, PNG, TIFF, WebP, NF-e XML, … and Facturae XML". */
export function supportedFormatsText(): string {
  const labels = FORMATS.map((f) => f.label);
  return labels.length > 1 ? `${labels.slice(0, -1).join(', ')} and ${labels.at(-1)}` : (labels[0] ?? '');
}

/** What is said of a type nobody reads, named by file-type's MIME type. */
const FRIENDLY: Record<string, string> = {
  'application/zip': 'a ZIP archive',
  'application/x-rar-compressed': 'a RAR archive',
  'application/x-7z-compressed': 'a 7-Zip archive',
  'application/gzip': 'a gzip archive',
  'application/x-tar': 'a tar archive',
  'application/x-msdownload': 'a Windows executable',
  'application/x-elf': 'a Linux executable',
  'application/x-cfb': 'an old Microsoft Office file',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'a Word document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'an Excel spreadsheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'a PowerPoint file',
  'image/gif': 'a GIF image',
  'image/bmp': 'a BMP image',
  'image/heic': 'a HEIC photo',
};

function describeUnknown(probe: Probe): string {
  const { head } = probe;
  const start = head.slice(0, 512).trimStart().toLowerCase();
  if (start.startsWith('<svg') || (start.startsWith('<?xml') && start.includes('<svg')))
    return 'an SVG image';
  // A format may know the bytes as one of its family that it does not read (a UBL Order).
  for (const format of FORMATS) {
    const described = format.describe?.(probe);
    if (described) return described;
  }
  if (start.startsWith('<?xml') || start.startsWith('<')) {
    const xml = FORMATS.filter((f) => f.extensions.includes('.xml')).map((f) => f.label);
    const list = xml.length > 1 ? `${xml.slice(0, -1).join(', ')} or ${xml.at(-1)}` : xml[0];
    return `an XML or HTML file that is not an ${list}`;
  }
  // Text: no control characters but line breaks and tabs, and valid UTF-8 (no replacement characters).
  if (/^[\t\n\r\P{Cc}]*$/u.test(start) && !start.includes('\uFFFD')) return 'a plain text file';
  return 'a file of unknown type';
}

/**
 * Decides what a file really is from its bytes (the name and the Content-Type are never trusted) and which
 * format reads it. Throws DocumentError `empty_file` or `unsupported_type` with a sentence naming what it is.
 */
export async function detectFormat(bytes: Uint8Array): Promise<Detected> {
  if (bytes.length === 0) throw new DocumentError('empty_file', 'The file is empty (0 bytes).');
  const sniffed = await fileTypeFromBuffer(bytes);
  const head = decodeXml(bytes.subarray(0, 8192));
  const probe: Probe = { bytes, sniffed, head };
  let best: Detected | undefined;
  for (const format of FORMATS) {
    const detection = format.detect(probe);
    if (detection && detection.score > 0 && (!best || detection.score > best.score))
      best = { ...detection, format };
  }
  if (best) return best;
  const mime = sniffed?.mime;
  const what =
    mime && mime !== 'application/xml' ? (FRIENDLY[mime] ?? `a ${mime} file`) : describeUnknown(probe);
  throw new DocumentError(
    'unsupported_type',
    `This looks like ${what}. Supported documents are ${supportedFormatsText()}.`,
  );
}
