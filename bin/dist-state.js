// Whether dist/ holds a build of the sources beside it: 'fresh', 'stale' (a source, or a tsconfig, changed since
// the build) or 'missing'. Shared by the `retaguarda` command and the build script, so they never disagree.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
/** Written by scripts/build.mjs when a build is complete, with the time the build started as its mtime. */
export const BUILD_STAMP = join(ROOT, 'dist', '.built');
export const COMPILED_CLI = join(ROOT, 'dist', 'src', 'cli', 'main.js');
const SOURCES = ['src', 'queues'];
const CONFIGS = ['tsconfig.json', 'tsconfig.build.json'];

/** @returns {'fresh' | 'stale' | 'missing'} */
export function distState() {
  if (!existsSync(BUILD_STAMP) || !existsSync(COMPILED_CLI)) return 'missing';
  // An install that has the build but not the sources (the container image) is as fresh as it gets.
  if (!existsSync(join(ROOT, 'src'))) return 'fresh';
  const built = statSync(BUILD_STAMP).mtimeMs;
  const newer = (path) => statSync(path).mtimeMs > built;
  for (const file of CONFIGS) if (existsSync(join(ROOT, file)) && newer(join(ROOT, file))) return 'stale';
  for (const dir of SOURCES) {
    const top = join(ROOT, dir);
    if (!existsSync(top)) continue;
    // Folders too: a deleted or renamed source file changes its folder's mtime, not any file's.
    if (newer(top)) return 'stale';
    for (const entry of readdirSync(top, { recursive: true, withFileTypes: true })) {
      if (newer(join(entry.parentPath, entry.name))) return 'stale';
    }
  }
  return 'fresh';
}
