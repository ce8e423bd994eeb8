// The reading processes: every document is read, and every page image drawn, in a child process with a budget
// of time (a number of seconds per page) and memory. A document over its budget ends with its process, which is
// replaced; the document fails with `processing_limit` and a sentence naming the limit. Processes are also
// recycled after a number of documents or when their memory stays high, so one heavy document leaves no lasting
// footprint. The service's workers and `retaguarda process` both read through here.
import { type ChildProcess, fork } from 'node:child_process';
import { readFile } from 'node:fs/promises';
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

export type { ReadTask, ReadTaskResult, RenderTask, RenderTaskResult };

export interface ReadingBudget {
  /** Wall-clock seconds a document may take per page (a document whose pages are not yet known has one). */
  secondsPerPage: number;
  /** Resident memory a reading process may reach, in MB. */
  memoryMb: number;
  /** A reading process is replaced after this many documents (0: never on count). */
  recycleAfterDocuments: number;
  /** A reading process whose resident memory is above this after a document is replaced (0: never on memory). */
  recycleAboveMb: number;
}

export const DEFAULT_BUDGET: ReadingBudget = {
  secondsPerPage: 60,
  memoryMb: 1024,
  recycleAfterDocuments: 200,
  recycleAboveMb: 800,
};

/** How one task went, for metrics, logs and benchmarks. */
export interface TaskReport {
  kind: 'read' | 'render';
  file: string;
  ms: number;
  /** Highest resident memory of the process seen while the task ran, in MB. */
  peakRssMb: number;
  /** The process was ended over this limit. */
  overBudget?: 'time' | 'memory';
}

export interface ReadingPool {
  read(task: Omit<ReadTask, 'kind'>): Promise<ReadTaskResult>;
  render(task: Omit<RenderTask, 'kind'>): Promise<RenderTaskResult>;
  /** Resident memory of the live reading processes, in MB (0 when none runs). */
  rssMb(): Promise<number>;
  /** The process ids of the live reading processes (page images first, then the spares, then those reading). */
  pids(): number[];
  close(): Promise<void>;
}

export interface ReadingPoolOptions extends ReaderProcessOptions {
  /** Documents read at once, each in a process of its own. */
  concurrency: number;
  /** false: no reading process until a document is read (the API role). */
  keepReader?: boolean;
  /**
   * Warm reading processes kept waiting beside the working ones (only with `keepReader`): one takes the place of a
   * process that ends, so the documents behind it do not wait seconds for a new one to start. Default 0.
   */
  spares?: number;
  budget?: Partial<ReadingBudget>;
  onReport?: (report: TaskReport) => void;
}

/**
 * Reading processes (`concurrency` of them, kept warm unless `keepReader` is false) and one page-image process,
 * started when a page is asked for and ended after a minute idle, so that a reviewer never waits behind a reading.
 */
export function createReadingPool(options: ReadingPoolOptions): ReadingPool {
  const budget = { ...DEFAULT_BUDGET, ...options.budget };
  const concurrency = Math.max(1, options.concurrency);
  const childOptions: ReaderProcessOptions = {
    languages: options.languages,
    // The cores' OCR threads are shared out among the processes.
    ocrPoolSize: Math.max(1, Math.ceil(options.ocrPoolSize / concurrency)),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.secondLook === false ? { secondLook: false } : {}),
  };
  const readers = new ProcessGroup(concurrency, childOptions, budget, {
    warm: options.keepReader !== false,
    spares: options.keepReader === false ? 0 : Math.max(0, options.spares ?? 0),
    idleMs: Number.POSITIVE_INFINITY,
    onReport: options.onReport,
  });
  const renderers = new ProcessGroup(1, childOptions, budget, {
    warm: false,
    spares: 0,
    idleMs: 60_000,
    onReport: options.onReport,
  });
  return {
    read: (task) => readers.run({ kind: 'read', ...task }) as Promise<ReadTaskResult>,
    render: (task) => renderers.run({ kind: 'render', ...task }) as Promise<RenderTaskResult>,
    async rssMb() {
      return (await readers.rssMb()) + (await renderers.rssMb());
    },
    pids: () => [...renderers.pids(), ...readers.pids()],
    async close() {
      await Promise.all([readers.close(), renderers.close()]);
    },
  };
}

