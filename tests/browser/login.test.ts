// /login sends a signed-in person on to the page asked for, and only to a page of this site.
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/service.ts';

const CHROMIUM = '/usr/bin/chromium';

describe.skipIf(!existsSync(CHROMIUM))('sign-in redirect', () => {
  let svc: TestService;
  let browser: Browser;
  let reviewKey: string;
  beforeAll(async () => {
    svc = await startTestService();
    reviewKey = await svc.key('review');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await svc?.stop();
  });

  for (const [next, expected] of [
    ['/upload', '/upload'],
    ['/\t/evil.example/', '/review'],
    ['/\n/evil.example/', '/review'],
    ['//evil.example/', '/review'],
    ['/\\evil.example/', '/review'],
    ['https://evil.example/', '/review'],
  ] as const) {
    it(`next=${JSON.stringify(next)} lands on ${expected}`, async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${svc.url}/login?next=${encodeURIComponent(next)}`);
      const keyField = page.locator('input[name="apiKey"]');
      await keyField.fill(reviewKey);
      await keyField.press('Enter');
      await page.waitForURL((url) => url.pathname !== '/login', { timeout: 15_000 });
      const landed = new URL(page.url());
      expect(landed.origin).toBe(new URL(svc.url).origin);
      expect(landed.pathname).toBe(expected);
      await context.close();
    });
  }
});
