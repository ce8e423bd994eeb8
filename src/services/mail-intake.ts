// E-mail intake: each supported attachment of an inbox's e-mails becomes a document through the same intake as
// uploads, exactly once. An e-mail is recorded by its Message-ID and moved to the processed (or refused)
// folder only after its documents are stored; one seen again (a crash before the move, a copy sent twice)
// is only moved, and an attachment already stored from it is found by its bytes, not stored again.
import { createHash, randomBytes } from 'node:crypto';
import { type Attachment, simpleParser } from 'mailparser';
import type { MailboxSession, MailboxSettings } from '../adapters/imap.ts';
import type { InboxRules } from '../contract/inbox.ts';
import type { EmailOrigin } from '../contract/origin.ts';
import type { Clock } from '../storage/clock.ts';
import type { DocumentsRepository } from '../storage/documents.repository.ts';
import type { InboxesRepository, InboxRecord, MessageOutcome } from '../storage/inboxes.repository.ts';
import type { IntakeRefusalsRepository } from '../storage/intake-refusals.repository.ts';
import { messageOf } from './errors.ts';
import type { ChannelLog } from './folder-intake.ts';
import { IntakeRefusal, type IntakeService } from './intake.ts';
import type { SecretBox } from './secret-box.ts';

/** An attachment as found in an e-mail (or in an e-mail forwarded inside it). */
export interface MailPart {
  fileName: string;
  contentType: string;
  disposition: string | undefined;
  contentId: string | undefined;
  /** Referenced from the HTML body (multipart/related). */
  related: boolean;
  bytes: Buffer;
}

/** Small images are logos, signature icons and tracking pixels, never invoices. */
const ICON_BYTES = 10 * 1024;
/** An image the HTML body shows by its Content-ID is decoration unless it is as large as a scan. */
const EMBEDDED_IMAGE_BYTES = 200 * 1024;

/** Why an attachment is not a document at all (no refusal, no reply): inline decoration. */
export function isDecoration(part: MailPart): boolean {
  if (!part.contentType.startsWith('image/')) return false;
  if (part.bytes.length < ICON_BYTES) return true;
  const embedded = part.related || Boolean(part.contentId) || part.disposition === 'inline';
  return embedded && part.bytes.length < EMBEDDED_IMAGE_BYTES;
}

export function senderAllowed(rules: InboxRules, sender: string | null): boolean {
  if (rules.senders.length === 0) return true;
  const address = (sender ?? '').toLowerCase();
  return rules.senders.some((s) => (s.startsWith('@') ? address.endsWith(s) : address === s));
}

export function referenceFrom(rules: InboxRules, subject: string | null): string | undefined {
  if (!rules.externalRefPattern || !subject) return undefined;
  const m = new RegExp(rules.externalRefPattern, 'iu').exec(subject);
  const ref = (m?.[1] ?? m?.[0])?.trim();
  return ref ? ref.slice(0, 200) : undefined;
}

export function kindOf(mediaType: string): 'pdf' | 'image' | 'xml' {
  if (mediaType === 'application/pdf') return 'pdf';
  if (mediaType.startsWith('image/')) return 'image';
  return 'xml';
}

/** Every attachment, with those of forwarded e-mails (message/rfc822) opened in their place. */
async function partsOf(attachments: Attachment[], depth = 0): Promise<MailPart[]> {
  const parts: MailPart[] = [];
  for (const a of attachments) {
    if (a.contentType === 'message/rfc822' && depth < 3) {
      const inner = await simpleParser(a.content);
      parts.push(...(await partsOf(inner.attachments, depth + 1)));
      continue;
    }
    parts.push({
      fileName: a.filename ?? `attachment-${parts.length + 1}`,
      contentType: a.contentType,
      disposition: a.contentDisposition,
      contentId: a.cid,
      related: a.related === true,
      bytes: a.content,
    });
  }
  return parts;
}

export interface MessageTaken {
  messageId: string;
  outcome: MessageOutcome;
  documentIds: string[];
  refused: { fileName: string; code: string; message: string }[];
  /** Seen before: only moved. */
  again: boolean;
}

