// `npm run build`: compiles src/ and queues/ to dist/ (tsconfig.build.json) and copies the files they read at
// run time (SQL migrations, the default rules, the web pages) beside the compiled modules, so that every
// `new URL('./…', import.meta.url)` finds them in dist/ as it does in src/.
//
//   node scripts/build.mjs               always build
//   node scripts/build.mjs --if-needed   only when dist/ is missing or older than the sources (prepare, prestart);
//                                        where typescript is not installed (npm ci --omit=dev) it says so and
//                                        leaves dist/ as it is, instead of failing the install.
// Plain JavaScript, not TypeScript: it runs before there is anything to run TypeScript with.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { BUILD_STAMP, distState } from '../bin/dist-state.js';

const ROOT = join(import.meta.dirname, '..');
const DIST = join(ROOT, 'dist');
const ifNeeded = process.argv.includes('--if-needed');

if (ifNeeded && distState() === 'fresh') process.exit(0);

let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  const message =
    'retaguarda: typescript is not installed (an install without dev dependencies?), so dist/ cannot be built here; ' +
    'install the dev dependencies and run `npm run build`, or copy a dist/ built elsewhere.';
  if (!ifNeeded) {
    console.error(message);
    process.exit(1);
  }
  console.warn(message);
  process.exit(0);
}

// The stamp gets the time the build started: a source saved while tsc runs then still counts as newer.
const started = new Date();
rmSync(DIST, { recursive: true, force: true });
const compiled = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], {
  cwd: ROOT,
  stdio: 'inherit',
});
if (compiled.status !== 0) process.exit(compiled.status ?? 1);

let assets = 0;
for (const dir of ['src', 'queues']) {
  for (const entry of readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || entry.name.endsWith('.ts')) continue;
    const from = join(entry.parentPath, entry.name);
    const to = join(DIST, relative(ROOT, from));
    mkdirSync(join(to, '..'), { recursive: true });
    cpSync(from, to);
    assets++;
  }
}
writeFileSync(BUILD_STAMP, `${started.toISOString()}\n`);
utimesSync(BUILD_STAMP, started, started);
console.log(`retaguarda: built dist/ (${assets} assets copied beside the compiled modules)`);