interface Pending {
  id: number;
  task: ReadTask | RenderTask;
  resolve: (r: ReadTaskResult | RenderTaskResult) => void;
  reject: (e: Error) => void;
  /** Its process already died under it once. */
  again?: boolean;
}

const MEMORY_POLL_MS = 100;
/** Starting and warming up takes 3–4 s, 15–45 s on a machine loaded many times over. */
const START_TIMEOUT_MS = 120_000;

/** Resident memory of a process, in MB, from /proc (Linux); undefined where it cannot be read. */
async function rssOf(pid: number | undefined): Promise<number | undefined> {
  if (!pid) return undefined;
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => undefined);
  const kb = status && /VmRSS:\s+(\d+)/.exec(status)?.[1];
  return kb ? Math.round(Number(kb) / 1024) : undefined;
}

/** The sentence a document over its budget ends with. */
function overBudgetMessage(limit: 'time' | 'memory', budget: ReadingBudget, pages: number): string {
  return limit === 'time'
    ? `Reading the document took longer than its time limit (${Math.round(budget.secondsPerPage * pages)} s for ${pages} ${pages === 1 ? 'page' : 'pages'}, ${budget.secondsPerPage} s a page) and was stopped.`
    : `Reading the document needed more memory than its limit (${budget.memoryMb} MB) and was stopped.`;
}

function failureOf(task: ReadTask | RenderTask, message: string): ReadTaskResult | RenderTaskResult {
  return task.kind === 'read'
    ? { result: { id: task.id ?? '', file: task.file, error: { code: 'processing_limit', message } } }
    : { code: 'processing_limit', error: message };
}

/** One child process and the task it runs. */
class Reader {
  readonly child: ChildProcess;
  readonly ready: Promise<boolean>;
  wasReady = false;
  task: (Pending & { started: number; pages: number; peakMb: number }) | undefined;
  documents = 0;
  retired = false;
  private timer: NodeJS.Timeout | undefined;
  private poll: NodeJS.Timeout | undefined;
  private idle: NodeJS.Timeout | undefined;
  private stderrTail = '';