export class MailIntakeService {
  /** This process, for the inbox leases. */
  readonly owner = `mail_${randomBytes(6).toString('hex')}`;
  private readonly watching = new Map<string, Promise<void>>();
  private stopped = false;
  private readonly sleepers = new Set<() => void>();

  constructor(
    private readonly inboxes: Pick<
      InboxesRepository,
      'list' | 'lease' | 'release' | 'checked' | 'takenMessage' | 'recordMessage'
    >,
    private readonly documents: Pick<DocumentsRepository, 'findByOrigin'>,
    private readonly refusals: Pick<IntakeRefusalsRepository, 'record'>,
    private readonly intake: Pick<IntakeService, 'check' | 'accept'>,
    private readonly secrets: SecretBox,
    private readonly openMailbox: (s: MailboxSettings) => Promise<MailboxSession>,
    private readonly clock: Clock,
    private readonly log: ChannelLog,
    private readonly options: { pollSeconds: number },
  ) {}

  /**
   * Stores an e-mail's documents (or finds them stored) and records the e-mail; the caller moves it after.
   * Faults throw, leaving the e-mail where it is for the next pass.
   */
  async takeMessage(inbox: InboxRecord, raw: Buffer): Promise<MessageTaken> {
    const mail = await simpleParser(raw);
    const messageId = mail.messageId ?? `sha256:${createHash('sha256').update(raw).digest('hex')}`;
    const known = await this.inboxes.takenMessage(inbox.id, messageId);
    if (known) {
      return { messageId, outcome: known.outcome, documentIds: known.documentIds, refused: [], again: true };
    }
    const sender = mail.from?.value[0]?.address?.toLowerCase() ?? null;
    const subject = mail.subject ?? null;
    const refused: MessageTaken['refused'] = [];
    const documentIds: string[] = [];
    const originOf = (fileName: string): EmailOrigin => ({
      channel: 'email',
      mailbox: inbox.name,
      messageId,
      from: sender,
      subject,
      attachment: fileName,
    });
    const refuse = async (fileName: string, code: string, message: string) => {
      refused.push({ fileName, code, message });
      await this.refusals.record(
        { source: 'email', origin: originOf(fileName), fileName, code, message },
        this.clock.now(),
      );
    };

    if (!senderAllowed(inbox.rules, sender)) {
      await refuse(
        '(e-mail)',
        'sender_not_allowed',
        `${sender ?? 'An unknown sender'} is not among this inbox's senders.`,
      );
    } else {
      const parts = (await partsOf(mail.attachments)).filter((p) => !isDecoration(p));
      if (parts.length === 0)
        await refuse('(e-mail)', 'no_attachment', 'The e-mail has no attachment to read.');
      const externalRef = referenceFrom(inbox.rules, subject);
      const seen = new Set<string>();
      for (const part of parts) {
        const sha256 = createHash('sha256').update(part.bytes).digest('hex');
        if (seen.has(sha256)) continue; // the same file attached twice is one document
        seen.add(sha256);
        const before = await this.documents.findByOrigin(sha256, {
          channel: 'email',
          mailbox: inbox.name,
          messageId,
        });
        if (before) {
          documentIds.push(before.id);
          continue;
        }
        let mediaType: string;
        try {
          mediaType = await this.intake.check({ fileName: part.fileName, bytes: part.bytes });
        } catch (e) {
          if (!(e instanceof IntakeRefusal)) throw e;
          await refuse(part.fileName, e.code, e.message);
          continue;
        }
        const kinds = inbox.rules.attachmentTypes;
        if (kinds.length > 0 && !kinds.includes(kindOf(mediaType))) {
          await refuse(
            part.fileName,
            'type_not_taken',
            `${part.fileName} is ${kindOf(mediaType).toUpperCase()}; this inbox takes ${kinds.join(', ')} only.`,
          );
          continue;
        }
        const [doc] = await this.intake.accept(
          [{ file: { fileName: part.fileName, bytes: part.bytes }, mediaType }],
          {
            source: 'email',
            origin: originOf(part.fileName),
            externalRef,
            businessUnit: inbox.rules.businessUnit,
            submittedBy: `inbox:${inbox.name}`,
          },
          this.log,
        );
        if (doc) documentIds.push(doc.id);
      }
    }
    const outcome: MessageOutcome = documentIds.length > 0 ? 'stored' : 'refused';
    await this.inboxes.recordMessage(
      inbox.id,
      { messageId, outcome, sender, subject, documentIds },
      this.clock.now(),
    );
    return { messageId, outcome, documentIds, refused, again: false };
  }

