// `retaguarda serve|api|keys` as an operator runs them: the real CLI as a child process, real Redis.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { redisAnswers } from '../../queues/connection.ts';
import { freePort } from '../support/processes.ts';
import { dropQueuePrefix, REDIS_URL } from '../support/service.ts';

const CLI = join(import.meta.dirname, '../../bin/retaguarda.js');

const dirs: string[] = [];
const children: ChildProcess[] = [];
const prefixes: string[] = [];
const redisPorts: number[] = [];

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'rtg-cli-'));
  dirs.push(d);
  return d;
}

/** The environment of this process without the service's own variables, plus `extra`. */
function envWith(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (
      !/^(PORT|HOST|DATABASE_URL|REDIS_URL|DATA_DIR|QUEUE_PREFIX|RULES_FILE|VENDORS_FILE|POS_FILE|START_REDIS|LOG_LEVEL)$/.test(
        k,
      )
    )
      env[k] = v;
  }
  return { ...env, ...extra };
}

/** Runs the CLI to its end. */
function run(args: string[], env: Record<string, string>, timeoutMs = 60_000) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile('node', [CLI, ...args], { env: envWith(env), timeout: timeoutMs }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

/** Starts `retaguarda serve` and waits until /healthz answers; stdout and stderr are collected. */
async function startServe(env: Record<string, string>) {
  const child = spawn('node', [CLI, 'serve'], { env: envWith(env), stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const out = { stdout: '', stderr: '' };
  child.stdout!.on('data', (c: Buffer) => {
    out.stdout += c.toString();
  });
  child.stderr!.on('data', (c: Buffer) => {
    out.stderr += c.toString();
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const url = `http://127.0.0.1:${env.PORT}`;
  const until = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`serve exited ${child.exitCode}: ${out.stderr}`);
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > until) throw new Error(`serve did not come up: ${out.stderr}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { child, out, url, exited };
}

/** The project's own probe (queues/connection.ts), on a port of this machine. */
const redisAnswersOn = (port: number) => redisAnswers(`redis://127.0.0.1:${port}`);

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
  }
});

afterAll(async () => {
  // A child Redis a failed test left behind.
  for (const port of redisPorts) {
    if (await redisAnswersOn(port)) {
      const r = new Redis({ port, host: '127.0.0.1' });
      await r.shutdown('NOSAVE').catch(() => {});
      r.disconnect();
    }
  }
  for (const p of prefixes) await dropQueuePrefix(p);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('retaguarda serve/api: bad configuration stops start-up with exit code 2', () => {
  it.concurrent('PORT=abc names PORT', async () => {
    const r = await run(['serve'], { PORT: 'abc', DATA_DIR: tempDir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('PORT="abc"');
  });

  it.concurrent('REDIS_URL=nope names REDIS_URL and the form it needs', async () => {
    const r = await run(['serve'], { REDIS_URL: 'nope', DATA_DIR: tempDir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/REDIS_URL="nope": must start with redis:\/\//);
  });

  it.concurrent('api without DATABASE_URL says it needs DATABASE_URL', async () => {
    const r = await run(['api'], { DATA_DIR: tempDir(), REDIS_URL });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/retaguarda api.*needs a shared PostgreSQL: set DATABASE_URL/);
  });

  it.concurrent('a closed Redis port with START_REDIS=false names REDIS_URL and how to install Redis', async () => {
    const port = await freePort();
    const r = await run(['serve'], {
      REDIS_URL: `redis://127.0.0.1:${port}`,
      START_REDIS: 'false',
      DATA_DIR: tempDir(),
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`No Redis answers at REDIS_URL=redis://127.0.0.1:${port}`);
    expect(r.stderr).toMatch(/apt-get install redis-server/);
  });

  it.concurrent('a bad RULES_FILE names the line and the key at fault', async () => {
    const dir = tempDir();
    const rules = join(dir, 'rules.yaml');
    writeFileSync(
      rules,
      ['version: 1', 'rules:', '  - code: total_mismatch', '    severity: fatal', ''].join('\n'),
    );
    const r = await run(['serve'], { RULES_FILE: rules, DATA_DIR: dir, REDIS_URL, START_REDIS: 'false' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${rules}:4:5: rules[0].severity:`);
  });
});

describe('retaguarda serve: a failed start leaves nothing running', () => {
  it('a bad RULES_FILE after a child Redis was started stops that Redis too', async () => {
    const dir = tempDir();
    const rules = join(dir, 'rules.yaml');
    writeFileSync(rules, ['rules:', '  - code: po_required', '    prams: { above: 100 }', ''].join('\n'));
    const redisPort = await freePort();
    redisPorts.push(redisPort);
    const r = await run(['serve'], {
      RULES_FILE: rules,
      DATA_DIR: dir,
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${rules}:3:5: rules[0].prams: unknown key`);
    const until = Date.now() + 10_000;
    while ((await redisAnswersOn(redisPort)) && Date.now() < until)
      await new Promise((res) => setTimeout(res, 200));
    expect(await redisAnswersOn(redisPort)).toBe(false);
  }, 60_000);
});

describe('retaguarda serve: a taken port, and a SIGTERM during start-up', () => {
  it('a taken port exits 2 naming PORT, and stops the child Redis and the lock file', async () => {
    const dir = tempDir();
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const { port } = blocker.address() as { port: number };
    const redisPort = await freePort();
    redisPorts.push(redisPort);
    try {
      const r = await run(['serve'], {
        PORT: String(port),
        DATA_DIR: dir,
        REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`cannot listen on 127.0.0.1:${port} (the port is taken): set PORT or HOST`);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
    const until = Date.now() + 10_000;
    while ((await redisAnswersOn(redisPort)) && Date.now() < until)
      await new Promise((res) => setTimeout(res, 200));
    expect(await redisAnswersOn(redisPort)).toBe(false);
    expect(existsSync(join(dir, 'db.pid'))).toBe(false);
  }, 60_000);

  it('a SIGTERM while serve is still starting ends it gracefully (exit 0), not half-way', async () => {
    const dir = tempDir();
    const prefix = `rtgcli${randomBytes(4).toString('hex')}`;
    prefixes.push(prefix);
    const child = spawn('node', [CLI, 'serve'], {
      env: envWith({
        PORT: String(await freePort()),
        DATA_DIR: dir,
        START_REDIS: 'false',
        REDIS_URL,
        QUEUE_PREFIX: prefix,
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    // Once it is starting (the database migrated: workers, threads and the first sweep still to come).
    await new Promise<void>((resolve, reject) => {
      let stdout = '';
      const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), 45_000);
      child.stdout!.on('data', (c: Buffer) => {
        stdout += c.toString();
        if (stdout.includes('database migrated')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill('SIGTERM');
    expect(await exited, stderr).toBe(0);
    expect(existsSync(join(dir, 'db.pid'))).toBe(false);
  }, 60_000);
});

describe('retaguarda keys create and serve', () => {
  it('prints a key on stdout that then authenticates against serve on the same DATA_DIR', async () => {
    const dir = tempDir();
    const created = await run(['keys', 'create', '--role', 'ingest', '--name', 'erp'], { DATA_DIR: dir });
    expect(created.code).toBe(0);
    const key = created.stdout.trim();
    expect(key).toMatch(/^rtg_ingest_\S+$/);
    expect(created.stderr).toMatch(/shown this once/);

    const prefix = `rtgcli${randomBytes(4).toString('hex')}`;
    prefixes.push(prefix);
    const port = await freePort();
    const serve = await startServe({
      PORT: String(port),
      DATA_DIR: dir,
      REDIS_URL,
      START_REDIS: 'false',
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'warn',
    });
    // A key existed, so no admin key was made up at start.
    expect(serve.out.stderr).not.toMatch(/No API key existed/);
    const ok = await fetch(`${serve.url}/v1/documents`, { headers: { authorization: `Bearer ${key}` } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ documents: [], nextCursor: null });
    const wrong = await fetch(`${serve.url}/v1/documents`, { headers: { authorization: `Bearer ${key}x` } });
    expect(wrong.status).toBe(401);
    const forbidden = await fetch(`${serve.url}/v1/keys`, { headers: { authorization: `Bearer ${key}` } });
    expect(forbidden.status).toBe(403);
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
  }, 90_000);

  it('creates a scoped key, lists its scope, and refuses a scope or a password that does not do', async () => {
    const dir = tempDir();
    const scoped = await run(
      ['keys', 'create', '--role', 'ingest', '--name', 'erp-north', '--scope', 'unit:north'],
      {
        DATA_DIR: dir,
      },
    );
    expect(scoped.code, scoped.stderr).toBe(0);
    expect(scoped.stderr).toMatch(/\(ingest, limited to unit:north\)/);
    const listed = await run(['keys', 'list'], { DATA_DIR: dir });
    expect(listed.stdout).toMatch(/erp-north {2}\[unit:north\]/);
    const bad = await run(['keys', 'create', '--role', 'ingest', '--scope', 'everything'], { DATA_DIR: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--scope "everything": a scope is "own", "unit:<name>"/);
    const weak = await run(
      [
        'users',
        'create',
        '--email',
        'root@example.com',
        '--name',
        'Root',
        '--role',
        'admin',
        '--password',
        '12345678',
      ],
      { DATA_DIR: dir },
    );
    expect(weak.code).toBe(2);
    expect(weak.stderr).toMatch(/at least 12 characters/);
    const reset = await run(['users', 'totp-reset', 'nobody@example.com'], { DATA_DIR: dir });
    expect(reset.code).toBe(1);
    expect(reset.stderr).toMatch(/No user nobody@example.com/);
  }, 90_000);

  it('starts a child redis-server when none answers, says so, and stops it on SIGTERM', async () => {
    const dir = tempDir();
    const redisPort = await freePort();
    redisPorts.push(redisPort);
    expect(await redisAnswersOn(redisPort)).toBe(false);
    const port = await freePort();
    const serve = await startServe({
      PORT: String(port),
      DATA_DIR: dir,
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      LOG_LEVEL: 'info',
    });
    expect(serve.out.stdout).toContain(`started redis-server as a child on 127.0.0.1:${redisPort}`);
    expect(await redisAnswersOn(redisPort)).toBe(true);
    const ready = await fetch(`${serve.url}/readyz`);
    expect(await ready.json()).toMatchObject({ status: 'ready', redis: 'ok' });
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
    const until = Date.now() + 10_000;
    while ((await redisAnswersOn(redisPort)) && Date.now() < until)
      await new Promise((r) => setTimeout(r, 200));
    expect(await redisAnswersOn(redisPort)).toBe(false);
  }, 90_000);
});
