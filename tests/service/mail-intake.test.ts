// E-mail intake end to end: a real IMAP server (dovecot) the test starts, e-mails built here, the real service
// on PostgreSQL and Redis taking them.
import { readFileSync } from 'node:fs';
import { zipSync } from 'fflate';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailIntakeService } from '../../src/services/mail-intake.ts';
import { startDovecot, type TestImapServer } from '../support/dovecot.ts';
import { startTestService, type TestService } from '../support/service.ts';
import { startSmtp, type TestSmtpServer } from '../support/smtp.ts';

const sample = (name: string) => readFileSync(new URL(`../../samples/${name}`, import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// A 1×1 PNG: the size of a logo in a signature.
const LOGO = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

type Mail = ConstructorParameters<typeof MailComposer>[0];
const build = (mail: Mail): Promise<Buffer> => new MailComposer(mail).compile().build();

interface Refusal {
  fileName: string;
  error: string;
  message: string;
  origin: { messageId: string; attachment: string; entry?: string };
}

/** The service's own address, which its replies come from. */
const OWN_ADDRESS = 'ap@ourcompany.example';

interface Doc {
  id: string;
  fileName: string;
  source: string;
  externalRef: string | null;
  origin: Record<string, string | null>;
}

describe('e-mail intake', () => {
  let imap: TestImapServer;
  let svc: TestService;
  let smtp: TestSmtpServer;

  const emailDocs = async () =>
    ((await (await svc.request('/v1/documents?source=email&limit=200')).json()) as { documents: Doc[] })
      .documents;

  /** Waits until the inbox is empty (every e-mail moved) and returns the e-mail documents. */
  async function settled(timeoutMs = 30_000): Promise<Doc[]> {
    const until = Date.now() + timeoutMs;
    while ((await imap.count('INBOX')) > 0) {
      if (Date.now() > until) throw new Error('the inbox was not emptied');
      await sleep(200);
    }
    return emailDocs();
  }

  /** The refusals the upload page lists (its query), of one e-mail. */
  const refusalsOf = async (messageId: string) =>
    ((await (await svc.request('/v1/intake-refusals?limit=50')).json()) as { refusals: Refusal[] }).refusals
      .filter((r) => r.origin.messageId === messageId)
      .sort((a, b) => a.fileName.localeCompare(b.fileName));
  /** The replies the SMTP server took, to one address. */
  const repliesTo = (address: string) => smtp.received.filter((r) => r.to.includes(address));

  beforeAll(async () => {
    imap = await startDovecot();
    smtp = await startSmtp();
    svc = await startTestService({
      env: {
        SECRETS_KEY: 'a-test-secrets-key-of-32-characters-at-least',
        MAIL_POLL_SECONDS: '1',
        SMTP_URL: smtp.url,
        SMTP_FROM: `Accounts payable <${OWN_ADDRESS}>`,
      },
    });
  });
  afterAll(async () => {
    await svc?.stop();
    await imap?.stop();
    await smtp?.stop();
  });

  it('adds an inbox whose password is stored encrypted and never shown', async () => {
    const res = await svc.request('/v1/inboxes', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'ap-invoices',
        host: imap.host,
        port: imap.port,
        tls: false,
        username: imap.user,
        password: imap.password,
        rules: { externalRefPattern: 'PO[- ]?(\\d+)', replyToRefused: true },
      }),
    });
    expect(res.status).toBe(201);
    const listed = await (await svc.request('/v1/inboxes')).text();
    expect(listed).toContain('ap-invoices');
    expect(listed).not.toContain(imap.password);
    const db = new pg.Client({ connectionString: svc.config.DATABASE_URL });
    await db.connect();
    const { rows } = await db.query<{ password_sealed: string }>('select password_sealed from inboxes');
    await db.end();
    expect(rows[0]?.password_sealed).not.toContain(imap.password);
    const ingest = await svc.key('ingest');
    expect((await svc.request('/v1/inboxes', { key: ingest })).status).toBe(403);
  });

  it('takes each attachment as a document with its origin, leaves the logo, and moves the e-mail to Processed', async () => {
    await imap.append(
      await build({
        from: 'Billing <billing@acme.example>',
        to: 'ap@ourcompany.example',
        subject: 'Invoices for PO-4711',
        messageId: '<two-invoices@acme.example>',
        html: '<p>Please find our invoices.</p><img src="cid:logo@acme">',
        attachments: [
          { filename: 'logo.png', content: LOGO, cid: 'logo@acme', contentType: 'image/png' },
          { filename: 'INV-1.pdf', content: sample('invoice-en-digital.pdf') },
          { filename: 'INV-2.pdf', content: sample('invoice-es-digital.pdf') },
        ],
      }),
    );
    const docs = await settled();
    expect(docs.map((d) => d.fileName).sort()).toEqual(['INV-1.pdf', 'INV-2.pdf']);
    const first = docs.find((d) => d.fileName === 'INV-1.pdf');
    expect(first?.externalRef).toBe('4711');
    expect(first?.origin).toEqual({
      channel: 'email',
      mailbox: 'ap-invoices',
      messageId: '<two-invoices@acme.example>',
      from: 'billing@acme.example',
      subject: 'Invoices for PO-4711',
      attachment: 'INV-1.pdf',
    });
    expect(await imap.count('Processed')).toBe(1);
    const final = await svc.waitForFinal(first?.id ?? '');
    expect(final.status).toBe('auto_approved');
  });

  it('finds the invoice inside a forwarded e-mail', async () => {
    const original = await build({
      from: 'supplier@faraway.example',
      subject: 'Factura',
      text: 'Adjunto la factura.',
      attachments: [{ filename: 'factura-88.pdf', content: sample('invoice-pt-digital.pdf') }],
    });
    await imap.append(
      await build({
        from: 'colleague@ourcompany.example',
        subject: 'Fwd: Factura',
        messageId: '<forwarded@ourcompany.example>',
        text: 'This one came to me.',
        attachments: [{ filename: 'Factura.eml', content: original, contentType: 'message/rfc822' }],
      }),
    );
    const docs = await settled();
    const nested = docs.filter((d) => d.origin.messageId === '<forwarded@ourcompany.example>');
    expect(nested.map((d) => d.fileName)).toEqual(['factura-88.pdf']);
    expect(nested[0]?.origin.from).toBe('colleague@ourcompany.example');
  });

  it('takes nothing twice from an e-mail sent again with the same Message-ID', async () => {
    const before = (await emailDocs()).length;
    await imap.append(
      await build({
        from: 'Billing <billing@acme.example>',
        subject: 'Invoices for PO-4711',
        messageId: '<two-invoices@acme.example>',
        text: 'Resent.',
        attachments: [
          { filename: 'INV-1.pdf', content: sample('invoice-en-digital.pdf') },
          { filename: 'INV-2.pdf', content: sample('invoice-es-digital.pdf') },
        ],
      }),
    );
    const after = await settled();
    expect(after).toHaveLength(before);
    expect(await imap.count('Processed')).toBe(3);
  });

  it('refuses what it cannot read, says why, moves the e-mail to Refused and tells the sender once', async () => {
    await imap.append(
      await build({
        from: 'someone@acme.example',
        subject: 'Notes',
        messageId: '<refused@acme.example>',
        text: 'See attached.',
        attachments: [
          { filename: 'notes.txt', content: 'call the supplier\n' },
          { filename: 'archive.zip', content: Buffer.from('504b0304140000000000', 'hex') },
        ],
      }),
    );
    const before = (await emailDocs()).length;
    expect(await settled()).toHaveLength(before);
    expect(await imap.count('Refused')).toBe(1);
    const mine = await refusalsOf('<refused@acme.example>');
    expect(mine.map((r) => [r.fileName, r.error])).toEqual([
      ['archive.zip', 'unreadable_archive'],
      ['notes.txt', 'unsupported_type'],
    ]);
    expect(mine.every((r) => r.message.length > 0)).toBe(true);

    // One reply for the e-mail, not one per attachment, naming each file and why, in the sender's thread.
    const replies = repliesTo('someone@acme.example');
    expect(replies).toHaveLength(1);
    const reply = replies[0]!.mail;
    expect(reply.from?.value[0]?.address).toBe(OWN_ADDRESS);
    expect(reply.subject).toBe('Not taken: Notes');
    expect(reply.inReplyTo).toBe('<refused@acme.example>');
    expect(reply.headers.get('auto-submitted')).toBe('auto-replied');
    expect(reply.text).toContain('2 files were not taken');
    expect(reply.text).toContain('- notes.txt: This looks like a plain text file.');
    expect(reply.text).toMatch(/- archive\.zip cannot be opened/);
    expect(reply.text).toContain('Nothing from this e-mail was taken.');
  });

  it('refuses a 30 MB attachment over the 25 MB upload limit, lists it with the reason, and tells the sender', async () => {
    const pdf = sample('invoice-en-digital.pdf');
    // A real invoice padded to 30 MB, as a scanner at 600 dpi makes them.
    const big = Buffer.concat([pdf, Buffer.alloc(30 * 1048576 - pdf.length, 0x20)]);
    const refusedBefore = await imap.count('Refused');
    await imap.append(
      await build({
        from: 'Scanner Room <scans@acme.example>',
        subject: 'Scan from the third floor',
        messageId: '<thirty-mb@acme.example>',
        text: 'Scanned document attached.',
        attachments: [{ filename: 'scan-30MB.pdf', content: big }],
      }),
    );
    const before = (await emailDocs()).length;
    expect(await settled(90_000)).toHaveLength(before);
    expect(await imap.count('Refused')).toBe(refusedBefore + 1);
    const [refusal, ...others] = await refusalsOf('<thirty-mb@acme.example>');
    expect(others).toEqual([]);
    expect(refusal).toMatchObject({ fileName: 'scan-30MB.pdf', error: 'file_too_large' });
    expect(refusal?.message).toBe(
      'scan-30MB.pdf is 30.0 MB (31457280 bytes); the limit is 25.0 MB (26214400 bytes).',
    );
    const [reply] = repliesTo('scans@acme.example');
    expect(reply?.mail.text).toContain('- scan-30MB.pdf is 30.0 MB (31457280 bytes)');
  }, 120_000);

  it('opens a zipped batch: each invoice a document, what cannot be taken refused with its reason', async () => {
    const zipped = zipSync({
      'march/INV-10.pdf': sample('invoice-es-digital-longdate.pdf'),
      'march/INV-11.pdf': sample('invoice-pt-digital-longdate.pdf'),
      'march/notes.txt': Buffer.from('Two invoices for March.\n'),
      'march/old-batch.zip': zipSync({ 'INV-9.pdf': sample('invoice-en-digital.pdf') }),
      '../../tmp/evil.pdf': sample('invoice-en-digital.pdf'),
      // What macOS adds to every archive: not a document, and not worth a word.
      '__MACOSX/march/._INV-10.pdf': Buffer.from('resource fork'),
    });
    const processedBefore = await imap.count('Processed');
    await imap.append(
      await build({
        from: 'Finance <finance@acme.example>',
        subject: 'March invoices PO-5001',
        messageId: '<zip@acme.example>',
        text: 'The March batch.',
        attachments: [{ filename: 'march.zip', content: Buffer.from(zipped) }],
      }),
    );
    const docs = (await settled()).filter((d) => d.origin.messageId === '<zip@acme.example>');
    expect(await imap.count('Processed')).toBe(processedBefore + 1);
    expect(docs.map((d) => [d.fileName, d.origin.attachment, d.origin.entry, d.externalRef]).sort()).toEqual([
      ['INV-10.pdf', 'march.zip', 'march/INV-10.pdf', '5001'],
      ['INV-11.pdf', 'march.zip', 'march/INV-11.pdf', '5001'],
    ]);
    const statuses: string[] = [];
    for (const d of docs) statuses.push(String((await svc.waitForFinal(d.id)).status));
    expect(statuses).not.toContain('failed');
    expect(
      (await refusalsOf('<zip@acme.example>')).map((r) => [r.fileName, r.origin.entry, r.error]),
    ).toEqual([
      ['evil.pdf', '../../tmp/evil.pdf', 'unsafe_entry_name'],
      ['notes.txt', 'march/notes.txt', 'unsupported_type'],
      ['old-batch.zip', 'march/old-batch.zip', 'nested_archive'],
    ]);
    // The export and the review page say where each came from, archive and entry.
    const first = statuses[0] === 'auto_approved' ? 'approved' : statuses[0];
    const csv = await (await svc.request(`/v1/exports?status=${first}`)).text();
    expect(csv).toContain(`march.zip › ${docs[0]?.origin.entry}`);
    const replies = repliesTo('finance@acme.example');
    expect(replies).toHaveLength(1);
    expect(replies[0]?.mail.text).toContain('3 files were not taken');
    expect(replies[0]?.mail.text).toContain('The other 2 files were taken and will be processed.');
  });

  it('refuses a password-protected zip, and one that unpacks past the upload limit, whole', async () => {
    const locked = Buffer.from(zipSync({ 'INV-20.pdf': sample('invoice-en-digital.pdf') }));
    // The encryption flag (bit 0) in the entry's local header and in the central directory.
    locked.writeUInt16LE(locked.readUInt16LE(6) | 1, 6);
    const central = locked.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    locked.writeUInt16LE(locked.readUInt16LE(central + 8) | 1, central + 8);
    // 40 MB of zeros zip to a few KB: small to send, too big to unpack.
    const bomb = Buffer.from(zipSync({ 'huge.pdf': new Uint8Array(40 * 1048576) }));
    expect(bomb.length).toBeLessThan(1048576);
    await imap.append(
      await build({
        from: 'finance@acme.example',
        subject: 'Locked',
        messageId: '<locked-zip@acme.example>',
        attachments: [
          { filename: 'locked.zip', content: locked },
          { filename: 'huge.zip', content: bomb },
        ],
      }),
    );
    const before = (await emailDocs()).length;
    expect(await settled()).toHaveLength(before);
    const refusals = await refusalsOf('<locked-zip@acme.example>');
    expect(refusals.map((r) => [r.fileName, r.error])).toEqual([
      ['huge.zip', 'archive_too_large'],
      ['locked.zip', 'encrypted'],
    ]);
    expect(refusals[0]?.message).toBe(
      'huge.zip holds 40.0 MB once unpacked; the limit is 25.0 MB. Send it in parts.',
    );
    expect(refusals[1]?.message).toMatch(/password-protected/);
  });

  it('never replies to robots, bulk mail, mailing lists or its own address', async () => {
    const sent = smtp.received.length;
    const refusedAttachment = [{ filename: 'notes.txt', content: 'not an invoice\n' }];
    const mails = [
      { from: 'billing@acme.example', headers: { 'Auto-Submitted': 'auto-replied' }, id: 'auto' },
      { from: 'news@acme.example', headers: { Precedence: 'bulk' }, id: 'bulk' },
      { from: 'members@lists.acme.example', headers: { 'List-Id': '<ap.lists.acme.example>' }, id: 'list' },
      { from: 'MAILER-DAEMON@mail.acme.example', headers: {}, id: 'bounce' },
      { from: `Accounts payable <${OWN_ADDRESS}>`, headers: {}, id: 'self' },
    ];
    for (const m of mails) {
      await imap.append(
        await build({
          from: m.from,
          subject: `Refused ${m.id}`,
          messageId: `<loop-${m.id}@acme.example>`,
          headers: m.headers,
          attachments: refusedAttachment,
        }),
      );
    }
    await settled();
    // Each was refused and listed, and nobody was answered.
    for (const m of mails) expect(await refusalsOf(`<loop-${m.id}@acme.example>`)).toHaveLength(1);
    expect(smtp.received.length).toBe(sent);
  });

  it('after a crash between storing the documents and moving the e-mail, only moves it', async () => {
    const raw = await build({
      from: 'billing@acme.example',
      subject: 'Invoice',
      messageId: '<crash@acme.example>',
      attachments: [{ filename: 'INV-3.pdf', content: sample('invoice-en-eu-digital.pdf') }],
    });
    // The documents were stored from this e-mail, then the process died before the move.
    const ctx = svc.service.ctx;
    const inbox = await ctx.repos.inboxes.find('ap-invoices');
    const crashed = new MailIntakeService(
      ctx.repos.inboxes,
      ctx.repos.documents,
      ctx.repos.intakeRefusals,
      ctx.intake,
      ctx.secrets,
      () => Promise.reject(new Error('not used')),
      ctx.clock,
      ctx.log,
      { pollSeconds: 1, maxBytes: ctx.config.MAX_UPLOAD_BYTES },
    );
    const first = await crashed.takeMessage(inbox!, raw);
    expect(first.documentIds).toHaveLength(1);
    await imap.append(raw);
    const docs = await settled();
    expect(docs.filter((d) => d.origin.messageId === '<crash@acme.example>').map((d) => d.id)).toEqual(
      first.documentIds,
    );
  });
});
