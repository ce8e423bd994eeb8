// The e-mail intake bench: e-mails with 3 PDF attachments each delivered to a real IMAP server (dovecot,
// started here), taken by `retaguarda mail` on PostgreSQL and Redis. It reports e-mails and attachments taken
// per minute, the time from an e-mail's arrival in the inbox to its documents being `received`, and checks
// that nothing was taken twice (a tenth of the e-mails is delivered a second time, same Message-ID).
//
//   npm run bench:intake                        # 200 e-mails (600 attachments)
//   npm run bench:intake -- --messages 500
//   npm run bench:intake -- --rate 4          # e-mails arrive at 4 a second (0: all at once, the default)
//
// Reading is not part of it (`mail` runs no workers): bench:speed and bench:service measure that.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ImapFlow } from 'imapflow';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import pg from 'pg';
import { startDovecot } from '../tests/support/dovecot.ts';
import { startTestService } from '../tests/support/service.ts';

const { values: args } = parseArgs({
  options: {
    messages: { type: 'string', default: '200' },
    timeout: { type: 'string', default: '600' },
    rate: { type: 'string', default: '0' },
  },
});
const messages = Number(args.messages);
const pdfs = ['invoice-en-digital.pdf', 'invoice-es-digital.pdf', 'invoice-pt-digital.pdf'].map((name) =>
  readFileSync(new URL(`../samples/${name}`, import.meta.url)),
);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const imap = await startDovecot();
const svc = await startTestService({
  role: 'mail',
  env: {
    SECRETS_KEY: 'bench-secrets-key-of-at-least-32-characters',
    MAIL_POLL_SECONDS: '60',
    LOG_LEVEL: 'error',
  },
});
const db = new pg.Client({ connectionString: svc.config.DATABASE_URL });
await db.connect();
try {
  await svc.service.ctx.inboxes.add({
    name: 'bench',
    host: imap.host,
    port: imap.port,
    tls: false,
    username: imap.user,
    password: imap.password,
    folder: 'INBOX',
    processedFolder: 'Processed',
    refusedFolder: 'Refused',
    rules: { senders: [], attachmentTypes: [], replyToRefused: false },
  });
  // New mail must be announced by IDLE, not found by polling (60 s): wait for the first pass to end.
  while (!(await svc.service.ctx.repos.inboxes.find('bench'))?.lastCheckedAt) await sleep(200);
  // Built before the clock starts: each attachment's bytes differ (a PDF comment after %%EOF).
  const mails: { id: string; raw: Buffer }[] = [];
  for (let i = 0; i < messages; i++) {
    const id = `<bench-${i}@supplier.example>`;
    const raw = await new MailComposer({
      from: `Billing ${i % 7} <billing${i % 7}@supplier.example>`,
      to: 'ap@ourcompany.example',
      subject: `Invoices ${i}`,
      messageId: id,
      text: 'Please find our invoices attached.',
      attachments: pdfs.map((pdf, j) => ({
        filename: `INV-${i}-${j}.pdf`,
        content: Buffer.concat([pdf, Buffer.from(`\n% bench ${i} ${j}\n`)]),
      })),
    })
      .compile()
      .build();
    mails.push({ id, raw });
  }
  const client = new ImapFlow({
    host: imap.host,
    port: imap.port,
    secure: false,
    doSTARTTLS: false,
    auth: { user: imap.user, pass: imap.password },
    logger: false,
  });
  await client.connect();
  const arrived = new Map<string, number>();
  const started = Date.now();
  const duplicates = mails.filter((_, i) => i % 10 === 0);
  const rate = Number(args.rate);
  for (const [i, m] of [...mails, ...duplicates].entries()) {
    // At a steady rate, each e-mail is delivered at its own moment (not before): latency without a backlog.
    if (rate > 0) await sleep(Math.max(0, started + (i * 1000) / rate - Date.now()));
    if (!arrived.has(m.id)) arrived.set(m.id, Date.now());
    await client.append('INBOX', m.raw);
  }
  const delivered = Date.now();
  await client.logout();

  const until = Date.now() + Number(args.timeout) * 1000;
  while ((await imap.count('INBOX')) > 0) {
    if (Date.now() > until) throw new Error('the inbox was not emptied in time');
    await sleep(200);
  }
  const done = Date.now();
  const { rows } = await db.query<{ message_id: string; attachment: string; received_at: Date }>(
    `select origin->>'messageId' as message_id, origin->>'attachment' as attachment, received_at
     from documents where source = 'email'`,
  );
  const distinct = new Set(rows.map((r) => `${r.message_id}/${r.attachment}`)).size;
  // The time from an e-mail's arrival to its last document being `received`.
  const lastOf = new Map<string, number>();
  for (const r of rows) {
    lastOf.set(r.message_id, Math.max(lastOf.get(r.message_id) ?? 0, r.received_at.getTime()));
  }
  const latencies = [...lastOf.entries()]
    .map(([id, at]) => at - (arrived.get(id) ?? at))
    .sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  const minutes = (done - started) / 60_000;
  const figures = {
    messages,
    duplicatesDelivered: duplicates.length,
    attachments: rows.length,
    takenTwice: rows.length - distinct,
    missing: messages * pdfs.length - distinct,
    processedFolder: await imap.count('Processed'),
    rate: rate > 0 ? `${rate} e-mails/s` : 'all at once',
    deliverySeconds: (delivered - started) / 1000,
    totalSeconds: (done - started) / 1000,
    messagesPerMinute: Math.round(messages / minutes),
    attachmentsPerMinute: Math.round(rows.length / minutes),
    arrivalToReceivedMs: { p50: pct(50), p95: pct(95), max: latencies.at(-1) ?? 0 },
  };
  process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
  if (figures.takenTwice > 0 || figures.missing > 0) process.exitCode = 1;
} finally {
  await db.end();
  await svc.stop();
  await imap.stop();
}
