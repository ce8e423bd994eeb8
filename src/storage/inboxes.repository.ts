// Inboxes (their settings with the password sealed), the lease one process holds to read each, and the
// e-mails already taken from them by Message-ID.
import { randomBytes } from 'node:crypto';
import { InboxRules } from '../contract/inbox.ts';
import type { Queryable, Row } from './database.ts';
import { bool, date, dateOrNull, num, oneOf, str, strings, strOrNull } from './rows.ts';

export interface InboxRecord {
  id: string;
  name: string;
  host: string;
  port: number;
  tls: boolean;
  username: string;
  passwordSealed: string;
  folder: string;
  processedFolder: string;
  refusedFolder: string;
  rules: InboxRules;
  enabled: boolean;
  createdAt: Date;
  lastCheckedAt: Date | null;
  lastError: string | null;
}

export type NewInbox = Omit<InboxRecord, 'id' | 'enabled' | 'createdAt' | 'lastCheckedAt' | 'lastError'>;

export const MESSAGE_OUTCOMES = ['stored', 'refused', 'ignored'] as const;
export type MessageOutcome = (typeof MESSAGE_OUTCOMES)[number];

export interface TakenMessage {
  messageId: string;
  outcome: MessageOutcome;
  documentIds: string[];
  takenAt: Date;
}

const COLUMNS = `id, name, host, port, tls, username, password_sealed, folder, processed_folder, refused_folder,
  rules, enabled, created_at, last_checked_at, last_error`;

function toRecord(r: Row): InboxRecord {
  const rules = InboxRules.safeParse(r.rules ?? {});
  return {
    id: str(r, 'id'),
    name: str(r, 'name'),
    host: str(r, 'host'),
    port: num(r, 'port'),
    tls: bool(r, 'tls'),
    username: str(r, 'username'),
    passwordSealed: str(r, 'password_sealed'),
    folder: str(r, 'folder'),
    processedFolder: str(r, 'processed_folder'),
    refusedFolder: str(r, 'refused_folder'),
    // Rules stored under an older schema must not stop the inbox: it then takes every sender and kind.
    rules: rules.success ? rules.data : { senders: [], attachmentTypes: [], replyToRefused: false },
    enabled: bool(r, 'enabled'),
    createdAt: date(r, 'created_at'),
    lastCheckedAt: dateOrNull(r, 'last_checked_at'),
    lastError: strOrNull(r, 'last_error'),
  };
}

export class InboxesRepository {
  constructor(private readonly db: Queryable) {}

  /** Returns undefined when the name is taken. */
  async create(inbox: NewInbox, at: Date): Promise<InboxRecord | undefined> {
    const id = `inb_${randomBytes(8).toString('hex')}`;
    const [row] = await this.db.query(
      `insert into inboxes (id, name, host, port, tls, username, password_sealed, folder, processed_folder,
         refused_folder, rules, created_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       on conflict (name) do nothing returning ${COLUMNS}`,
      [
        id,
        inbox.name,
        inbox.host,
        inbox.port,
        inbox.tls,
        inbox.username,
        inbox.passwordSealed,
        inbox.folder,
        inbox.processedFolder,
        inbox.refusedFolder,
        JSON.stringify(inbox.rules),
        at,
      ],
    );
    return row ? toRecord(row) : undefined;
  }

  async list(): Promise<InboxRecord[]> {
    return (await this.db.query(`select ${COLUMNS} from inboxes order by name`)).map(toRecord);
  }

  /** By id or by name. */
  async find(idOrName: string): Promise<InboxRecord | undefined> {
    const [row] = await this.db.query(`select ${COLUMNS} from inboxes where id = $1 or name = $1`, [
      idOrName,
    ]);
    return row ? toRecord(row) : undefined;
  }

  async remove(idOrName: string): Promise<boolean> {
    const rows = await this.db.query('delete from inboxes where id = $1 or name = $1 returning id', [
      idOrName,
    ]);
    return rows.length > 0;
  }

  /** Takes (or renews) the lease on an inbox for `owner` until `until`; false while another process holds it. */
  async lease(id: string, owner: string, now: Date, until: Date): Promise<boolean> {
    const rows = await this.db.query(
      `update inboxes set lease_owner = $2, lease_until = $4
       where id = $1 and enabled and (lease_owner is null or lease_owner = $2 or lease_until < $3) returning id`,
      [id, owner, now, until],
    );
    return rows.length > 0;
  }

  async release(id: string, owner: string): Promise<void> {
    await this.db.query(
      'update inboxes set lease_owner = null, lease_until = null where id = $1 and lease_owner = $2',
      [id, owner],
    );
  }

  async checked(id: string, at: Date, error: string | null): Promise<void> {
    await this.db.query('update inboxes set last_checked_at = $2, last_error = $3 where id = $1', [
      id,
      at,
      error,
    ]);
  }

  async takenMessage(inboxId: string, messageId: string): Promise<TakenMessage | undefined> {
    const [row] = await this.db.query(
      'select message_id, outcome, document_ids, taken_at from inbox_messages where inbox_id = $1 and message_id = $2',
      [inboxId, messageId],
    );
    return row
      ? {
          messageId: str(row, 'message_id'),
          outcome: oneOf(row, 'outcome', MESSAGE_OUTCOMES),
          documentIds: strings(row, 'document_ids'),
          takenAt: date(row, 'taken_at'),
        }
      : undefined;
  }

  /** Records an e-mail as taken; a second record of the same Message-ID changes nothing. */
  async recordMessage(
    inboxId: string,
    m: {
      messageId: string;
      outcome: MessageOutcome;
      sender: string | null;
      subject: string | null;
      documentIds: string[];
    },
    at: Date,
  ): Promise<void> {
    await this.db.query(
      `insert into inbox_messages (inbox_id, message_id, outcome, sender, subject, document_ids, taken_at)
       values ($1, $2, $3, $4, $5, $6, $7) on conflict do nothing`,
      [inboxId, m.messageId, m.outcome, m.sender, m.subject, m.documentIds, at],
    );
  }
}
