// A two-stage approval in Chromium at 1440, 800 and 390 px: the reviewer who corrected an invoice approves its
// first stage on the approvals page and is refused its final approval, with the reason on screen; someone else
// gives it. Each page is checked with axe-core and kept as a screenshot.
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvoiceSpec } from '../../scripts/samples/model.ts';
import { totalsOf } from '../../scripts/samples/model.ts';
import { renderPdf } from '../../scripts/samples/render-pdf.ts';
import { SAMPLES } from '../../scripts/samples/specs.ts';
import { ManualClock } from '../../src/storage/clock.ts';
import { rulesFileWithChain } from '../support/approval-rules.ts';
import { seriousAxeFindings } from '../support/axe.ts';
import { formWith, startTestService, type TestService } from '../support/service.ts';

const SHOTS = resolve(import.meta.dirname, '..', 'artifacts', 'screenshots');
const CHROMIUM = '/usr/bin/chromium';
const WIDTHS = [1440, 800, 390] as const;
const PASSWORD = 'quiet harbour lantern meadow';
/** The page answers within seconds on a busy machine; polls wait that long. */
const WAIT = { timeout: 15_000 };
const base = SAMPLES.find((s) => s.name === 'invoice-en-digital') as InvoiceSpec;

async function signIn(page: Page, url: string, email: string) {
  await page.goto(url);
  await page.waitForURL(/\/login\?next=/);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

describe.skipIf(!existsSync(CHROMIUM))(
  'approval chain in the browser',
  () => {
    const clock = new ManualClock(new Date('2025-03-20T09:00:00Z'));
    let svc: TestService;
    let browser: Browser;
    const ids: Record<number, string> = {};
    const problems: string[] = [];
    const pageErrors: string[] = [];

    /** Axe, sideways scrolling and a screenshot of what the page shows now. */
    async function check(page: Page, name: string, width: number) {
      for (const f of await seriousAxeFindings(page)) {
        problems.push(`${name} at ${width}: ${f.id} (${f.help}) on ${f.targets.join(', ')}`);
      }
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      if (overflow > 0) problems.push(`${name} at ${width} scrolls sideways by ${overflow} px`);
      await page.screenshot({ path: resolve(SHOTS, `${name}-${width}.png`), fullPage: true });
    }

    beforeAll(async () => {
      mkdirSync(SHOTS, { recursive: true });
      svc = await startTestService({ clock, env: { RULES_FILE: rulesFileWithChain() } });
      const users = svc.service.ctx.users;
      await users.create({
        email: 'bruno@example.com',
        name: 'Bruno Lima',
        role: 'approver',
        password: PASSWORD,
      });
      await users.create({
        email: 'carla@example.com',
        name: 'Carla Dias',
        role: 'approver',
        password: PASSWORD,
      });
      // One invoice per screen width, each printing a total 100.00 too high: to review.
      const files = await Promise.all(
        WIDTHS.map(async (w) => {
          const spec: InvoiceSpec = { ...base, name: `chain-${w}`, invoiceNumber: `INV-CHAIN-${w}` };
          spec.printedTotal = totalsOf(spec).total.plus('100.00').toFixed(2);
          return { name: `chain-${w}.pdf`, bytes: await renderPdf(spec), type: 'application/pdf' };
        }),
      );
      const res = await svc.request('/v1/documents', { method: 'POST', body: formWith(files) });
      const docs = ((await res.json()) as { documents: { id: string }[] }).documents;
      for (const [i, w] of WIDTHS.entries()) ids[w] = docs[i]!.id;
      for (const id of Object.values(ids)) expect((await svc.waitForFinal(id)).status).toBe('needs_review');

      // Bruno, an approver who reviews too, corrects each total and approves it in review, as on /review.
      const session = await fetch(`${svc.url}/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'bruno@example.com', password: PASSWORD }),
      });
      const cookie = (session.headers.get('set-cookie') ?? '').split(';')[0]!;
      const asBruno = (path: string, method: string, body?: unknown) =>
        fetch(`${svc.url}${path}`, {
          method,
          headers: { cookie, 'x-requested-with': 'retaguarda', 'content-type': 'application/json' },
          body: JSON.stringify(body ?? {}),
        });
      for (const id of Object.values(ids)) {
        expect((await asBruno(`/v1/review/items/${id}/claim`, 'POST')).status).toBe(200);
        const fix = await asBruno(`/v1/review/items/${id}/fields`, 'PATCH', {
          fields: { totalAmount: '1144.29' },
        });
        expect(fix.status).toBe(200);
        const approved = await asBruno(`/v1/review/items/${id}/approve`, 'POST');
        expect(await approved.json()).toEqual({ status: 'awaiting_approval' });
      }
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      });
    }, 180_000);

    afterAll(async () => {
      await browser?.close();
      await svc?.stop();
    });

    for (const width of WIDTHS) {
      it(`at ${width} px: the corrector approves the first stage, is refused the final one, and someone else gives it`, async () => {
        const id = ids[width]!;
        const viewport = { width, height: width < 500 ? 844 : 900 };

        const brunoContext = await browser.newContext({ viewport });
        const bruno = await brunoContext.newPage();
        bruno.on('pageerror', (e) => pageErrors.push(e.message));
        await signIn(bruno, `${svc.url}/approvals?doc=${id}`, 'bruno@example.com');
        await bruno.waitForURL(/\/approvals\?doc=/);
        const current = bruno.locator('.current-stage');
        await expect
          .poll(() => current.textContent(), WAIT)
          .toBe('Stage 1 of 2: team lead, needs the review role');
        // Every document waiting at a stage he may approve is listed (the earlier widths' are approved); this one is open.
        expect(await bruno.locator('.approval-item').count()).toBe(WIDTHS.length - WIDTHS.indexOf(width));
        expect(await bruno.locator('.approval-item.open a').getAttribute('href')).toBe(
          `/approvals?doc=${id}`,
        );
        await bruno.getByRole('button', { name: 'Approve stage' }).click();
        const message = bruno.locator('#approval-message');
        await expect
          .poll(() => message.textContent(), WAIT)
          .toBe('Approved; it moves on to Stage 2 of 2: finance director.');

        // The final stage: the page says before he tries that he may not, and again when he does.
        await bruno.reload();
        await expect
          .poll(() => bruno.locator('.current-stage').textContent(), WAIT)
          .toBe('Stage 2 of 2: finance director, needs the approver role');
        const refusal =
          'You corrected this document (total amount): its final approval must come from someone who did not correct it.';
        expect(await bruno.locator('#refusal').textContent()).toBe(refusal);
        await bruno.getByRole('button', { name: 'Approve stage' }).click();
        await expect.poll(() => message.textContent(), WAIT).toBe(refusal);
        expect(await message.getAttribute('role')).toBe('alert');
        expect(await message.isVisible()).toBe(true);
        // The first stage's approval is listed with who gave it.
        expect(await bruno.locator('.stage-row').first().textContent()).toContain('Approved by Bruno Lima');
        await check(bruno, 'approvals-refused', width);
        await brunoContext.close();
        const still = await (await svc.request(`/v1/documents/${id}`)).json();
        expect((still as { status: string }).status).toBe('awaiting_approval');

        // Carla, who corrected nothing, gives the final approval; the page image is there to read.
        const carlaContext = await browser.newContext({ viewport });
        const carla = await carlaContext.newPage();
        carla.on('pageerror', (e) => pageErrors.push(e.message));
        await signIn(carla, `${svc.url}/approvals?doc=${id}`, 'carla@example.com');
        await carla.waitForURL(/\/approvals\?doc=/);
        await expect
          .poll(() => carla.locator('.current-stage').textContent(), WAIT)
          .toBe('Stage 2 of 2: finance director, needs the approver role');
        expect(await carla.locator('#refusal').count()).toBe(0);
        const image = carla.locator('img.page-image');
        await image.waitFor();
        await expect
          .poll(() => image.evaluate((img: HTMLImageElement) => img.naturalWidth), { timeout: 30_000 })
          .toBeGreaterThan(0);
        // Readable on a phone: the image fills the width it has, the buttons are large enough to tap.
        const box = await image.boundingBox();
        expect(box!.width).toBeGreaterThan(width < 500 ? 300 : 400);
        const button = await carla.getByRole('button', { name: 'Approve stage' }).boundingBox();
        expect(button!.height).toBeGreaterThanOrEqual(44);
        await check(carla, 'approvals-final', width);
        await carla.getByRole('button', { name: 'Approve stage' }).click();
        await expect
          .poll(() => carla.locator('#approval-message').textContent())
          .toBe('Approved: the document is final.');
        await carlaContext.close();
        const done = (await (await svc.request(`/v1/documents/${id}`)).json()) as { status: string };
        expect(done.status).toBe('approved');
      }, 120_000);
    }

    it('marks someone away with a delegate from the approvals page, and back again', async () => {
      const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
      const page = await context.newPage();
      page.on('pageerror', (e) => pageErrors.push(e.message));
      await signIn(page, `${svc.url}/approvals`, 'carla@example.com');
      await page.waitForURL(/\/approvals/);
      await expect.poll(() => page.locator('#approvals-empty').isVisible(), WAIT).toBe(true);
      await page.getByText('Away? Name a delegate').click();
      const state = page.locator('#away-state');
      await expect.poll(() => state.textContent(), WAIT).toBe('You are not marked away.');
      await page.getByLabel('Away until').fill('2025-03-27T18:00');
      await page.getByLabel('Delegate (their email)').fill('bruno@example.com');
      await page.getByRole('button', { name: 'Save' }).click();
      await expect
        .poll(() => state.textContent(), WAIT)
        .toMatch(/^You are away until .+; Bruno Lima approves for you\.$/);
      await check(page, 'approvals-away', 390);
      const away = (await (
        await svc.request('/v1/users/carla@example.com/away', {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ until: null }),
        })
      ).json()) as Record<string, unknown>;
      expect(away).toEqual({ awayUntil: null, delegate: null });
      await page.reload();
      await page.getByText('Away? Name a delegate').click();
      await expect.poll(() => state.textContent(), WAIT).toBe('You are not marked away.');
      await context.close();
    }, 60_000);

    it('the figures show each stage, and no page had a serious accessibility finding', async () => {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      const page = await context.newPage();
      page.on('pageerror', (e) => pageErrors.push(e.message));
      await signIn(page, `${svc.url}/dashboard?from=2025-03-20&to=2025-03-20`, 'carla@example.com');
      await page.waitForURL(/\/dashboard/);
      const row = page.locator('#stages tbody tr', { hasText: 'finance director' });
      await row.waitFor();
      expect(await row.locator('td').allTextContents()).toEqual(['0', '0', '3', '0', '0', '0 min · 0 min']);
      await check(page, 'dashboard-stages', 1440);
      await context.close();
      expect(problems).toEqual([]);
      expect(pageErrors).toEqual([]);
    }, 60_000);
  },
  600_000,
);
