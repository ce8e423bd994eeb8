// The service's configuration: one zod schema over the environment; a bad value stops start-up and names it.
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';

const int = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback);
const optionalText = z
  .string()
  .trim()
  .transform((s) => (s === '' ? undefined : s))
  .optional();

const flag = (fallback: 'true' | 'false') =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(fallback)
    .transform((v) => v === 'true' || v === '1');

const isCidr = (s: string) => {
  try {
    ipaddr.parseCIDR(s);
    return true;
  } catch {
    return false;
  }
};
/** proxy-addr's names for common ranges, accepted in TRUST_PROXY like the framework does. */
const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** Whom to believe in X-Forwarded-For: false, true, a hop count, or addresses and ranges of the proxies. */
const TrustProxy = z
  .string()
  .trim()
  .default('false')
  .transform((v, ctx): boolean | number | string[] => {
    if (v === '' || v === 'false' || v === '0') return false;
    if (v === 'true') return true;
    if (/^\d+$/.test(v)) return Number(v);
    const list = v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    for (const item of list) {
      if (!PROXY_RANGE_NAMES.has(item) && !ipaddr.isValid(item) && !isCidr(item)) {
        ctx.addIssue({
          code: 'custom',
          message: `"${item}" is not an address, a CIDR range, true, false or a hop count`,
        });
        return z.NEVER;
      }
    }
    return list;
  });

const CidrList = z
  .string()
  .trim()
  .default('')
  .transform((v, ctx) => {
    const list = v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    for (const item of list) {
      if (!isCidr(item)) {
        ctx.addIssue({ code: 'custom', message: `"${item}" is not a CIDR range such as 10.0.0.0/8` });
        return z.NEVER;
      }
    }
    return list;
  });

/** A document's budget: the reading process's time and memory, and what a PDF may hold before it is parsed. */
const READING_VARIABLES = {
  /** Wall-clock seconds a document may take to read, per page. */
  READ_SECONDS_PER_PAGE: z.coerce.number().positive().default(60),
  /** Resident memory one reading process may reach, in MB. */
  READ_MEMORY_MB: int(1024, 128),
  /** Most MB one compressed stream in a PDF may inflate to. */
  READ_MAX_STREAM_MB: int(64, 1),
  /** Most drawing operators one PDF page may hold. */
  READ_MAX_OPERATORS_PER_PAGE: int(250_000, 1000),
  /** A reading process is replaced after this many documents; 0: never on count. */
  READER_RECYCLE_DOCUMENTS: int(200, 0),
  /** A reading process is replaced when its resident memory is above this many MB after a document; 0: never. */
  READER_RECYCLE_MB: int(800, 0),
  /** Warm reading processes kept waiting to replace one that ends; 0: none. */
  READER_SPARES: int(1, 0),
};

const ReadingEnv = z.object(READING_VARIABLES);
type ReadingEnv = z.infer<typeof ReadingEnv>;

/** The reading pool's budget and the readers' extra limits, from the parsed variables. */
export function readingSettings(env: ReadingEnv) {
  return {
    limits: {
      maxStreamBytes: env.READ_MAX_STREAM_MB * 1048576,
      maxOperatorsPerPage: env.READ_MAX_OPERATORS_PER_PAGE,
    },
    budget: {
      secondsPerPage: env.READ_SECONDS_PER_PAGE,
      memoryMb: env.READ_MEMORY_MB,
      recycleAfterDocuments: env.READER_RECYCLE_DOCUMENTS,
      recycleAboveMb: env.READER_RECYCLE_MB,
    },
    spares: env.READER_SPARES,
  };
}

