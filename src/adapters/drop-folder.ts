// A folder files are dropped into (a scanner, an SFTP drop, a sync client): told of each file once it has
// stopped growing, by chokidar and by a periodic scan, and able to put a taken file away in done/ or failed/.
import { constants } from 'node:fs';
import { access, mkdir, readdir, readFile, realpath, rename, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { watch } from 'chokidar';

/** Folders of the drop folder itself: where taken files go. Never taken again. */
export const SETTLED_FOLDERS = ['done', 'failed'] as const;

export interface DroppedFile {
  /** Absolute path. */
  path: string;
  /** Path inside the drop folder, with forward slashes. */
  relativePath: string;
}

export interface DropFolder {
  readonly dir: string;
  /** Calls `onFile` for each file that has stopped growing, now and as files arrive, until `close`. */
  watch(onFile: (file: DroppedFile) => void): Promise<void>;
  read(file: DroppedFile): Promise<Buffer>;
  /**
   * Moves the file to done/ or failed/ (same relative path; a suffix when that name is taken) and writes a
   * `.json` beside it with `note`. Returns where it went.
   */
  settle(file: DroppedFile, outcome: 'done' | 'failed', note: object): Promise<string>;
  close(): Promise<void>;
}

const isHidden = (name: string) => name.startsWith('.') || name.endsWith('.tmp') || name.endsWith('.part');

export function openDropFolder(
  dir: string,
  options: {
    settleMs: number;
    scanIntervalMs: number;
    onError?: (e: unknown) => void;
    /**
     * Make the folder when it is missing (WATCH_DIR, named at start-up). A folder added through the API must
     * exist: one gone (an unmounted share) is not made again on the local disk in its place.
     */
    create?: boolean;
  },
): DropFolder {
  const rel = (path: string) => relative(dir, path).split(sep).join('/');
  const settled = (path: string) => {
    const first = rel(path).split('/')[0] ?? '';
    return (SETTLED_FOLDERS as readonly string[]).includes(first);
  };
  let watcher: ReturnType<typeof watch> | undefined;
  let timer: NodeJS.Timeout | undefined;

  async function* files(folder: string): AsyncGenerator<string> {
    const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const path = join(folder, e.name);
      if (isHidden(e.name) || settled(path)) continue;
      if (e.isDirectory()) yield* files(path);
      else if (e.isFile()) yield path;
    }
  }

  /** The scan catches what the watcher missed (files there before start, a lost event): settled ones only. */
  async function scan(onFile: (file: DroppedFile) => void) {
    const now = Date.now();
    for await (const path of files(dir)) {
      const s = await stat(path).catch(() => undefined);
      if (s && now - s.mtimeMs >= options.settleMs) onFile({ path, relativePath: rel(path) });
    }
  }

  return {
    dir,
    async watch(onFile) {
      if (options.create === false) {
        if (!(await stat(dir).catch(() => undefined))?.isDirectory()) throw new Error(`${dir} is not there`);
      } else {
        await mkdir(dir, { recursive: true });
      }
      watcher = watch(dir, {
        ignoreInitial: true,
        ignored: (path) => path !== dir && (settled(path) || isHidden(basename(path))),
        awaitWriteFinish: {
          stabilityThreshold: options.settleMs,
          pollInterval: Math.min(100, options.settleMs),
        },
      });
      watcher.on('add', (path) => onFile({ path, relativePath: rel(path) }));
      watcher.on('error', (e) => options.onError?.(e));
      await new Promise<void>((resolve) => watcher?.once('ready', () => resolve()));
      const sweep = () => void scan(onFile).catch((e) => options.onError?.(e));
      sweep();
      timer = setInterval(sweep, options.scanIntervalMs);
      timer.unref();
    },
    read: (file) => readFile(file.path),
    async settle(file, outcome, note) {
      let target = join(dir, outcome, ...file.relativePath.split('/'));
      await mkdir(dirname(target), { recursive: true });
      // A second invoice.pdf dropped later must not overwrite the first one's record.
      if (await stat(target).catch(() => undefined)) {
        const dot = target.lastIndexOf('.');
        const stamp = new Date().toISOString().replace(/[:.]/g, '-');
        target =
          dot > target.lastIndexOf('/')
            ? `${target.slice(0, dot)}.${stamp}${target.slice(dot)}`
            : `${target}.${stamp}`;
      }
      // The note first: a crash between the two leaves the file in place, taken again (and found taken). Written
      // beside and renamed, so whoever watches for the .json (a scanner's software, an ERP) never reads half.
      const partial = `${dirname(target)}/.${basename(target)}.json.partial`;
      await writeFile(partial, `${JSON.stringify(note, null, 2)}\n`);
      await rename(partial, `${target}.json`);
      await rename(file.path, target);
      return target;
    },
    async close() {
      if (timer) clearInterval(timer);
      await watcher?.close();
    },
  };
}

/** What the service may do with a folder an admin names, before it is watched. */
export interface FolderAccess {
  exists: boolean;
  isDirectory: boolean;
  readable: boolean;
  writable: boolean;
  /** With symbolic links resolved, when it exists. */
  realPath: string | undefined;
}

export async function inspectFolder(path: string): Promise<FolderAccess> {
  const s = await stat(path).catch(() => undefined);
  if (!s) return { exists: false, isDirectory: false, readable: false, writable: false, realPath: undefined };
  const can = (mode: number) =>
    access(path, mode).then(
      () => true,
      () => false,
    );
  return {
    exists: true,
    isDirectory: s.isDirectory(),
    // Listing a folder needs r and x; moving files out and writing done/ needs w and x.
    readable: await can(constants.R_OK | constants.X_OK),
    writable: await can(constants.W_OK | constants.X_OK),
    realPath: await realpath(path).catch(() => undefined),
  };
}

/** The real path of a folder that may not exist yet (its nearest existing parent resolved). */
export async function realPathOf(path: string): Promise<string> {
  const found = await realpath(path).catch(() => undefined);
  if (found) return found;
  const parent = dirname(path);
  return parent === path ? path : join(await realPathOf(parent), basename(path));
}
