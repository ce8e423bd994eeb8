// Page preparation for tesseract: turned upright, cropped and cleaned, scaled to a good line height, deskewed.
import type { PageImage } from '../../pipeline/ports.ts';
import { analysePage } from './analyse.ts';
import { cleanPage, type Region } from './clean.ts';
import { decodeGrey, fromGrey, type Grey, toGrey, WHITE } from './grey.ts';
import { findPaper, type Homography } from './paper.ts';

/** Median text-line height (ink rows of one line) that tesseract's LSTM reads best, in pixels. */
export const TARGET_LINE_HEIGHT = 26;
/** Largest prepared image handed to tesseract; bigger costs time without reading better. */
const MAX_PREPARED_PIXELS = 16_000_000;

/** A page turned, cleaned, scaled and deskewed for tesseract, with what it takes to map boxes back. */
export interface PreparedImage {
  upW: number;
  upH: number;
  region: Region;
  scale: number;
  sw: number;
  sh: number;
  skew: number;
  prepared: Grey;
  /** For a photo of a sheet: maps the straightened sheet (what `region` is in) back to the upright photo. */
  toPhoto?: Homography | undefined;
}

export async function prepareImage(image: PageImage, rotation: number): Promise<PreparedImage> {
  const upright = await decodeGrey(image.png, rotation);
  const upW = upright.width;
  const upH = upright.height;
  // A photo of a sheet on a desk is read as the sheet alone, straightened and evenly lit: the desk's dark border
  // spoils the skew and line-height measures, and a shadow across the page hides its words from tesseract.
  const paper = await findPaper(upright);
  // A small receipt on a full-page scan: read only the paper's text, with the scanner's specks wiped off, so
  // the line height is measured on text and the scale budget is spent on it. Boxes come back offset.
  const content = await cleanPage(paper?.image ?? upright);
  const region = content.region;
  const analysis = await analysePage(content.image);
  const cropW = region.width;
  const cropH = region.height;
  let scale = analysis.lineHeight > 0 ? TARGET_LINE_HEIGHT / analysis.lineHeight : 1800 / upW;
  scale = Math.min(4, Math.max(0.5, scale));
  scale = Math.min(scale, Math.sqrt(MAX_PREPARED_PIXELS / (cropW * cropH)));
  const sw = Math.max(1, Math.round(cropW * scale));
  const sh = Math.max(1, Math.round(cropH * scale));
  const skew = analysis.skew;
  let prepared = await toGrey(
    fromGrey(content.image).resize(sw, sh, { kernel: scale > 1 ? 'cubic' : 'lanczos3' }),
  );
  if (Math.abs(skew) >= 0.3) prepared = await toGrey(fromGrey(prepared).rotate(-skew, { background: WHITE }));
  return { upW, upH, region, scale, sw, sh, skew, prepared, toPhoto: paper?.toPhoto };
}
