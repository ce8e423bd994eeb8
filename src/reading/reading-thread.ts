// Runs in a worker thread: reads documents and renders page images off the service's event loop.
import { readFile } from 'node:fs/promises';
import { workerData } from 'node:worker_threads';
import sharp from 'sharp';
import { createImageDecoder } from '../adapters/image.ts';
import { createPdfReader } from '../adapters/pdf.ts';
import type { DocumentFailure, DocumentResult } from '../contract/result.ts';
import { DocumentError } from '../pipeline/errors.ts';
import { DEFAULT_LIMITS, type ReadLimits } from '../pipeline/ports.ts';
import { createReader, type DocumentReader } from './read-document.ts';

export interface ThreadOptions {
  languages: string[];
  ocrPoolSize: number;
  limits?: Partial<ReadLimits>;
}

export type ReadTask = { kind: 'read'; path: string; file: string; id: string };
export type RenderTask = { kind: 'render'; path: string; mediaType: string; page: number; maxWidth: number };
export interface PageSize {
  width: number;
  height: number;
  rotation: number;
  source: string;
}
export type ReadTaskResult = {
  result: DocumentResult | DocumentFailure;
  pageSizes: PageSize[];
};
export type RenderTaskResult =
  | { png: Uint8Array; width: number; height: number }
  | { error: string; code: string };

const options = workerData as ThreadOptions;
let reader: DocumentReader | undefined;
const limits: ReadLimits = { ...DEFAULT_LIMITS, ...options.limits };

async function read(task: ReadTask): Promise<ReadTaskResult> {
  // The service judges each result itself, against its rules and its database (ProcessingService.finish).
  reader ??= createReader({
    languages: options.languages,
    ocrPoolSize: options.ocrPoolSize,
    limits,
    judge: false,
  });
  const bytes = await readFile(task.path);
  const { result, layout } = await reader.readWithLayout({ bytes, file: task.file, id: task.id });
  return {
    result,
    pageSizes: (layout?.pages ?? []).map((p) => ({
      width: p.width,
      height: p.height,
      rotation: p.rotation ?? 0,
      source: p.source,
    })),
  };
}

const pdfReader = createPdfReader();
const imageDecoder = createImageDecoder();

/** One page as PNG, upright, no wider than `maxWidth` pixels. */
async function render(task: RenderTask): Promise<RenderTaskResult> {
  try {
    const bytes = await readFile(task.path);
    let png: Buffer;
    if (task.mediaType === 'application/pdf') {
      const doc = await pdfReader.open(bytes, limits);
      try {
        if (task.page < 1 || task.page > doc.pageCount) return { code: 'not_found', error: 'No such page.' };
        png = (await doc.render(task.page, 150)).png;
      } finally {
        await doc.close();
      }
    } else {
      const pages = await imageDecoder.decode(bytes, limits);
      const page = pages[task.page - 1];
      if (!page) return { code: 'not_found', error: 'No such page.' };
      png = page.png;
    }
    const out = await sharp(png)
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
