// Image decoding with sharp: every accepted image becomes upright PNG pages, the only form OCR ever sees.
import sharp, { type Metadata, type OutputInfo } from 'sharp';
import { DocumentError, isDocumentError } from '../pipeline/errors.ts';
import {
  type FrameFault,
  type ImageDecoder,
  isFrameFault,
  type PageImage,
  type ReadLimits,
} from '../pipeline/ports.ts';

/** Below this many pixels on a side there is no legible text to read. */
export const MIN_IMAGE_SIDE = 32;

const FORMATS = new Set(['jpeg', 'png', 'webp', 'tiff']);

/*
 * failOn 'truncated': a JPEG with a few corrupt bytes still decodes to a picture and is read (libjpeg only
 * warns); a truncated one would come out with its bottom — where receipts keep the total — painted grey,
 * so it is refused as corrupt rather than read half.
 */
const FAIL_ON = 'truncated' as const;

export function createImageDecoder(): ImageDecoder {
  const decoder: ImageDecoder = {
    async decode(bytes, limits) {
      const frames = await decoder.decodeFrames(bytes, limits);
      const fault = frames.find(isFrameFault);
      if (fault) throw fault.fault;
      return frames as PageImage[];
    },

    async decodeFrames(bytes: Uint8Array, limits: ReadLimits): Promise<(PageImage | FrameFault)[]> {
      if (bytes.byteLength === 0) throw new DocumentError('corrupt_file', 'The image file is empty.');
      const input = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

      let meta: Metadata;
      try {
        // Header only: nothing is decoded yet, so a decompression bomb costs nothing here.
        meta = await sharp(input, { limitInputPixels: false, failOn: FAIL_ON }).metadata();
      } catch (cause) {
        throw new DocumentError(
          'corrupt_file',
          'The image could not be read: the file is damaged or not an image.',
          {
            cause,
          },
        );
      }
      if (!meta.format || !FORMATS.has(meta.format)) {
        throw new DocumentError(
          'corrupt_file',
          `Images of type ${meta.format ?? 'unknown'} are not read here.`,
        );
      }
      const pageCount = meta.format === 'tiff' ? (meta.pages ?? 1) : 1;
      if (pageCount > limits.maxPages) {
        throw new DocumentError(
          'too_many_pages',
          `The TIFF has ${pageCount} pages; at most ${limits.maxPages} are accepted.`,
        );
      }
      const width = meta.width ?? 0;
      // For multi-page files sharp reports the first page's height as pageHeight and height as all pages stacked.
      const height = meta.pageHeight ?? meta.height ?? 0;
      checkSize(width, height, limits);

      const pages: (PageImage | FrameFault)[] = [];
      for (let page = 0; page < pageCount; page++) {
        try {
          pages.push(await decodePage(input, page, limits));
        } catch (e) {
          // One damaged frame of a stack is a damaged page, not a damaged file; a frame too large still is.
          if (pageCount === 1 || !isDocumentError(e) || e.code !== 'corrupt_file') throw e;
          pages.push({ fault: e, width, height });
        }
      }
      return pages;
    },

    async inkShare(image) {
      // Inside a 5% margin: a scanner's dark edge or a punched hole is not print. Transparency is white paper.
      const left = Math.floor(image.width * 0.05);
      const top = Math.floor(image.height * 0.05);
      const { data } = await sharp(image.png)
        .flatten({ background: '#ffffff' })
        .extract({ left, top, width: image.width - 2 * left, height: image.height - 2 * top })
        .greyscale()
        .raw()
        .toBuffer({ resolveWithObject: true });
      let ink = 0;
      for (let i = 0; i < data.length; i++) if (data[i]! < 128) ink++;
      return data.length ? ink / data.length : 0;
    },
  };
  return decoder;
}

function checkSize(width: number, height: number, limits: ReadLimits): void {
  if (width * height > limits.maxPixels) {
    throw new DocumentError(
      'too_many_pixels',
      `The image is ${width}×${height} pixels; at most ${limits.maxPixels.toLocaleString('en')} pixels per page are accepted.`,
    );
  }
  if (width < MIN_IMAGE_SIDE || height < MIN_IMAGE_SIDE) {
    throw new DocumentError(
      'image_too_small',
      `The image is ${width}×${height} pixels, too small to hold legible text (at least ${MIN_IMAGE_SIDE} on each side).`,
    );
  }
}

async function decodePage(input: Buffer, page: number, limits: ReadLimits): Promise<PageImage> {
  let png: Buffer;
  let info: OutputInfo;
  try {
    ({ data: png, info } = await sharp(input, { page, limitInputPixels: limits.maxPixels, failOn: FAIL_ON })
      .rotate() // EXIF orientation
      .png({ compressionLevel: 3 })
      .toBuffer({ resolveWithObject: true }));
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    if (/pixel limit/i.test(message)) {
      throw new DocumentError('too_many_pixels', `Page ${page + 1} of the image has too many pixels.`, {
        cause,
      });
    }
    throw new DocumentError(
      'corrupt_file',
      `Page ${page + 1} of the image is damaged and could not be decoded.`,
      {
        cause,
      },
    );
  }
  // Pages of a TIFF may differ in size from the first one; check each decoded page too.
  checkSize(info.width, info.height, limits);
  return { png, width: info.width, height: info.height };
}
