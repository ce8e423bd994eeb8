// Every repository on one connection, and the unit of work: the same repositories bound to one transaction.
import { ApiKeysRepository } from './api-keys.repository.ts';
import { ApprovalsRepository } from './approvals.repository.ts';
import { AuditRepository } from './audit.repository.ts';
import type { Clock } from './clock.ts';
import type { Database, Queryable } from './database.ts';
import { DocumentsRepository } from './documents.repository.ts';
import { FiguresRepository } from './figures.repository.ts';
import { IdempotencyKeysRepository } from './idempotency-keys.repository.ts';
import { InboxesRepository } from './inboxes.repository.ts';
import { IntakeRefusalsRepository } from './intake-refusals.repository.ts';
import { MasterDataEventsRepository } from './master-data-events.repository.ts';
import { PurchasingRepository } from './purchasing.repository.ts';
import { ReviewItemsRepository } from './review-items.repository.ts';
import { SessionsRepository } from './sessions.repository.ts';
import { SignInFailuresRepository } from './sign-in-failures.repository.ts';
import { UsersRepository } from './users.repository.ts';
import { VendorCorrectionsRepository } from './vendor-corrections.repository.ts';
import { VendorMemoryRepository } from './vendor-memory.repository.ts';
import { VendorsRepository } from './vendors.repository.ts';
import { WatchFoldersRepository } from './watch-folders.repository.ts';
import { WebhooksRepository } from './webhooks.repository.ts';

export interface Repositories {
  documents: DocumentsRepository;
  reviewItems: ReviewItemsRepository;
  approvals: ApprovalsRepository;
  audit: AuditRepository;
  vendorCorrections: VendorCorrectionsRepository;
  vendorMemory: VendorMemoryRepository;
  webhooks: WebhooksRepository;
  apiKeys: ApiKeysRepository;
  users: UsersRepository;
  sessions: SessionsRepository;
  signInFailures: SignInFailuresRepository;
  idempotencyKeys: IdempotencyKeysRepository;
  figures: FiguresRepository;
  intakeRefusals: IntakeRefusalsRepository;
  inboxes: InboxesRepository;
  watchFolders: WatchFoldersRepository;
  vendors: VendorsRepository;
  purchasing: PurchasingRepository;
  masterDataEvents: MasterDataEventsRepository;
}

/**
 * Runs `work` in one transaction, handing it every repository bound to that transaction: committed when
 * `work` resolves, rolled back when it throws. Inside, query only through `tx`: PGlite has one connection,
 * so a query through a repository bound to the database would wait for the transaction, and it for that.
 */
export type Transaction = <T>(work: (tx: Repositories) => Promise<T>) => Promise<T>;

/** The repositories over `q`: the database (each call its own statement) or one transaction's handle. */
export function repositoriesOn(q: Queryable, clock: Clock): Repositories {
  return {
    documents: new DocumentsRepository(q, clock),
    reviewItems: new ReviewItemsRepository(q),
    approvals: new ApprovalsRepository(q),
    audit: new AuditRepository(q),
    vendorCorrections: new VendorCorrectionsRepository(q),
    vendorMemory: new VendorMemoryRepository(q),
    webhooks: new WebhooksRepository(q),
    apiKeys: new ApiKeysRepository(q),
    users: new UsersRepository(q),
    sessions: new SessionsRepository(q),
    signInFailures: new SignInFailuresRepository(q),
    idempotencyKeys: new IdempotencyKeysRepository(q),
    figures: new FiguresRepository(q),
    intakeRefusals: new IntakeRefusalsRepository(q),
    inboxes: new InboxesRepository(q),
    watchFolders: new WatchFoldersRepository(q),
    vendors: new VendorsRepository(q),
    purchasing: new PurchasingRepository(q),
    masterDataEvents: new MasterDataEventsRepository(q),
  };
}

export function transactionOn(db: Database, clock: Clock): Transaction {
  return (work) => db.transaction((tx) => work(repositoriesOn(tx, clock)));
}
