// /login sends a signed-in person on to the page asked for, and only to a page of this site.
import { existsSync } from 'node:fs';
import { generateSync } from 'otplib';
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

  it('asks for the authenticator code when the account has a second factor, and signs in with it', async () => {
    const email = 'otto@example.com';
    const password = 'saffron-quarry-nimbus-64';
    const created = await svc.request('/v1/users', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, name: 'Otto Admin', role: 'admin', password }),
    });
    expect(created.status).toBe(201);
    const session = await svc.request('/v1/session', {
      method: 'POST',
      key: '',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    const cookie = session.headers.get('set-cookie')!.split(';')[0]!;
    const headers = { cookie, 'x-requested-with': 'retaguarda', 'content-type': 'application/json' };
    const start = await svc.request('/v1/session/totp', { method: 'POST', key: '', headers, body: '{}' });
    const { secret } = (await start.json()) as { secret: string };
    const codeAt = (seconds: number) =>
      generateSync({ secret, epoch: Math.floor(Date.now() / 1000) + seconds });
    const confirmed = await svc.request('/v1/session/totp/confirm', {
      method: 'POST',
      key: '',
      headers,
      body: JSON.stringify({ code: codeAt(0) }),
    });
    expect(confirmed.status).toBe(200);

    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${svc.url}/login?next=%2Fupload`);
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    const code = page.getByLabel('Code from your authenticator app');
    await code.waitFor({ state: 'visible' });
    expect(await page.locator('#login-error').textContent()).toMatch(/6-digit code/);
    expect(new URL(page.url()).pathname).toBe('/login');
    // The next time step: the one confirmed at enrolment cannot be used twice.
    await code.fill(codeAt(30));
    await code.press('Enter');
    await page.waitForURL((url) => url.pathname === '/upload', { timeout: 15_000 });
    await context.close();
  });
});
