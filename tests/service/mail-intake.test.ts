// E-mail intake end to end: a real IMAP server (dovecot) the test starts, e-mails built here, the real service
// on PostgreSQL and Redis taking them.
import { readFileSync } from 'node:fs';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailIntakeService } from '../../src/services/mail-intake.ts';
import { startDovecot, type TestImapServer } from '../support/dovecot.ts';
import { startTestService, type TestService } from '../support/service.ts';

const sample = (name: string) => readFileSync(new URL(`../../samples/${name}`, import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// A 1×1 PNG: the size of a logo in a signature.
const LOGO = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

type Mail = ConstructorParameters<typeof MailComposer>[0];
const build = (mail: Mail): Promise<Buffer> => new MailComposer(mail).compile().build();

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

  beforeAll(async () => {
    imap = await startDovecot();
    svc = await startTestService({
      env: { SECRETS_KEY: 'a-test-secrets-key-of-32-characters-at-least', MAIL_POLL_SECONDS: '1' },
    });
  });
  afterAll(async () => {
    await svc?.stop();
    await imap?.stop();
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
        rules: { externalRefPattern: 'PO[- ]?(\\d+)' },
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

  it('refuses what it cannot read, says why, and moves the e-mail to Refused', async () => {
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
    const { refusals } = (await (await svc.request('/v1/intake-refusals?source=email')).json()) as {
      refusals: { fileName: string; error: string; message: string; origin: { messageId: string } }[];
    };
    const mine = refusals.filter((r) => r.origin.messageId === '<refused@acme.example>');
    expect(mine.map((r) => r.fileName).sort()).toEqual(['archive.zip', 'notes.txt']);
    expect(mine.every((r) => r.error === 'unsupported_type' && r.message.length > 0)).toBe(true);
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
      { pollSeconds: 1 },
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
