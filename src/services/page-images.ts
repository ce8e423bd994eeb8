// Page images for the review page: drawn once, when the document is read, and kept beside the original in the
// blob store; served from there. A page not yet drawn (or asked at another width) is drawn on demand by the
// page-image process, under the same budget as a reading and never in a reading process.
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { ReadingPool, RenderTaskResult } from '../reading/reading-pool.ts';
import type { BlobStore } from '../storage/blobs.ts';

/** The width page images are kept at: the review page's default. Other widths are drawn when asked. */
export const STORED_PAGE_WIDTH = 1400;

export type PageImage =
  | { png: Buffer; width: number; height: number; etag: string }
  | { code: string; error: string };

export class PageImageService {
  constructor(
    private readonly blobs: Pick<BlobStore, 'localPath' | 'getDerived' | 'putDerived'>,
    private readonly reading: Pick<ReadingPool, 'render'>,
    private readonly log?: Logger,
  ) {}

  /** One page at a width: the kept image when there is one, otherwise drawn now (and kept at the stored width). */
  async page(sha256: string, page: number, width: number, rotation = 0): Promise<PageImage> {
    const name = pageName(page, width, rotation);
    const kept = width === STORED_PAGE_WIDTH ? await this.blobs.getDerived(sha256, name) : undefined;
    if (kept) return { ...sizeOfPng(kept), png: kept, etag: etagOf(sha256, name) };
    const drawn = await this.reading.render({
      path: await this.blobs.localPath(sha256),
      page,
      maxWidth: width,
      urgent: true,
      rotation,
    });
    if ('error' in drawn) return drawn;
    const png = Buffer.from(drawn.png);
    if (width === STORED_PAGE_WIDTH) await this.blobs.putDerived(sha256, name, png).catch(() => {});
    return { png, width: drawn.width, height: drawn.height, etag: etagOf(sha256, name) };
  }

  /** Draws and keeps every page of a document just read, one after another; a page that cannot be drawn stops it. */
  async keepAll(sha256: string, pages: number, rotations: readonly number[] = []): Promise<void> {
    for (let n = 1; n <= pages; n++) {
      const rotation = rotations[n - 1] ?? 0;
      const name = pageName(n, STORED_PAGE_WIDTH, rotation);
      if (await this.blobs.getDerived(sha256, name)) continue;
      const drawn: RenderTaskResult = await this.reading.render({
        path: await this.blobs.localPath(sha256),
        page: n,
        maxWidth: STORED_PAGE_WIDTH,
        rotation,
      });
      if ('error' in drawn) {
        if (drawn.code !== 'no_pages')
          this.log?.warn({ sha256, page: n, code: drawn.code }, 'page image not kept');
        return;
      }
      await this.blobs.putDerived(sha256, name, Buffer.from(drawn.png));
    }
  }
}

/** Turned pages are kept apart from the page as it lay, so a reading that turns it otherwise draws it anew. */
function pageName(page: number, width: number, rotation = 0): string {
  return rotation ? `page-${page}-w${width}-r${rotation}.png` : `page-${page}-w${width}.png`;
}

/** The same bytes drawn the same way: the ETag needs only the original's hash and what was drawn. */
function etagOf(sha256: string, name: string): string {
  return `"${createHash('sha256').update(`${sha256}/${name}`).digest('hex').slice(0, 32)}"`;
}

/** Width and height from a PNG's IHDR chunk. */
function sizeOfPng(png: Buffer): { width: number; height: number } {
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}
