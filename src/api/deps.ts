// What the HTTP app needs from the rest of the service. The composition root (src/server/context.ts) provides
// it; each route plugin takes only the part it uses.
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ServiceConfig } from '../config/env.ts';
import type { ReviewServices } from '../review/review.ts';
import type { InboxService } from '../services/inboxes.ts';
import type { IntakeService } from '../services/intake.ts';
import type { KeyService } from '../services/keys.ts';
import type { PurchasingService, VendorService } from '../services/master-data.ts';
import type { MemoryService } from '../services/memory.ts';
import type { PageImageService } from '../services/page-images.ts';
import type { ProcessingService } from '../services/processing.ts';
import type { SessionService, UserService } from '../services/sessions.ts';
import type { WatchFolderService } from '../services/watch-folders.ts';
import type { WebhookService } from '../services/webhooks.ts';
import type { BlobStore } from '../storage/blobs.ts';
import type { Clock } from '../storage/clock.ts';
import type { Database } from '../storage/database.ts';
import type { Repositories } from '../storage/repositories.ts';

/** The job queues as the API sees them: can work be queued, how deep are they, and the queues' dashboard. */
export interface QueueStatus {
  /** True while Redis answers the producer: intake refuses with 503 otherwise, storing nothing. */
  ready(): boolean;
  /** 'ok', or why Redis is not reachable (readiness). */
  health(): Promise<string>;
  /** Jobs per queue and state. */
  depths(): Promise<Record<string, Record<string, number>>>;
  /** The BullMQ queues themselves, for their dashboard at /admin/queues. */
  readonly board: readonly Queue[];
}

export interface ApiDeps {
  config: ServiceConfig;
  log: Logger;
  clock: Clock;
  db: Pick<Database, 'ping'>;
  repos: Pick<Repositories, 'documents' | 'reviewItems' | 'approvals' | 'figures' | 'intakeRefusals'>;
  blobs: Pick<BlobStore, 'get' | 'localPath'>;
  pageImages: Pick<PageImageService, 'page'>;
  queueStatus: QueueStatus;
  keys: KeyService;
  users: UserService;
  sessions: SessionService;
  intake: IntakeService;
  /** The mailboxes documents are taken from. */
  inboxes: InboxService;
  /** The folders watched beside WATCH_DIR. */
  watchFolders: WatchFolderService;
  webhooks: WebhookService;
  /** For the Prometheus metrics, which observe each reading. */
  processing: Pick<ProcessingService, 'observer'>;
  review: ReviewServices;
  memory: Pick<MemoryService, 'vendors' | 'ofVendor' | 'forget'>;
  /** Vendor master data, purchase orders and goods receipts. */
  vendors: VendorService;
  purchasing: PurchasingService;
  /** Where rate limits are counted, so every API replica shares them; in the process when absent (tests). */
  rateLimitRedis?: Redis;
}
