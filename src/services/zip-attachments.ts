// A ZIP attachment opened into its files (a finance team zips a month of invoices), within limits: how many
// files, how much once unpacked (no more than one upload), no archive inside, no path that climbs out.
// What cannot be taken is refused with a reason, the whole archive or one file of it.
import { fileTypeFromBuffer } from 'file-type';
import { isZip, listZip, readZipEntry, ZipUnreadable } from '../adapters/zip.ts';
import { displayName } from './display-name.ts';

/** Files one archive may hold. */
export const ZIP_MAX_FILES = 200;

export interface ZipFile {
  /** The path inside the archive, as it was zipped. */
  entry: string;
  /** The file's own name, for the document. */
  fileName: string;
  bytes: Buffer;
}

export interface ZipRefusal {
  /** The archive's name when the whole archive is refused, else the file's. */
  fileName: string;
  entry?: string;
  code: string;
  message: string;
}

/** Left out without a word: folders, and what archivers and file managers add on their own. */
const isClutter = (name: string) =>
  name.endsWith('/') ||
  name.startsWith('__MACOSX/') ||
  /(^|\/)(\.[^/]*|Thumbs\.db|desktop\.ini)$/i.test(name);

/** A path that is not a plain relative one: absolute, a drive, a way up (../), backslashes. */
const isUnsafe = (name: string) =>
  name.startsWith('/') || /^[a-z]:/i.test(name) || name.includes('\\') || name.split('/').includes('..');

const ARCHIVE_NAME = /\.(zip|rar|7z|gz|tgz|tar|bz2|xz|zst)$/i;

const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;

export { isZip };

/**
 * A zipped batch to open: a ZIP that is only a ZIP. Word, Excel and OpenDocument files, and Java archives, are
 * ZIPs inside too; they are files of their own, answered by their type as any other attachment.
 */
export async function isZipBatch(bytes: Uint8Array): Promise<boolean> {
  if (!isZip(bytes)) return false;
  return (await fileTypeFromBuffer(bytes))?.mime === 'application/zip';
}

export function unpackZip(
  archive: string,
  bytes: Buffer,
  maxBytes: number,
): { files: ZipFile[]; refused: ZipRefusal[] } {
  const whole = (code: string, message: string) => ({
    files: [],
    refused: [{ fileName: archive, code, message }],
  });
  let entries: ReturnType<typeof listZip>;
  try {
    entries = listZip(bytes).filter((e) => !isClutter(e.name));
  } catch (e) {
    if (e instanceof ZipUnreadable)
      return whole('unreadable_archive', `${archive} cannot be opened: ${e.message}.`);
    throw e;
  }
  if (entries.length === 0) return whole('empty_archive', `${archive} holds no file.`);
  if (entries.length > ZIP_MAX_FILES) {
    return whole(
      'archive_too_many_files',
      `${archive} holds ${entries.length} files; an archive may hold ${ZIP_MAX_FILES}. Send it in parts.`,
    );
  }
  const total = entries.reduce((sum, e) => sum + e.size, 0);
  if (total > maxBytes) {
    return whole(
      'archive_too_large',
      `${archive} holds ${mb(total)} once unpacked; the limit is ${mb(maxBytes)}. Send it in parts.`,
    );
  }
  if (entries.some((e) => e.encrypted)) {
    return whole(
      'encrypted',
      `${archive} is password-protected, so its files cannot be read. Send them without a password.`,
    );
  }
  const files: ZipFile[] = [];
  const refused: ZipRefusal[] = [];
  for (const e of entries) {
    const fileName = displayName(e.name.split('/').pop() ?? '').slice(0, 255) || 'document';
    const refuse = (code: string, message: string) =>
      refused.push({ fileName, entry: e.name, code, message });
    if (isUnsafe(e.name)) {
      refuse('unsafe_entry_name', `${e.name} in ${archive} points outside the archive; it was not opened.`);
      continue;
    }
    let data: Buffer;
    try {
      data = readZipEntry(bytes, e);
    } catch (err) {
      if (!(err instanceof ZipUnreadable)) throw err;
      refuse('unreadable_archive', `${archive}: ${err.message}.`);
      continue;
    }
    if (isZip(data) || ARCHIVE_NAME.test(e.name)) {
      refuse('nested_archive', `${e.name} is an archive inside ${archive}; send its files instead.`);
      continue;
    }
    files.push({ entry: e.name, fileName, bytes: data });
  }
  return { files, refused };
}
