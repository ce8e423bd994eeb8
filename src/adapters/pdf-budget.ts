// A PDF's cost, checked before pdf.js parses it: every Flate stream is inflated with a ceiling on its output, and
// the drawing operators of content streams are counted. pdf.js has neither bound of its own, and a 55 KB file of
// two million path operators, or a 1 MB stream inflating to 1 GiB, would otherwise cost minutes and gigabytes.
// Streams this pass cannot decode (other filters, broken data) are left to the reading's time and memory budget.
import { constants, inflateSync } from 'node:zlib';
import { DocumentError } from '../pipeline/errors.ts';
import type { ReadLimits } from '../pipeline/ports.ts';

/** The counts the pass found, for tests and benchmarks. */
export interface PdfCost {
  streams: number;
  inflatedBytes: number;
  largestStreamBytes: number;
  operators: number;
  mostOperatorsInOneStream: number;
  pageObjects: number;
}

const mb = (n: number) => `${Math.round(n / 1048576)} MB`;

export const BUDGET_MESSAGES = {
  stream: (max: number) =>
    `A compressed stream inside the PDF inflates to more than ${mb(max)} (the limit per stream); the file is refused as a decompression bomb.`,
  operators: (max: number) =>
    `A page of the PDF holds more than ${max.toLocaleString('en')} drawing operators (the limit per page); it would take too long to read.`,
};

const WHITESPACE = new Uint8Array(256);
for (const c of [0, 9, 10, 12, 13, 32]) WHITESPACE[c] = 1;
const DELIMITER = new Uint8Array(256);
for (const c of '()<>[]{}/%') DELIMITER[c.charCodeAt(0)] = 1;

const STREAM = Buffer.from('stream');
const ENDSTREAM = Buffer.from('endstream');

/** Streams whose bytes are not page content: images, fonts, metadata, cross-reference and object streams, files. */
const NOT_CONTENT =
  /\/(?:Subtype\s*\/(?:Image|Type1C|CIDFontType0C|OpenType|XML)\b|Type\s*\/(?:XRef|Metadata|EmbeddedFile)\b|Length[123]\b)/;

/**
 * Throws DocumentError('processing_limit') when a stream other than an image inflates past `maxStreamBytes`, or a
 * content stream, or the document's content as a whole, holds more operators than
 * `maxOperatorsPerPage` allows.
 */
export function checkPdfCost(bytes: Uint8Array, limits: ReadLimits): PdfCost {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const cost: PdfCost = {
    streams: 0,
    inflatedBytes: 0,
    largestStreamBytes: 0,
    operators: 0,
    mostOperatorsInOneStream: 0,
    pageObjects: countPages(buf.toString('latin1')),
  };
  let at = 0;
  for (;;) {
    const keyword = buf.indexOf(STREAM, at);
    if (keyword < 0) break;
    at = keyword + STREAM.length;
    // `endstream` contains `stream`; a real stream keyword follows `>>` and precedes an end of line.
    if (keyword >= 3 && buf.subarray(keyword - 3, keyword).toString('latin1') === 'end') continue;
    let start = at;
    if (buf[start] === 13) start++;
    if (buf[start] === 10) start++;
    else if (start === at) continue;
    // A stream cut off with the file runs to its end: pdf.js reads what there is of it, so it is counted too.
    const found = buf.indexOf(ENDSTREAM, start);
    const end = found < 0 ? buf.length : found;
    at = found < 0 ? buf.length : end + ENDSTREAM.length;
    const dict = dictionaryBefore(buf, keyword);
    if (!dict || !/\/(?:FlateDecode|Fl)\b/.test(firstFilter(dict))) continue;
    // An image's own limit is its pixels: pdf.js checks them before decoding, and then reads no more of the stream
    // than they need. Inflating a scan's pages here would cost more than the whole check is worth.
    if (/\/Subtype\s*\/Image\b/.test(dict)) continue;
    cost.streams++;
    const ceiling = limits.maxStreamBytes;
    const inflated = inflateBounded(buf.subarray(start, end), ceiling);
    if (inflated === 'over') throw new DocumentError('processing_limit', BUDGET_MESSAGES.stream(ceiling));
    if (!inflated) continue;
    cost.inflatedBytes += inflated.length;
    cost.largestStreamBytes = Math.max(cost.largestStreamBytes, inflated.length);
    if (/\/Type\s*\/ObjStm\b/.test(dict)) {
      // Pages may be stored compressed, inside object streams.
      cost.pageObjects += countPages(inflated.toString('latin1'));
      continue;
    }
    if (NOT_CONTENT.test(dict)) continue;
    const operators = countOperators(inflated, limits.maxOperatorsPerPage);
    cost.operators += operators;
    cost.mostOperatorsInOneStream = Math.max(cost.mostOperatorsInOneStream, operators);
    if (operators > limits.maxOperatorsPerPage) {
      throw new DocumentError('processing_limit', BUDGET_MESSAGES.operators(limits.maxOperatorsPerPage));
    }
  }
  // A page drawn from many streams: the document's content as a whole may hold the limit once per page.
  if (cost.operators > limits.maxOperatorsPerPage * Math.max(1, cost.pageObjects)) {
    throw new DocumentError('processing_limit', BUDGET_MESSAGES.operators(limits.maxOperatorsPerPage));
  }
  return cost;
}

