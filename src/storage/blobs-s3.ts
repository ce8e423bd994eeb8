// The blob store in an S3-compatible bucket (AWS S3, MinIO, Ceph, R2), so that API and workers on different
// machines share no volume. Keys are <prefix>/<first two hex>/<sha256>. Readers that open files get a copy
// in a local cache folder, fetched once.
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { type BlobStore, BlobStoreUnavailable, isSha256 } from './blobs.ts';

export interface S3Location {
  bucket: string;
  prefix: string;
}

/** s3://bucket/some/prefix → { bucket, prefix: 'some/prefix' }; undefined when it is not an s3:// URL. */
export function parseS3Url(url: string): S3Location | undefined {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  if (!m?.[1]) return undefined;
  return { bucket: m[1], prefix: (m[2] ?? '').replace(/^\/+|\/+$/g, '') };
}

export interface S3Settings extends S3Location {
  endpoint?: string | undefined;
  region: string;
  accessKeyId?: string | undefined;
  secretAccessKey?: string | undefined;
  /** Bucket in the path (MinIO and most self-hosted stores) rather than in the host name. */
  forcePathStyle: boolean;
  /** Where copies for local readers are kept. */
  cacheDir: string;
}

/** A fault of the store itself (unreachable, 5xx, throttled) rather than of the request. */
function unavailable(e: unknown): boolean {
  const meta = (e as { $metadata?: { httpStatusCode?: number } }).$metadata;
  const status = meta?.httpStatusCode;
  return status === undefined || status >= 500 || status === 429;
}

export function createS3BlobStore(s: S3Settings, client?: S3Client): BlobStore {
  const s3 =
    client ??
    new S3Client({
      region: s.region,
      forcePathStyle: s.forcePathStyle,
      ...(s.endpoint ? { endpoint: s.endpoint } : {}),
      ...(s.accessKeyId && s.secretAccessKey
        ? { credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey } }
        : {}),
      // Fail fast: intake answers 503 rather than holding the sender for minutes.
      maxAttempts: 2,
      // Checksums only where the API requires them: several S3-compatible stores refuse the newer headers.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  const keyOf = (sha256: string) => {
    if (!isSha256(sha256)) throw new Error(`not a sha256: ${sha256}`);
    return [s.prefix, sha256.slice(0, 2), sha256].filter(Boolean).join('/');
  };
  /** A file made from a blob (a page image), beside it: `<sha256>.<name>`, which list() never takes for a blob. */
  const derivedKey = (sha256: string, name: string) => {
    if (!/^[a-z0-9-]+\.png$/.test(name)) throw new Error(`not a derived file name: ${name}`);
    return `${keyOf(sha256)}.${name}`;
  };
  const cached = (sha256: string) => join(s.cacheDir, sha256.slice(0, 2), sha256);
  const guard = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (e) {
      if (unavailable(e)) {
        throw new BlobStoreUnavailable(
          `the blob store (s3://${s.bucket}) does not answer (${what}): ${(e as Error).message}`,
        );
      }
      throw e;
    }
  };
  const keep = async (sha256: string, bytes: Uint8Array) => {
    const path = cached(sha256);
    await mkdir(join(s.cacheDir, sha256.slice(0, 2)), { recursive: true });
    const tmp = `${path}.${randomUUID()}.tmp`;
    await writeFile(tmp, bytes);
    await rename(tmp, path);
    return path;
  };
  const fetchBytes = (sha256: string) =>
    guard('get', async () => {
      const out = await s3.send(new GetObjectCommand({ Bucket: s.bucket, Key: keyOf(sha256) }));
      if (!out.Body) throw new Error(`blob ${sha256} has no body`);
      return Buffer.from(await out.Body.transformToByteArray());
    });
  return {
    async put(bytes) {
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      await guard('put', () =>
        s3.send(
          new PutObjectCommand({
            Bucket: s.bucket,
            Key: keyOf(sha256),
            Body: bytes,
          }),
        ),
      );
      return sha256;
    },
    async get(sha256) {
      const local = await readFile(cached(sha256)).catch(() => undefined);
      return local ?? fetchBytes(sha256);
    },
    async localPath(sha256) {
      const path = cached(sha256);
      if (await stat(path).catch(() => undefined)) return path;
      return keep(sha256, await fetchBytes(sha256));
    },
    async getDerived(sha256, name) {
      try {
        const out = await s3.send(new GetObjectCommand({ Bucket: s.bucket, Key: derivedKey(sha256, name) }));
        return out.Body ? Buffer.from(await out.Body.transformToByteArray()) : undefined;
      } catch {
        // Absent or the store down: the page image is drawn again, which is what a missing one costs.
        return undefined;
      }
    },
    async putDerived(sha256, name, bytes) {
      await guard('put', () =>
        s3.send(new PutObjectCommand({ Bucket: s.bucket, Key: derivedKey(sha256, name), Body: bytes })),
      );
    },
    async has(sha256) {
      return guard('head', async () => {
        try {
          await s3.send(new HeadObjectCommand({ Bucket: s.bucket, Key: keyOf(sha256) }));
          return true;
        } catch (e) {
          if ((e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404)
            return false;
          throw e;
        }
      });
    },
    async *list() {
      let token: string | undefined;
      do {
        const page = await guard('list', () =>
          s3.send(
            new ListObjectsV2Command({
              Bucket: s.bucket,
              ...(s.prefix ? { Prefix: `${s.prefix}/` } : {}),
              ...(token ? { ContinuationToken: token } : {}),
            }),
          ),
        );
        for (const o of page.Contents ?? []) {
          const name = o.Key?.split('/').at(-1) ?? '';
          if (isSha256(name)) yield name;
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    },
  };
}
