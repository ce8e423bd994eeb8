// Turned pages in Chromium: a receipt photographed sideways (with an EXIF orientation on top) and an invoice
// scanned upside down are served upright, so every field's box lies on the words it was read from, at the
// widths a reviewer uses (a desktop, a small laptop, a phone).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOcrEngine } from '../../src/adapters/ocr.ts';
import type { OcrEngine } from '../../src/pipeline/ports.ts';
import { formWith, startTestService, type TestService } from '../support/service.ts';

const SHOTS = resolve(import.meta.dirname, '..', 'artifacts', 'screenshots');
const SAMPLES = resolve(import.meta.dirname, '..', '..', 'samples');
const CHROMIUM = '/usr/bin/chromium';
const WIDTHS = [1440, 800, 390];

interface ItemField {
  name: string;
  kind: string;
  value: string | null;
  page: number | null;
  bbox: [number, number, number, number] | null;
}
interface ItemDetail {
  fields: ItemField[];
  pages: { number: number; url: string; width: number; height: number }[];
}

const digits = (s: string) => s.replace(/[^0-9A-Za-z]/g, '').toUpperCase();

describe.skipIf(!existsSync(CHROMIUM))('turned pages are served upright', () => {
  let svc: TestService;
  let browser: Browser;
  let ocr: OcrEngine;
  let reviewKey: string;
  const reopenedIds = new Set<string>();

  beforeAll(async () => {
    svc = await startTestService();
    reviewKey = await svc.key('review');
    ocr = createOcrEngine({ languages: ['eng'], poolSize: 1 });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    mkdirSync(SHOTS, { recursive: true });
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
  });

  afterAll(async () => {
    await browser?.close();
    await ocr?.close();
    await svc?.stop();
  });

  /** Uploads a file and makes sure it is in the review queue (reopened when the rules let it through). */
  async function inReview(name: string, bytes: Uint8Array, type: string): Promise<string> {
    const res = await svc.request('/v1/documents', {
      method: 'POST',
      body: formWith([{ name, bytes, type }]),
    });
    expect(res.status, await res.clone().text()).toBe(202);
    const body = (await res.json()) as { documents?: { id: string }[]; id?: string };
    const id = body.documents?.[0]?.id ?? body.id!;
    const doc = await svc.waitForFinal(id, 240_000);
    if (doc.status !== 'needs_review') {
      reopenedIds.add(id);
      const reopened = await svc.request(`/v1/review/documents/${id}/reopen`, {
        method: 'POST',
        key: reviewKey,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'Looking at the turned page again' }),
      });
      expect(reopened.status, await reopened.clone().text()).toBeLessThan(300);
    }
    return id;
  }

  it('a 90° photo with an EXIF turn and a 180° scan: boxes cover their words on the served image', async () => {
    // The sideways receipt, stored a further quarter turn off with an EXIF tag that says to turn it back.
    const sideways = readFileSync(resolve(SAMPLES, 'receipt-en-photo-rot90.jpg'));
    const exifPhoto = await sharp(sideways).rotate(270).withMetadata({ orientation: 6 }).jpeg().toBuffer();
    const upsideDown = readFileSync(resolve(SAMPLES, 'invoice-en-photo-rot180.png'));
    const docs = [
      { label: 'photo-90', id: await inReview('receipt-sideways.jpg', exifPhoto, 'image/jpeg') },
      { label: 'scan-180', id: await inReview('invoice-upside-down.png', upsideDown, 'image/png') },
    ];

    for (const { label, id } of docs) {
      const detail = (await (
        await svc.request(`/v1/review/items/${id}`, { key: reviewKey })
      ).json()) as ItemDetail;
      const page = detail.pages[0]!;
      const served = await svc.request(`${page.url}?width=1400`, { key: reviewKey });
      expect(served.status).toBe(200);
      const png = Buffer.from(await served.arrayBuffer());
      const meta = await sharp(png).metadata();
      // The served image has the upright page's shape…
      expect(Math.abs(meta.width! / meta.height! - page.width / page.height)).toBeLessThan(0.02);
      // …and is upright: read as it is served, with no turn needed.
      const read = await ocr.readPage({ png, width: meta.width!, height: meta.height! });
      expect(read.rotation, label).toBe(0);
      const scale = meta.width! / page.width;
      const checked = detail.fields.filter(
        (f) => f.bbox && f.value && ['amount', 'reference'].includes(f.kind) && (f.page ?? 1) === 1,
      );
      expect(checked.length, label).toBeGreaterThanOrEqual(2);
      for (const f of checked) {
        const [x0, y0, x1, y1] = f.bbox!.map((n) => n * scale) as [number, number, number, number];
        const pad = 6;
        const inside = read.words.filter((w) => {
          const cx = (w.bbox[0] + w.bbox[2]) / 2;
          const cy = (w.bbox[1] + w.bbox[3]) / 2;
          return cx >= x0 - pad && cx <= x1 + pad && cy >= y0 - pad && cy <= y1 + pad;
        });
        expect(digits(inside.map((w) => w.text).join('')), `${label} ${f.name}`).toContain(digits(f.value!));
      }
    }

    // In the review page, at each width: the image keeps its own shape (not stretched into another frame), is
    // wide enough to read, and the total's box lies on the image.
    for (const width of WIDTHS) {
      const context = await browser.newContext({ viewport: { width, height: width < 500 ? 844 : 900 } });
      const page = await context.newPage();
      await page.goto(`${svc.url}/review`);
      await page.waitForURL(/\/login\?next=/);
      await page.getByLabel('Email', { exact: true }).fill('rev@example.com');
      await page.getByLabel('Password', { exact: true }).fill('review-pass-1');
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.waitForURL(/\/review$/);
      for (const { label, id } of docs) {
        await page.locator(`.queue-item[data-document-id="${id}"]`).click();
        const img = page.locator('#page img');
        await expect
          .poll(
            () =>
              img.evaluate(
                (el: HTMLImageElement, doc) => (el.src.includes(doc) && el.complete ? el.naturalWidth : 0),
                id,
              ),
            { timeout: 30_000 },
          )
          .toBeGreaterThan(0);
        // A document reopened to be looked at again says why.
        if (reopenedIds.has(id)) {
          expect(await page.locator('.reopened').textContent()).toContain('Looking at the turned page again');
        }
        const shape = await img.evaluate((el: HTMLImageElement) => {
          const r = el.getBoundingClientRect();
          return { natural: el.naturalWidth / el.naturalHeight, shown: r.width / r.height, width: r.width };
        });
        expect(Math.abs(shape.natural - shape.shown), `${label} at ${width}`).toBeLessThan(0.03);
        expect(shape.width, `${label} at ${width}`).toBeGreaterThan(Math.min(300, width * 0.7));
        const box = await page.locator('.box[data-field="totalAmount"]').boundingBox();
        const frame = (await img.boundingBox())!;
        if (box) {
          expect(box.x).toBeGreaterThanOrEqual(frame.x - 4);
          expect(box.x + box.width).toBeLessThanOrEqual(frame.x + frame.width + 4);
        }
        await page.screenshot({ path: resolve(SHOTS, `upright-${label}-${width}.png`), fullPage: true });
      }
      await context.close();
    }
  }, 600_000);
});
