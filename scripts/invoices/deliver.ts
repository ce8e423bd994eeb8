// Turns a generated invoice's PDF into what reaches the back office: the PDF itself, a scan (150–300 dpi,
// skewed, grainy, JPEG), a phone photo (perspective, shadow), or a scan stored turned.
import type { Sharp } from 'sharp';
import { degrade, imagesToPdf, photograph, renderPages, seedOf } from '../samples/raster.ts';
import type { Delivery } from './spec.ts';

/** The delivered bytes; a multi-page document always arrives as a PDF (the container was chosen so). */
export async function deliver(pdf: Uint8Array, delivery: Delivery, name: string): Promise<Uint8Array> {
  if (delivery.kind === 'digital') return pdf;
  const seed = seedOf(name);
  const pages = await renderPages(pdf, delivery.dpi);
  const images: Sharp[] = [];
  for (const [i, png] of pages.entries()) {
    switch (delivery.kind) {
      case 'scan':
        images.push(
          await degrade(png, {
            look: 'scan',
            angle: delivery.angle,
            noise: delivery.noise,
            blur: delivery.blur,
            seed: seed + i,
          }),
        );
        break;
      case 'turned': {
        const img = await degrade(png, {
          look: 'scan',
          angle: delivery.angle,
          noise: 3,
          blur: 0.4,
          seed: seed + i,
        });
        images.push(img.rotate(delivery.turn));
        break;
      }
      case 'photo':
        images.push(await photograph(png, { seed: delivery.seed + i }));
        break;
    }
  }
  const quality = delivery.kind === 'turned' ? 70 : delivery.quality;
  const container = delivery.container;
  if (container === 'pdf') {
    const jpegs = await Promise.all(images.map((img) => img.jpeg({ quality }).toBuffer()));
    return imagesToPdf(jpegs, delivery.dpi, name);
  }
  if (images.length !== 1) throw new Error(`${name}: ${images.length} pages cannot go in one ${container}`);
  const density = { density: delivery.dpi };
  const image = images[0]!.withMetadata(density);
  return new Uint8Array(
    container === 'png'
      ? await image.png({ compressionLevel: 9 }).toBuffer()
      : await image.jpeg({ quality }).toBuffer(),
  );
}