export const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  /** Absent: PGlite (PostgreSQL in WASM) in `$DATA_DIR/db`. */
  DATABASE_URL: optionalText.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
      .optional(),
  ),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .default('redis://127.0.0.1:6379'),
  DATA_DIR: z.string().min(1).default('./data'),
  /** Namespaces the BullMQ keys, so several installations (or test runs) can share one Redis. */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _ only')
    .default('retaguarda'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Largest file accepted at intake, in bytes. */
  MAX_UPLOAD_BYTES: int(25 * 1024 * 1024, 1),
  MAX_FILES_PER_REQUEST: int(20, 1),
  /** Uploads per API key (or per address without one) per minute; 0 turns the limit off. */
  RATE_LIMIT_PER_MINUTE: int(1200),
  /** Documents one worker process reads at once. */
  WORKER_CONCURRENCY: int(Math.max(1, availableParallelism()), 1),
  OCR_LANGUAGES: z
    .string()
    .regex(/^[a-z_]+(\+[a-z_]+)*$/, 'tesseract codes joined with +, e.g. eng+por+spa')
    .default('eng+por+spa'),
  RULES_FILE: optionalText,
  VENDORS_FILE: optionalText,
  POS_FILE: optionalText,
  /** A running job's lock: a worker that dies (SIGKILL, lost host) has its job taken over once this expires. */
  JOB_LOCK_SECONDS: int(30, 1),
  /** How often workers look for jobs whose lock expired (stalled) and hand them to a live worker. */
  JOB_STALLED_CHECK_SECONDS: int(30, 1),
  /** How often documents whose job vanished are looked for and re-enqueued. */
  RECOVERY_INTERVAL_SECONDS: int(60, 1),
  /** A document `received` or `processing` for longer than this, with no live job, is re-enqueued. */
  RECOVERY_GRACE_SECONDS: int(30, 0),
  /** How long a reviewer's claim on a review item lasts without activity. */
  CLAIM_TIMEOUT_MINUTES: int(15, 1),
  /** Reviewed documents that must agree before vendor memory uses a learned field. */
  MEMORY_MIN_CONFIRMATIONS: int(1, 1),
  /** Set to `false` to never start a child redis-server when none answers. */
  START_REDIS: z
    .enum(['true', 'false', '1', '0'])
    .default('true')
    .transform((v) => v === 'true' || v === '1'),
  /** Cookies are marked Secure unless this is `false` (plain-HTTP development on localhost). */
  SECURE_COOKIES: z.enum(['true', 'false', 'auto']).default('auto'),
  /** `true` serves the Prometheus /metrics without a key (for a scraper inside a private network). */
  METRICS_PUBLIC: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  /** `retaguarda worker` only: serve its Prometheus /metrics and /healthz on this port (no key: keep it internal). */
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** Behind a reverse proxy: which X-Forwarded-For hops to believe (false, true, a hop count, or proxy CIDRs). */
  TRUST_PROXY: TrustProxy,
  /** Webhooks may call private, loopback and link-local addresses (a receiver inside the network). */
  WEBHOOK_ALLOW_PRIVATE: flag('false'),
  /** Private ranges webhooks may call, e.g. 10.20.0.0/16,fd12::/64 (metadata addresses never). */
  WEBHOOK_ALLOW_CIDRS: CidrList,
  /** Failed sign-ins one account may have within SIGN_IN_WINDOW_MINUTES before it is refused with 429. */
  SIGN_IN_MAX_FAILURES: int(5, 1),
  SIGN_IN_WINDOW_MINUTES: int(15, 1),
  /** Sign-in attempts per client address per minute, counted in Redis across API replicas. */
  SIGN_IN_ATTEMPTS_PER_MINUTE: int(20, 1),
  ...READING_VARIABLES,
  /** A folder whose dropped files become documents (taken by `serve` and `retaguarda watch`). */
  WATCH_DIR: optionalText,
  /** How long a dropped file must stop growing before it is taken. */
  WATCH_SETTLE_MS: int(2000, 50),
  /** How often the watched folder is scanned for files the watcher missed. */
  WATCH_SCAN_SECONDS: int(60, 1),
  /** The business unit of documents taken from WATCH_DIR. */
  WATCH_BUSINESS_UNIT: optionalText,
  /** Seals inbox passwords (AES-256-GCM); a random value of 32 characters or more. */
  SECRETS_KEY: optionalText.pipe(
    z.string().min(32, 'at least 32 characters (openssl rand -base64 32)').optional(),
  ),
  /** How often an inbox is read when its server cannot tell of new mail (no IDLE), and inboxes are listed. */
  MAIL_POLL_SECONDS: int(60, 1),
  /** Where replies to the senders of refused attachments are sent through: smtp://user:password@host:587. */
  SMTP_URL: optionalText.pipe(
    z
      .string()
      .regex(/^smtps?:\/\/[^/]/, 'smtp://… or smtps://…, e.g. smtp://user:password@mail.example.com:587')
      .optional(),
  ),
  /** The replies' From: an address, or "Name <address>"; the inbox's own address when absent. */
  SMTP_FROM: optionalText.pipe(z.string().max(320).regex(/@/, 'an e-mail address').optional()),
  /** Where originals are kept: `local` ($DATA_DIR/blobs) or `s3://bucket/prefix` (any S3-compatible store). */
  BLOB_STORE: z
    .string()
    .trim()
    .regex(/^(local|s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?)$/, 'local, or s3://bucket/prefix')
    .default('local'),
  /** The S3 API's address for a store other than AWS (MinIO, Ceph, R2): https://minio.internal:9000 */
  S3_ENDPOINT: optionalText.pipe(z.url().optional()),
  S3_REGION: z.string().min(1).default('us-east-1'),
  /** Without them, the AWS SDK's own chain (AWS_ACCESS_KEY_ID…, an instance role). */
  S3_ACCESS_KEY_ID: optionalText,
  S3_SECRET_ACCESS_KEY: optionalText,
  /** Bucket in the path, not the host name; true by default when S3_ENDPOINT is set. */
  S3_FORCE_PATH_STYLE: z.enum(['true', 'false', '1', '0']).optional(),
});
export type Env = z.infer<typeof Env>;

export interface ServiceConfig extends Env {
  dataDir: string;
  blobDir: string;
  pgliteDir: string;
  languages: string[];
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** A URL as it may be shown in a message or a log: its password replaced by ***. */
export function withoutPassword(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#@]*):[^@/?#]*@/i, '$1:***@');
}

function parseEnv<T extends z.ZodObject>(schema: T, source: Record<string, string | undefined>): z.infer<T> {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = source[key];
    if (value !== undefined) picked[key] = value;
  }
  const parsed = schema.safeParse(picked);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const key = String(i.path[0] ?? '');
      return `  ${key}=${JSON.stringify(withoutPassword(picked[key] ?? ''))}: ${i.message}`;
    });
    throw new ConfigError(`invalid configuration in the environment:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

/** The reading budget's variables alone, for `retaguarda process`; throws a ConfigError naming every bad one. */
export function loadReadingEnv(source: Record<string, string | undefined> = process.env): ReadingEnv {
  return parseEnv(ReadingEnv, source);
}

/** Parses the environment; throws a ConfigError naming every bad variable. */
export function loadEnv(source: Record<string, string | undefined> = process.env): ServiceConfig {
  const env = parseEnv(Env, source);
  const dataDir = resolve(env.DATA_DIR);
  return {
    ...env,
    dataDir,
    blobDir: resolve(dataDir, 'blobs'),
    pgliteDir: resolve(dataDir, 'db'),
    languages: env.OCR_LANGUAGES.split('+'),
  };
}
