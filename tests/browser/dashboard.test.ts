// The dashboard in real Chromium on the scripted week (tests/support/figures-scenario.ts): a reviewer signs in,
// opens /dashboard for 17–19 March at 1280×800 and sees the figures and the charts; the page runs under its
// strict CSP with no error. Saves tests/artifacts/screenshots/dashboard.png.
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FiguresScenario, runFiguresScenario } from '../support/figures-scenario.ts';

const SHOTS = resolve(import.meta.dirname, '..', 'artifacts', 'screenshots');
const CHROMIUM = '/usr/bin/chromium';

describe.skipIf(!existsSync(CHROMIUM))('dashboard in Chromium', () => {
  let s: FiguresScenario;
  let browser: Browser;
  beforeAll(async () => {
    s = await runFiguresScenario();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await s?.svc.stop();
  });

  it('shows the week’s figures and charts to a signed-in reviewer', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));

    // Without a session the page sends the reader to sign in.
    await page.goto(`${s.svc.url}/dashboard?from=2025-03-17&to=2025-03-19`);
    await page.waitForURL(/\/login\?next=%2Fdashboard/);
    // The 401s of that round trip (the page's fetch, the login page asking whether a session exists) are
    // expected: let them all arrive before listening for real problems.
    await page.waitForLoadState('networkidle');
    problems.length = 0;

    const signIn = await context.request.post(`${s.svc.url}/v1/session`, { data: { apiKey: s.reviewKey } });
    expect(signIn.status()).toBe(200);
    await page.goto(`${s.svc.url}/dashboard?from=2025-03-17&to=2025-03-19`);
    await page.locator('main[aria-busy="false"]').waitFor();

    const tile = (id: string) => page.locator(`#${id}`).textContent();
    expect(await tile('received')).toBe('8');
    expect(await tile('processed')).toBe('8');
    expect(await tile('stp')).toBe('37.5%');
    expect(await tile('exceptions')).toBe('4 · 50.0%');
    expect(await tile('resolution')).toBe('3.0 h · 39.0 h');
    expect(await tile('breaches')).toBe('1');
    expect(await tile('atRisk')).toBe('1');
    expect(await tile('rework')).toBe('2 · 25.0%');
    expect(await tile('accuracy')).toBe('96.2%');
    expect(await tile('failures')).toBe('1');
    expect(await page.locator('input[name="from"]').inputValue()).toBe('2025-03-17');

    // What each chart was given, read back from Chart.js.
    const charted = await page.evaluate(() => {
      const get = (id: string) => {
        // biome-ignore lint/suspicious/noExplicitAny: Chart is the page's global
        const chart = (window as any).Chart.getChart(id);
        return {
          labels: chart.data.labels,
          data: chart.data.datasets.map((d: { data: unknown[] }) => d.data),
        };
      };
      return {
        stp: get('stpChart'),
        reasons: get('reasonChart'),
        resolution: get('resolutionChart'),
        sla: get('slaChart'),
        queue: get('queueChart'),
        channels: get('channelChart'),
        accuracy: get('accuracyChart'),
      };
    });
    // The first-pass accuracy curve is the daily figures' own, day by day.
    const daily = (await (
      await context.request.get(
        `${s.svc.url}/v1/metrics/daily?from=2025-03-17T00:00:00Z&to=2025-03-20T00:00:00Z`,
      )
    ).json()) as { days: { firstPassAccuracy: { overall: number | null } }[] };
    expect(charted.accuracy.labels).toEqual(['2025-03-17', '2025-03-18', '2025-03-19']);
    expect(charted.accuracy.data[0]).toEqual(
      daily.days.map((d) =>
        d.firstPassAccuracy.overall == null ? null : Math.round(d.firstPassAccuracy.overall * 10000) / 100,
      ),
    );
    expect(charted.accuracy.data[0].filter((a: number | null) => a != null).length).toBeGreaterThan(0);
    expect(charted.stp).toEqual({
      labels: ['2025-03-17', '2025-03-18', '2025-03-19'],
      data: [[40, 33.33, null]],
    });
    expect(
      Object.fromEntries(
        charted.reasons.labels.map((l: string, i: number) => [l, charted.reasons.data[0][i]]),
      ),
    ).toEqual({
      // The reasons by the names the review page gives them, not their codes.
      'Total mismatch': 1,
      'Due before issue': 1,
      'Duplicate invoice': 1,
      'Duplicate file': 1,
      'Future date': 1,
    });
    // 1 h, 2 h and 4 h rounds in "1–4 h" / "4–8 h"; the 54 h one past two days.
    expect(charted.resolution.data[0]).toEqual([0, 2, 1, 0, 0, 1]);
    expect(charted.sla.data[0]).toEqual([0, 1, 0]);
    expect(charted.queue.labels).toEqual(['process-document', 'deliver-webhook']);
    // Documents by channel, by the names people use, and how many of each went straight through.
    expect(charted.channels).toEqual({
      labels: ['API', 'Upload page', 'E-mail', 'Folder'],
      data: [
        [7, 1, 0, 0],
        [2, 1, 0, 0],
      ],
    });
    const channelRows = await page
      .locator('#channels tbody tr')
      .evaluateAll((rows) => rows.map((r) => Array.from(r.querySelectorAll('td'), (td) => td.textContent)));
    expect(channelRows).toEqual([
      ['API', '7', '7', '28.6%'],
      ['Upload page', '1', '1', '100.0%'],
      ['E-mail', '0', '0', '–'],
      ['Folder', '0', '0', '–'],
    ]);
    // Colours that mean what they say: failed jobs red, active ones not.
    const colours = await page.evaluate(() => {
      type Dataset = { label: string; backgroundColor: string };
      // biome-ignore lint/suspicious/noExplicitAny: Chart is the page's global
      const chart = (window as any).Chart.getChart('queueChart') as { data: { datasets: Dataset[] } };
      return Object.fromEntries(chart.data.datasets.map((d) => [d.label, d.backgroundColor]));
    });
    expect(colours.failed).toBe('#d1242f');
    expect(colours.active).not.toBe('#d1242f');

    // The same header as the other pages: their links and sign-out.
    const nav = page.getByRole('navigation', { name: 'Pages' });
    expect(await nav.getByRole('link', { name: 'Review' }).count()).toBe(1);
    expect(await nav.getByRole('link', { name: 'Upload' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(1);
    // The browser's own favicon request finds one.
    expect((await context.request.get(`${s.svc.url}/favicon.ico`)).status()).toBe(200);

    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: resolve(SHOTS, 'dashboard.png') });

    // Days with nothing in them: each empty chart says why rather than showing bare axes.
    await page.goto(`${s.svc.url}/dashboard?from=2024-01-01&to=2024-01-02`);
    await page.locator('main[aria-busy="false"]').waitFor();
    expect(await page.locator('#reasonChart').isHidden()).toBe(true);
    expect(await page.locator('figure:has(#accuracyChart) .empty').textContent()).toMatch(
      /no field was checked by a person/,
    );
    expect(await page.locator('figure:has(#reasonChart) .empty').textContent()).toMatch(
      /No document went to review/,
    );
    expect(problems).toEqual([]);
    await context.close();
  });
});
