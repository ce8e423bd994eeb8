// The bank account in review: shown masked, with the vendor master's account beside it when they differ, in the
// API and on the review page.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvoiceSpec } from '../../scripts/samples/model.ts';
import { renderPdf } from '../../scripts/samples/render-pdf.ts';
import { SAMPLES } from '../../scripts/samples/specs.ts';
import { ManualClock } from '../../src/storage/clock.ts';
import { formWith, startTestService, type TestService } from '../support/service.ts';

const SHOTS = resolve(import.meta.dirname, '..', 'artifacts', 'screenshots');
const CHROMIUM = '/usr/bin/chromium';
const base = SAMPLES.find((s) => s.name === 'invoice-en-digital') as InvoiceSpec;

describe('review API: the bank account', () => {
  const clock = new ManualClock(new Date('2025-03-20T09:00:00Z'));
  const dir = mkdtempSync(join(tmpdir(), 'rtg-bank-'));
  let svc: TestService;
  let key: string;
  let id: string;

  beforeAll(async () => {
    // On file: another account than the one the invoice prints (routing 042000314, account 7391028845).
    const vendors = join(dir, 'vendors.yaml');
    writeFileSync(
      vendors,
      [
        'vendors:',
        '  - taxId: "31-4829175"',
        '    names: ["Harbor Point Office Supply, Inc."]',
        '    bankAccounts: ["Routing 042000314 Account 5550001234"]',
        '',
      ].join('\n'),
    );
    svc = await startTestService({ clock, env: { VENDORS_FILE: vendors } });
    key = await svc.key('review');
    const spec: InvoiceSpec = { ...base, name: 'bank', invoiceNumber: 'INV-BANK-1' };
    const res = await svc.request('/v1/documents', {
      method: 'POST',
      body: formWith([{ name: 'bank.pdf', bytes: await renderPdf(spec), type: 'application/pdf' }]),
    });
    id = ((await res.json()) as { documents: { id: string }[] }).documents[0]!.id;
    expect((await svc.waitForFinal(id)).status).toBe('needs_review');
  });

  afterAll(async () => {
    await svc?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is shown masked, with the account on file beside it and the reason, never whole', async () => {
    const res = await svc.request(`/v1/review/items/${id}`, { key });
    const body = (await res.json()) as { item: { reasons: string[] }; bankAccount: Record<string, unknown> };
    expect(body.item.reasons).toContain('bank_details_changed');
    expect(body.bankAccount).toMatchObject({
      masked: '•••• 8845',
      onFile: ['•••• 1234'],
      issues: [{ code: 'bank_details_changed', severity: 'error' }],
    });
    expect(String((body.bankAccount.issues as { message: string }[])[0]?.message)).toMatch(/by phone/);
    expect(JSON.stringify(body.bankAccount)).not.toMatch(/7391028845|5550001234/);
    expect(body.bankAccount.bbox).toHaveLength(4);
  });

  it.skipIf(!existsSync(CHROMIUM))('the review page shows it masked beside the account on file', async () => {
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
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      await page.goto(`${svc.url}/review#${id}`);
      await page.waitForURL(/\/login\?next=/);
      await page.getByLabel('Email', { exact: true }).fill('rev@example.com');
      await page.getByLabel('Password', { exact: true }).fill('review-pass-1');
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      const row = page.locator('#field-bankAccount');
      await row.waitFor();
      expect(await row.locator('.field-line .value').textContent()).toBe('•••• 8845');
      expect(await row.locator('.on-file').textContent()).toBe('On file for this vendor: •••• 1234');
      expect(await row.locator('.issue[data-code="bank_details_changed"]').textContent()).toMatch(/by phone/);
      // Nowhere on the page is either account whole, and its box is on the page image.
      expect(await page.locator('body').innerText()).not.toMatch(/7391028845|5550001234/);
      expect(await page.locator('.box[data-field="bankAccount"]').count()).toBe(1);
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: resolve(SHOTS, 'review-bank-account.png') });
    } finally {
      await browser.close();
    }
  });
});
