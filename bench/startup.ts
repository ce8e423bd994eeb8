// Start-up time and peak memory of each role, run from the compiled build (dist/) and from the sources through
// tsx (the way every process ran before there was a build), side by side.
//
//   npm run bench:startup                          # 3 runs of each, both ways
//   npm run bench:startup -- --runs 5 --modes compiled
//
// Start-up: from spawn until `serve` and `api` answer /healthz, until `worker` logs "workers started"; for
// `process`, the whole run on samples/invoice-en-digital.pdf. Both as wall time and as the CPU time the process
// used meanwhile (all its threads), which a busy, shared machine distorts much less. Memory: the process's peak resident set (VmHWM,
// which counts its threads) once start-up has settled, then after it read samples/invoice-en-scan.pdf (for
// `process`: the peak of a whole run on that scan; for `api`: the scan went through it to a worker, which read it).
// Medians of the runs. Linux only (/proc).
//
// Needs Redis at TEST_REDIS_URL (default 127.0.0.1:6379) and PostgreSQL at TEST_POSTGRES_URL (default
// postgres://postgres@127.0.0.1:5432/test) for `api` and `worker`; `serve` uses the embedded PGlite, as
// `npm start` does. Every run gets a database, a queue prefix and a data folder of its own, removed at the end.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { redisAnswers } from '../queues/connection.ts';
import { freePort } from '../tests/support/processes.ts';
import { dropQueuePrefix, freshPostgres, REDIS_URL } from '../tests/support/service.ts';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    modes: { type: 'string', default: 'tsx,compiled' },
  },
});
const RUNS = Number(args.runs);
const MODES = args.modes.split(',') as Mode[];
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const DIGITAL = join(ROOT, 'samples', 'invoice-en-digital.pdf');
const SCAN = join(ROOT, 'samples', 'invoice-en-scan.pdf');
const FINAL = ['auto_approved', 'needs_review', 'approved', 'rejected', 'failed'];

type Mode = 'tsx' | 'compiled';
type Role = 'serve' | 'api' | 'worker' | 'process';
interface Figures {
  startMs: number;
  startCpuS: number;
  rssStartKb: number;
  rssScanKb: number;
}

const out = (line = '') => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

// ---------------------------------------------------------------------------------------------------
// How each mode starts the command line.

const tmp = mkdtempSync(join(tmpdir(), 'rtg-startup-'));
/** What bin/retaguarda.js did before the build: tsx's loader registered, then the TypeScript entry point. */
const TSX_ENTRY = join(tmp, 'tsx-entry.mjs');
writeFileSync(
  TSX_ENTRY,
  `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))};\n` +
    `register();\n` +
    `await import(${JSON.stringify(new URL('../src/cli/main.ts', import.meta.url).href)});\n`,
);
const entryOf = (mode: Mode) => (mode === 'tsx' ? TSX_ENTRY : join(ROOT, 'bin', 'retaguarda.js'));

/** The environment of this process without the service's own variables, plus `extra`. */
function envWith(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  const own =
    /^(PORT|HOST|DATABASE_URL|REDIS_URL|DATA_DIR|QUEUE_PREFIX|RULES_FILE|VENDORS_FILE|POS_FILE|START_REDIS|LOG_LEVEL)$/;
  for (const [k, v] of Object.entries(process.env)) if (!own.test(k)) env[k] = v;
  return { ...env, ...extra };
}

// ---------------------------------------------------------------------------------------------------
// A child and its memory.

interface Child {
  process: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** The highest VmHWM seen so far, in kB (polled, so it also covers a process that has exited). */
  peakKb(): number;
  /** CPU seconds (user + system, all threads) used so far, or last seen before it exited. */
  cpuS(): number;
  exited: Promise<number | null>;
}