  constructor(
    private readonly group: ProcessGroup,
    options: ReaderProcessOptions,
    private readonly budget: ReadingBudget,
  ) {
    // Compiled (dist/), the process runs the compiled module beside this one. From the sources (tests, scripts)
    // it runs the .ts file through tsx, as the parent does.
    const compiled = import.meta.url.endsWith('.js');
    const file = new URL(compiled ? './reading-process.js' : './reading-process.ts', import.meta.url);
    const loader =
      compiled || process.execArgv.some((a) => a.includes('tsx')) ? process.execArgv : ['--import', 'tsx'];
    this.child = fork(file, [], {
      execArgv: [
        ...loader.filter((a) => !a.startsWith('--max-old-space-size')),
        `--max-old-space-size=${budget.memoryMb}`,
      ],
      env: { ...process.env, [OPTIONS_VARIABLE]: JSON.stringify(options) },
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    // Kept to tell a heap exhaustion from another crash; passed on to this process's stderr.
    this.child.stderr?.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-4096);
    });
    this.ready = new Promise((resolve) => {
      const onReady = (m: ProcessMessage) => {
        if (!('ready' in m)) return;
        this.wasReady = true;
        this.child.off('message', onReady);
        resolve(true);
      };
      this.child.on('message', onReady);
      this.child.once('exit', () => resolve(false));
    });
    this.child.on('message', (m: ProcessMessage) => this.onMessage(m));
    this.child.on('exit', (code, signal) => this.onExit(code, signal));
    this.child.on('error', () => {});
  }

  start(pending: Pending): void {
    clearTimeout(this.idle);
    this.task = { ...pending, started: performance.now(), pages: 1, peakMb: 0 };
    this.armTimer();
    const watch = async () => {
      const mb = await rssOf(this.child.pid);
      if (!this.task || this.task.id !== pending.id) return;
      if (mb !== undefined) {
        this.task.peakMb = Math.max(this.task.peakMb, mb);
        if (mb > this.budget.memoryMb) return this.stop('memory');
      }
      this.poll = setTimeout(watch, MEMORY_POLL_MS);
    };
    this.poll = setTimeout(watch, MEMORY_POLL_MS);
    // A process that died meanwhile fails the send; its exit handler answers for the task.
    this.child.send({ id: pending.id, task: pending.task } satisfies PoolRequest, () => {});
  }

  idleFor(ms: number, then: () => void): void {
    if (Number.isFinite(ms)) this.idle = setTimeout(then, ms).unref();
  }

  private armTimer(): void {
    clearTimeout(this.timer);
    const task = this.task;
    if (!task) return;
    const allowed = this.budget.secondsPerPage * 1000 * task.pages - (performance.now() - task.started);
    this.timer = setTimeout(() => this.stop('time'), Math.max(0, allowed));
  }

  /** The task, taken from this process without an answer: its timers stopped. */
  private release(): Reader['task'] {
    const task = this.task;
    this.task = undefined;
    clearTimeout(this.timer);
    clearTimeout(this.poll);
    return task;
  }

  private finish(result: ReadTaskResult | RenderTaskResult | Error, overBudget?: 'time' | 'memory'): void {
    const task = this.release();
    if (!task) return;
    this.group.report({
      kind: task.task.kind,
      file: task.task.kind === 'read' ? task.task.file : `${task.task.path}#${task.task.page}`,
      ms: Math.round(performance.now() - task.started),
      peakRssMb: task.peakMb,
      ...(overBudget ? { overBudget } : {}),
    });
    if (result instanceof Error) task.reject(result);
    else task.resolve(result);
  }

  /** Over budget: the process ends at once, and the task with a failure that names the limit. */
  private stop(limit: 'time' | 'memory'): void {
    const task = this.task;
    if (!task) return;
    this.retired = true;
    this.child.kill('SIGKILL');
    this.finish(failureOf(task.task, overBudgetMessage(limit, this.budget, task.pages)), limit);
    this.group.replace(this);
  }

  private onMessage(m: ProcessMessage): void {
    if ('ready' in m || !this.task || m.id !== this.task.id) return;
    if ('pages' in m) {
      this.task.pages = Math.max(1, m.pages);
      this.armTimer();
      return;
    }
    this.task.peakMb = Math.max(this.task.peakMb, m.rssMb);
    this.documents++;
    this.finish('fault' in m ? new Error(m.fault) : m.result);
    const recycle =
      (this.budget.recycleAfterDocuments > 0 && this.documents >= this.budget.recycleAfterDocuments) ||
      (this.budget.recycleAboveMb > 0 && m.rssMb > this.budget.recycleAboveMb);
    if (recycle) this.retire();
    this.group.replace(this, !recycle);
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    clearTimeout(this.idle);
    this.retired = true;
    const task = this.task;
    if (task) {
      // V8's heap limit is set to the memory budget: running out of it is the document's doing.
      if (/heap limit|heap out of memory/i.test(this.stderrTail)) {
        this.finish(failureOf(task.task, overBudgetMessage('memory', this.budget, task.pages)), 'memory');
      } else if (!task.again) {
        // Killed from outside or crashed: read once more, first in line, in another process, rather than waiting
        // out the queue's backoff. A second death under the same document is the document's.
        this.release();
        this.group.retry({
          id: task.id,
          task: task.task,
          resolve: task.resolve,
          reject: task.reject,
          again: true,
        });
      } else {
        this.finish(new Error(`The reading process ended unexpectedly (${signal ?? `exit code ${code}`}).`));
      }
    }
    this.group.replace(this);
  }

  /** Ends the process once it is idle: it closes its OCR engines and exits; killed if it lingers. */
  retire(): void {
    if (this.retired) return;
    this.retired = true;
    clearTimeout(this.idle);
    if (this.child.connected) this.child.disconnect();
    setTimeout(() => this.child.kill('SIGKILL'), 5000).unref();
  }

  kill(): void {
    this.retired = true;
    this.child.kill('SIGKILL');
  }
}

