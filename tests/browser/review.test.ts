// The web pages in real Chromium: a finance user uploads an invoice whose total does not add up and sees it land
// in review; a reviewer opens it from the queue, corrects the total with the keyboard only and approves; the
// approval reaches the ERP's webhook with the corrected total and the audit trail shows the change.
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvoiceSpec } from '../../scripts/samples/model.ts';
import { totalsOf } from '../../scripts/samples/model.ts';
import { renderPdf } from '../../scripts/samples/render-pdf.ts';
import { SAMPLES } from '../../scripts/samples/specs.ts';
import { ManualClock } from '../../src/storage/clock.ts';
import { formWith, startTestService, type TestService } from '../support/service.ts';

const SHOTS = resolve(import.meta.dirname, '..', 'artifacts', 'screenshots');
const CHROMIUM = '/usr/bin/chromium';

interface Delivery {
  event: string;
  data: {
    document: { id: string; status: string };
    result: { fields: Record<string, { value: string } | null> };
  };
}

const isoDay = (offsetDays: number) =>
  new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

/** The US sample invoice, dated this month, with a total $100.00 above what its lines and tax add up to. */
async function invoiceWithWrongTotal(sample = 'invoice-en-digital'): Promise<{
  bytes: Uint8Array;
  rightTotal: string;
  printedTotal: string;
}> {
  const base = SAMPLES.find((s) => s.name === sample) as InvoiceSpec;
  const spec: InvoiceSpec = {
    ...base,
    name: 'invoice-wrong-total',
    invoiceNumber: `INV-${Date.now() % 1_000_000}`,
    invoiceDate: isoDay(-5),
    dueDate: isoDay(25),
  };
  const rightTotal = totalsOf(spec).total.toFixed(2);
  spec.printedTotal = totalsOf(spec).total.plus(100).toFixed(2);
  return { bytes: await renderPdf(spec), rightTotal, printedTotal: spec.printedTotal };
}

