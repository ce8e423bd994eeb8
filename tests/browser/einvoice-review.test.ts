// The review page in real Chromium for an e-invoice: no page image to draw boxes on, so each field says the
// element of the XML it was read from, and the line items show their tax rate.
import { existsSync, readFileSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formWith, startTestService, type TestService } from '../support/service.ts';

const CHROMIUM = '/usr/bin/chromium';
// The amount due no longer follows from the total and the advance payment, so the invoice goes to review.
const UBL = readFileSync(new URL('../fixtures/einvoice/ubl-invoice.xml', import.meta.url), 'utf8').replace(
  '<cbc:PayableAmount currencyID="EUR">256.85',
  '<cbc:PayableAmount currencyID="EUR">356.85',
);

describe.skipIf(!existsSync(CHROMIUM))('an e-invoice on the review page', () => {
  let svc: TestService;
  let browser: Browser;

  beforeAll(async () => {
    svc = await startTestService({ env: { SECURE_COOKIES: 'auto' } });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await svc?.stop();
  });

  it('shows each field with the XML element it came from, where a PDF would show a box', async () => {
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
    const res = await svc.request('/v1/documents', {
      method: 'POST',
      body: formWith([{ name: 'peppol.xml', bytes: Buffer.from(UBL), type: 'application/xml' }]),
    });
    const id = ((await res.json()) as { documents: { id: string }[] }).documents[0]!.id;
    expect((await svc.waitForFinal(id)).status).toBe('needs_review');

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${svc.url}/review#${id}`);
    await page.waitForURL(/\/login\?next=/);
    await page.getByLabel('Email', { exact: true }).fill('rev@example.com');
    await page.getByLabel('Password', { exact: true }).fill('review-pass-1');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(/\/review#/);
    const due = page.locator('#field-amountDue');
    await due.waitFor();
    expect(await due.locator('.value').textContent()).toBe('356.85');
    expect(await due.locator('.field-source code').textContent()).toBe(
      '/Invoice/cac:LegalMonetaryTotal/cbc:PayableAmount',
    );
    expect(await due.locator('.issue[data-code="einvoice_amount_due"]').count()).toBe(1);
    expect(await page.locator('#field-vendorName .field-source').textContent()).toContain(
      'cac:PartyLegalEntity/cbc:RegistrationName',
    );
    // No broken image: an XML has no page.
    expect(await page.locator('#page img').count()).toBe(0);
    expect(await page.locator('.page-scroll .placeholder').textContent()).toMatch(/XML has no page/);
    await page.locator('details.lines summary').click();
    expect(await page.locator('details.lines th').allTextContents()).toContain('Tax %');
    expect(errors).toEqual([]);
    await context.close();
  });
});
