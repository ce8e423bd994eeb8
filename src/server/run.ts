// Process concerns for `serve`, `api` and `worker`: configuration, Redis, start-up, the recovery sweep and
// graceful shutdown. The app itself is src/api/app.ts; the workers are queues/worker.ts.

import type { ChildProcess } from 'node:child_process';
import { startWorkers } from '../../queues/worker.ts';
import type { Resolver } from '../adapters/outbound-http.ts';
import { type App, buildApp } from '../api/app.ts';
import { authenticators, extensions } from '../api/extensions.ts';
import { ConfigFileError } from '../config/config-file.ts';
import { ConfigError, loadEnv, type ServiceConfig } from '../config/env.ts';
import { messageOf } from '../services/errors.ts';
import type { Clock } from '../storage/clock.ts';
import { holdPglite, pgliteHolder, releasePglite } from '../storage/pglite-lock.ts';
import { startChannels } from './channels.ts';
import { type AppContext, createContext, createLogger } from './context.ts';
import { ensureRedis, RedisUnavailable } from './redis.ts';
import { startWorkerMetrics } from './worker-metrics.ts';

export type Role = 'serve' | 'api' | 'worker' | 'watch' | 'mail';
/** Roles that run no workers: they only fetch documents (the watched folder, the inboxes). */
const CHANNEL_ONLY: readonly Role[] = ['watch', 'mail'];

export interface RunningService {
  ctx: AppContext;
  app?: App;
  url?: string;
  stop(): Promise<void>;
}

/** Lines in a box of their own: the first admin key must not pass unnoticed among the JSON log lines. */
function boxed(lines: string[]): string {
  const width = Math.max(...lines.map((l) => l.length));
  const rule = '─'.repeat(width + 2);
  return `\n┌${rule}┐\n${lines.map((l) => `│ ${l.padEnd(width)} │\n`).join('')}└${rule}┘\n\n`;
}

export interface StartOptions {
  /** The clock the service stores times with (tests inject a manual one). */
  clock?: Clock;
  /** How webhook host names are resolved (tests simulate DNS answers). */
  resolveHost?: Resolver;
}

