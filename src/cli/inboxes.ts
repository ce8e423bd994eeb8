// `retaguarda inbox add|list|remove`: the mailboxes documents are taken from, in the service's database.
import { text } from 'node:stream/consumers';
import { loadEnv } from '../config/env.ts';
import { InboxSettings } from '../contract/inbox.ts';
import { messageOf } from '../services/errors.ts';
import { InboxService } from '../services/inboxes.ts';
import { secretBox } from '../services/secret-box.ts';
import { systemClock } from '../storage/clock.ts';
import { InboxesRepository } from '../storage/inboxes.repository.ts';
import { withServiceDatabase } from './service-database.ts';

function withInboxes<T>(work: (inboxes: InboxService) => Promise<T>): Promise<T> {
  const { SECRETS_KEY } = loadEnv();
  return withServiceDatabase('Add it through the API instead (POST /v1/inboxes with an admin key)', (db) =>
    work(new InboxService(new InboxesRepository(db), secretBox(SECRETS_KEY), systemClock)),
  );
}

export interface InboxAddOptions {
  name: string;
  host: string;
  port?: string;
  tls: boolean;
  user: string;
  folder?: string;
  processedFolder?: string;
  refusedFolder?: string;
  senders?: string;
  types?: string;
  refPattern?: string;
  businessUnit?: string;
  replyToRefused?: boolean;
}

const list = (s: string | undefined) =>
  s
    ?.split(',')
    .map((p) => p.trim())
    .filter(Boolean) ?? [];

export async function runInboxAdd(opts: InboxAddOptions): Promise<number> {
  // The password comes on standard input, never as an argument (which `ps` and shell history would show).
  const password = process.stdin.isTTY ? '' : (await text(process.stdin)).replace(/\r?\n$/, '');
  const parsed = InboxSettings.safeParse({
    name: opts.name,
    host: opts.host,
    port: opts.port ?? (opts.tls ? 993 : 143),
    tls: opts.tls,
    username: opts.user,
    password,
    ...(opts.folder ? { folder: opts.folder } : {}),
    ...(opts.processedFolder ? { processedFolder: opts.processedFolder } : {}),
    ...(opts.refusedFolder ? { refusedFolder: opts.refusedFolder } : {}),
    rules: {
      senders: list(opts.senders),
      attachmentTypes: list(opts.types),
      ...(opts.refPattern ? { externalRefPattern: opts.refPattern } : {}),
      ...(opts.businessUnit ? { businessUnit: opts.businessUnit } : {}),
      replyToRefused: opts.replyToRefused === true,
    },
  });
  if (!parsed.success) {
    for (const i of parsed.error.issues) {
      const what = i.path.join('.') === 'password' ? 'password (on standard input)' : i.path.join('.');
      process.stderr.write(`retaguarda inbox add: ${what}: ${i.message}\n`);
    }
    return 2;
  }
  try {
    const inbox = await withInboxes((inboxes) => inboxes.add(parsed.data));
    process.stdout.write(
      `${inbox.id}  ${inbox.name}  ${inbox.username}@${inbox.host}:${inbox.port}/${inbox.folder}\n`,
    );
    return 0;
  } catch (e) {
    process.stderr.write(`retaguarda inbox add: ${messageOf(e)}\n`);
    return 2;
  }
}

export async function runInboxList(): Promise<number> {
  try {
    for (const i of await withInboxes((inboxes) => inboxes.list())) {
      const state = i.lastError
        ? `last error: ${i.lastError}`
        : i.lastCheckedAt
          ? `read ${i.lastCheckedAt.toISOString()}`
          : 'not read yet';
      process.stdout.write(`${i.id}  ${i.name}  ${i.username}@${i.host}:${i.port}/${i.folder}  ${state}\n`);
    }
    return 0;
  } catch (e) {
    process.stderr.write(`retaguarda inbox list: ${messageOf(e)}\n`);
    return 2;
  }
}

export async function runInboxRemove(idOrName: string): Promise<number> {
  try {
    const done = await withInboxes((inboxes) => inboxes.remove(idOrName));
    process.stderr.write(done ? `Removed ${idOrName}.\n` : `No inbox ${idOrName}.\n`);
    return done ? 0 : 1;
  } catch (e) {
    process.stderr.write(`retaguarda inbox remove: ${messageOf(e)}\n`);
    return 2;
  }
}
