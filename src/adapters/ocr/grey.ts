// Grey images held raw for page preparation: decoding, the sharp round trip, row views, crops and PGM for tesseract.
import sharp, { type Sharp } from 'sharp';

/**
 * An 8-bit greyscale image held raw, one byte per pixel, row after row. Page preparation passes these between its
 * steps: a PNG round trip per step (encode, then decode in the next one) cost more than all the steps themselves.
 */
export interface Grey {
  data: Buffer;
  width: number;
  height: number;
}

export const WHITE = { r: 255, g: 255, b: 255 };

export function fromGrey(image: Grey): Sharp {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 1 } });
}

/**
 * The result of a sharp pipeline as one grey channel. sharp keeps only the first band of a greyscale result, so
 * an image that may have an alpha channel is flattened onto white first (see `decodeGrey`).
 */
export async function toGrey(pipeline: Sharp): Promise<Grey> {
  const { data, info } = await pipeline.greyscale().raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 1) throw new Error(`Expected one grey channel, got ${info.channels}.`);
  return { data, width: info.width, height: info.height };
}

/**
 * Any image sharp reads (PNG, JPEG, …) as a grey image, turned by `rotation` degrees clockwise; transparent pixels
 * become white paper, whatever colour they hold.
 */
export function decodeGrey(image: Buffer, rotation = 0): Promise<Grey> {
  return toGrey(sharp(image).rotate(rotation).flatten({ background: WHITE }));
}

/** Rows [top, top + height) of an image; a view, not a copy. */
export function rows(image: Grey, top: number, height: number): Grey {
  return {
    data: image.data.subarray(top * image.width, (top + height) * image.width),
    width: image.width,
    height,
  };
}

/** A rectangle of an image, copied. */
export function crop(image: Grey, left: number, top: number, width: number, height: number): Grey {
  const data = Buffer.allocUnsafe(width * height);
  for (let y = 0; y < height; y++) {
    const from = (top + y) * image.width + left;
    image.data.copy(data, y * width, from, from + width);
  }
  return { data, width, height };
}

/** The image as binary PGM, which tesseract (leptonica) reads without the cost of decompressing a PNG. */
export function pgm(image: Grey): Buffer {
  return Buffer.concat([Buffer.from(`P5\n${image.width} ${image.height}\n255\n`), image.data]);
}
