// The figures on a scripted scenario with a manual clock (tests/support/figures-scenario.ts): every figure of
// the summary checked exactly, the per-day series, Prometheus /metrics and the admin-only queue board.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FiguresScenario, runFiguresScenario } from '../support/figures-scenario.ts';
import { startTestService } from '../support/service.ts';

const H = 3600;

/** The value of one Prometheus sample, whatever the order of its labels. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^(\w+)\{([^}]*)\} (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...m[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}
const RANGE = 'from=2025-03-17T00:00:00Z&to=2025-03-20T00:00:00Z';
/** The fields the reader finds on the English invoice (all but the customer's tax ID; the bank line too). */
const EN_FIELDS = [
  'bankAccount',
  'currency',
  'customerName',
  'dueDate',
  'invoiceDate',
  'invoiceNumber',
  'purchaseOrder',
  'subtotal',
  'taxAmount',
  'totalAmount',
  'vendorAddress',
  'vendorName',
  'vendorTaxId',
];

describe('figures', () => {
  let s: FiguresScenario;
  beforeAll(async () => {
    s = await runFiguresScenario();
  }, 240_000);
  afterAll(async () => {
    await s?.svc.stop();
  });

  it('summarises the scenario: every figure exactly', async () => {
    const res = await s.svc.request(`/v1/metrics/summary?${RANGE}`, { key: s.reviewKey });
    expect(res.status).toBe(200);
    const sum = (await res.json()) as Record<string, unknown> & {
      queues: Record<string, Record<string, number>>;
    };
    const { queues, ...figures } = sum;
    expect(figures).toEqual({
      from: '2025-03-17T00:00:00.000Z',
      to: '2025-03-20T00:00:00.000Z',
      received: 8,
      processed: 8,
      autoApproved: 3,
      straightThroughRate: 0.375,
      exceptions: {
        count: 4,
        rate: 0.5,
        byReason: {
          total_mismatch: 1,
          due_before_issue: 1,
          duplicate_invoice: 1,
          duplicate_file: 1,
          future_date: 1,
        },
      },
      failures: { count: 1, byReason: { truncated_pdf: 1 } },
      // wrong total 2 h, due-before-issue 4 h, the reopened round 1 h, the duplicate 54 h.
      resolution: {
        count: 4,
        meanSeconds: (2 * H + 4 * H + 1 * H + 54 * H) / 4,
        medianSeconds: 3 * H,
        // percentile_cont(0.9) over [1, 2, 4, 54] h: 4 h + 0.7 × 50 h.
        p90Seconds: 39 * H,
        seconds: [1 * H, 2 * H, 4 * H, 54 * H],
      },
      sla: { breaches: 1, open: { overdue: 0, atRisk: 1, onTime: 0 } },
      rework: { count: 2, rate: 0.25, reopened: 1, correctedAfterApproval: 1, resubmitted: 1 },
      firstPassAccuracy: {
        // 4 documents decided in review × 13 fields read; totalAmount and purchaseOrder corrected once each.
        overall: Math.round((50 / 52) * 10_000) / 10_000,
        reviewed: 52,
        unchanged: 50,
        fields: EN_FIELDS.map((field) => ({
          field,
          reviewed: 4,
          unchanged: field === 'totalAmount' || field === 'purchaseOrder' ? 3 : 4,
          accuracy: field === 'totalAmount' || field === 'purchaseOrder' ? 0.75 : 1,
        })),
      },
      throughput: {
        perHour: Math.round((8 / 72) * 1000) / 1000,
        byHour: [
          { hour: '2025-03-17T09:00:00Z', processed: 5 },
          { hour: '2025-03-18T09:00:00Z', processed: 1 },
          { hour: '2025-03-18T10:00:00Z', processed: 2 },
        ],
      },
      bySource: { api: 7, upload: 1 },
      // The scenario's rules declare no approval chain.
      approvals: { stages: [] },
      // Two of the seven API documents went straight through; the one from the upload page did.
      byChannel: {
        api: { received: 7, processed: 7, autoApproved: 2, straightThroughRate: 0.2857 },
        upload: { received: 1, processed: 1, autoApproved: 1, straightThroughRate: 1 },
        email: { received: 0, processed: 0, autoApproved: 0, straightThroughRate: null },
        folder: { received: 0, processed: 0, autoApproved: 0, straightThroughRate: null },
      },
    });
    expect(queues['process-document']).toMatchObject({ waiting: 0, active: 0, delayed: 0, failed: 0 });
  });

  it('gives the same figures per day', async () => {
    const res = await s.svc.request(`/v1/metrics/daily?${RANGE}`, { key: s.reviewKey });
    expect(res.status).toBe(200);
    const { days } = (await res.json()) as {
      days: {
        date: string;
        received: number;
        straightThroughRate: number | null;
        resolution: { seconds: number[] };
        sla: { breaches: number };
      }[];
    };
    expect(
      days.map((d) => [d.date, d.received, d.straightThroughRate, d.resolution.seconds, d.sla.breaches]),
    ).toEqual([
      ['2025-03-17', 5, 0.4, [2 * H, 4 * H], 0],
      ['2025-03-18', 3, Math.round((1 / 3) * 10_000) / 10_000, [1 * H], 0],
      ['2025-03-19', 0, null, [54 * H], 1],
    ]);
  });

  it('refuses the figures without a key and a bad range with a message', async () => {
    expect((await s.svc.request(`/v1/metrics/summary?${RANGE}`, { key: '' })).status).toBe(401);
    const bad = await s.svc.request('/v1/metrics/summary?from=2025-03-20&to=2025-03-17', {
      key: s.reviewKey,
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/before/);
  });

  it('exposes Prometheus metrics to an admin: documents by state, stage durations, queues, webhooks', async () => {
    expect((await s.svc.request('/metrics', { key: s.reviewKey })).status).toBe(403);
    const res = await s.svc.request('/metrics');
    expect(res.status).toBe(200);
    const text = await res.text();
    const documents = (status: string) => sample(text, 'retaguarda_documents', { status });
    expect(['approved', 'auto_approved', 'rejected', 'failed', 'needs_review'].map(documents)).toEqual([
      3, 2, 1, 1, 1,
    ]);
    // Seven documents were read (the truncated one failed before its stages were timed).
    for (const stage of ['load', 'extract', 'validate']) {
      expect(sample(text, 'retaguarda_stage_duration_ms_count', { stage })).toBe(7);
    }
    expect(sample(text, 'retaguarda_readings_total', { outcome: 'needs_review' })).toBe(4);
    expect(sample(text, 'retaguarda_document_failures_total', { code: 'truncated_pdf' })).toBe(1);
    expect(sample(text, 'retaguarda_queue_jobs', { queue: 'process-document', state: 'waiting' })).toBe(0);
    expect(sample(text, 'retaguarda_review_items_open', { sla: 'not_overdue' })).toBe(1);
    expect(text).toContain('# TYPE retaguarda_webhook_deliveries_total counter');
  });

  it('shows the queue board to admins only', async () => {
    expect((await s.svc.request('/admin/queues', { key: '' })).status).toBe(401);
    expect((await s.svc.request('/admin/queues', { key: s.reviewKey })).status).toBe(403);
    const page = await s.svc.request('/admin/queues');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Retaguarda queues');
    const api = await s.svc.request('/admin/queues/api/queues');
    expect(api.status).toBe(200);
    const names = ((await api.json()) as { queues: { name: string }[] }).queues.map((q) => q.name);
    expect(names.sort()).toEqual(['deliver-webhook', 'process-document']);
  });
});

describe('METRICS_PUBLIC', () => {
  it('serves /metrics without a key when set, and only /metrics', async () => {
    const svc = await startTestService({ env: { METRICS_PUBLIC: 'true' } });
    try {
      const res = await svc.request('/metrics', { key: '' });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('# TYPE retaguarda_documents gauge');
      expect((await svc.request('/v1/metrics/summary', { key: '' })).status).toBe(401);
      expect((await svc.request('/admin/queues', { key: '' })).status).toBe(401);
    } finally {
      await svc.stop();
    }
  });
});
