// A reviewer moves the cuts of an uncertain split on the review page: a batch of three invoices whose second page is
// damaged is cut around that page; by keyboard the reviewer joins the damaged page to the third invoice, then by
// mouse cuts it off again, and the file's parts change with each save. Real service, real Chromium.
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBatch, damagePage } from '../../scripts/invoices/batches.ts';
import { seriousAxeFindings } from '../support/axe.ts';
import { formWith, startTestService, type TestService } from '../support/service.ts';

const SHOTS = resolve(import.meta.dirname, '..', 'artifacts', 'screenshots');
const CHROMIUM = '/usr/bin/chromium';

// biome-ignore lint/suspicious/noExplicitAny: the answers are JSON the assertions walk into
type Json = Record<string, any>;

describe.skipIf(!existsSync(CHROMIUM))('moving the cuts of a split file on the review page', () => {
  let svc: TestService;
  let browser: Browser;
  let fileId: string;
  let firstPart: string;

  const fileParts = async () => {
    const file = (await (await svc.request(`/v1/documents/${fileId}`)).json()) as Json;
    return (file.result.split.parts as Json[]).map((p) => [p.first, p.last]);
  };
  const summary = (page: Page) => page.locator('.cuts .cut-summary').textContent();

  beforeAll(async () => {
    svc = await startTestService();
    const created = await svc.request('/v1/users', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: 'cut@example.com',
        name: 'Carla Dias',
        role: 'review',
        password: 'review-pass-1',
      }),
    });
    expect(created.status).toBe(201);
    const batch = await buildBatch({ seed: 5, index: 1, kind: 'digital', separators: false, documents: 3 });
    const res = await svc.request('/v1/documents', {
      method: 'POST',
      body: formWith([
        { name: 'stack.pdf', bytes: Buffer.from(await damagePage(batch.bytes, 2)), type: 'application/pdf' },
      ]),
    });
    fileId = ((await res.json()) as { documents: { id: string }[] }).documents[0]!.id;
    const file = (await svc.waitForFinal(fileId)) as Json;
    expect(file.status).toBe('split');
    for (const p of file.result.split.parts as Json[]) await svc.waitForFinal(p.documentId);
    firstPart = file.result.split.parts[0].documentId;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await svc?.stop();
  });

  it('moves a cut by keyboard, then drags one and adds one by mouse, and the file is cut again each time', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${svc.url}/review#${firstPart}`);
    await page.waitForURL(/\/login\?next=/);
    await page.getByLabel('Email', { exact: true }).fill('cut@example.com');
    await page.getByLabel('Password', { exact: true }).fill('review-pass-1');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    const gap = (n: number) => page.getByRole('button', { name: `Cut between page ${n} and page ${n + 1}` });
    await gap(1).waitFor();
    expect(await page.locator('.cuts .cut-page').count()).toBe(3);
    expect(await gap(1).getAttribute('aria-pressed')).toBe('true');
    expect(await gap(2).getAttribute('aria-pressed')).toBe('true');
    expect(await summary(page)).toBe('3 documents: pages 1–1, 2–2, 3–3');
    expect(await page.locator('.issue[data-code="split_uncertain"]').count()).toBe(1);
    // The damaged page says so under its picture.
    expect(await page.locator('.cut-page[data-page="2"]').textContent()).toBe('2 · unreadable');
    mkdirSync(SHOTS, { recursive: true });
    await page.waitForFunction(() =>
      Array.from(document.querySelectorAll<HTMLImageElement>('.cut-page img')).every((i) => i.complete),
    );
    await page.screenshot({ path: resolve(SHOTS, 'cuts-1440.png'), fullPage: true });
    expect(await seriousAxeFindings(page)).toEqual([]);

    // Keyboard: on the first gap, → walks to the second; Shift+← moves its cut back onto the first, which had one,
    // so it stays; Enter there removes the cut between pages 1 and 2, and Enter again puts it back.
    await gap(1).focus();
    await page.keyboard.press('Enter');
    expect(await summary(page)).toBe('2 documents: pages 1–2, 3–3');
    await page.keyboard.press('Enter');
    expect(await summary(page)).toBe('3 documents: pages 1–1, 2–2, 3–3');
    await page.keyboard.press('ArrowRight');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-gap'))).toBe('2');
    // Remove the cut between 2 and 3 and move the one between 1 and 2 one page on: the damaged page now opens the
    // third invoice's document.
    await page.keyboard.press('Space');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Shift+ArrowRight');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-gap'))).toBe('2');
    expect(await summary(page)).toBe('2 documents: pages 1–2, 3–3');
    await page.keyboard.press('Shift+ArrowLeft');
    expect(await summary(page)).toBe('2 documents: pages 1–1, 2–3');
    await page.getByRole('button', { name: 'Save cuts' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(fileParts, { timeout: 20_000 }).toEqual([
      [1, 1],
      [2, 3],
    ]);
    // This part kept its pages: it stays open, the panel shows the file as now cut, and its cut, a person's now,
    // is no longer uncertain.
    await expect.poll(() => summary(page), { timeout: 20_000 }).toBe('2 documents: pages 1–1, 2–3');
    await expect
      .poll(() => page.locator('.issue[data-code="split_uncertain"]').count(), { timeout: 20_000 })
      .toBe(0);
    expect(await gap(2).getAttribute('aria-pressed')).toBe('false');

    // The new part (pages 2–3) is read; then, by mouse, the damaged page is cut off again.
    const joined = ((await (await svc.request(`/v1/documents/${fileId}`)).json()) as Json).result.split
      .parts[1];
    const read = (await svc.waitForFinal(joined.documentId)) as Json;
    expect(read).toMatchObject({ status: 'needs_review', pageRange: { first: 2, last: 3 } });
    // A cut dragged onto another gap moves there, and back.
    await gap(1).dragTo(gap(2));
    expect(await summary(page)).toBe('2 documents: pages 1–2, 3–3');
    await gap(2).dragTo(gap(1));
    expect(await summary(page)).toBe('2 documents: pages 1–1, 2–3');
    await gap(2).click();
    expect(await summary(page)).toBe('3 documents: pages 1–1, 2–2, 3–3');
    await page.getByRole('button', { name: 'Save cuts' }).click();
    await expect.poll(fileParts, { timeout: 20_000 }).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    const parts = ((await (await svc.request(`/v1/documents/${fileId}`)).json()) as Json).result.split.parts;
    const last = (await svc.waitForFinal(parts[2].documentId)) as Json;
    expect(last.result.fields.invoiceNumber?.value).toBeTruthy();
    expect(((await (await svc.request(`/v1/documents/${joined.documentId}`)).json()) as Json).status).toBe(
      'superseded',
    );
    await context.close();
  }, 120_000);

  it('shows the cuts at 800 and 390 px without anything wider than the screen, and no serious axe findings', async () => {
    for (const width of [800, 390]) {
      const context = await browser.newContext({ viewport: { width, height: 900 } });
      const page = await context.newPage();
      await page.goto(`${svc.url}/login`);
      await page.getByLabel('Email', { exact: true }).fill('cut@example.com');
      await page.getByLabel('Password', { exact: true }).fill('review-pass-1');
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.waitForURL(/\/review/);
      await page.goto(`${svc.url}/review#${firstPart}`);
      await page.locator('.cuts .cut-gap').first().waitFor();
      expect(
        await page.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        ),
      ).toBeLessThanOrEqual(0);
      expect(await seriousAxeFindings(page)).toEqual([]);
      await page.screenshot({ path: resolve(SHOTS, `cuts-${width}.png`), fullPage: true });
      await context.close();
    }
  }, 60_000);
});
