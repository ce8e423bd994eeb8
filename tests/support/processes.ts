// Real processes for resilience tests: `retaguarda worker` as a child, a private redis-server on a free port.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { ServiceConfig } from '../../src/config/env.ts';

const ROOT = join(import.meta.dirname, '../..');
export const CLI = join(ROOT, 'bin/retaguarda.js');

export const sample = (name: string) => new Uint8Array(readFileSync(join(ROOT, 'samples', name)));

/** The fields a sample is expected to read as (samples/<name>.expected.json). */
export function expectedFields(name: string): Record<string, string> {
  const base = name.replace(/\.[a-z]+$/, '');
  return JSON.parse(readFileSync(join(ROOT, 'samples', `${base}.expected.json`), 'utf8')).fields;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The environment a child process needs to join the service a test started (same database, Redis, prefix, blobs). */
export function envOf(config: ServiceConfig, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'test',
    REDIS_URL: config.REDIS_URL,
    QUEUE_PREFIX: config.QUEUE_PREFIX,
    DATA_DIR: config.dataDir,
    LOG_LEVEL: 'warn',
    START_REDIS: 'false',
    OCR_LANGUAGES: config.OCR_LANGUAGES,
    MAX_UPLOAD_BYTES: String(config.MAX_UPLOAD_BYTES),
    RECOVERY_GRACE_SECONDS: String(config.RECOVERY_GRACE_SECONDS),
    RECOVERY_INTERVAL_SECONDS: String(config.RECOVERY_INTERVAL_SECONDS),
    ...extra,
  };
  if (config.DATABASE_URL) env.DATABASE_URL = config.DATABASE_URL;
  return env;
}

export interface ChildWorker {
  child: ChildProcess;
  /** What it wrote to stdout and stderr so far, for failure messages. */
  output(): string;
  /** Resolves with the exit code or signal. */
  exited: Promise<number | NodeJS.Signals | null>;
}

export function spawnWorker(env: NodeJS.ProcessEnv): ChildWorker {
  const child = spawn(process.execPath, [CLI, 'worker'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (b: Buffer) => {
    out += b.toString();
  });
  child.stderr?.on('data', (b: Buffer) => {
    out += b.toString();
  });
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? code)),
  );
  return { child, output: () => out.slice(-4000), exited };
}

/** Kills a child that is still running (SIGKILL) and waits for it to be gone. */
export async function killWorker(w: ChildWorker | undefined): Promise<void> {
  if (!w) return;
  if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  await w.exited;
}

export interface PrivateRedis {
  url: string;
  client(): Redis;
  stop(): Promise<void>;
}

/** A redis-server of the test's own (no persistence), so FLUSHALL harms nobody else. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'rtg-redis-'));
  const child = spawn(
    'redis-server',
    ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on('error', () => {});
    try {
      await r.connect();
      if ((await r.ping()) === 'PONG') break;
    } catch {
      if (i > 50 || child.exitCode !== null) {
        child.kill('SIGKILL');
        throw new Error(`redis-server on port ${port} did not start`);
      }
      await new Promise((res) => setTimeout(res, 100));
    } finally {
      r.disconnect();
    }
  }
  return {
    url,
    client: () => new Redis(url),
    async stop() {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
