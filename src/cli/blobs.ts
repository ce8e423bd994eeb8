// `retaguarda blobs migrate`: copies every original from one blob store to another (the local folder to an
// S3-compatible bucket, or back), checking each copy's sha256. Safe to run again: present blobs are skipped.
import { loadEnv } from '../config/env.ts';
import { messageOf } from '../services/errors.ts';
import { blobStoreFor } from '../storage/blob-store-config.ts';

export async function runBlobsMigrate(opts: { from: string; to: string }): Promise<number> {
  try {
    const config = loadEnv();
    const from = blobStoreFor(config, opts.from);
    const to = blobStoreFor(config, opts.to);
    let copied = 0;
    let present = 0;
    for await (const sha256 of from.list()) {
      if (await to.has(sha256)) {
        present++;
        continue;
      }
      const written = await to.put(await from.get(sha256));
      if (written !== sha256)
        throw new Error(`blob ${sha256} read back as ${written}: the source is damaged`);
      copied++;
      if (copied % 100 === 0) process.stderr.write(`${copied} copied…\n`);
    }
    process.stderr.write(`${copied} copied, ${present} already there.\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`retaguarda blobs migrate: ${messageOf(e)}\n`);
    return 2;
  }
}
