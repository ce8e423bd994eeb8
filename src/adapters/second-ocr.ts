// The second reader: PP-OCRv4 recognition on the regions of a page that tesseract left in doubt. It runs in a
// child process (second-ocr-process.ts) because onnxruntime's native memory is not given back while a process
// lives and no V8 limit (worker resourceLimits included) can see it; the only bound is ending the process, so the
// adapter starts a fresh one after a number of pages, or once the process has grown past an RSS limit.
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BBox } from '../pipeline/layout.ts';
import type { PageImage, RegionReading, SecondReader } from '../pipeline/ports.ts';
import { type BoxTuple, type ProcessReply, type ProcessRequest, paddleAssets } from './second-ocr-process.ts';

export interface SecondReaderOptions {
  /** Pages one process reads before a fresh one takes over. */
  pagesPerProcess?: number;
  /** A process whose RSS has passed this many MB after a page is replaced before the next. */
  maxRssMb?: number;
  /** A page whose regions take longer than this ends its process and is tried once more on a fresh one. */
  timeoutMs?: number;
  /** An idle process is ended after this long, giving its memory back. */
  idleMs?: number;
  /** onnxruntime threads in the process; 1 leaves the other core to tesseract. */
  threads?: number;
}

export interface SecondReaderStats {
  processesStarted: number;
  /** The process now reading, if one is running. */
  processId: number | undefined;
  pagesRead: number;
  /** The RSS the current (or last) process reported after its last page, in MB. */
  lastRssMb: number;
  /** The highest RSS any process reported, in MB. */
  peakRssMb: number;
}

export interface PaddleSecondReader extends SecondReader {
  stats(): SecondReaderStats;
}

const DEFAULTS: Required<SecondReaderOptions> = {
  pagesPerProcess: 500,
  maxRssMb: 700,
  timeoutMs: 60_000,
  idleMs: 60_000,
  threads: 1,
};

interface Child {
  proc: ChildProcess;
  ready: Promise<void>;
  pages: number;
  waiting: Map<number, { resolve: (r: RegionReading[]) => void; reject: (e: Error) => void }>;
  exited: boolean;
}

/** Raised when the process died or hung; a reading the model could not make is answered, not raised. */
class ReaderFault extends Error {}

