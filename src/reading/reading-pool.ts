// The service's reading threads: OCR, PDF parsing and rendering run here, never on the event loop.
import { Piscina } from 'piscina';
import type {
  ReadTask,
  ReadTaskResult,
  RenderTask,
  RenderTaskResult,
  ThreadOptions,
} from './reading-thread.ts';

export interface ReadingPool {
  read(task: Omit<ReadTask, 'kind'>): Promise<ReadTaskResult>;
  render(task: Omit<RenderTask, 'kind'>): Promise<RenderTaskResult>;
  close(): Promise<void>;
}

/**
 * One thread holds the document reader (its tesseract pool has its own threads, sized to the cores) and
 * takes `concurrency` documents at once; page images for the review page go to a second, light thread so
 * a reviewer never waits behind an OCR queue.
 */
export function createReadingPool(
  options: ThreadOptions & {
    concurrency: number /** false: no reading thread until a document is read (the API role). */;
    keepReader?: boolean;
  },
): ReadingPool {
  // Compiled (dist/), the thread is the compiled module beside this one and needs no loader. From the sources
  // (tests, scripts) the thread is the .ts file, loaded through tsx as the main thread is.
  const compiled = import.meta.url.endsWith('.js');
  const filename = new URL(compiled ? './reading-thread.js' : './reading-thread.ts', import.meta.url).href;
  const execArgv =
    compiled || process.execArgv.some((a) => a.includes('tsx')) ? process.execArgv : ['--import', 'tsx'];
  const workerData: ThreadOptions = {
    languages: options.languages,
    ocrPoolSize: options.ocrPoolSize,
    ...(options.limits ? { limits: options.limits } : {}),
  };
  const readers = new Piscina({
    filename,
    minThreads: options.keepReader === false ? 0 : 1,
    maxThreads: 1,
    concurrentTasksPerWorker: Math.max(1, options.concurrency),
    idleTimeout: Number.POSITIVE_INFINITY,
    workerData,
    execArgv,
  });
  const renderers = new Piscina({
    filename,
    minThreads: 0,
    maxThreads: 1,
    concurrentTasksPerWorker: 2,
    idleTimeout: 60_000,
    workerData,
    execArgv,
  });
  return {
    read: (task) => readers.run({ kind: 'read', ...task }),
    render: (task) => renderers.run({ kind: 'render', ...task }),
    async close() {
      await Promise.all([readers.destroy(), renderers.destroy()]);
    },
  };
}
