// Watched folders added through the API: checked before they are kept (an absolute path to a folder the
// service can read and write, outside its own data, not overlapping another watched folder), and watched by
// whichever process takes folders (`serve`, `retaguarda watch`), started and stopped as they change.
import { isAbsolute, relative, resolve } from 'node:path';
import type { FolderAccess } from '../adapters/drop-folder.ts';
import type { WatchFolderChange, WatchFolderSettings } from '../contract/watch-folder.ts';
import type { Clock } from '../storage/clock.ts';
import type { WatchFolderRecord, WatchFoldersRepository } from '../storage/watch-folders.repository.ts';
import { AppError, messageOf } from './errors.ts';
import type { ChannelLog } from './folder-intake.ts';

/** `child` is `parent` or lies inside it. */
const within = (parent: string, child: string) => {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

export interface FolderPorts {
  inspect(path: string): Promise<FolderAccess>;
  realPathOf(path: string): Promise<string>;
}

export class WatchFolderService {
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly folders: Pick<WatchFoldersRepository, 'create' | 'list' | 'find' | 'update' | 'remove'>,
    private readonly fs: FolderPorts,
    private readonly clock: Clock,
    private readonly settings: {
      /** Folders of the service's own (its data, the blob store): never watched, nor any folder holding them. */
      reserved: { path: string; label: string }[];
      /** WATCH_DIR, watched from the environment. */
      watchDir?: string | undefined;
    },
  ) {}

  /** Told after every change, so the process watching the folders (in `serve`) follows at once. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  list(): Promise<WatchFolderRecord[]> {
    return this.folders.list();
  }

  async add(input: WatchFolderSettings): Promise<WatchFolderRecord> {
    const path = await this.checked(input.path);
    const created = await this.folders.create(
      { path, businessUnit: input.businessUnit ?? null, enabled: input.enabled },
      this.clock.now(),
    );
    if (!created) throw new AppError(409, 'watch_folder_exists', `${path} is watched already.`);
    this.changed();
    return created;
  }

  async update(id: string, change: WatchFolderChange): Promise<WatchFolderRecord> {
    if (!(await this.folders.find(id))) throw notFound();
    const path = change.path === undefined ? undefined : await this.checked(change.path, id);
    const updated = await this.folders
      .update(id, {
        ...(path !== undefined ? { path } : {}),
        ...(change.businessUnit !== undefined ? { businessUnit: change.businessUnit } : {}),
        ...(change.enabled !== undefined ? { enabled: change.enabled } : {}),
      })
      .catch((e: unknown) => {
        // Another request took the same path in between.
        if (/unique|duplicate/i.test(messageOf(e)))
          throw new AppError(409, 'watch_folder_exists', `${path} is watched already.`);
        throw e;
      });
    if (!updated) throw notFound();
    this.changed();
    return updated;
  }

  async remove(id: string): Promise<void> {
    if (!(await this.folders.remove(id))) throw notFound();
    this.changed();
  }

  private changed() {
    for (const listener of this.listeners) listener();
  }

  /** The path as kept (absolute, normalised), or a 400/409 saying what is wrong with it. */
  private async checked(given: string, self?: string): Promise<string> {
    if (!isAbsolute(given)) {
      throw new AppError(
        400,
        'bad_path',
        `${given} is not an absolute path; give the whole path (/srv/scans).`,
      );
    }
    const path = resolve(given);
    const access = await this.fs.inspect(path);
    if (!access.exists) throw new AppError(400, 'folder_not_found', `There is no folder at ${path}.`);
    if (!access.isDirectory) throw new AppError(400, 'not_a_folder', `${path} is a file, not a folder.`);
    if (!access.readable || !access.writable) {
      throw new AppError(
        400,
        'folder_not_accessible',
        `The service cannot ${access.readable ? 'write to' : 'read'} ${path}; it lists the folder and moves ` +
          'taken files to done/ and failed/ inside it, so it needs read and write access.',
      );
    }
    const real = access.realPath ?? path;
    for (const reserved of this.settings.reserved) {
      const other = await this.fs.realPathOf(reserved.path);
      if (within(other, real) || within(real, other)) {
        throw new AppError(
          400,
          'folder_not_allowed',
          within(other, real)
            ? `${path} is inside ${reserved.label} (${reserved.path}); choose a folder of its own.`
            : `${path} holds ${reserved.label} (${reserved.path}); its files would be taken as documents.`,
        );
      }
    }
    const watched = [
      ...(this.settings.watchDir
        ? [{ id: undefined, path: this.settings.watchDir, label: 'WATCH_DIR' }]
        : []),
      ...(await this.folders.list()).map((f) => ({ id: f.id, path: f.path, label: f.id })),
    ];
    for (const other of watched) {
      if (self && other.id === self) continue;
      const otherReal = await this.fs.realPathOf(other.path);
      if (otherReal === real) throw new AppError(409, 'watch_folder_exists', `${path} is watched already.`);
      if (within(otherReal, real) || within(real, otherReal)) {
        throw new AppError(
          409,
          'folder_overlaps',
          `${path} ${within(otherReal, real) ? 'is inside' : 'holds'} ${other.path}, which is watched already ` +
            `(${other.label}); a file there would be taken twice.`,
        );
      }
    }
    return path;
  }
}

