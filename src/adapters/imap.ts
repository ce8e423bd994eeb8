// One IMAP mailbox folder through imapflow: list its e-mails, fetch one whole, move it, and wait for new mail
// (IDLE where the server has it; imapflow polls with NOOP where it does not).
import { ImapFlow } from 'imapflow';

export interface MailboxSettings {
  host: string;
  port: number;
  tls: boolean;
  username: string;
  password: string;
  folder: string;
  /** Folders the e-mails are moved to; made when missing. */
  moveTargets: string[];
}

export interface MailboxSession {
  /** The e-mails in the folder now (UIDs, oldest first). */
  list(): Promise<number[]>;
  /** The e-mail as it was sent (RFC 822), or undefined when it is gone. */
  source(uid: number): Promise<Buffer | undefined>;
  move(uid: number, folder: string): Promise<void>;
  /** Resolves when new mail arrives, or after `ms`. */
  waitForMail(ms: number): Promise<void>;
  close(): Promise<void>;
}

/** imapflow says "Command failed"; the server's own words (wrong password, no such folder) are in responseText. */
function explained(e: unknown): Error {
  if (!(e instanceof Error)) return new Error(String(e));
  const text = 'responseText' in e && typeof e.responseText === 'string' ? e.responseText : undefined;
  const refused = 'authenticationFailed' in e && e.authenticationFailed === true;
  if (refused) return new Error(`the IMAP server refused the sign-in: ${text ?? e.message}`);
  return text ? new Error(`${e.message}: ${text}`) : e;
}

export async function openMailbox(s: MailboxSettings): Promise<MailboxSession> {
  return open(s).catch((e) => {
    throw explained(e);
  });
}

async function open(s: MailboxSettings): Promise<MailboxSession> {
  const client = new ImapFlow({
    host: s.host,
    port: s.port,
    secure: s.tls,
    auth: { user: s.username, pass: s.password },
    logger: false,
    // Plain IMAP stays plain only when asked for (a local test server); otherwise upgrade when offered.
    doSTARTTLS: s.tls ? undefined : false,
    connectionTimeout: 15_000,
    // IDLE as soon as a pass is over (imapflow waits 15 s by default), so new mail is announced at once.
    autoIdleDelay: 200,
  });
  let failure: Error | undefined;
  client.on('error', (e: Error) => {
    failure = e;
  });
  // Mail announced while a pass was running (after its search) must not wait for the next poll.
  let announced = false;
  client.on('exists', () => {
    announced = true;
  });
  await client.connect();
  const existing = new Set((await client.list()).map((m) => m.path));
  for (const folder of s.moveTargets) {
    if (!existing.has(folder)) await client.mailboxCreate(folder).catch(() => {});
  }
  await client.mailboxOpen(s.folder);
  const alive = () => {
    if (failure) throw failure;
    if (!client.usable) throw new Error('the IMAP connection closed');
  };
  return {
    async list() {
      alive();
      announced = false;
      const found = await client.search({ all: true }, { uid: true });
      return (found || []).sort((a, b) => a - b);
    },
    async source(uid) {
      alive();
      const message = await client.fetchOne(String(uid), { source: true }, { uid: true });
      return message ? message.source : undefined;
    },
    async move(uid, folder) {
      alive();
      await client.messageMove(String(uid), folder, { uid: true });
    },
    async waitForMail(ms) {
      alive();
      if (announced) return;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          client.off('exists', done);
          client.off('close', done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        client.on('exists', done);
        client.on('close', done);
      });
    },
    async close() {
      await client.logout().catch(() => client.close());
    },
  };
}
