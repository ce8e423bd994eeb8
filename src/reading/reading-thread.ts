// Runs in a worker thread: reads documents and renders page images off the service's event loop.
import { readFile } from 'node:fs/promises';
import { workerData } from 'node:worker_threads';
import sharp from 'sharp';
import type { DocumentFailure, Extraction } from '../contract/result.ts';
import { detectFormat } from '../formats/registry.ts';
import { DocumentError } from '../pipeline/errors.ts';
import { DEFAULT_LIMITS, type ReadLimits } from '../pipeline/ports.ts';
import { createReader, createReadTools, type DocumentReader } from './read-document.ts';

export interface ThreadOptions {
  languages: string[];
  ocrPoolSize: number;
  limits?: Partial<ReadLimits>;
}

export type ReadTask = { kind: 'read'; path: string; file: string; id: string };
/** `rotation`: degrees clockwise that turn the page upright, as the reading found them (the page's `rotation` in
 * the result's `pageSizes`); the boxes are in that upright frame, so the image must be too. */
export type RenderTask = { kind: 'render'; path: string; page: number; maxWidth: number; rotation?: number };
export type ReadTaskResult = Extraction | DocumentFailure;
export type RenderTaskResult =
  | { png: Uint8Array; width: number; height: number }
  | { error: string; code: string };

const options = workerData as ThreadOptions;
let reader: DocumentReader | undefined;
const limits: ReadLimits = { ...DEFAULT_LIMITS, ...options.limits };

async function read(task: ReadTask): Promise<ReadTaskResult> {
  reader ??= createReader({ languages: options.languages, ocrPoolSize: options.ocrPoolSize, limits });
  const bytes = await readFile(task.path);
  return reader.read({ bytes, file: task.file, id: task.id });
}

const tools = { ...createReadTools(), limits };

/** One page as PNG, turned as the reading turned it (so its boxes fall on its words), no wider than `maxWidth`. */
async function render(task: RenderTask): Promise<RenderTaskResult> {
  try {
    const bytes = await readFile(task.path);
    const { format } = await detectFormat(bytes);
    if (!format.renderPage) {
      return { code: 'no_pages', error: `This ${format.label} document has no page images.` };
    }
    const page = await format.renderPage(bytes, task.page, tools);
    if (!page) return { code: 'not_found', error: 'No such page.' };
    // Turned first, on its own: the width limit is for the upright page, not the scan as it lay.
    const upright = task.rotation ? await sharp(page.png).rotate(task.rotation).toBuffer() : page.png;
    const out = await sharp(upright)
      .resize({ width: task.maxWidth, withoutEnlargement: true })
      .png({ compressionLevel: 6 })
      .toBuffer({ resolveWithObject: true });
    return { png: new Uint8Array(out.data), width: out.info.width, height: out.info.height };
  } catch (e) {
    if (e instanceof DocumentError) return { code: e.code, error: e.message };
    throw e;
  }
}

export default async function run(task: ReadTask | RenderTask): Promise<ReadTaskResult | RenderTaskResult> {
  return task.kind === 'read' ? read(task) : render(task);
}