const notFound = () => new AppError(404, 'not_found', 'No watched folder with this id.');

/** The folders from the table, watched: started, restarted and stopped as the table changes. */
export class FolderWatchers {
  private readonly running = new Map<string, { key: string; stop: () => Promise<void> }>();
  private timer: NodeJS.Timeout | undefined;
  /** Folders that could not be watched at the last look: said once, not at every look. */
  private readonly failing = new Set<string>();
  private syncing: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly folders: Pick<WatchFoldersRepository, 'list'>,
    /** Starts watching one folder; the promise resolves once it is watched, to its stop function. */
    private readonly watch: (folder: WatchFolderRecord) => Promise<() => Promise<void>>,
    private readonly log: ChannelLog,
    private readonly intervalMs: number,
  ) {}

  async start(): Promise<void> {
    await this.sync();
    // Another process (an `api` replica) may change the table: look again now and then.
    this.timer = setInterval(() => void this.sync(), this.intervalMs);
    this.timer.unref();
  }

  /** Brings the watchers in line with the table; calls are queued, never run two at once. */
  sync(): Promise<void> {
    this.syncing = this.syncing.then(() => this.syncNow());
    return this.syncing;
  }

  /** The ids of the folders watched now. */
  watching(): string[] {
    return [...this.running.keys()];
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.syncing;
    await Promise.allSettled([...this.running.values()].map((r) => r.stop()));
    this.running.clear();
  }

  private async syncNow(): Promise<void> {
    if (this.stopped) return;
    let wanted: WatchFolderRecord[];
    try {
      wanted = (await this.folders.list()).filter((f) => f.enabled);
    } catch (e) {
      this.log.error({ err: messageOf(e) }, 'listing the watched folders failed');
      return;
    }
    const keyOf = (f: WatchFolderRecord) => `${f.path}\u0000${f.businessUnit ?? ''}`;
    for (const [id, running] of this.running) {
      const still = wanted.find((f) => f.id === id);
      if (!still || keyOf(still) !== running.key) {
        this.running.delete(id);
        await running.stop().catch(() => {});
        this.log.info({ id }, 'stopped watching a folder');
      }
    }
    for (const folder of wanted) {
      if (this.running.has(folder.id)) continue;
      try {
        this.running.set(folder.id, { key: keyOf(folder), stop: await this.watch(folder) });
        if (this.failing.delete(folder.id)) this.log.info({ path: folder.path }, 'the folder is back');
      } catch (e) {
        // A folder gone from the disk (an unmounted share): tried again at the next look.
        if (!this.failing.has(folder.id))
          this.log.error({ path: folder.path, err: messageOf(e) }, 'cannot watch the folder; trying again');
        this.failing.add(folder.id);
      }
    }
  }
}
