// Wires the service together: configuration, database, blobs, queues and the services, for every role.

import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import pino, { type Logger } from 'pino';
import { producerConnection } from '../../queues/connection.ts';
import { JobQueues, jobPort } from '../../queues/queues.ts';
import { inspectFolder, realPathOf } from '../adapters/drop-folder.ts';
import { OutboundGuard, type Resolver } from '../adapters/outbound-http.ts';
import type { ApiDeps } from '../api/deps.ts';
import { loadDefaultRuleSet, loadPurchaseOrders, loadRuleSet, loadVendors } from '../config/config-file.ts';
import type { ServiceConfig } from '../config/env.ts';
import { readingSettings, withoutPassword } from '../config/env.ts';
import { createReadingPool, type ReadingPool } from '../reading/reading-pool.ts';
import { createReviewServices } from '../review/review.ts';
import { combinedMasterData, type MasterData, masterDataOf } from '../rules/master-data.ts';
import { InboxService } from '../services/inboxes.ts';
import { IntakeService } from '../services/intake.ts';
import { KeyService } from '../services/keys.ts';
import { DatabaseMasterData, PurchasingService, VendorService } from '../services/master-data.ts';
import { MemoryService } from '../services/memory.ts';
import { PageImageService } from '../services/page-images.ts';
import { ProcessingService, type RulesConfig } from '../services/processing.ts';
import { RecoveryService } from '../services/recovery.ts';
import { type SecretBox, secretBox } from '../services/secret-box.ts';
import { SessionService, UserService } from '../services/sessions.ts';
import { SignInThrottle } from '../services/sign-in-throttle.ts';
import { WatchFolderService } from '../services/watch-folders.ts';
import { WebhookService } from '../services/webhooks.ts';
import { blobStoreFor } from '../storage/blob-store-config.ts';
import type { BlobStore } from '../storage/blobs.ts';
import { type Clock, systemClock } from '../storage/clock.ts';
import { type Database, migrate, openDatabase } from '../storage/database.ts';
import {
  type Repositories,
  repositoriesOn,
  type Transaction,
  transactionOn,
} from '../storage/repositories.ts';

/** The composition root's bag: everything the roles need, built once per process. Only src/server sees it. */
export interface AppContext extends ApiDeps {
  db: Database;
  blobs: BlobStore;
  queues: JobQueues;
  /** The repositories on the database (outside any transaction). */
  repos: Repositories;
  /** Runs work in one transaction with the repositories bound to it. */
  transaction: Transaction;
  recovery: RecoveryService;
  rules: RulesConfig;
  /** Present in roles that read documents or render page images. */
  reading: ReadingPool;
  pageImages: PageImageService;
  processing: ProcessingService;
  memory: MemoryService;
  secrets: SecretBox;
  close(): Promise<void>;
}

/**
 * Reads the rules, vendors and purchase-orders files named in the environment (a bad one stops start-up); the
 * master data is the database's, with the files' records beside it when they are given.
 */
export function loadRulesConfig(config: ServiceConfig, database?: MasterData): RulesConfig {
  const files = masterDataOf(
    config.VENDORS_FILE ? loadVendors(config.VENDORS_FILE) : undefined,
    config.POS_FILE ? loadPurchaseOrders(config.POS_FILE) : undefined,
  );
  return {
    ruleSet: config.RULES_FILE ? loadRuleSet(config.RULES_FILE) : loadDefaultRuleSet(),
    masterData: database ? combinedMasterData([database, files]) : files,
  };
}

export function createLogger(config: ServiceConfig): Logger {
  return pino({
    level: config.LOG_LEVEL,
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'secret', 'key'],
      censor: '[hidden]',
    },
  });
}

