// The blob store on a local folder: content-addressed, written whole, and still writable when its folders vanish.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createBlobStore } from '../../src/storage/blobs.ts';

describe('blob store', () => {
  const dirs: string[] = [];
  const freshStore = () => {
    const dir = mkdtempSync(join(tmpdir(), 'rtg-blobs-'));
    dirs.push(dir);
    return { dir, store: createBlobStore(dir) };
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('stores bytes under their sha256 and reads them back; the same bytes twice leave one file', async () => {
    const { dir, store } = freshStore();
    const bytes = new TextEncoder().encode('%PDF-1.7 an invoice');
    const sha = await store.put(bytes);
    expect(sha).toBe('f62354531360b57cc08d01812512971e01d4b7f302bd924ef522b24d9c577f9b');
    expect(await store.put(bytes)).toBe(sha);
    expect(Buffer.from(await store.get(sha)).toString()).toBe('%PDF-1.7 an invoice');
    expect(await store.has(sha)).toBe(true);
    // One blob, no temporary files left behind.
    expect(readdirSync(join(dir, sha.slice(0, 2)))).toEqual([sha]);
  });

  it('writes again after its folder was removed under it', async () => {
    const { dir, store } = freshStore();
    const first = await store.put(new TextEncoder().encode('first'));
    rmSync(join(dir, first.slice(0, 2)), { recursive: true, force: true });
    expect(await store.has(first)).toBe(false);
    expect(await store.put(new TextEncoder().encode('first'))).toBe(first);
    expect(Buffer.from(await store.get(first)).toString()).toBe('first');
  });
});
