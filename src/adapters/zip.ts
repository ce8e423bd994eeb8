// ZIP archives: what an archive holds (names, sizes, which entries are encrypted) read from its central
// directory without inflating anything, and one entry inflated with fflate in slices, stopped as soon as it
// passes its declared size, so a lying header costs no more than an honest one.
import { Inflate } from 'fflate';

export interface ZipEntry {
  name: string;
  /** Declared uncompressed size, in bytes: the most that inflating it is allowed to produce. */
  size: number;
  compressedSize: number;
  directory: boolean;
  encrypted: boolean;
  method: number;
  localOffset: number;
}

export class ZipUnreadable extends Error {
  override name = 'ZipUnreadable';
}

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_DIRECTORY = 0x06054b50;
/** Compressed bytes given to the inflater at a time: bounds what one step may produce (about 1000×). */
const SLICE = 16 * 1024;

const view = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** A ZIP by its first bytes (an empty archive starts with its end record). */
export function isZip(bytes: Uint8Array): boolean {
  if (bytes.length < 4) return false;
  const sig = view(bytes).readUInt32LE(0);
  return sig === LOCAL_HEADER || sig === END_OF_DIRECTORY;
}

/** Lists the entries from the central directory; throws ZipUnreadable for a damaged or Zip64 archive. */
export function listZip(bytes: Uint8Array): ZipEntry[] {
  const b = view(bytes);
  let end = b.length - 22;
  // The end record is within the last 64 KB (its comment is at most 65535 bytes).
  while (end >= 0 && end >= b.length - 22 - 65535 && b.readUInt32LE(end) !== END_OF_DIRECTORY) end--;
  if (end < 0 || b.readUInt32LE(end) !== END_OF_DIRECTORY)
    throw new ZipUnreadable('it has no table of contents (a cut or damaged archive)');
  const count = b.readUInt16LE(end + 10);
  let at = b.readUInt32LE(end + 16);
  if (count === 0xffff || at === 0xffffffff)
    throw new ZipUnreadable('it is a Zip64 archive, made for files larger than 4 GB');
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (at + 46 > b.length || b.readUInt32LE(at) !== CENTRAL_HEADER)
      throw new ZipUnreadable('its table of contents is damaged');
    const nameLength = b.readUInt16LE(at + 28);
    const entry: ZipEntry = {
      name: b.toString('utf8', at + 46, at + 46 + nameLength),
      encrypted: (b.readUInt16LE(at + 8) & 1) === 1,
      method: b.readUInt16LE(at + 10),
      compressedSize: b.readUInt32LE(at + 20),
      size: b.readUInt32LE(at + 24),
      localOffset: b.readUInt32LE(at + 42),
      directory: false,
    };
    entry.directory = entry.name.endsWith('/');
    if (entry.size === 0xffffffff || entry.compressedSize === 0xffffffff || entry.localOffset === 0xffffffff)
      throw new ZipUnreadable('it is a Zip64 archive, made for files larger than 4 GB');
    entries.push(entry);
    at += 46 + nameLength + b.readUInt16LE(at + 30) + b.readUInt16LE(at + 32);
  }
  return entries;
}

/**
 * Inflates one entry (stored or deflated). Throws ZipUnreadable when it is damaged, compressed some other way,
 * or would inflate past its declared size.
 */
export function readZipEntry(bytes: Uint8Array, entry: ZipEntry): Buffer {
  const b = view(bytes);
  const at = entry.localOffset;
  if (at + 30 > b.length || b.readUInt32LE(at) !== LOCAL_HEADER)
    throw new ZipUnreadable(`${entry.name} cannot be found in the archive`);
  const start = at + 30 + b.readUInt16LE(at + 26) + b.readUInt16LE(at + 28);
  const data = b.subarray(start, start + entry.compressedSize);
  if (data.length < entry.compressedSize) throw new ZipUnreadable(`${entry.name} is cut short`);
  if (entry.method === 0) return Buffer.from(data);
  if (entry.method !== 8) throw new ZipUnreadable(`${entry.name} is compressed in a way not read here`);
  const out: Uint8Array[] = [];
  let total = 0;
  let done = false;
  const inflater = new Inflate((chunk, final) => {
    total += chunk.length;
    out.push(chunk);
    if (final) done = true;
  });
  try {
    for (let i = 0; i < data.length && !done; i += SLICE) {
      inflater.push(data.subarray(i, i + SLICE), i + SLICE >= data.length);
      if (total > entry.size)
        throw new ZipUnreadable(`${entry.name} inflates past the size its archive declares`);
    }
  } catch (e) {
    if (e instanceof ZipUnreadable) throw e;
    throw new ZipUnreadable(`${entry.name} is damaged (${e instanceof Error ? e.message : String(e)})`);
  }
  if (total !== entry.size) throw new ZipUnreadable(`${entry.name} is not the size its archive declares`);
  return Buffer.concat(out, total);
}
