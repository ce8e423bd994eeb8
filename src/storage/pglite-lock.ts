// The embedded database admits one process: a `serve` holding it says so in a pid file beside it.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** The file that says a process holds the embedded database in `pgliteDir`. */
export const pgliteLockFile = (pgliteDir: string) => `${pgliteDir}.pid`;

/** The pid of another live process holding the embedded database, if any. */
export function pgliteHolder(pgliteDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(pgliteLockFile(pgliteDir), 'utf8'));
    process.kill(pid, 0);
    return pid === process.pid ? undefined : pid;
  } catch {
    return undefined;
  }
}

export function holdPglite(pgliteDir: string): void {
  mkdirSync(dirname(pgliteLockFile(pgliteDir)), { recursive: true });
  writeFileSync(pgliteLockFile(pgliteDir), String(process.pid));
}

export function releasePglite(pgliteDir: string): void {
  rmSync(pgliteLockFile(pgliteDir), { force: true });
}
