// E-mail intake: each supported attachment of an inbox's e-mails becomes a document through the same intake as
// uploads, exactly once. An e-mail is recorded by its Message-ID and moved to the processed (or refused)
// folder only after its documents are stored; one seen again (a crash before the move, a copy sent twice)
// is only moved, and an attachment already stored from it is found by its bytes, not stored again. A ZIP is
// opened into its files (zip-attachments.ts); the sender of refused attachments may be told, once.
import { createHash, randomBytes } from 'node:crypto';
import { type Attachment, type ParsedMail, simpleParser } from 'mailparser';
import type { MailboxSession, MailboxSettings } from '../adapters/imap.ts';
import type { OutgoingReply } from '../adapters/smtp.ts';
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
import { isZipBatch, unpackZip } from './zip-attachments.ts';

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

/** Refusals a sender is told of: those of attachments, not of the e-mail as a whole (an unknown sender). */
const NOT_REPLIED = new Set(['sender_not_allowed', 'no_attachment']);
/** Senders that are robots: a reply to them would be lost, or answered by another robot. */
const ROBOT_SENDER = /^(mailer-daemon|postmaster|no-?reply|do-?not-?reply|bounces?|auto-?reply)([+._-]|$)/i;
const BULK_PRECEDENCE = /^(bulk|junk|list|auto_reply)$/i;

/** A header's value as text, whether mailparser kept it as a string or parsed it into parts. */
function headerText(value: unknown): string {
  if (typeof value === 'string') return value.trim();
  if (value && typeof value === 'object') {
    if ('text' in value && typeof value.text === 'string') return value.text.trim();
    if ('value' in value && typeof value.value === 'string') return value.value.trim();
  }
  return '';
}

/** The address inside "Name <address>", lower-cased. */
const addressOf = (s: string) => (/<([^>]+)>/.exec(s)?.[1] ?? s).trim().toLowerCase();

/**
 * Why an e-mail must not be answered, or undefined when it may be: no loops with other robots, no replies to
 * ourselves, to bounces, to mailing lists or to bulk mail (RFC 3834).
 */
export function whyNoReply(
  headers: Map<string, unknown>,
  sender: string | null,
  ownAddresses: string[],
): string | undefined {
  if (!sender) return 'the e-mail names no sender';
  if (ownAddresses.some((a) => a && addressOf(a) === sender)) return "it came from the service's own address";
  if (ROBOT_SENDER.test(sender.split('@')[0] ?? '')) return 'it came from a robot (mailer-daemon, no-reply…)';
  const autoSubmitted = headerText(headers.get('auto-submitted')).toLowerCase();
  if (autoSubmitted && autoSubmitted !== 'no')
    return `it is automatic mail (Auto-Submitted: ${autoSubmitted})`;
  const precedence = headerText(headers.get('precedence'));
  if (BULK_PRECEDENCE.test(precedence)) return `it is bulk mail (Precedence: ${precedence})`;
  // mailparser gathers List-Id, List-Unsubscribe and the like under `list`.
  if (headers.has('list') || headers.has('list-id')) return 'it came through a mailing list';
  if (headerText(headers.get('return-path')) === '<>') return 'it is a bounce (empty Return-Path)';
  return undefined;
}

/** The reply's words: which files were not taken and why, and what was taken. */
export function refusalReply(
  inbox: Pick<InboxRecord, 'name'>,
  subject: string | null,
  refused: { fileName: string; message: string }[],
  taken: number,
): { subject: string; text: string } {
  const lines = [
    'Hello,',
    '',
    `Your e-mail${subject ? ` "${subject}"` : ''} reached ${inbox.name}, but ${
      refused.length === 1 ? 'one file was' : `${refused.length} files were`
    } not taken:`,
    '',
    // Most reasons start with the file's name already (intake's own sentences).
    ...refused.map(
      (r) => `- ${r.message.startsWith(r.fileName) ? r.message : `${r.fileName}: ${r.message}`}`,
    ),
    '',
    taken > 0
      ? `${taken === 1 ? 'The other file was' : `The other ${taken} files were`} taken and will be processed.`
      : 'Nothing from this e-mail was taken.',
    'Please send the files again as PDF, image or XML invoices, each under the size limit and without a password.',
    '',
    'This is an automatic reply; answers to it are not read.',
  ];
  return { subject: `Not taken: ${subject ?? 'your e-mail'}`.slice(0, 250), text: `${lines.join('\n')}\n` };
}

export interface MessageTaken {
  messageId: string;
  outcome: MessageOutcome;
  documentIds: string[];
  refused: { fileName: string; code: string; message: string }[];
  /** Seen before: only moved. */
  again: boolean;
  /** Whether the sender was told of the refusals, and if not, why. */
  reply?: { sent: true } | { sent: false; why: string };
}

