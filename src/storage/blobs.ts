// Content-addressed blob store on a local folder: a file's name is its sha256, so storing twice changes nothing.
// An S3-compatible store (blobs-s3.ts) keeps the same interface.
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface BlobStore {
  /** Stores the bytes (once) and returns their sha256. */
  put(bytes: Uint8Array): Promise<string>;
  get(sha256: string): Promise<Buffer>;
  /** A path on this machine holding the blob, for readers that open files themselves (the reading processes). */
  localPath(sha256: string): Promise<string>;
  has(sha256: string): Promise<boolean>;
  /** A file made from a blob (a page image), kept beside it under its hash and a name; undefined when absent. */
  getDerived(sha256: string, name: string): Promise<Buffer | undefined>;
  putDerived(sha256: string, name: string, bytes: Uint8Array): Promise<void>;
  /** Every blob's sha256 (for `retaguarda blobs migrate`). */
  list(): AsyncIterable<string>;
}

/** The store does not answer (an S3 endpoint down): intake answers 503 and stores nothing; readers retry. */
export class BlobStoreUnavailable extends Error {
  override name = 'BlobStoreUnavailable';
}

export const isSha256 = (s: string) => /^[0-9a-f]{64}$/.test(s);

export function createBlobStore(dir: string): BlobStore & { pathOf(sha256: string): string } {
  const pathOf = (sha256: string) => {
    if (!isSha256(sha256)) throw new Error(`not a sha256: ${sha256}`);
    return join(dir, sha256.slice(0, 2), sha256);
  };
  const derivedPath = (sha256: string, name: string) => {
    if (!/^[a-z0-9-]+\.png$/.test(name)) throw new Error(`not a derived file name: ${name}`);
    return `${pathOf(sha256)}.${name}`;
  };
  // The 256 fan-out folders are made once each, not on every upload.
  const made = new Set<string>();
  return {
    pathOf,
    async put(bytes) {
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const path = pathOf(sha256);
      const folder = join(dir, sha256.slice(0, 2));
      if (!made.has(folder)) {
        await mkdir(folder, { recursive: true });
        made.add(folder);
      }
      // Write then rename, so a crash never leaves half a blob under its final name. No existence check
      // first: a failed stat builds an exception, which costs more than it saves, and renaming the same
      // bytes over an existing blob of that hash changes nothing a reader can see.
      const tmp = `${path}.${randomUUID()}.tmp`;
      await writeFile(tmp, bytes).catch(async (e: NodeJS.ErrnoException) => {
        if (e.code !== 'ENOENT') throw e;
        // The folder went away under us (someone cleared the store): make it again.
        await mkdir(folder, { recursive: true });
        await writeFile(tmp, bytes);
      });
      await rename(tmp, path);
      return sha256;
    },
    get: (sha256) => readFile(pathOf(sha256)),
    getDerived: (sha256, name) => readFile(derivedPath(sha256, name)).catch(() => undefined),
    async putDerived(sha256, name, bytes) {
      const path = derivedPath(sha256, name);
      const tmp = `${path}.${randomUUID()}.tmp`;
      await writeFile(tmp, bytes);
      await rename(tmp, path);
    },
    localPath: async (sha256) => pathOf(sha256),
    async *list() {
      for (const fan of await readdir(dir).catch(() => [])) {
        if (!/^[0-9a-f]{2}$/.test(fan)) continue;
        for (const name of await readdir(join(dir, fan))) if (isSha256(name)) yield name;
      }
    },
    has: async (sha256) => Boolean(await stat(pathOf(sha256)).catch(() => undefined)),
  };
}
