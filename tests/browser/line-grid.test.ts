// The line-item grid in Chromium: an invoice whose reader missed a line is in review because its lines do not
// add up to the subtotal; the reviewer adds the line by keyboard, sees the rules agree as they type, saves and
// approves without an override. Then every page is checked with axe-core at a desktop, a laptop and a phone width.
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvoiceSpec } from '../../scripts/samples/model.ts';
import { renderPdf } from '../../scripts/samples/render-pdf.ts';
import { SAMPLES } from '../../scripts/samples/specs.ts';
import { seriousAxeFindings } from '../support/axe.ts';
import { formWith, startTestService, type TestService } from '../support/service.ts';

const SHOTS = resolve(import.meta.dirname, '..', 'artifacts', 'screenshots');
const CHROMIUM = '/usr/bin/chromium';
const WIDTHS = [1440, 800, 390];

const isoDay = (offsetDays: number) =>
  new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

/** The US sample invoice, dated this month, its last line ("Delivery and handling", 35.00) not printed. */
async function invoiceMissingALine(n: number): Promise<Uint8Array> {
  const base = SAMPLES.find((s) => s.name === 'invoice-en-digital') as InvoiceSpec;
  return renderPdf({
    ...base,
    name: `missed-line-${n}`,
    invoiceNumber: `INV-ML-${n}-${Date.now() % 100_000}`,
    invoiceDate: isoDay(-5),
    dueDate: isoDay(25),
    unprintedItems: 1,
  });
}