export interface MailIntakeOptions {
  pollSeconds: number;
  /** The upload limit: an attachment, or a ZIP's files together, may be no larger. */
  maxBytes: number;
  /** Replies to the senders of refused attachments (SMTP_URL), for inboxes that ask for them. */
  replies?: { send(reply: OutgoingReply): Promise<void>; from?: string | undefined } | undefined;
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
    private readonly options: MailIntakeOptions,
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
    const refuse = async (fileName: string, code: string, message: string, origin = originOf(fileName)) => {
      refused.push({ fileName, code, message });
      await this.refusals.record({ source: 'email', origin, fileName, code, message }, this.clock.now());
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
      /** One file (an attachment, or a file of a zipped one) made a document, unless refused. */
      const takeFile = async (fileName: string, bytes: Buffer, origin: EmailOrigin) => {
        const sha256 = createHash('sha256').update(bytes).digest('hex');
        if (seen.has(sha256)) return; // the same file attached twice is one document
        seen.add(sha256);
        const before = await this.documents.findByOrigin(sha256, {
          channel: 'email',
          mailbox: inbox.name,
          messageId,
        });
        if (before) {
          documentIds.push(before.id);
          return;
        }
        let mediaType: string;
        try {
          mediaType = await this.intake.check({ fileName, bytes });
        } catch (e) {
          if (!(e instanceof IntakeRefusal)) throw e;
          await refuse(fileName, e.code, e.message, origin);
          return;
        }
        const kinds = inbox.rules.attachmentTypes;
        if (kinds.length > 0 && !kinds.includes(kindOf(mediaType))) {
          await refuse(
            fileName,
            'type_not_taken',
            `${fileName} is ${kindOf(mediaType).toUpperCase()}; this inbox takes ${kinds.join(', ')} only.`,
            origin,
          );
          return;
        }
        const [doc] = await this.intake.accept(
          [{ file: { fileName, bytes }, mediaType }],
          {
            source: 'email',
            origin,
            externalRef,
            businessUnit: inbox.rules.businessUnit,
            submittedBy: `inbox:${inbox.name}`,
          },
          this.log,
        );
        if (doc) documentIds.push(doc.id);
      };
      for (const part of parts) {
        // A zipped batch is opened into its files; one over the upload limit is refused as it is, below.
        if (part.bytes.length <= this.options.maxBytes && (await isZipBatch(part.bytes))) {
          const unpacked = unpackZip(part.fileName, part.bytes, this.options.maxBytes);
          for (const r of unpacked.refused) {
            await refuse(r.fileName, r.code, r.message, {
              ...originOf(part.fileName),
              ...(r.entry ? { entry: r.entry } : {}),
            });
          }
          for (const f of unpacked.files) {
            await takeFile(f.fileName, f.bytes, { ...originOf(part.fileName), entry: f.entry });
          }
          continue;
        }
        await takeFile(part.fileName, part.bytes, originOf(part.fileName));
      }
    }
    const outcome: MessageOutcome = documentIds.length > 0 ? 'stored' : 'refused';
    await this.inboxes.recordMessage(
      inbox.id,
      { messageId, outcome, sender, subject, documentIds },
      this.clock.now(),
    );
    const taken: MessageTaken = { messageId, outcome, documentIds, refused, again: false };
    if (inbox.rules.replyToRefused) {
      const told = refused.filter((r) => !NOT_REPLIED.has(r.code));
      if (told.length > 0) taken.reply = await this.reply(inbox, mail, sender, told, documentIds.length);
    }
    return taken;
  }

  /**
   * Tells the sender, once per e-mail, which attachments were refused and why. After the e-mail is recorded,
   * so a crash before the reply never brings a second one; a mail server away costs the reply, not the e-mail.
   */
  private async reply(
    inbox: InboxRecord,
    mail: ParsedMail,
    sender: string | null,
    refused: MessageTaken['refused'],
    taken: number,
  ): Promise<NonNullable<MessageTaken['reply']>> {
    const replies = this.options.replies;
    const from = replies?.from ?? (inbox.username.includes('@') ? inbox.username : undefined);
    const why = !replies
      ? 'no mail server to send through (SMTP_URL)'
      : !from
        ? 'no address to send from (SMTP_FROM, or an inbox user name that is an address)'
        : whyNoReply(mail.headers, sender, [from, inbox.username]);
    if (why || !replies || !from || !sender) {
      this.log.info({ inbox: inbox.name, messageId: mail.messageId, why }, 'refusals not replied to');
      return { sent: false, why: why ?? 'no sender' };
    }
    const { subject, text } = refusalReply(inbox, mail.subject ?? null, refused, taken);
    try {
      await replies.send({ from, to: sender, subject, text, inReplyTo: mail.messageId });
      this.log.info(
        { inbox: inbox.name, to: sender, refused: refused.length },
        'sender told of the refusals',
      );
      return { sent: true };
    } catch (e) {
      this.log.warn({ inbox: inbox.name, to: sender, err: messageOf(e) }, 'the reply could not be sent');
      return { sent: false, why: `the mail server refused it: ${messageOf(e)}` };
    }
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
