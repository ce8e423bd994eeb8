// A reading process: reads documents and renders page images for the pool in reading-pool.ts, one task at a
// time. It runs apart from the service so that a document's time and memory can be measured and, past its
// budget, ended with the process (a thread's native memory, pdf.js's and the canvas's, cannot be taken back).
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { detectFormat } from '../formats/registry.ts';
import { DocumentError } from '../pipeline/errors.ts';
import { DEFAULT_LIMITS, type ReadLimits } from '../pipeline/ports.ts';
import { createReader, createReadTools, type DocumentReader } from './read-document.ts';
import {
  OPTIONS_VARIABLE,
  type PoolRequest,
  type ProcessMessage,
  type ReaderProcessOptions,
  type ReadTask,
  type ReadTaskResult,
  type RenderTask,
  type RenderTaskResult,
} from './reading-protocol.ts';

async function serve(options: ReaderProcessOptions): Promise<void> {
  // Once the pool has let go of this process (closed while it warmed up), there is no one to answer: it exits.
  const send = (m: ProcessMessage) => {
    if (process.connected) process.send?.(m, undefined, {}, () => {});
  };
  const rssMb = () => Math.round(process.memoryUsage().rss / 1048576);
  const limits: ReadLimits = { ...DEFAULT_LIMITS, ...options.limits };
  let current = 0;
  let busy = 0;
  let lastBusyAt = 0;
  let reader: DocumentReader | undefined;
  const tools = { ...createReadTools(), limits };

  async function read(task: ReadTask): Promise<ReadTaskResult> {
    if (!reader) throw new Error('The reading process is not ready.');
    const bytes = await readFile(task.path);
    return reader.readWithLayout({
      bytes,
      file: task.file,
      ...(task.id ? { id: task.id } : {}),
      ...(task.parts ? { parts: task.parts } : {}),
    });
  }

  /** One page as PNG, upright, no wider than `maxWidth` pixels (full size without it). */
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
        .resize({ width: task.maxWidth ?? page.width, withoutEnlargement: true })
        .png({ compressionLevel: 6 })
        .toBuffer({ resolveWithObject: true });
      return { png: new Uint8Array(out.data), width: out.info.width, height: out.info.height };
    } catch (e) {
      if (e instanceof DocumentError) return { code: e.code, error: e.message };
      throw e;
    }
  }

  process.on('message', (message: PoolRequest) => {
    current = message.id;
    busy++;
    const run = message.task.kind === 'read' ? read(message.task) : render(message.task);
    run
      .finally(() => {
        busy--;
        lastBusyAt = performance.now();
      })
      .catch(() => {});
    run.then(
      (result) => send({ id: message.id, result, rssMb: rssMb() }),
      (error: Error) => send({ id: message.id, fault: error.message, rssMb: rssMb() }),
    );
  });
  // The pool retires this process by disconnecting: close the OCR engines, then go.
  process.on('disconnect', () => {
    const closing = reader?.close() ?? Promise.resolve();
    closing.finally(() => process.exit(0));
  });
  // Warm up before taking work: loading pdf.js and the pipeline costs seconds under tsx, which no document's
  // budget should pay. The warm-up page has a text layer, and the OCR engine (a second or two of loading
  // languages) loads once the process has been idle for a second after saying it is ready, or with the first
  // scanned page: a replaced process takes digital documents at once, without competing for the cores with its
  // own loading while a backlog drains.
  reader = createReader({
    languages: options.languages,
    ocrPoolSize: options.ocrPoolSize,
    limits,
    ...(options.secondLook === false ? { secondLook: false } : {}),
    onPages: (pages) => {
      if (current) send({ id: current, pages });
    },
  });
  await reader.read({ bytes: WARM_UP_PDF, file: 'warm-up.pdf' }).catch(() => undefined);
  send({ ready: true });
  lastBusyAt = performance.now();
  const warmWhenIdle = (): void => {
    const idle = performance.now() - lastBusyAt;
    if (busy || idle < OCR_WARM_IDLE_MS) {
      setTimeout(warmWhenIdle, OCR_WARM_IDLE_MS - (busy ? 0 : idle)).unref();
      return;
    }
    reader?.warmOcr().catch(() => undefined);
  };
  warmWhenIdle();
}

/** How long a new process waits with nothing to do before it loads the OCR engine. */
const OCR_WARM_IDLE_MS = 1000;

/** A one-page PDF with a text layer (read from the text, not OCR'd), read once when the process starts. */
const WARM_UP_PDF = (() => {
  const lines = [
    'Invoice 1001  Date 2024-01-15',
    'Acme Supplies Ltd',
    'Widgets  2 x 5.00  10.00',
    'Total 10.00',
  ];
  const content = `BT /F1 12 Tf 72 720 Td ${lines.map((l) => `(${l}) Tj 0 -16 Td`).join(' ')} ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let pdf = '%PDF-1.4\n';
  const offsets = objects.map((body, i) => {
    const at = pdf.length;
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
    return at;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(pdf, 'latin1'));
})();

if (process.send && process.env[OPTIONS_VARIABLE]) {
  await serve(JSON.parse(process.env[OPTIONS_VARIABLE]) as ReaderProcessOptions);
}
