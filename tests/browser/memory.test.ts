// The vendor memory page in real Chromium: an admin sees the vendors the reader learned about, opens one, reads
// each learned field with the review it came from, and forgets a field; a reviewer is told the page is an
// admin's. At 1440 and 390 px, with no serious axe-core finding. Saves tests/artifacts/screenshots/memory-*.png.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MemoryLayout } from '../../src/pipeline/extract/memory/schema.ts';
import { seriousAxeFindings } from '../support/axe.ts';
import { formWith, startTestService, type TestService } from '../support/service.ts';

const SHOTS = resolve(import.meta.dirname, '..', 'artifacts', 'screenshots');
const CHROMIUM = '/usr/bin/chromium';
const SAMPLE = resolve(import.meta.dirname, '..', '..', 'samples', 'invoice-en-digital.pdf');

describe.skipIf(!existsSync(CHROMIUM))('vendor memory page in Chromium', () => {
  let svc: TestService;
  let browser: Browser;
  let documentId: string;
  const vendorKey = 'tax:PT509876540';

  beforeAll(async () => {
    svc = await startTestService();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    // A real document for the memory to come from: its audit trail records the forgetting.
    const sent = await svc.request('/v1/documents', {
      method: 'POST',
      body: formWith([{ name: 'invoice.pdf', bytes: new Uint8Array(readFileSync(SAMPLE)) }]),
    });
    documentId = ((await sent.json()) as { documents: { id: string }[] }).documents[0]!.id;
    await svc.waitForFinal(documentId);
    const source = {
      documentId,
      actor: 'usr_ana',
      actorName: 'Ana Souza',
      at: '2026-12-03T10:14:05.000Z',
      how: 'correction' as const,
    };
    const layout: MemoryLayout = {
      id: 'lay_test1',
      vendorKey,
      vendorName: 'Padaria Estrela Lda',
      tokens: ['padaria', 'estrela', 'fatura'],
      fields: {
        vendorName: { value: 'Padaria Estrela Lda', confirmations: 1, sources: [source] },
        totalAmount: {
          place: {
            page: 1,
            box: [0.7, 0.8, 0.9, 0.83],
            label: { words: ['Total', 'a', 'pagar'], box: [0.5, 0.8, 0.65, 0.83] },
            format: '9,9',
          },
          confirmations: 1,
          sources: [source],
        },
      },
      updatedAt: '2026-12-03T10:14:05.000Z',
    };
    await svc.service.ctx.repos.vendorMemory.put(layout);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await svc?.stop();
  });

  it('lists what was learned and forgets a field for an admin, on a desk and on a phone', async () => {
    mkdirSync(SHOTS, { recursive: true });
    for (const width of [1440, 390]) {
      const context = await browser.newContext({ viewport: { width, height: 900 } });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(e.message));
      expect(
        (await context.request.post(`${svc.url}/v1/session`, { data: { apiKey: svc.adminKey } })).status(),
      ).toBe(200);
      await page.goto(`${svc.url}/memory`);
      await page.locator('main[aria-busy="false"]').waitFor();
      // The header links to the page for an admin.
      expect(
        await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Memory' }).count(),
      ).toBe(1);
      const row = page.locator('#vendors tr', { hasText: 'Padaria Estrela Lda' });
      expect(await row.locator('td').allTextContents()).toEqual([
        `Padaria Estrela Lda ${vendorKey}`,
        '1',
        '2',
        expect.any(String),
      ]);
      await row.getByRole('link', { name: 'Padaria Estrela Lda' }).click();
      const total = page.locator('tr[data-field="totalAmount"]');
      await total.waitFor();
      expect(await total.textContent()).toContain('after “Total a pagar” on page 1, shaped 9,9');
      expect(await total.textContent()).toContain('1 correction · last Ana Souza');
      expect(await total.getByRole('link', { name: documentId }).getAttribute('href')).toBe(
        `/review#${documentId}`,
      );
      expect(await page.locator('tr[data-field="vendorName"]').textContent()).toContain(
        'Padaria Estrela Lda',
      );

      expect(await seriousAxeFindings(page)).toEqual([]);
      await page.screenshot({ path: resolve(SHOTS, `memory-${width}.png`), fullPage: true });
      // No sideways scrolling on a phone.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      expect(problems).toEqual([]);
      await context.close();
    }

    // Forgetting a field, by its button, after the confirmation.
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    await context.request.post(`${svc.url}/v1/session`, { data: { apiKey: svc.adminKey } });
    await page.goto(`${svc.url}/memory#${encodeURIComponent(vendorKey)}`);
    await page.locator('tr[data-field="totalAmount"]').waitFor();
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Forget the total amount' }).click();
    await page.locator('#status', { hasText: 'Forgot the total amount' }).waitFor();
    expect(await page.locator('tr[data-field="totalAmount"]').count()).toBe(0);
    expect(await page.locator('tr[data-field="vendorName"]').count()).toBe(1);
    const memory = (await (
      await svc.request(`/v1/vendors/${encodeURIComponent(vendorKey)}/memory`)
    ).json()) as { layouts: MemoryLayout[] };
    expect(Object.keys(memory.layouts[0]!.fields)).toEqual(['vendorName']);
    const trail = await (await svc.request(`/v1/documents/${documentId}/audit`)).text();
    expect(trail).toContain('memory_forget');
    await context.close();
  }, 180_000);

  it('tells a reviewer the page is for admins, and leaves it out of their header', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const reviewKey = await svc.key('review');
    await context.request.post(`${svc.url}/v1/session`, { data: { apiKey: reviewKey } });
    await page.goto(`${svc.url}/memory`);
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toMatch(/needs the admin role/);
    expect(
      await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Memory' }).count(),
    ).toBe(0);
    await context.close();
  }, 60_000);
});
