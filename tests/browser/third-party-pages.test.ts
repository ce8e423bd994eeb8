// The OpenAPI page (/docs) and the queue board (/admin/queues) still render in Chromium under the CSP they are
// now sent with, and neither can be framed by another page.
import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/service.ts';

const CHROMIUM = '/usr/bin/chromium';

describe.skipIf(!existsSync(CHROMIUM))('pages served by plugins, under their CSP', () => {
  let svc: TestService;
  let browser: Browser;
  beforeAll(async () => {
    svc = await startTestService();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await svc?.stop();
  });

  /** Console errors, CSP violations among them ("Refused to execute/apply/load …"). */
  function problemsOf(page: Page): string[] {
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    return problems;
  }

  it('renders /docs: the operations are listed and nothing is refused', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = problemsOf(page);
    await page.goto(`${svc.url}/docs`);
    await page.locator('.swagger-ui .info .title').waitFor({ timeout: 20_000 });
    expect(await page.locator('.swagger-ui .info .title').textContent()).toContain('Retaguarda API');
    await page.locator('.opblock-summary-path[data-path="/v1/documents"]').first().waitFor();
    expect(problems.filter((p) => /Content Security Policy|Refused/i.test(p))).toEqual([]);
    await context.close();
  });

  it('renders /admin/queues for a signed-in admin, and the board refuses to be framed', async () => {
    const context = await browser.newContext();
    const signIn = await context.request.post(`${svc.url}/v1/session`, { data: { apiKey: svc.adminKey } });
    expect(signIn.status()).toBe(200);
    const page = await context.newPage();
    const problems = problemsOf(page);
    await page.goto(`${svc.url}/admin/queues`);
    await page.getByText('deliver-webhook').first().waitFor({ timeout: 20_000 });
    // The board's web font comes from another origin and is blocked on purpose: it falls back to a system font.
    const refused = problems.filter((p) => /Content Security Policy|Refused/i.test(p));
    expect(refused.filter((p) => !p.includes('https://fonts.googleapis.com/'))).toEqual([]);

    // Framed from another origin (a data: page): the browser keeps the frame empty.
    const framer = await context.newPage();
    await framer.setContent(`<iframe id="f" src="${svc.url}/admin/queues"></iframe>`);
    await framer.waitForTimeout(1_000);
    const frame = framer.frames().find((f) => f.url().startsWith(svc.url));
    const text = frame ? await frame.evaluate(() => document.body?.innerText ?? '').catch(() => '') : '';
    expect(text).not.toContain('deliver-webhook');
    await context.close();
  });
});
