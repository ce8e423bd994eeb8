// The tesseract.js worker pool: jobs dispatched by language, a time limit per job, and close() failing what is left.
import { mkdirSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createWorker, OEM, type Page as TesseractPage, type Worker } from 'tesseract.js';
import { DocumentError } from '../../pipeline/errors.ts';

/** Per-job tesseract options: a region of the image, and parameters tesseract.js restores after the job. */
export interface RecognizeOptions {
  rectangle?: { left: number; top: number; width: number; height: number };
  tessedit_pageseg_mode?: string;
}

export type Recognize = (image: Buffer, options?: RecognizeOptions) => Promise<TesseractPage>;

/** A recognition job running longer than this is failed rather than left to hold its caller, and its worker
 * replaced. Time waiting in the queue does not count: a long document queues many jobs at once. */
const JOB_TIMEOUT_MS = 180_000;
/** A job waiting longer than this goes to the next free worker, before any job in that worker's languages. */
const MAX_WAIT_MS = 5_000;
/** How far down the queue a free worker looks for a job in the languages it is set up for. */
const LOOKAHEAD = 4;

/** tesseract parameters every worker runs with, set again after each change of languages. */
const WORKER_PARAMETERS = { preserve_interword_spaces: '0', user_defined_dpi: '300' };

interface PoolWorker {
  worker: Worker;
  /** The languages the worker is initialised with, joined by '+'; '' when unknown (a change failed). */
  langs: string;
  /** The job it is running. */
  job: PoolJob | undefined;
}

interface PoolJob {
  langs: string;
  image: Buffer;
  options: RecognizeOptions;
  queuedAt: number;
  done: boolean;
  timer: NodeJS.Timeout | undefined;
  resolve: (page: TesseractPage) => void;
  reject: (error: unknown) => void;
}

/**
 * tesseract.js workers, each holding every language's data and initialised with the languages of the job it last
 * ran. A free worker takes a job in its languages from near the head of the queue, or else the oldest job, and
 * switches to that job's languages first (about 0.1 to 0.25 s, against seconds for a page); a job that has waited
 * long goes first whatever its languages. A worker whose job runs out of time is replaced.
 */
export class WorkerPool {
  private readonly workers: PoolWorker[] = [];
  private readonly queue: PoolJob[] = [];
  private ready: Promise<void> | undefined;
  private closed = false;
  // Linked on the first start, not again for each worker.
  private langPath: string | undefined;

  constructor(
    private readonly languages: readonly string[],
    private readonly size: number,
  ) {}

  /** Recognition in `langs` (the first tried first), as a function of an image and per-job options. */
  recognizer(langs: readonly string[]): Recognize {
    const key = langs.join('+');
    return (image, options = {}) =>
      new Promise<TesseractPage>((resolve, reject) => {
        const job: PoolJob = {
          langs: key,
          image,
          options,
          queuedAt: performance.now(),
          done: false,
          timer: undefined,
          resolve,
          reject,
        };
        if (this.closed) return reject(new DocumentError('ocr_failed', 'The OCR engine has been closed.'));
        this.queue.push(job);
        this.start().then(
          () => this.dispatch(),
          (error) => this.settle(job, { error }),
        );
      });
  }

  async close(): Promise<void> {
    this.closed = true;
    const closedError = () => new DocumentError('ocr_failed', 'The OCR engine has been closed.');
    for (const job of [...this.queue]) this.settle(job, { error: closedError() });
    // terminate() does not settle what a worker was running: its callers are told here.
    for (const pw of this.workers) if (pw.job) this.settle(pw.job, { error: closedError() });
    if (this.ready) {
      await this.ready.catch(() => {});
      await Promise.all(this.workers.map((pw) => pw.worker.terminate().catch(() => {})));
    }
  }

  private async startOne(): Promise<PoolWorker> {
    this.langPath ??= localLangPath(this.languages);
    return startWorker(this.languages, this.langPath);
  }

  // Workers are started on first use so a process that never OCRs pays nothing.
  /** Starts the workers and loads their languages, once; every recognition waits for it. */
  start(): Promise<void> {
    this.ready ??= (async () => {
      this.workers.push(...(await Promise.all(Array.from({ length: this.size }, () => this.startOne()))));
    })();
    return this.ready;
  }

  private settle(job: PoolJob, outcome: { page: TesseractPage } | { error: unknown }): void {
    if (job.done) return;
    job.done = true;
    clearTimeout(job.timer);
    const at = this.queue.indexOf(job);
    if (at >= 0) this.queue.splice(at, 1);
    if ('page' in outcome) job.resolve(outcome.page);
    else job.reject(outcome.error);
  }