function vmHwmKb(pid: number | undefined): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function cpuSecondsOf(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

function start(mode: Mode, cliArgs: string[], env: Record<string, string>): Child {
  const child = spawn(process.execPath, [entryOf(mode), ...cliArgs], {
    cwd: ROOT,
    env: envWith(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr!.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  let peak = 0;
  let cpu = 0;
  const poll = setInterval(() => {
    peak = Math.max(peak, vmHwmKb(child.pid));
    cpu = Math.max(cpu, cpuSecondsOf(child.pid));
  }, 20);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      clearInterval(poll);
      resolve(code);
    }),
  );
  return {
    process: child,
    stdout: () => stdout,
    stderr: () => stderr,
    peakKb: () => Math.max(peak, vmHwmKb(child.pid)),
    cpuS: () => Math.max(cpu, cpuSecondsOf(child.pid)),
    exited,
  };
}

async function waitFor(what: string, child: Child, ready: () => Promise<boolean> | boolean): Promise<void> {
  const until = Date.now() + 120_000;
  while (!(await ready())) {
    if (child.process.exitCode !== null) throw new Error(`${what} exited: ${child.stderr().slice(-2000)}`);
    if (Date.now() > until) throw new Error(`${what} was not ready in 120 s: ${child.stderr().slice(-2000)}`);
    await sleep(20);
  }
}

const answers = (url: string) =>
  fetch(`${url}/healthz`).then(
    (r) => r.ok,
    () => false,
  );

/** Waits until the peak has not grown for a second (threads started after "ready" included), at most 15 s. */
async function settledPeakKb(child: Child): Promise<number> {
  let last = child.peakKb();
  let still = 0;
  for (let waited = 0; still < 1_000 && waited < 15_000; waited += 100) {
    await sleep(100);
    const now = child.peakKb();
    still = now === last ? still + 100 : 0;
    last = now;
  }
  return last;
}

async function stop(child: Child): Promise<void> {
  if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGTERM');
  const timer = setTimeout(() => child.process.kill('SIGKILL'), 30_000);
  await child.exited;
  clearTimeout(timer);
}

/** Uploads the scanned sample with the admin key the service printed on its first start, and waits for the result. */
async function readScan(url: string, printedBy: Child): Promise<void> {
  const key = /rtg_admin_[\w-]+/.exec(printedBy.stderr())?.[0];
  if (!key) throw new Error(`no admin key was printed: ${printedBy.stderr().slice(-2000)}`);
  const headers = { authorization: `Bearer ${key}` };
  const form = new FormData();
  form.append('file', new Blob([readFileSync(SCAN)], { type: 'application/pdf' }), 'invoice-en-scan.pdf');
  const res = await fetch(`${url}/v1/documents`, { method: 'POST', headers, body: form });
  if (res.status !== 202) throw new Error(`upload: HTTP ${res.status} ${await res.text()}`);
  const { documents } = (await res.json()) as { documents: { id: string }[] };
  const until = Date.now() + 300_000;
  for (;;) {
    const doc = (await (await fetch(`${url}/v1/documents/${documents[0]!.id}`, { headers })).json()) as {
      status: string;
    };
    if (FINAL.includes(doc.status)) return;
    if (Date.now() > until) throw new Error(`the scan was still ${doc.status} after 300 s`);
    await sleep(100);
  }
}

// ---------------------------------------------------------------------------------------------------
// One run of each role.

async function serve(mode: Mode): Promise<Figures> {
  const dataDir = mkdtempSync(join(tmp, 'serve-'));
  const prefix = `rtgstartup${randomBytes(4).toString('hex')}`;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = {
    PORT: String(port),
    DATA_DIR: dataDir,
    REDIS_URL,
    START_REDIS: 'false',
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'warn',
  };
  const t = performance.now();
  const child = start(mode, ['serve'], env);
  try {
    await waitFor('serve', child, () => answers(url));
    const startMs = performance.now() - t;
    const startCpuS = child.cpuS();
    const rssStartKb = await settledPeakKb(child);
    await readScan(url, child);
    return { startMs, startCpuS, rssStartKb, rssScanKb: child.peakKb() };
  } finally {
    await stop(child);
    await dropQueuePrefix(prefix);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function apiAndWorker(mode: Mode): Promise<{ api: Figures; worker: Figures }> {
  const database = await freshPostgres();
  const dataDir = mkdtempSync(join(tmp, 'split-'));
  const prefix = `rtgstartup${randomBytes(4).toString('hex')}`;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = {
    PORT: String(port),
    DATA_DIR: dataDir,
    DATABASE_URL: database.url,
    REDIS_URL,
    START_REDIS: 'false',
    QUEUE_PREFIX: prefix,
  };
  const children: Child[] = [];
  try {
    let t = performance.now();
    const api = start(mode, ['api'], { ...env, LOG_LEVEL: 'warn' });
    children.push(api);
    await waitFor('api', api, () => answers(url));
    const apiStartMs = performance.now() - t;
    const apiStartCpuS = api.cpuS();
    const apiRssStartKb = await settledPeakKb(api);
    // The worker after the API: the database is migrated by then, as in a deployment that is already running.
    t = performance.now();
    const worker = start(mode, ['worker'], { ...env, LOG_LEVEL: 'info' });
    children.push(worker);
    await waitFor('worker', worker, () => worker.stdout().includes('"msg":"workers started"'));
    const workerStartMs = performance.now() - t;
    const workerStartCpuS = worker.cpuS();
    const workerRssStartKb = await settledPeakKb(worker);
    await readScan(url, api);
    return {
      api: {
        startMs: apiStartMs,
        startCpuS: apiStartCpuS,
        rssStartKb: apiRssStartKb,
        rssScanKb: api.peakKb(),
      },
      worker: {
        startMs: workerStartMs,
        startCpuS: workerStartCpuS,
        rssStartKb: workerRssStartKb,
        rssScanKb: worker.peakKb(),
      },
    };
  } finally {
    for (const c of children.reverse()) await stop(c);
    await dropQueuePrefix(prefix);
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function processFiles(mode: Mode): Promise<Figures> {
  const run = async (file: string) => {
    const t = performance.now();
    const child = start(mode, ['process', '--json', '--no-progress', file], {});
    const code = await child.exited;
    if (code !== 0) throw new Error(`process ${file} exited ${code}: ${child.stderr().slice(-2000)}`);
    return { ms: performance.now() - t, cpuS: child.cpuS(), peakKb: child.peakKb() };
  };
  const digital = await run(DIGITAL);
  const scan = await run(SCAN);
  return { startMs: digital.ms, startCpuS: digital.cpuS, rssStartKb: digital.peakKb, rssScanKb: scan.peakKb };
}

// ---------------------------------------------------------------------------------------------------

if (MODES.includes('compiled')) {
  const { distState } = (await import(new URL('../bin/dist-state.js', import.meta.url).href)) as {
    distState(): string;
  };
  if (distState() !== 'fresh') {
    process.stderr.write(
      'bench:startup: dist/ is missing or older than the sources: run `npm run build` first.\n',
    );
    process.exit(2);
  }
}
if (!(await redisAnswers(REDIS_URL))) {
  process.stderr.write(`bench:startup: no Redis answers at ${REDIS_URL} (set TEST_REDIS_URL).\n`);
  process.exit(2);
}

const ROLES: Role[] = ['serve', 'api', 'worker', 'process'];
const figures = new Map<string, Figures[]>();
const add = (role: Role, mode: Mode, f: Figures) => {
  const k = `${role} ${mode}`;
  figures.set(k, [...(figures.get(k) ?? []), f]);
};
try {
  // Runs interleave the modes, so a load that comes and goes on a shared machine touches both alike.
  for (let i = 1; i <= RUNS; i++) {
    for (const mode of MODES) {
      process.stderr.write(`run ${i}/${RUNS}, ${mode}: serve`);
      add('serve', mode, await serve(mode));
      process.stderr.write(', api + worker');
      const split = await apiAndWorker(mode);
      add('api', mode, split.api);
      add('worker', mode, split.worker);
      process.stderr.write(', process\n');
      add('process', mode, await processFiles(mode));
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

const mb = (kb: number) => (kb / 1024).toFixed(0);
out();
out(
  `Medians of ${RUNS} run(s); Node ${process.version}; load average at the end ${loadavg()[0]!.toFixed(2)}.`,
);
out(
  'Start: spawn to /healthz (serve, api), to "workers started" (worker), to exit on the digital sample (process).',
);
out('Peak RSS (VmHWM, threads included): once start-up settled (process: the digital run) | after the scan.');
out();
out(
  '| role    | mode     | start (s) | start, CPU (s) | peak RSS after start (MB) | peak RSS after a scan (MB) |',
);
out(
  '|---------|----------|----------:|---------------:|--------------------------:|---------------------------:|',
);
for (const role of ROLES) {
  for (const mode of MODES) {
    const fs = figures.get(`${role} ${mode}`) ?? [];
    if (!fs.length) continue;
    const start = (median(fs.map((f) => f.startMs)) / 1000).toFixed(2);
    const cpu = median(fs.map((f) => f.startCpuS)).toFixed(2);
    const rssStart = mb(median(fs.map((f) => f.rssStartKb)));
    const rssScan = mb(median(fs.map((f) => f.rssScanKb)));
    out(
      `| ${role.padEnd(7)} | ${mode.padEnd(8)} | ${start.padStart(9)} | ${cpu.padStart(14)} | ${rssStart.padStart(25)} | ${rssScan.padStart(26)} |`,
    );
  }
}