/** A fixed number of reading processes taking tasks from one queue, one task per process at a time. */
class ProcessGroup {
  private readonly slots: (Reader | undefined)[];
  /** Warm processes waiting to take a slot whose process ended. */
  private readonly spares: Reader[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;

  constructor(
    size: number,
    private readonly options: ReaderProcessOptions,
    private readonly budget: ReadingBudget,
    private readonly settings: {
      warm: boolean;
      idleMs: number;
      spares: number;
      onReport?: (r: TaskReport) => void;
    },
  ) {
    this.slots = new Array(size).fill(undefined);
    if (settings.warm) for (let i = 0; i < size; i++) this.spawn(i);
    for (let i = 0; i < settings.spares; i++) this.spawnSpare();
  }

  /** A task whose process died under it, first in line again. */
  retry(pending: Pending): void {
    if (this.closed) {
      pending.reject(new Error('The reading pool is closed.'));
      return;
    }
    this.queue.unshift(pending);
    this.pump();
  }

  run(task: ReadTask | RenderTask): Promise<ReadTaskResult | RenderTaskResult> {
    if (this.closed) return Promise.reject(new Error('The reading pool is closed.'));
    return new Promise((resolve, reject) => {
      const pending = { id: this.nextId++, task, resolve, reject };
      if (task.kind === 'render' && task.urgent) this.queue.unshift(pending);
      else this.queue.push(pending);
      this.pump();
    });
  }

  report(r: TaskReport): void {
    try {
      this.settings.onReport?.(r);
    } catch {
      // A listener's fault is not the reading's.
    }
  }

  /** A process ended, was retired, or finished a task: fill its slot again and hand out work. */
  replace(reader: Reader, keep = !reader.retired): void {
    const spare = this.spares.indexOf(reader);
    if (spare >= 0) {
      // A spare that ended while waiting (killed, or never started): another, not in a tight loop.
      this.spares.splice(spare, 1);
      if (!this.closed)
        setTimeout(() => this.closed || this.spawnSpare(), reader.wasReady ? 0 : 1000).unref();
      return;
    }
    const i = this.slots.indexOf(reader);
    if (i < 0) return;
    if (!keep) {
      this.slots[i] = undefined;
      if (this.closed || !(this.settings.warm || this.queue.length)) {
        this.pump();
        return;
      }
      // A spare takes the slot at once (the readiest first); a new spare starts in its place.
      const next = this.spares.find((s) => s.wasReady) ?? this.spares[0];
      if (next) {
        this.spares.splice(this.spares.indexOf(next), 1);
        this.slots[i] = next;
        this.spawnSpare();
        next.ready.then((ok) => {
          if (ok) this.pump();
        });
        this.pump();
        return;
      }
      // A process that could not even start is not restarted in a tight loop.
      if (reader.wasReady) this.spawn(i);
      else
        setTimeout(() => {
          if (!this.closed && !this.slots[i]) this.spawn(i);
        }, 1000).unref();
    } else {
      reader.idleFor(this.settings.idleMs, () => {
        if (!reader.task) reader.retire();
      });
    }
    this.pump();
  }

  private spawn(i: number): void {
    const reader = this.start();
    this.slots[i] = reader;
    reader.ready.then((ok) => {
      if (ok) this.pump();
    });
  }

  /** A new spare starts once the working processes are ready: after every process died, they start first. */
  private spawnSpare(): void {
    Promise.all(this.slots.map((r) => r?.ready)).then(() => {
      if (!this.closed && this.spares.length < this.settings.spares) this.spares.push(this.start());
    });
  }

  private start(): Reader {
    const reader = new Reader(this, this.options, this.budget);
    // A process that never says it is ready would hold its slot, and the documents queued for it, forever.
    setTimeout(() => {
      if (!reader.wasReady) reader.kill();
    }, START_TIMEOUT_MS).unref();
    return reader;
  }

  private pump(): void {
    if (this.closed) return;
    for (const [i, reader] of this.slots.entries()) {
      if (!this.queue.length) return;
      if (!reader) this.spawn(i);
      else if (!reader.retired && !reader.task) {
        reader.ready.then((ok) => {
          if (!ok || reader.task || reader.retired || !this.queue.length) return;
          reader.start(this.queue.shift()!);
        });
      }
    }
  }

  pids(): number[] {
    return [...this.spares, ...this.slots].flatMap((r) => (r?.child.pid && !r.retired ? [r.child.pid] : []));
  }

  async rssMb(): Promise<number> {
    const sizes = await Promise.all([...this.spares, ...this.slots].map((r) => rssOf(r?.child.pid)));
    return sizes.reduce<number>((a, b) => a + (b ?? 0), 0);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new Error('The reading pool is closed.'));
    const exits = [...this.spares.splice(0), ...this.slots].map(
      (r) =>
        r &&
        new Promise<void>((resolve) => {
          if (r.child.exitCode !== null || r.child.signalCode !== null) return resolve();
          r.child.once('exit', () => resolve());
          if (r.task) r.kill();
          else r.retire();
        }),
    );
    await Promise.all(exits);
  }
}