  /** One pass over an inbox's folder: every e-mail taken, then moved. */
  async checkInbox(inbox: InboxRecord, session: MailboxSession): Promise<MessageTaken[]> {
    const taken: MessageTaken[] = [];
    for (const uid of await session.list()) {
      if (this.stopped) break;
      const raw = await session.source(uid);
      if (!raw) continue;
      const result = await this.takeMessage(inbox, raw);
      await session.move(uid, result.outcome === 'stored' ? inbox.processedFolder : inbox.refusedFolder);
      this.log.info(
        {
          inbox: inbox.name,
          messageId: result.messageId,
          documents: result.documentIds,
          refused: result.refused.length,
        },
        result.again ? 'e-mail seen again: moved only' : 'e-mail taken',
      );
      taken.push(result);
    }
    return taken;
  }

  settingsOf(inbox: InboxRecord): MailboxSettings {
    return {
      host: inbox.host,
      port: inbox.port,
      tls: inbox.tls,
      username: inbox.username,
      password: this.secrets.open(inbox.passwordSealed),
      folder: inbox.folder,
      moveTargets: [inbox.processedFolder, inbox.refusedFolder],
    };
  }

  /** Watches every enabled inbox this process can lease; new inboxes are picked up within a poll interval. */
  start(): void {
    const loop = async () => {
      while (!this.stopped) {
        try {
          for (const inbox of await this.inboxes.list()) {
            if (inbox.enabled && !this.watching.has(inbox.id)) {
              const watcher = this.watch(inbox).finally(() => this.watching.delete(inbox.id));
              this.watching.set(inbox.id, watcher);
            }
          }
        } catch (e) {
          this.log.error({ err: messageOf(e) }, 'listing the inboxes failed');
        }
        // A new inbox is picked up within 10 s, whatever the mailboxes' polling interval.
        await this.pause(Math.min(this.options.pollSeconds, 10) * 1000);
      }
    };
    this.watching.set('', loop());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const wake of this.sleepers) wake();
    await Promise.allSettled([...this.watching.values()]);
  }

  private pause(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }

  /** Holds the inbox's lease and takes its e-mails as they come, until stopped or the inbox is gone. */
  private async watch(inbox: InboxRecord): Promise<void> {
    const pollMs = this.options.pollSeconds * 1000;
    const leaseMs = Math.max(60_000, 3 * pollMs);
    let failures = 0;
    while (!this.stopped) {
      const now = this.clock.now();
      if (
        !(await this.inboxes
          .lease(inbox.id, this.owner, now, new Date(now.getTime() + leaseMs))
          .catch(() => false))
      ) {
        // Another process reads it, or it was removed or disabled: look again later.
        const still = (await this.inboxes.list().catch(() => [])).some((i) => i.id === inbox.id && i.enabled);
        if (!still) return;
        await this.pause(pollMs);
        continue;
      }
      let session: MailboxSession | undefined;
      try {
        session = await this.openMailbox(this.settingsOf(inbox));
        while (!this.stopped) {
          await this.checkInbox(inbox, session);
          await this.inboxes.checked(inbox.id, this.clock.now(), null);
          failures = 0;
          const waited = session.waitForMail(pollMs);
          await Promise.race([waited, this.pause(pollMs)]);
          const at = this.clock.now();
          if (!(await this.inboxes.lease(inbox.id, this.owner, at, new Date(at.getTime() + leaseMs)))) break;
        }
      } catch (e) {
        failures++;
        const error = messageOf(e);
        this.log.error({ inbox: inbox.name, err: error }, 'reading the inbox failed; trying again');
        await this.inboxes.checked(inbox.id, this.clock.now(), error).catch(() => {});
        await this.pause(Math.min(pollMs, 1000 * 2 ** Math.min(failures, 6)));
      } finally {
        await session?.close().catch(() => {});
      }
    }
    await this.inboxes.release(inbox.id, this.owner).catch(() => {});
  }
}