async function signIn(page: Page, url: string, email: string, password: string) {
  await page.goto(url);
  await page.waitForURL(/\/login\?next=/);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

describe.skipIf(!existsSync(CHROMIUM))('web pages in Chromium', () => {
  let svc: TestService;
  let browser: Browser;
  let receiver: Server;
  const deliveries: Delivery[] = [];
  const pageErrors: string[] = [];
  /** Script errors and Content-Security-Policy refusals: either means the page is broken for a user. */
  const watch = (page: Page) => {
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) pageErrors.push(m.text());
    });
  };

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        deliveries.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Delivery);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    svc = await startTestService({ env: { SECURE_COOKIES: 'auto' } });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    mkdirSync(SHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await svc?.stop();
    await new Promise((r) => receiver?.close(r));
  });

  it('upload → review queue → keyboard correction → approval webhook and audit trail', async () => {
    const port = (receiver.address() as AddressInfo).port;
    const hook = await svc.request('/v1/webhooks', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: `http://127.0.0.1:${port}/erp`, events: ['document.approved'] }),
    });
    expect(hook.status, await hook.clone().text()).toBe(201);
    for (const user of [
      { email: 'fin@example.com', name: 'Fernanda Finance', role: 'ingest', password: 'finance-pass-1' },
      { email: 'rev@example.com', name: 'Rui Reviewer', role: 'review', password: 'review-pass-1' },
    ]) {
      const created = await svc.request('/v1/users', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(user),
      });
      expect(created.status, await created.clone().text()).toBe(201);
    }
    const invoice = await invoiceWithWrongTotal();

    // The finance user: sign in on the way to /upload, drop the file, watch it land in review with its reason.
    const finance = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const up = await finance.newPage();
    watch(up);
    await signIn(up, `${svc.url}/upload`, 'fin@example.com', 'finance-pass-1');
    await up.waitForURL(/\/upload$/);
    await up.locator('#reference').fill('PO-77812');
    // Dropped on the zone, as a person drags a file from their desktop.
    const dropped = await up.evaluateHandle((bytes) => {
      const transfer = new DataTransfer();
      const file = new File([new Uint8Array(bytes)], 'invoice-wrong-total.pdf', { type: 'application/pdf' });
      transfer.items.add(file);
      return transfer;
    }, Array.from(invoice.bytes));
    await up.dispatchEvent('#drop', 'drop', { dataTransfer: dropped });
    const row = up.locator('.upload-row', { hasText: 'invoice-wrong-total.pdf' });
    await expect.poll(() => row.locator('.status').textContent(), { timeout: 60_000 }).toBe('Sent to review');
    await expect.poll(() => row.locator('.reasons li[data-code="total_mismatch"]').count()).toBe(1);
    const documentId = await row.getAttribute('data-document-id');
    expect(documentId).toMatch(/^doc_/);
    // Many files picked at once: each goes on its own, and the one the service refuses says why at once.
    await up.locator('#file-input').setInputFiles([
      { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('just some text') },
      { name: 'copy.pdf', mimeType: 'application/pdf', buffer: Buffer.from(invoice.bytes) },
    ]);
    const refused = up.locator('.upload-row', { hasText: 'notes.txt' });
    await expect.poll(() => refused.locator('.status').textContent()).toBe('Refused');
    expect(await refused.locator('.why').textContent()).toMatch(/plain text/);
    const copy = up.locator('.upload-row', { hasText: 'copy.pdf' });
    await expect
      .poll(() => copy.locator('.status').textContent(), { timeout: 60_000 })
      .toBe('Sent to review');
    const copyId = (await copy.getAttribute('data-document-id'))!;
    const copyDoc = (await (await svc.request(`/v1/documents/${copyId}`)).json()) as { source: string };
    expect(copyDoc.source).toBe('upload');
    const first = (await (await svc.request(`/v1/documents/${documentId}`)).json()) as {
      externalRef: string;
    };
    expect(first.externalRef).toBe('PO-77812');
    await expect
      .poll(() => up.locator(`#recent tr[data-document-id="${documentId}"] .status`).textContent())
      .toBe('Sent to review');
    await up.screenshot({ path: resolve(SHOTS, 'upload.png') });
    await finance.close();

    // The reviewer: the queue, then the item opened (and claimed) with j.
    const reviewer = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const rv = await reviewer.newPage();
    watch(rv);
    await signIn(rv, `${svc.url}/review`, 'rev@example.com', 'review-pass-1');
    await rv.waitForURL(/\/review$/);
    const queued = rv.locator(`.queue-item[data-document-id="${documentId}"]`);
    await queued.waitFor();
    expect(await queued.locator('.chip[data-code="total_mismatch"]').count()).toBe(1);
    await rv.screenshot({ path: resolve(SHOTS, 'review-queue.png') });
    // j walks the queue (the copy uploaded alongside is in it too) until our invoice is open.
    for (let i = 0; i < 5 && (await queued.getAttribute('aria-selected')) !== 'true'; i++) {
      await rv.keyboard.press('j');
      await rv.locator('#item .item-head').waitFor();
      await rv.waitForFunction(() => !document.querySelector('#item .placeholder'));
    }
    await expect.poll(() => queued.getAttribute('aria-selected')).toBe('true');
    await rv.locator('.claim.mine').waitFor();
    await rv
      .locator('#page img')
      .evaluate((img: HTMLImageElement) =>
        img.complete ? undefined : new Promise((r) => img.addEventListener('load', r, { once: true })),
      );

    // The total carries the issue; walking the fields with Tab reaches it and highlights its box on the page.
    const total = rv.locator('#field-totalAmount');
    expect(await total.locator('.issue[data-code="total_mismatch"]').count()).toBe(1);
    expect(await total.locator('.value').textContent()).toBe(invoice.printedTotal);
    for (let i = 0; i < 20 && (await total.getAttribute('aria-selected')) !== 'true'; i++) {
      await rv.keyboard.press('Tab');
    }
    expect(await total.getAttribute('aria-selected')).toBe('true');
    const box = rv.locator('.box[data-field="totalAmount"]');
    expect(await box.getAttribute('class')).toContain('selected');
    // The box sits on the printed total: inside the page image, in its lower half and right half.
    const img = (await rv.locator('#page img').boundingBox())!;
    const b = (await box.boundingBox())!;
    expect(b.width).toBeGreaterThan(5);
    expect(b.x).toBeGreaterThan(img.x + img.width / 2);
    expect(b.y + b.height).toBeLessThan(img.y + img.height);
    expect(b.y).toBeGreaterThan(img.y + img.height / 3);
    await rv.screenshot({ path: resolve(SHOTS, 'review-item.png') });

    // Shift+Tab and ↑ go back a field, Tab and ↓ forward again.
    await rv.keyboard.press('Shift+Tab');
    await expect.poll(() => rv.locator('#field-taxAmount').getAttribute('aria-selected')).toBe('true');
    await rv.keyboard.press('Tab');
    await rv.keyboard.press('ArrowUp');
    await expect.poll(() => rv.locator('#field-taxAmount').getAttribute('aria-selected')).toBe('true');
    await rv.keyboard.press('ArrowDown');
    await expect.poll(() => total.getAttribute('aria-selected')).toBe('true');
    // Enter edits, Esc gives up: nothing changes.
    await rv.keyboard.press('Enter');
    await rv.keyboard.type('999');
    await rv.keyboard.press('Escape');
    expect(await total.locator('input.edit').count()).toBe(0);
    expect(await total.locator('.value').textContent()).toBe(invoice.printedTotal);

    // Keyboard only: e to edit, type a value the service checks as we type, Enter to save, a to approve.
    await rv.keyboard.press('e');
    await rv.keyboard.press('Control+a');
    await rv.keyboard.type('abc');
    await expect.poll(() => total.locator('.field-error').textContent()).toMatch(/\S/);
    expect(await total.getAttribute('class')).toContain('invalid');
    await rv.keyboard.press('Control+a');
    await rv.keyboard.type(invoice.rightTotal);
    await expect.poll(() => total.getAttribute('class')).not.toContain('invalid');
    await rv.keyboard.press('Enter');
    await expect.poll(() => total.locator('.value').textContent()).toBe(invoice.rightTotal);
    expect(await total.locator('.issue[data-code="total_mismatch"]').count()).toBe(0);
    await rv.screenshot({ path: resolve(SHOTS, 'review-item-corrected.png') });
    await rv.keyboard.press('a');
    await expect.poll(() => queued.count()).toBe(0);

    // The ERP got the approval with the corrected total; the audit trail shows who changed what.
    await expect.poll(() => deliveries.length, { timeout: 30_000 }).toBeGreaterThan(0);
    const approved = deliveries.find(
      (d) => d.event === 'document.approved' && d.data.document.id === documentId,
    );
    expect(approved?.data.result.fields.totalAmount?.value).toBe(invoice.rightTotal);
    const audit = (await (await svc.request(`/v1/documents/${documentId}/audit`)).json()) as {
      events: {
        action: string;
        field: string | null;
        before: unknown;
        after: unknown;
        actor: { name: string };
      }[];
    };
    // One correction: the value given up with Esc and the one the service refused were never stored.
    expect(audit.events.filter((e) => e.action === 'correct')).toHaveLength(1);
    const correction = audit.events.find((e) => e.action === 'correct' && e.field === 'totalAmount');
    expect(correction?.actor.name).toBe('Rui Reviewer');
    expect(JSON.stringify(correction?.before)).toContain(invoice.printedTotal);
    expect(JSON.stringify(correction?.after)).toContain(invoice.rightTotal);
    expect(audit.events.map((e) => e.action)).toEqual(
      expect.arrayContaining(['claim', 'correct', 'approve']),
    );
    const doc = (await (await svc.request(`/v1/documents/${documentId}`)).json()) as { status: string };
    expect(doc.status).toBe('approved');
    expect(pageErrors).toEqual([]);
    await reviewer.close();
  }, 120_000);

  it('a claim keeps a colleague out; approving over an error asks for a reason; names are shown as text', async () => {
    const invoice = await invoiceWithWrongTotal();
    const hostileName = '<img src=x onerror=window.__xss=1>.pdf';
    const sent = await svc.request('/v1/documents', {
      method: 'POST',
      body: formWith([{ name: hostileName, bytes: invoice.bytes, type: 'application/pdf' }]),
    });
    expect(sent.status).toBe(202);
    const [{ id }] = ((await sent.json()) as { documents: { id: string }[] }).documents as [{ id: string }];
    expect((await svc.waitForFinal(id)).status).toBe('needs_review');

    const byKey = async (key: string) => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      watch(page);
      await page.goto(`${svc.url}/review#${id}`);
      await page.waitForURL(/\/login\?next=/);
      await page.getByLabel('API key', { exact: true }).fill(key);
      await page.getByRole('button', { name: 'Sign in with key' }).click();
      await page.waitForURL(/\/review#/);
      return { context, page };
    };
    const first = await byKey(await svc.key('review'));
    await first.page.locator('.claim.mine').waitFor();
    // The file name is shown as it is, never run as markup.
    expect(await first.page.locator('.item-head .sub:not(.origin)').textContent()).toContain(hostileName);
    expect(await first.page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();

    const second = await byKey(await svc.key('review'));
    const held = second.page.locator('.claim.other');
    await held.waitFor();
    expect(await held.textContent()).toMatch(/^Held by .+ until /);
    expect(await second.page.getByRole('button', { name: 'Approve (a)' }).isDisabled()).toBe(true);
    await second.context.close();

    // ? opens the shortcuts; Esc closes them.
    const rv = first.page;
    await rv.keyboard.press('?');
    await expect.poll(() => rv.locator('#help').isVisible()).toBe(true);
    expect(await rv.locator('#help').textContent()).toContain('Approve');
    await rv.keyboard.press('Escape');
    await expect.poll(() => rv.locator('#help').isVisible()).toBe(false);

    // a with the total still wrong: the API refuses, the page asks why to approve anyway.
    await rv.keyboard.press('a');
    const dialog = rv.locator('#decision');
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await dialog.locator('.issue[class*="error"]').first().textContent()).toContain('Total mismatch');
    await rv.keyboard.type('too short');
    await rv.keyboard.press('Enter');
    await expect.poll(() => rv.locator('#decision-error').isVisible()).toBe(true);
    await rv.screenshot({ path: resolve(SHOTS, 'review-override.png') });
    await rv.keyboard.press('Control+a');
    await rv.keyboard.type('Vendor confirmed the 100.00 freight by phone.');
    await rv.keyboard.press('Enter');
    await expect.poll(() => rv.locator(`.queue-item[data-document-id="${id}"]`).count()).toBe(0);
    const audit = (await (await svc.request(`/v1/documents/${id}/audit`)).json()) as {
      events: { action: string; reason: string | null }[];
    };
    const override = audit.events.find((e) => e.action === 'override');
    expect(override?.reason).toBe('Vendor confirmed the 100.00 freight by phone.');
    expect(pageErrors).toEqual([]);
    await first.context.close();
  }, 120_000);

  it('a multi-page invoice on a large screen: page buttons, a field on another page brings its page, zoom keeps boxes on', async () => {
    const invoice = await invoiceWithWrongTotal('invoice-en-multipage');
    const sent = await svc.request('/v1/documents', {
      method: 'POST',
      body: formWith([{ name: 'multipage.pdf', bytes: invoice.bytes, type: 'application/pdf' }]),
    });
    const [{ id }] = ((await sent.json()) as { documents: { id: string }[] }).documents as [{ id: string }];
    expect((await svc.waitForFinal(id)).status).toBe('needs_review');
    const item = (await (await svc.request(`/v1/review/items/${id}`)).json()) as {
      pages: unknown[];
      fields: { name: string; page: number | null }[];
    };
    const totalPage = item.fields.find((f) => f.name === 'totalAmount')?.page;
    expect(item.pages.length).toBeGreaterThan(1);
    expect(totalPage).toBeGreaterThan(1);

    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    const rv = await context.newPage();
    watch(rv);
    await rv.goto(`${svc.url}/login?next=${encodeURIComponent(`/review#${id}`)}`);
    await rv.getByLabel('API key', { exact: true }).fill(await svc.key('review'));
    await rv.getByRole('button', { name: 'Sign in with key' }).click();
    await rv.locator('.claim.mine').waitFor();
    expect(await rv.locator('.pages button').count()).toBe(item.pages.length);
    // Each page button shows a small picture of its page.
    await expect
      .poll(
        () =>
          rv
            .locator('.pages button img')
            .evaluateAll((imgs) => imgs.every((i) => (i as HTMLImageElement).naturalWidth > 0)),
        { timeout: 20_000 },
      )
      .toBe(true);
    expect(await rv.locator('#page').getAttribute('data-page')).toBe('1');
    await rv.keyboard.press(']');
    await expect.poll(() => rv.locator('#page').getAttribute('data-page')).toBe('2');
    await rv.keyboard.press('[');
    await expect.poll(() => rv.locator('#page').getAttribute('data-page')).toBe('1');

    const total = rv.locator('#field-totalAmount');
    for (let i = 0; i < 20 && (await total.getAttribute('aria-selected')) !== 'true'; i++) {
      await rv.keyboard.press('ArrowDown');
    }
    await expect.poll(() => rv.locator('#page').getAttribute('data-page')).toBe(String(totalPage));
    const box = rv.locator('.box[data-field="totalAmount"]');
    expect(await box.getAttribute('class')).toContain('selected');
    await rv
      .locator('#page img')
      .evaluate((img: HTMLImageElement) =>
        img.complete ? undefined : new Promise((r) => img.addEventListener('load', r, { once: true })),
      );
    const share = async () => {
      const img = (await rv.locator('#page img').boundingBox())!;
      const b = (await box.boundingBox())!;
      return { x: (b.x - img.x) / img.width, y: (b.y - img.y) / img.height, w: img.width };
    };
    const before = await share();
    await rv.keyboard.press('+');
    await expect.poll(() => rv.locator('.zoom-level').textContent()).toBe('125%');
    const after = await share();
    expect(after.w).toBeGreaterThan(before.w * 1.2);
    // The box keeps its place on the page at any zoom.
    expect(Math.abs(after.x - before.x)).toBeLessThan(0.01);
    expect(Math.abs(after.y - before.y)).toBeLessThan(0.01);
    await rv.keyboard.press('0');
    await rv.screenshot({ path: resolve(SHOTS, 'review-item-1920.png') });
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 120_000);

  it('r rejects with a reason and opens the next item; p sends one back to be read again', async () => {
    const ids: string[] = [];
    for (const name of ['reject-me.pdf', 'reprocess-me.pdf']) {
      const invoice = await invoiceWithWrongTotal();
      const res = await svc.request('/v1/documents', {
        method: 'POST',
        body: formWith([{ name, bytes: invoice.bytes, type: 'application/pdf' }]),
      });
      const [{ id }] = ((await res.json()) as { documents: { id: string }[] }).documents as [{ id: string }];
      expect((await svc.waitForFinal(id)).status).toBe('needs_review');
      ids.push(id);
    }
    const [rejectId, reprocessId] = ids as [string, string];
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const rv = await context.newPage();
    watch(rv);
    await rv.goto(`${svc.url}/login?next=${encodeURIComponent(`/review#${rejectId}`)}`);
    await rv.getByLabel('API key', { exact: true }).fill(await svc.key('review'));
    await rv.getByRole('button', { name: 'Sign in with key' }).click();
    await rv.locator('.claim.mine').waitFor();
    expect(await rv.locator('.item-head .sub:not(.origin)').textContent()).toContain('reject-me.pdf');

    await rv.keyboard.press('r');
    const dialog = rv.locator('#decision');
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await rv.keyboard.press('Enter'); // no reason: nothing is sent
    expect(await dialog.isVisible()).toBe(true);
    await rv.keyboard.type('Not our order: the PO belongs to another company.');
    await rv.keyboard.press('Enter');
    // The next item opens by itself, claimed.
    await expect
      .poll(() => rv.locator('.item-head .sub:not(.origin)').textContent())
      .toContain('reprocess-me.pdf');
    await rv.locator('.claim.mine').waitFor();
    const rejected = (await (await svc.request(`/v1/documents/${rejectId}`)).json()) as { status: string };
    expect(rejected.status).toBe('rejected');
    const audit = (await (await svc.request(`/v1/documents/${rejectId}/audit`)).json()) as {
      events: { action: string; reason: string | null }[];
    };
    expect(audit.events.find((e) => e.action === 'reject')?.reason).toBe(
      'Not our order: the PO belongs to another company.',
    );

    await rv.keyboard.press('p');
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await rv.keyboard.type('Read it again after the reader fix.');
    await rv.keyboard.press('Enter');
    await expect.poll(() => rv.locator('#flash').textContent()).toBe('Sent back for re-processing.');
    const again = (await (await svc.request(`/v1/documents/${reprocessId}/audit`)).json()) as {
      events: { action: string }[];
    };
    expect(again.events.map((e) => e.action)).toContain('reprocess');
    // Read again, it lands in review again (the total is still wrong) and comes back to the queue.
    expect((await svc.waitForFinal(reprocessId)).status).toBe('needs_review');
    await rv.reload();
    await rv.locator(`.queue-item[data-document-id="${reprocessId}"]`).waitFor();
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 120_000);

  it('serves the pages with a strict CSP and no inline script', async () => {
    const res = await fetch(`${svc.url}/review`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    for (const path of ['/login', '/upload']) {
      const page = await fetch(`${svc.url}${path}`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toBe(csp);
      expect(page.headers.get('x-frame-options')).toBe('DENY');
    }
    const script = await fetch(`${svc.url}/static/review.js`);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript|^application\/javascript/);
    expect(script.headers.get('x-content-type-options')).toBe('nosniff');
    // Only the static folder is served: no way up into the source.
    for (const path of ['/static/../api/routes/pages.ts', '/static/%2e%2e/%2e%2e/config/env.ts']) {
      expect((await fetch(`${svc.url}${path}`)).status).toBe(404);
    }
  });
});

describe.skipIf(!existsSync(CHROMIUM))(
  'the review queue in Chromium, with the service clock driven by the test',
  () => {
    it('puts an overdue item first and marks it; the SLA filter keeps only it', async () => {
      const realNow = Date.now();
      const clock = new ManualClock(new Date(realNow - 30 * 3_600_000));
      const svc = await startTestService({ clock });
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      });
      try {
        const send = async (name: string) => {
          const invoice = await invoiceWithWrongTotal();
          const res = await svc.request('/v1/documents', {
            method: 'POST',
            body: formWith([{ name, bytes: invoice.bytes, type: 'application/pdf' }]),
          });
          const [{ id }] = ((await res.json()) as { documents: { id: string }[] }).documents as [
            { id: string },
          ];
          expect((await svc.waitForFinal(id)).status).toBe('needs_review');
          return id;
        };
        const late = await send('late.pdf'); // received 30 h ago: past its SLA
        clock.set(new Date(realNow - 3_600_000));
        const fresh = await send('fresh.pdf'); // received an hour ago
        clock.set(new Date(realNow));

        const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
        const page = await context.newPage();
        await page.goto(`${svc.url}/login?next=/review`);
        await page.getByLabel('API key', { exact: true }).fill(await svc.key('review'));
        await page.getByRole('button', { name: 'Sign in with key' }).click();
        const items = page.locator('.queue-item');
        await expect.poll(() => items.count()).toBe(2);
        expect(await items.nth(0).getAttribute('data-document-id')).toBe(late);
        expect(await items.nth(1).getAttribute('data-document-id')).toBe(fresh);
        expect(await items.nth(0).locator('.badge.overdue').textContent()).toBe('OVERDUE');
        expect(await items.nth(0).locator('.countdown').textContent()).toMatch(/^Overdue \d+ h/);
        expect(await items.nth(1).locator('.badge.overdue').count()).toBe(0);
        expect(await items.nth(1).locator('.countdown').textContent()).toMatch(/left$/);
        await page.screenshot({ path: resolve(SHOTS, 'review-queue-overdue.png') });

        await page.locator('#f-sla').selectOption('overdue');
        await expect.poll(() => items.count()).toBe(1);
        expect(await items.nth(0).getAttribute('data-document-id')).toBe(late);
        expect(new URL(page.url()).searchParams.get('sla')).toBe('overdue');
        await context.close();
      } finally {
        await browser.close();
        await svc.stop();
      }
    }, 120_000);
  },
);
