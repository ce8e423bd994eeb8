// Decides what a file really is from its bytes; the name and the Content-Type are never trusted.
import { fileTypeFromBuffer } from 'file-type';
import { DocumentError } from '../pipeline/errors.ts';
import { decodeXml, isNfeXml } from '../pipeline/extract/nfe-xml.ts';

export const SUPPORTED_MIME_TYPES = [
  'application/pdf',
  'image/jpeg',
  'image/png',
  'image/tiff',
  'image/webp',
  /** Only an NF-e (root <nfeProc> or <NFe> in the portalfiscal namespace); other XML is refused. */
  'application/xml',
] as const;
export type SupportedMimeType = (typeof SUPPORTED_MIME_TYPES)[number];

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

function describeUnknown(bytes: Uint8Array): string {
  const head = Buffer.from(bytes.subarray(0, 512)).toString('utf8').trimStart().toLowerCase();
  if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg'))) return 'an SVG image';
  if (head.startsWith('<?xml') || head.startsWith('<')) return 'an XML or HTML file that is not an NF-e';
  // Text: no control characters but line breaks and tabs, and valid UTF-8 (no replacement characters).
  if (/^[\t\n\r\P{Cc}]*$/u.test(head) && !head.includes('\uFFFD')) return 'a plain text file';
  return 'a file of unknown type';
}

export async function sniffDocumentType(bytes: Uint8Array): Promise<SupportedMimeType> {
  if (bytes.length === 0) throw new DocumentError('empty_file', 'The file is empty (0 bytes).');
  const detected = await fileTypeFromBuffer(bytes);
  const mime = detected?.mime;
  // XML is read only when it is an NF-e, judged by its root element (the rest may still turn out malformed).
  if (!mime || mime === 'application/xml') {
    if (isNfeXml(decodeXml(bytes.subarray(0, 8192)))) return 'application/xml';
  }
  if (mime && mime !== 'application/xml' && (SUPPORTED_MIME_TYPES as readonly string[]).includes(mime)) {
    return mime as SupportedMimeType;
  }
  const what =
    mime && mime !== 'application/xml' ? (FRIENDLY[mime] ?? `a ${mime} file`) : describeUnknown(bytes);
  throw new DocumentError(
    'unsupported_type',
    `This looks like ${what}. Supported documents are PDF, JPEG, PNG, TIFF, WebP and NF-e XML.`,
  );
}