async function signIn(page: Page, url: string) {
  await page.goto(url);
  await page.waitForURL(/\/login\?next=/);
  await page.getByLabel('Email', { exact: true }).fill('rev@example.com');
  await page.getByLabel('Password', { exact: true }).fill('review-pass-1');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

describe.skipIf(!existsSync(CHROMIUM))(
  'line-item grid and accessibility',
  () => {
    let svc: TestService;
    let browser: Browser;
    const ids: string[] = [];
    const sent: Uint8Array[] = [];
    const pageErrors: string[] = [];

    beforeAll(async () => {
      svc = await startTestService();
      const created = await svc.request('/v1/users', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          email: 'rev@example.com',
          name: 'Rui Reviewer',
          role: 'review',
          password: 'review-pass-1',
        }),
      });
      expect(created.status).toBe(201);
      for (const n of [1, 2]) {
        const bytes = await invoiceMissingALine(n);
        sent.push(bytes);
        const res = await svc.request('/v1/documents', {
          method: 'POST',
          body: formWith([{ name: `missed-line-${n}.pdf`, bytes, type: 'application/pdf' }]),
        });
        const id = ((await res.json()) as { documents: { id: string }[] }).documents[0]!.id;
        expect((await svc.waitForFinal(id)).status).toBe('needs_review');
        ids.push(id);
      }
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      });
      mkdirSync(SHOTS, { recursive: true });
    });

    afterAll(async () => {
      await browser?.close();
      await svc?.stop();
    });

    it('adding the missed line by keyboard clears lines_subtotal_mismatch; approved without an override', async () => {
      const id = ids[0]!;
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      const page = await context.newPage();
      page.on('pageerror', (e) => pageErrors.push(e.message));
      await signIn(page, `${svc.url}/review#${id}`);
      await page.waitForURL(/\/review#/);
      await page.locator('.claim.mine').waitFor();
      const grid = page.locator('section.lines');
      await expect.poll(() => grid.locator('tbody tr').count()).toBe(4);
      expect(await page.locator('.issue[data-code="lines_subtotal_mismatch"]').count()).toBeGreaterThan(0);

      // A read line's box lights up on the page when its row is entered.
      await page.locator('#line-1-description').focus();
      const lineBox = page.locator('#page .box.line-box');
      await lineBox.waitFor();
      const img = (await page.locator('#page img').boundingBox())!;
      const b = (await lineBox.boundingBox())!;
      expect(b.y).toBeGreaterThan(img.y);
      expect(b.y + b.height).toBeLessThan(img.y + img.height);

      // Keyboard only: a new line under the last one (Alt+N), its cells typed and checked as they go.
      await page.locator('#line-4-amount').focus();
      await page.keyboard.press('Alt+n');
      await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('line-5-description');
      await page.keyboard.type('Delivery and handling');
      await page.keyboard.press('Tab');
      await page.keyboard.type('1');
      await page.keyboard.press('Tab');
      await page.keyboard.type('35.00');
      await page.keyboard.press('Tab');
      await page.keyboard.type('35,0x');
      await expect.poll(() => grid.locator('#line-5-amount-error').textContent()).toMatch(/not an amount/);
      await page.keyboard.press('Control+a');
      await page.keyboard.type('35.00');
      // The rules run again on the lines as typed: the lines now agree with the subtotal, before anything is saved.
      await grid.locator('.lines-ok').waitFor();
      // Moved up one with Alt+↑, the caret staying in its cell.
      await page.keyboard.press('Alt+ArrowUp');
      await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('line-4-amount');
      await expect
        .poll(() => page.locator('#page img').evaluate((el: HTMLImageElement) => el.naturalWidth), {
          timeout: 30_000,
        })
        .toBeGreaterThan(0);
      await page.screenshot({ path: resolve(SHOTS, 'line-grid-typed.png'), fullPage: true });
      await page.keyboard.press('Enter');
      await expect.poll(() => page.locator('#flash').textContent()).toBe('Lines saved.');
      await expect.poll(() => page.locator('.issue[data-code="lines_subtotal_mismatch"]').count()).toBe(0);
      expect(await grid.locator('#line-4-description').inputValue()).toBe('Delivery and handling');

      // Approve with a: no override asked for, since no error stands.
      await page.locator('body').click({ position: { x: 5, y: 300 } });
      await page.keyboard.press('a');
      await expect
        .poll(
          async () =>
            ((await (await svc.request(`/v1/documents/${id}`)).json()) as { status: string }).status,
        )
        .toBe('approved');
      expect(await page.locator('#decision').getAttribute('open')).toBeNull();
      const audit = (await (await svc.request(`/v1/documents/${id}/audit`)).json()) as {
        events: { action: string; field: string | null; after: unknown }[];
      };
      expect(audit.events.map((e) => e.action)).not.toContain('override');
      const added = audit.events.find((e) => e.action === 'correct' && e.field === 'lineItems[3]');
      expect(added?.after).toMatchObject({ description: 'Delivery and handling', amount: '35.00' });
      expect(pageErrors).toEqual([]);
      await context.close();
    });

    it('review, upload and figures at 1440, 800 and 390 px: no serious axe findings, nothing wider than the screen', async () => {
      const id = ids[1]!;
      const problems: string[] = [];
      for (const width of WIDTHS) {
        const context = await browser.newContext({ viewport: { width, height: width < 500 ? 844 : 900 } });
        const page = await context.newPage();
        page.on('pageerror', (e) => pageErrors.push(e.message));
        await signIn(page, `${svc.url}/review#${id}`);
        await page.waitForURL(/\/review#/);
        await page.locator('section.lines tbody tr').first().waitFor();
        await page.locator('#page img').waitFor();
        for (const [name, url] of [
          ['review', null],
          ['upload', `${svc.url}/upload`],
          ['dashboard', `${svc.url}/dashboard`],
        ] as const) {
          if (url) await page.goto(url);
          await page.waitForLoadState('networkidle');
          for (const f of await seriousAxeFindings(page)) {
            problems.push(`${name} at ${width}: ${f.id} (${f.help}) on ${f.targets.join(', ')}`);
          }
          const overflow = await page.evaluate(
            () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
          );
          if (overflow > 0) problems.push(`${name} at ${width} scrolls sideways by ${overflow} px`);
          await page.screenshot({ path: resolve(SHOTS, `${name}-${width}.png`), fullPage: true });
        }
        await context.close();
      }
      expect(problems).toEqual([]);
      expect(pageErrors).toEqual([]);
    }, 180_000);

    it('a duplicate links to its original', async () => {
      const res = await svc.request('/v1/documents', {
        method: 'POST',
        body: formWith([{ name: 'sent-again.pdf', bytes: sent[0]!, type: 'application/pdf' }]),
      });
      const copy = ((await res.json()) as { documents: { id: string }[] }).documents[0]!.id;
      expect((await svc.waitForFinal(copy)).status).toBe('needs_review');
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      const page = await context.newPage();
      await signIn(page, `${svc.url}/review#${copy}`);
      const link = page.locator('.issue[data-code="duplicate_file"] a.original');
      await link.waitFor();
      expect(await link.getAttribute('href')).toBe(`/v1/documents/${ids[0]}/file`);
      const original = await context.request.get(`${svc.url}${await link.getAttribute('href')}`);
      expect(original.status()).toBe(200);
      expect(Buffer.from(await original.body()).equals(Buffer.from(sent[0]!))).toBe(true);
      // Leaving the page gives the reviewer's claim back (sent as the page hides); the key's claim waits for it.
      await page.goto('about:blank');
      await context.close();
      // Closed, so the queue below holds only the second invoice.
      const key = await svc.key('review');
      await expect
        .poll(
          async () => (await svc.request(`/v1/review/items/${copy}/claim`, { method: 'POST', key })).status,
          { timeout: 15_000 },
        )
        .toBe(200);
      const rejected = await svc.request(`/v1/review/items/${copy}/reject`, {
        method: 'POST',
        key,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'A copy of an invoice already paid' }),
      });
      expect(rejected.status).toBe(200);
    });

    it('a queue emptied with no filter set says it is clear', async () => {
      const id = ids[1]!;
      const key = await svc.key('review');
      const json = { 'content-type': 'application/json' };
      await svc.request(`/v1/review/items/${id}/claim`, { method: 'POST', key });
      const rejected = await svc.request(`/v1/review/items/${id}/reject`, {
        method: 'POST',
        key,
        headers: json,
        body: JSON.stringify({ reason: 'Sent twice by the vendor' }),
      });
      expect(rejected.status).toBe(200);
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      const page = await context.newPage();
      await signIn(page, `${svc.url}/review`);
      await page.waitForURL(/\/review$/);
      await expect.poll(() => page.locator('#queue-empty').isVisible()).toBe(true);
      expect(await page.locator('#queue-empty').textContent()).toBe('The queue is clear.');
      await context.close();
    });
  },
  240_000,
);
