// The upload page shows what the watched folder refused, with the reason, to the person who signs in.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
});
