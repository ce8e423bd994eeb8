// Finds a Redis for the service: the one at REDIS_URL, or (for `serve` on a laptop) a child redis-server.

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { redisAnswers } from '../../queues/connection.ts';
import { withoutPassword } from '../config/env.ts';

export class RedisUnavailable extends Error {
  override name = 'RedisUnavailable';
}

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

function onPath(binary: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Resolves when a Redis answers at `url`. When none does, `url` points at this machine, `mayStart` is
 * set and `redis-server` is on the PATH, starts one as a child (AOF on, in `dataDir/redis`) and returns it.
 */
export async function ensureRedis(
  url: string,
  options: { mayStart: boolean; dataDir: string; log: Logger },
): Promise<ChildProcess | undefined> {
  if (await redisAnswers(url)) return undefined;
  const parsed = new URL(url);
  const port = Number(parsed.port || 6379);
  const local = LOCAL_HOSTS.has(parsed.hostname);
  if (!options.mayStart || !local || !onPath('redis-server')) {
    const install =
      'Install Redis (Debian/Ubuntu: `sudo apt-get install redis-server`, macOS: `brew install redis`, ' +
      'Docker: `docker run -d -p 6379:6379 redis:7`)';
    throw new RedisUnavailable(
      `No Redis answers at REDIS_URL=${withoutPassword(url)}.\n` +
        (!local
          ? 'Start Redis there, or point REDIS_URL at a running Redis.'
          : options.mayStart
            ? `${install} and retaguarda will start it for you, or point REDIS_URL at a running Redis.`
            : `Start Redis on this machine, or point REDIS_URL at a running Redis. Not installed? ${install}; ` +
              'with START_REDIS=true (the default) `retaguarda serve` starts it for you.'),
    );
  }
  const dir = join(options.dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const child = spawn(
    'redis-server',
    [
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--save',
      '',
      '--maxmemory-policy',
      'noeviction',
    ],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 50; i++) {
    if (await redisAnswers(url, 500)) {
      options.log.info(
        { port, dir },
        `no Redis was answering: started redis-server as a child on 127.0.0.1:${port}`,
      );
      return child;
    }
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill();
  throw new RedisUnavailable(
    `Started redis-server on port ${port}, but it did not answer. Is the port taken?`,
  );
}
