// `npm run lint:openapi`: builds the app in this process (embedded database in a temporary folder, Redis at
// REDIS_URL as for the service), writes the OpenAPI document it serves at /docs/json to a temporary file and lints
// it with Redocly's recommended rules (redocly.yaml). Any error or warning fails it (exit 1).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../src/api/app.ts';
import { authenticators, extensions } from '../src/api/extensions.ts';
import { loadEnv } from '../src/config/env.ts';
import { createContext, createLogger } from '../src/server/context.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'rtg-openapi-'));
let code = 1;
try {
  // Only what the app needs to be built: no DATABASE_URL (nothing is migrated but a throwaway PGlite), no workers.
  const config = loadEnv({
    REDIS_URL: process.env.REDIS_URL,
    DATA_DIR: join(dir, 'data'),
    QUEUE_PREFIX: `rtgopenapi${randomBytes(4).toString('hex')}`,
    LOG_LEVEL: 'warn',
    START_REDIS: 'false',
  });
  const ctx = await createContext(config, { log: createLogger(config), reads: false });
  const file = join(dir, 'openapi.json');
  let document: { paths?: Record<string, object | undefined> } = {};
  try {
    const app = await buildApp(ctx, { authenticators, extensions });
    await app.ready();
    document = app.swagger() as typeof document;
    writeFileSync(file, JSON.stringify(document, null, 2));
    await app.close();
  } finally {
    // The queues left their meta keys under this run's own prefix: nothing stays behind in a shared Redis.
    const redis = ctx.queues.connection;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${config.QUEUE_PREFIX}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
    await ctx.close();
  }
  const redocly = join(
    dirname(createRequire(import.meta.url).resolve('@redocly/cli/package.json')),
    'bin',
    'cli.js',
  );
  const lint = (format: string, stdio: 'pipe' | 'inherit') =>
    spawnSync(
      process.execPath,
      [
        redocly,
        'lint',
        file,
        '--config',
        join(ROOT, 'redocly.yaml'),
        '--format',
        format,
        '--max-problems',
        '1000',
      ],
      {
        cwd: ROOT,
        stdio: ['ignore', stdio, stdio],
        encoding: 'utf8',
        // No telemetry and no check for a newer version: the lint must not depend on (or wait for) the network.
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      },
    );
  // Redocly fails on errors only; warnings must not pile up either, so they fail this check too.
  const result = lint('json', 'pipe');
  const problems = (JSON.parse(result.stdout || '{}') as { problems?: unknown[] }).problems;
  if (result.status === 0 && problems?.length === 0) {
    const operations = Object.values(document.paths ?? {}).flatMap((path) => Object.keys(path ?? {})).length;
    process.stdout.write(`OpenAPI document (${operations} operations): no errors, no warnings.\n`);
    code = 0;
  } else {
    lint('codeframe', 'inherit');
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(code);