  private timedOut(job: PoolJob): void {
    this.settle(job, {
      error: new DocumentError('ocr_failed', `OCR did not finish within ${JOB_TIMEOUT_MS / 1000} s.`),
    });
    // tesseract cannot be interrupted: a worker stuck on the job is dropped and a fresh one started.
    const stuck = this.workers.find((pw) => pw.job === job);
    if (!stuck) return;
    this.workers.splice(this.workers.indexOf(stuck), 1);
    void stuck.worker.terminate().catch(() => {});
    this.startOne().then(
      (fresh) => {
        if (this.closed) return void fresh.worker.terminate().catch(() => {});
        this.workers.push(fresh);
        this.dispatch();
      },
      (error) => {
        // With no worker left, nothing queued would ever run.
        if (!this.workers.length) for (const waiting of [...this.queue]) this.settle(waiting, { error });
      },
    );
  }

  private async run(pw: PoolWorker, job: PoolJob): Promise<void> {
    pw.job = job;
    job.timer = setTimeout(() => this.timedOut(job), JOB_TIMEOUT_MS);
    try {
      if (pw.langs !== job.langs) {
        pw.langs = '';
        await pw.worker.reinitialize(job.langs, OEM.LSTM_ONLY);
        await pw.worker.setParameters(WORKER_PARAMETERS);
        pw.langs = job.langs;
      }
      const { data } = await pw.worker.recognize(job.image, job.options, { blocks: true, text: false });
      this.settle(job, { page: data });
    } catch (error) {
      this.settle(job, { error });
    } finally {
      pw.job = undefined;
      this.dispatch();
    }
  }

  private dispatch(): void {
    for (const pw of this.workers) {
      if (this.closed || !this.queue.length) return;
      if (pw.job) continue;
      const at = nextJobFor(pw, this.workers, this.queue);
      if (at === undefined) continue;
      const [job] = this.queue.splice(at, 1);
      if (job) void this.run(pw, job);
    }
  }
}

/** A worker holding every language's data, initialised with all of them. */
async function startWorker(languages: readonly string[], langPath: string): Promise<PoolWorker> {
  const worker = await createWorker([...languages], OEM.LSTM_ONLY, {
    langPath,
    cacheMethod: 'none',
    gzip: true,
    // Without a handler tesseract.js rethrows worker errors from a message callback, which no caller
    // can catch: the whole process would go down with one bad page.
    errorHandler: () => {},
  });
  await worker.setParameters(WORKER_PARAMETERS);
  return { worker, langs: languages.join('+'), job: undefined };
}

/**
 * Where in the queue the job is that a free worker takes next; undefined to leave the head to another free worker.
 * A job that has waited long goes first; otherwise one near the head in the worker's languages.
 */
function nextJobFor(
  pw: PoolWorker,
  workers: readonly PoolWorker[],
  queue: readonly PoolJob[],
): number | undefined {
  const oldest = queue[0] as PoolJob;
  if (performance.now() - oldest.queuedAt >= MAX_WAIT_MS) return 0;
  const window = queue.slice(0, LOOKAHEAD);
  const own = window.findIndex((job) => job.langs === pw.langs);
  // Failing that, a job no other free worker is already set up for.
  const free = workers.filter((o) => o !== pw && !o.job);
  const open = window.findIndex((job) => !free.some((o) => o.langs === job.langs));
  if (own >= 0) return own;
  if (open >= 0) return open;
  return undefined;
}

/**
 * tesseract.js reads `${langPath}/${lang}.traineddata.gz` from one folder, while each language ships in its own
 * npm package: link the installed LSTM (best_int) files into one folder so nothing is ever fetched.
 */
export function localLangPath(languages: readonly string[]): string {
  const require = createRequire(import.meta.url);
  const dir = path.join(tmpdir(), `retaguarda-tessdata-${process.getuid?.() ?? 'u'}`);
  mkdirSync(dir, { recursive: true });
  for (const lang of languages) {
    let pkg: string;
    try {
      pkg = path.dirname(require.resolve(`@tesseract.js-data/${lang}`));
    } catch (cause) {
      throw new DocumentError(
        'ocr_failed',
        `OCR language ${lang} is not installed (@tesseract.js-data/${lang}).`,
        {
          cause,
        },
      );
    }
    const target = path.join(pkg, '4.0.0_best_int', `${lang}.traineddata.gz`);
    const link = path.join(dir, `${lang}.traineddata.gz`);
    try {
      symlinkSync(target, link);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  return dir;
}