export async function createContext(
  config: ServiceConfig,
  options: {
    log?: Logger;
    clock?: Clock;
    db?: Database /** The API role reads no documents. */;
    reads?: boolean;
    /** How webhook host names are resolved; the system's DNS when absent. */
    resolveHost?: Resolver;
  } = {},
): Promise<AppContext> {
  const log = options.log ?? createLogger(config);
  const clock = options.clock ?? systemClock;
  // Checked before anything opens: a bad rules file stops start-up at once.
  loadRulesConfig(config);
  mkdirSync(config.blobDir, { recursive: true });
  const db = options.db ?? (await openDatabase({ url: config.DATABASE_URL, pgliteDir: config.pgliteDir }));
  const applied = await migrate(db);
  if (applied.length) log.info({ migrations: applied }, 'database migrated');
  const blobs = blobStoreFor(config);
  const connection = producerConnection(config.REDIS_URL);
  connection.on('error', () => {});
  await waitUntilReady(connection, config.REDIS_URL);
  const queues = new JobQueues(connection, config.QUEUE_PREFIX);
  const jobs = jobPort(queues);
  const repos = repositoriesOn(db, clock);
  const transaction = transactionOn(db, clock);
  const rules = loadRulesConfig(config, new DatabaseMasterData(repos));
  const documents = repos.documents;
  const outbound = new OutboundGuard(
    { allowPrivate: config.WEBHOOK_ALLOW_PRIVATE, allowCidrs: config.WEBHOOK_ALLOW_CIDRS },
    options.resolveHost,
  );
  const webhooks = new WebhookService(repos.webhooks, transaction, jobs.ensureDelivery, clock, outbound);
  const intake = new IntakeService(repos.idempotencyKeys, documents, blobs, jobs.enqueueReading, {
    maxBytes: config.MAX_UPLOAD_BYTES,
  });
  const { limits, budget, spares } = readingSettings(config);
  const reading = createReadingPool({
    languages: config.languages,
    ocrPoolSize: Math.max(1, availableParallelism()),
    concurrency: config.WORKER_CONCURRENCY,
    limits: { maxBytes: config.MAX_UPLOAD_BYTES, ...limits },
    budget,
    spares,
    keepReader: options.reads !== false,
    onReport: (r) => {
      if (r.overBudget)
        log.warn(
          { file: r.file, ms: r.ms, peakRssMb: r.peakRssMb, limit: r.overBudget },
          'over budget: reading process replaced',
        );
    },
  });
  const pageImages = new PageImageService(blobs, reading, log);
  const memory = new MemoryService(repos, transaction, clock, {
    minConfirmations: config.MEMORY_MIN_CONFIRMATIONS,
  });
  const processing = new ProcessingService(
    transaction,
    documents,
    blobs,
    reading,
    webhooks,
    clock,
    () => rules,
    pageImages,
    memory,
  );
  const recovery = new RecoveryService(documents, webhooks, jobs, clock, config.RECOVERY_GRACE_SECONDS);
  const review = createReviewServices({
    repos,
    transaction,
    webhooks,
    clock,
    rules: () => rules,
    claimMinutes: config.CLAIM_TIMEOUT_MINUTES,
    enqueueReading: jobs.enqueueReading,
    memory,
  });
  const secrets = secretBox(config.SECRETS_KEY);
  return {
    config,
    log,
    clock,
    db,
    blobs,
    queues,
    queueStatus: {
      ready: () => queues.ready(),
      health: () => queues.health(),
      depths: () => queues.depths(),
      board: Object.values(queues.queues),
    },
    repos,
    transaction,
    keys: new KeyService(repos.apiKeys, clock),
    users: new UserService(
      repos.users,
      repos.sessions,
      clock,
      new SignInThrottle(repos.signInFailures, clock, {
        maxFailures: config.SIGN_IN_MAX_FAILURES,
        windowMinutes: config.SIGN_IN_WINDOW_MINUTES,
      }),
    ),
    sessions: new SessionService(repos.sessions, clock),
    intake,
    secrets,
    inboxes: new InboxService(repos.inboxes, secrets, clock),
    watchFolders: new WatchFolderService(repos.watchFolders, { inspect: inspectFolder, realPathOf }, clock, {
      reserved: [
        { path: config.dataDir, label: "the service's data folder (DATA_DIR)" },
        { path: config.blobDir, label: 'the blob store' },
      ],
      watchDir: config.WATCH_DIR,
    }),
    webhooks,
    recovery,
    rules,
    reading,
    pageImages,
    processing,
    review,
    memory,
    vendors: new VendorService(repos, transaction, clock),
    purchasing: new PurchasingService(repos, transaction, clock),
    rateLimitRedis: connection,
    async close() {
      await queues.close().catch(() => {});
      connection.disconnect();
      await reading.close().catch(() => {});
      if (!options.db) await db.close();
    },
  };
}

async function waitUntilReady(connection: ReturnType<typeof producerConnection>, url: string): Promise<void> {
  if (connection.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      connection.disconnect();
      reject(new Error(`no Redis answers at REDIS_URL=${withoutPassword(url)}`));
    }, 10_000);
    connection.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
