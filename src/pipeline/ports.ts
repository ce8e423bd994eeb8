// The seams between the pure pipeline and the outside world. Adapters in src/adapters implement these;
// tests fake them here.
import type { BBox, Word } from './layout.ts';

export interface ReadLimits {
  /** Largest file accepted, in bytes. */
  maxBytes: number;
  /** Most pages a PDF or multi-page TIFF may have. */
  maxPages: number;
  /** Most pixels one page image may decode to (decompression-bomb guard). */
  maxPixels: number;
  /** Most bytes one compressed stream inside a PDF may inflate to (inflation-bomb guard). */
  maxStreamBytes: number;
  /** Most drawing operators a PDF page's content may hold (operator-bomb guard). */
  maxOperatorsPerPage: number;
}

export const DEFAULT_LIMITS: ReadLimits = {
  maxBytes: 25 * 1024 * 1024,
  maxPages: 50,
  maxPixels: 60_000_000,
  maxStreamBytes: 64 * 1024 * 1024,
  maxOperatorsPerPage: 250_000,
};

/** Text layer of one PDF page, in PDF points with the origin top-left. */
export interface PdfTextPage {
  width: number;
  height: number;
  words: Word[];
  /** Why the page's drawing could not be decoded, when pdf.js skipped it quietly and gave no text: the page is
   * drawn and OCR'd as usual, and is unreadable only if that finds no words either. */
  damaged?: string;
}

export interface PdfDocumentHandle {
  readonly pageCount: number;
  textLayer(pageNumber: number): Promise<PdfTextPage>;
  /** Renders a page to PNG at the given resolution (for OCR and for page images); a page that would exceed
   * the pixel limit is rendered smaller, and the size returned is the one rendered. */
  render(pageNumber: number, dpi: number): Promise<PageImage>;
  /** How many images and drawn paths a page paints: a page with neither can hold no QR code or barcode. */
  pictures?(pageNumber: number): Promise<PagePictures>;
  /** Files embedded in the PDF (PDF/A-3 hybrids carry their e-invoice XML so), with their names. */
  attachments(): Promise<PdfAttachment[]>;
  close(): Promise<void>;
}

export interface PagePictures {
  images: number;
  paths: number;
}

export interface PdfAttachment {
  /** The name the PDF gives the file (e.g. factur-x.xml). */
  name: string;
  bytes: Uint8Array;
}

export interface PdfReader {
  /** Throws DocumentError: encrypted_pdf, truncated_pdf, corrupt_file, too_many_pages. */
  open(bytes: Uint8Array, limits: ReadLimits): Promise<PdfDocumentHandle>;
}

/** One decoded page image, upright (EXIF orientation applied), as PNG. */
export interface PageImage {
  png: Buffer;
  width: number;
  height: number;
}

/** A frame of a multi-page image that could not be decoded: the fault, with the size of the file's first frame. */
export interface FrameFault {
  fault: Error;
  width: number;
  height: number;
}

export interface ImageDecoder {
  /** Decodes JPEG/PNG/TIFF (every frame)/WebP. Throws DocumentError: corrupt_file, too_many_pixels, image_too_small, too_many_pages. */
  decode(bytes: Uint8Array, limits: ReadLimits): Promise<PageImage[]>;
  /** As `decode`, but a damaged frame of a multi-page TIFF is returned as its fault, in its place, rather than
   * failing the file; the file's own faults (unreadable header, too many pages, too large) still throw. */
  decodeFrames(bytes: Uint8Array, limits: ReadLimits): Promise<(PageImage | FrameFault)[]>;
  /** The share of the page image's pixels that are ink (darker than mid-grey), 0..1: a blank sheet has almost
   * none, a printed page a few percent. */
  inkShare(image: PageImage): Promise<number>;
}

export const isFrameFault = (f: PageImage | FrameFault): f is FrameFault => 'fault' in f;

/** Words read by OCR from one page image, in the pixel coordinates of the image that was passed in. */
export interface OcrPage {
  width: number;
  height: number;
  /** Clockwise degrees the image was turned to read it upright (0, 90, 180, 270). Boxes are in the upright frame. */
  rotation: number;
  /** The tesseract languages the words were read in, the first tried first. */
  languages: string[];
  words: Word[];
}

export interface OcrReadOptions {
  /** Languages to read in (tesseract codes, or en/pt/es), the first tried first; all the engine's when absent.
   * Each must be one the engine was created with. */
  languages?: readonly string[];
  /** With more than one language, picks the languages a page is read in from text already read off it
   * (undefined: it cannot tell). It is asked about the top of the page read in the first language alone, or, when
   * the engine's last pages were all read in the same languages, about the whole page read in those; a page whose
   * text picks other languages is read again in them. */
  chooseLanguages?: (text: string) => readonly string[] | undefined;
}

export interface OcrEngine {
  /** Prepares (greyscale, normalise, scale, deskew, orientation) and reads a page image. Throws DocumentError ocr_failed. */
  readPage(image: PageImage, options?: OcrReadOptions): Promise<OcrPage>;
  /** Starts the engine's workers and loads their languages ahead of the first page; pages asked meanwhile wait. */
  warm?(): Promise<void>;
  close(): Promise<void>;
}

/** One region of a page as the second reader read it. */
export interface RegionReading {
  text: string;
  /** Mean probability of the characters read, 0–1; 0 when nothing was read. */
  confidence: number;
}

/**
 * A second OCR engine, asked only on doubt: it re-reads the regions of a page that hold a key field (the total's
 * line, the date's, the vendor's name), so that its readings can vote with the first reader's.
 */
export interface SecondReader {
  /** Reads each box ([left, top, right, bottom] in the page image's pixels, a line as the first reader found it)
   * as one line of text; the readings come back in the boxes' order. Rejects when the reader fails: a caller
   * goes on without a second opinion. */
  readRegions(image: PageImage, boxes: readonly BBox[]): Promise<RegionReading[]>;
  /** Whether the reader can spell every character of a text. Where it cannot (PP-OCRv4 has no ç, ã, õ, ñ), its
   * reading neither confirms nor contradicts that text. */
  canSpell(text: string): boolean;
  close(): Promise<void>;
}

/** A code (QR, barcode) found on a page image, in the image's pixels. */
export interface CodeReading {
  /** The symbology: QRCode, Code128, ITF, DataMatrix, … */
  format: string;
  text: string;
  bbox: BBox;
}

/** Finds and decodes the QR codes and barcodes on a page image. */
export interface CodeReader {
  /** Every code found; none when there is none, or the image cannot be decoded (a damaged page still reads). */
  read(image: PageImage): Promise<CodeReading[]>;
}
