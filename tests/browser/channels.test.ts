// The upload page shows what the watched folder refused, with the reason, to the person who signs in.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailIntakeService } from '../../src/services/mail-intake.ts';
import { startTestService, type TestService } from '../support/service.ts';

const CHROMIUM = '/usr/bin/chromium';

describe.skipIf(!existsSync(CHROMIUM))('channels on the upload page', () => {
  let svc: TestService;
  let browser: Browser;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rtg-watch-page-'));
    svc = await startTestService({
      env: { WATCH_DIR: dir, WATCH_SETTLE_MS: '200', WATCH_SCAN_SECONDS: '1' },
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await svc?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists a dropped file the folder refused, where it came from and why', async () => {
    writeFileSync(join(dir, 'scan-notes.txt'), 'not an invoice\n');
    for (let i = 0; !existsSync(join(dir, 'failed', 'scan-notes.txt.json')); i++) {
      if (i > 150) throw new Error('the file was not refused');
      await new Promise((r) => setTimeout(r, 100));
    }
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${svc.url}/login?next=/upload`);
    const keyField = page.locator('input[name="apiKey"]');
    await keyField.fill(await svc.key('ingest'));
    await keyField.press('Enter');
    await page.waitForURL((url) => url.pathname === '/upload', { timeout: 15_000 });
    const row = page.locator('#refused tr', { hasText: 'scan-notes.txt' });
    await row.waitFor({ timeout: 15_000 });
    expect(await row.textContent()).toContain('folder: scan-notes.txt');
    expect(await row.getAttribute('data-code')).toBe('unsupported_type');
    expect(await page.locator('#refused-section').isVisible()).toBe(true);
    await context.close();
  });

  it('lists a 30 MB attachment and a zipped file an inbox refused, with the e-mail and archive they came in', async () => {
    const ctx = svc.service.ctx;
    const inbox = await ctx.repos.inboxes.create(
      {
        name: 'ap-invoices',
        host: '127.0.0.1',
        port: 143,
        tls: false,
        username: 'ap@ourcompany.example',
        passwordSealed: 'not-used-here',
        folder: 'INBOX',
        processedFolder: 'Processed',
        refusedFolder: 'Refused',
        rules: { senders: [], attachmentTypes: [], replyToRefused: false },
      },
      new Date(),
    );
    // The inbox's own intake, as `serve` runs it, given the e-mails as the IMAP server would.
    const mail = new MailIntakeService(
      ctx.repos.inboxes,
      ctx.repos.documents,
      ctx.repos.intakeRefusals,
      ctx.intake,
      ctx.secrets,
      () => Promise.reject(new Error('not used')),
      ctx.clock,
      ctx.log,
      { pollSeconds: 60, maxBytes: ctx.config.MAX_UPLOAD_BYTES },
    );
    const pdf = readFileSync(new URL('../../samples/invoice-en-digital.pdf', import.meta.url));
    const big = Buffer.concat([pdf, Buffer.alloc(30 * 1048576 - pdf.length, 0x20)]);
    const build = (m: ConstructorParameters<typeof MailComposer>[0]) => new MailComposer(m).compile().build();
    await mail.takeMessage(
      inbox!,
      await build({
        from: 'scans@acme.example',
        subject: 'Scan',
        attachments: [{ filename: 'scan-30MB.pdf', content: big }],
      }),
    );
    await mail.takeMessage(
      inbox!,
      await build({
        from: 'finance@acme.example',
        subject: 'March',
        attachments: [
          {
            filename: 'march.zip',
            content: Buffer.from(zipSync({ 'march/INV-1.pdf': pdf, 'march/notes.txt': Buffer.from('hi') })),
          },
        ],
      }),
    );

    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${svc.url}/login?next=/upload`);
    const keyField = page.locator('input[name="apiKey"]');
    await keyField.fill(await svc.key('ingest'));
    await keyField.press('Enter');
    await page.waitForURL((url) => url.pathname === '/upload', { timeout: 15_000 });
    const big30 = page.locator('#refused tr', { hasText: 'scan-30MB.pdf' });
    await big30.waitFor({ timeout: 15_000 });
    expect(await big30.getAttribute('data-code')).toBe('file_too_large');
    expect(await big30.textContent()).toContain('e-mail from scans@acme.example to ap-invoices');
    expect(await big30.textContent()).toContain('is 30.0 MB (31457280 bytes); the limit is 25.0 MB');
    const zipped = page.locator('#refused tr', { hasText: 'in march.zip' });
    expect(await zipped.getAttribute('data-code')).toBe('unsupported_type');
    expect(await zipped.locator('td').first().textContent()).toBe('notes.txt');
    expect(await zipped.textContent()).toContain(
      'e-mail from finance@acme.example to ap-invoices, in march.zip',
    );
    await context.close();
  });
});