export function createSecondReader(options: SecondReaderOptions = {}): PaddleSecondReader {
  const settings = { ...DEFAULTS, ...options };
  const stats: Omit<SecondReaderStats, 'processId'> = {
    processesStarted: 0,
    pagesRead: 0,
    lastRssMb: 0,
    peakRssMb: 0,
  };
  let current: Child | undefined;
  let nextId = 1;
  let queue: Promise<unknown> = Promise.resolve();
  let idleTimer: NodeJS.Timeout | undefined;
  let alphabet: Set<string> | undefined;
  let closed = false;
  const retiring = new Set<Promise<void>>();

  const noteRss = (rssMb: number) => {
    stats.lastRssMb = rssMb;
    stats.peakRssMb = Math.max(stats.peakRssMb, rssMb);
  };

  function start(): Child {
    // Compiled (dist/), the process is the .js file; from the sources (tests, scripts) it is the .ts file, loaded
    // through tsx as the reading processes are. Its own heap stays small either way.
    const compiled = import.meta.url.endsWith('.js');
    const entry = fileURLToPath(
      new URL(compiled ? './second-ocr-process.js' : './second-ocr-process.ts', import.meta.url),
    );
    const loader = compiled
      ? []
      : process.execArgv.some((a) => a.includes('tsx'))
        ? process.execArgv
        : ['--import', 'tsx'];
    const proc = fork(entry, [], {
      execArgv: [...loader, '--max-old-space-size=512'],
      env: { ...process.env, SECOND_OCR_PROCESS: '1', SECOND_OCR_THREADS: String(settings.threads) },
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    stats.processesStarted++;
    const child: Child = { proc, ready: Promise.resolve(), pages: 0, waiting: new Map(), exited: false };
    child.ready = new Promise<void>((resolve, reject) => {
      proc.on('message', (reply: ProcessReply) => {
        noteRss(reply.rssMb);
        if ('ready' in reply) return resolve();
        const waiter = child.waiting.get(reply.id);
        child.waiting.delete(reply.id);
        if ('error' in reply)
          waiter?.reject(new Error(`The second reader could not read the page: ${reply.error}`));
        else waiter?.resolve(reply.readings);
      });
      proc.on('exit', (code, signal) => {
        child.exited = true;
        if (current === child) current = undefined;
        const fault = new ReaderFault(`The second reader's process ended (${signal ?? `code ${code}`}).`);
        reject(fault);
        for (const waiter of child.waiting.values()) waiter.reject(fault);
        child.waiting.clear();
      });
      proc.on('error', reject);
    });
    child.ready.catch(() => undefined); // a start-up failure is raised to the page that waits on it
    // Nothing is asked of a process between pages; it must not keep the service's event loop alive.
    proc.unref();
    proc.channel?.unref();
    return child;
  }

  /** Lets the process finish and exit; one that does not within a few seconds is killed. */
  function retire(child: Child): Promise<void> {
    if (current === child) current = undefined;
    if (child.exited) return Promise.resolve();
    const exited = new Promise<void>((resolve) => {
      const kill = setTimeout(() => child.proc.kill('SIGKILL'), 5_000);
      child.proc.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      if (child.proc.connected) child.proc.disconnect();
      else child.proc.kill('SIGKILL');
    });
    retiring.add(exited);
    void exited.then(() => retiring.delete(exited));
    return exited;
  }

  async function readOnce(image: PageImage, boxes: BoxTuple[]): Promise<RegionReading[]> {
    current ??= start();
    const child = current;
    // The channel holds the event loop only while a page is being read.
    child.proc.channel?.ref();
    try {
      await child.ready;
      const id = nextId++;
      const readings = await new Promise<RegionReading[]>((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new ReaderFault(`The second reader took longer than ${settings.timeoutMs} ms.`));
          void retire(child);
        }, settings.timeoutMs);
        child.waiting.set(id, {
          resolve: (r) => {
            clearTimeout(timer);
            resolve(r);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
        const request: ProcessRequest = { id, png: image.png, boxes };
        child.proc.send(request);
      });
      child.pages++;
      stats.pagesRead++;
      // The page is answered at once; the next one starts a fresh process while this one exits.
      if (child.pages >= settings.pagesPerProcess || stats.lastRssMb > settings.maxRssMb) void retire(child);
      return readings;
    } finally {
      child.proc.channel?.unref();
    }
  }

  function armIdle(): void {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      if (current) void retire(current);
    }, settings.idleMs);
    idleTimer.unref();
  }

  return {
    readRegions(image: PageImage, boxes: readonly BBox[]): Promise<RegionReading[]> {
      if (closed) return Promise.reject(new Error('The second reader is closed.'));
      if (boxes.length === 0) return Promise.resolve([]);
      const tuples = boxes.map((b) => [b[0], b[1], b[2], b[3]] as BoxTuple);
      // One page at a time: the process reads serially anyway, and a queue keeps the memory check per page.
      const run = queue.then(async () => {
        clearTimeout(idleTimer);
        try {
          return await readOnce(image, tuples);
        } catch (error) {
          // A crash or a hang is the process's fault, not the page's: one more try on a fresh process.
          if (error instanceof ReaderFault && !closed) return await readOnce(image, tuples);
          throw error;
        } finally {
          armIdle();
        }
      });
      queue = run.catch(() => undefined);
      return run;
    },
    canSpell(text: string): boolean {
      alphabet ??= new Set(paddleAssets().classes);
      for (const ch of text) if (!alphabet.has(ch) && ch.trim() !== '') return false;
      return true;
    },
    stats: () => ({ ...stats, processId: current?.proc.pid }),
    async close() {
      closed = true;
      clearTimeout(idleTimer);
      await queue;
      if (current) void retire(current);
      await Promise.all(retiring);
    },
  };
}
