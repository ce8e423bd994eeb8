// The blob store the configuration names: the local folder, or an S3-compatible bucket.
import { resolve } from 'node:path';
import type { ServiceConfig } from '../config/env.ts';
import { type BlobStore, createBlobStore } from './blobs.ts';
import { createS3BlobStore, parseS3Url } from './blobs-s3.ts';

export function blobStoreFor(
  config: Pick<
    ServiceConfig,
    | 'BLOB_STORE'
    | 'blobDir'
    | 'dataDir'
    | 'S3_ENDPOINT'
    | 'S3_REGION'
    | 'S3_ACCESS_KEY_ID'
    | 'S3_SECRET_ACCESS_KEY'
    | 'S3_FORCE_PATH_STYLE'
  >,
  url = config.BLOB_STORE,
): BlobStore {
  const s3 = parseS3Url(url);
  if (!s3) return createBlobStore(config.blobDir);
  const pathStyle = config.S3_FORCE_PATH_STYLE;
  return createS3BlobStore({
    ...s3,
    endpoint: config.S3_ENDPOINT,
    region: config.S3_REGION,
    accessKeyId: config.S3_ACCESS_KEY_ID,
    secretAccessKey: config.S3_SECRET_ACCESS_KEY,
    forcePathStyle:
      pathStyle === undefined ? Boolean(config.S3_ENDPOINT) : pathStyle === 'true' || pathStyle === '1',
    cacheDir: resolve(config.dataDir, 'blob-cache'),
  });
}