function countPages(text: string): number {
  return text.match(/\/Type\s*\/Page(?![A-Za-z])/g)?.length ?? 0;
}

/** The stream's dictionary: from the `obj` keyword before it (at most 64 KB back) to the `stream` keyword. */
function dictionaryBefore(buf: Buffer, keyword: number): string | undefined {
  const from = Math.max(0, keyword - 65_536);
  const head = buf.subarray(from, keyword).toString('latin1');
  const obj = head.lastIndexOf('obj');
  return obj < 0 ? undefined : head.slice(obj);
}

/** The first filter a stream applies when read: a name, or the first of an array. */
function firstFilter(dict: string): string {
  const m = /\/Filter\s*(\[\s*)?(\/[A-Za-z0-9]+)/.exec(dict);
  return m?.[2] ?? '';
}

/** The stream inflated, `over` when it would exceed `ceiling`, undefined when it is not valid zlib data. */
function inflateBounded(data: Buffer, ceiling: number): Buffer | 'over' | undefined {
  try {
    // Sync flush: a stream cut short still yields what it holds, as pdf.js reads it.
    return inflateSync(data, { maxOutputLength: ceiling + 1, finishFlush: constants.Z_SYNC_FLUSH });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError)
      return 'over';
    return undefined;
  }
}

/**
 * Operators in a content stream, by the PDF syntax: every token that is not a number, a name, a string, an array
 * or dictionary bracket, `true`, `false` or `null`. Stops counting once past `stopAfter`.
 */
export function countOperators(b: Uint8Array, stopAfter = Number.POSITIVE_INFINITY): number {
  const n = b.length;
  let ops = 0;
  let i = 0;
  while (i < n) {
    const c = b[i]!;
    if (WHITESPACE[c]) {
      i++;
    } else if (c === 0x25) {
      // % comment to the end of the line
      while (i < n && b[i] !== 10 && b[i] !== 13) i++;
    } else if (c === 0x28) {
      // (string), with nesting and backslash escapes
      let depth = 1;
      i++;
      while (i < n && depth > 0) {
        const d = b[i]!;
        if (d === 0x5c) i += 2;
        else {
          if (d === 0x28) depth++;
          else if (d === 0x29) depth--;
          i++;
        }
      }
    } else if (c === 0x3c) {
      if (b[i + 1] === 0x3c) i += 2;
      else {
        while (i < n && b[i] !== 0x3e) i++;
        i++;
      }
    } else if (DELIMITER[c] && c !== 0x2f) {
      i++;
    } else {
      const start = i;
      i++;
      while (i < n && !WHITESPACE[b[i]!] && !DELIMITER[b[i]!]) i++;
      if (c === 0x2f) continue; // a name
      if ((c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e) continue; // a number
      const len = i - start;
      if (len === 4 && (isWord(b, start, 'true') || isWord(b, start, 'null'))) continue;
      if (len === 5 && isWord(b, start, 'false')) continue;
      ops++;
      if (ops > stopAfter) return ops;
      // An inline image: its binary data runs from ID to EI.
      if (len === 2 && b[start] === 0x42 && b[start + 1] === 0x49) i = skipInlineImage(b, i);
    }
  }
  return ops;
}

function isWord(b: Uint8Array, at: number, word: string): boolean {
  for (let k = 0; k < word.length; k++) if (b[at + k] !== word.charCodeAt(k)) return false;
  return true;
}

/** From after `BI`: past the `ID` keyword and the image data to the `EI` that ends it. */
function skipInlineImage(b: Uint8Array, i: number): number {
  const n = b.length;
  const isSpace = (x: number | undefined) => x === undefined || WHITESPACE[x] === 1;
  while (i + 1 < n && !(b[i] === 0x49 && b[i + 1] === 0x44 && isSpace(b[i - 1]) && isSpace(b[i + 2]))) i++;
  i += 3;
  while (i + 1 < n && !(b[i] === 0x45 && b[i + 1] === 0x49 && isSpace(b[i - 1]) && isSpace(b[i + 2]))) i++;
  return i + 2;
}