export async function startService(
  role: Role,
  config: ServiceConfig,
  options: StartOptions = {},
): Promise<RunningService> {
  const log = createLogger(config);
  if (role !== 'serve' && !config.DATABASE_URL) {
    throw new ConfigError(
      `retaguarda ${role} runs beside other processes, so it needs a shared PostgreSQL: set DATABASE_URL ` +
        '(e.g. postgres://user:password@db:5432/retaguarda). For everything in one process, run `retaguarda serve`.',
    );
  }
  if (!config.DATABASE_URL) {
    const holder = pgliteHolder(config.pgliteDir);
    if (holder) {
      throw new ConfigError(
        `another retaguarda (pid ${holder}) is using the embedded database in ${config.pgliteDir}; stop it first, or use DATABASE_URL.`,
      );
    }
  }
  const redisChild: ChildProcess | undefined = await ensureRedis(config.REDIS_URL, {
    mayStart: role === 'serve' && config.START_REDIS,
    dataDir: config.dataDir,
    log,
  });
  if (!config.DATABASE_URL) {
    holdPglite(config.pgliteDir);
  }
  let ctx: AppContext;
  try {
    ctx = await createContext(config, {
      log,
      reads: role === 'serve' || role === 'worker',
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.resolveHost ? { resolveHost: options.resolveHost } : {}),
    });
  } catch (e) {
    // A bad rules file (or database) must not leave the child Redis running behind an exited process.
    redisChild?.kill('SIGTERM');
    if (!config.DATABASE_URL) releasePglite(config.pgliteDir);
    throw e;
  }
  let app: App | undefined;
  let url: string | undefined;
  let stopSweeps = () => {};
  let stopChannels = async () => {};
  let workers: Awaited<ReturnType<typeof startWorkers>> | undefined;
  let metricsServer: Awaited<ReturnType<typeof startWorkerMetrics>> | undefined;
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      stopSweeps();
      await stopChannels();
      metricsServer?.close();
      await app?.close();
      await workers?.close();
      await ctx.close();
      redisChild?.kill('SIGTERM');
      if (!config.DATABASE_URL) releasePglite(config.pgliteDir);
    })();
    return stopping;
  };
  try {
    if (role === 'serve' || role === 'api') {
      app = await buildApp(ctx, { authenticators, extensions });
      url = await app.listen({ port: config.PORT, host: config.HOST }).catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'EADDRINUSE' || e.code === 'EACCES') {
          throw new ConfigError(
            `cannot listen on ${config.HOST}:${config.PORT} (${e.code === 'EADDRINUSE' ? 'the port is taken' : 'not allowed'}): set PORT or HOST.`,
          );
        }
        throw e;
      });
      if ((await ctx.keys.count()) === 0) {
        const { key } = await ctx.keys.create('admin', 'first admin key');
        process.stderr.write(
          boxed([
            'No API key existed, so one admin key was created. It is shown this once; keep it:',
            '',
            `  ${key}`,
            '',
            'Send it as "Authorization: Bearer <key>".',
            'Create more with POST /v1/keys or `retaguarda keys create`.',
          ]),
        );
      }
      log.info({ url, docs: `${url}/docs` }, `retaguarda ${role} listening`);
    }
    if (role === 'serve' || role === 'worker') {
      workers = await startWorkers(ctx);
      const recover = (graceSeconds?: number) =>
        Promise.all([
          ctx.recovery.sweep(log, graceSeconds === undefined ? {} : { graceSeconds }),
          ctx.intake.trimIdempotencyKeys(),
        ]).catch((e) => log.error({ err: messageOf(e) }, 'recovery sweep failed'));
      // At start-up recover at once, whatever the grace: a job still live in Redis is left alone anyway.
      await recover(0);
      const timer = setInterval(() => void recover(), config.RECOVERY_INTERVAL_SECONDS * 1000);
      timer.unref();
      stopSweeps = () => clearInterval(timer);
      log.info({ concurrency: config.WORKER_CONCURRENCY }, 'workers started');
    }
    if (role === 'serve' || CHANNEL_ONLY.includes(role)) {
      stopChannels = await startChannels(
        ctx,
        role === 'serve' ? 'serve' : role === 'watch' ? 'watch' : 'mail',
      );
    }
    if (role === 'worker' && config.WORKER_METRICS_PORT !== undefined) {
      metricsServer = await startWorkerMetrics(ctx, config.WORKER_METRICS_PORT, config.HOST);
      log.info({ port: config.WORKER_METRICS_PORT }, 'worker metrics on /metrics');
    }
  } catch (e) {
    // Whatever failed, leave nothing behind: no child Redis, no lock file, no open connections.
    await stop().catch(() => {});
    throw e;
  }
  return { ctx, ...(app ? { app } : {}), ...(url ? { url } : {}), stop };
}

/** The CLI's entry: start the role, stop gracefully on SIGTERM/SIGINT; bad configuration exits 2 with a message. */
export async function runService(role: Role): Promise<void> {
  let service: RunningService | undefined;
  // Listening from the start: a SIGTERM during start-up (an orchestrator changing its mind) waits for the
  // start to finish and then shuts down gracefully, instead of killing the process half-way.
  let requested: string | undefined;
  const shutdown = (signal: string) => {
    if (!service) {
      requested = signal;
      return;
    }
    const running = service;
    running.ctx.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 30_000);
    force.unref();
    running.stop().then(
      () => process.exit(0),
      (e) => {
        running.ctx.log.error({ err: messageOf(e) }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  try {
    const config = loadEnv();
    service = await startService(role, config);
  } catch (e) {
    if (e instanceof ConfigError || e instanceof ConfigFileError || e instanceof RedisUnavailable) {
      process.stderr.write(`retaguarda ${role}: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  if (requested) shutdown(requested);
}
