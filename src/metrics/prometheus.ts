// Prometheus metrics for operations: what happens is observed where it happens (the processing and webhook
// services' observers); states (documents by status, queue depths) are read from the source on each scrape,
// so they are right whichever process did the work.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ProcessingService } from '../services/processing.ts';
import type { WebhookService } from '../services/webhooks.ts';
import type { Clock } from '../storage/clock.ts';
import type { FiguresRepository } from '../storage/figures.repository.ts';

const STAGE_BUCKETS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000];

export interface MetricsDeps {
  /** Observed: each reading's stages and outcome. */
  processing: Pick<ProcessingService, 'observer'>;
  /** Observed: each delivery attempt's outcome. */
  webhooks: Pick<WebhookService, 'observer'>;
  figures: Pick<FiguresRepository, 'documentsByStatus' | 'openItems'>;
  clock: Clock;
  queueDepths: () => Promise<Record<string, Record<string, number>>>;
}

export function createMetrics(ctx: MetricsDeps): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service: 'retaguarda' });

  const stage = new Histogram({
    name: 'retaguarda_stage_duration_ms',
    help: 'Time a reading spent in each stage, in milliseconds (ocr_page: OCR time per OCR-read page)',
    labelNames: ['stage'] as const,
    buckets: STAGE_BUCKETS,
    registers: [registry],
  });
  const readings = new Counter({
    name: 'retaguarda_readings_total',
    help: 'Readings finished by this process, by outcome',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const jobFailures = new Counter({
    name: 'retaguarda_document_failures_total',
    help: 'Documents this process marked failed, by error code',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  const webhooks = new Counter({
    name: 'retaguarda_webhook_deliveries_total',
    help: 'Webhook delivery outcomes: delivered, attempt_failed (will retry), gave_up',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });

  ctx.processing.observer = {
    read(result, status) {
      readings.inc({ outcome: status });
      const t = result.timings;
      stage.observe({ stage: 'load' }, t.loadMs);
      stage.observe({ stage: 'extract' }, t.extractMs);
      stage.observe({ stage: 'validate' }, t.validateMs);
      const ocrPages = (result.pageSizes ?? []).filter((p) => p.source === 'ocr').length;
      if (t.ocrMs > 0) stage.observe({ stage: 'ocr_page' }, t.ocrMs / Math.max(1, ocrPages));
    },
    failed(code) {
      readings.inc({ outcome: 'failed' });
      jobFailures.inc({ code });
    },
  };
  ctx.webhooks.observer = (outcome) => webhooks.inc({ outcome });

  new Gauge({
    name: 'retaguarda_documents',
    help: 'Documents by current status (from the database)',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of await ctx.figures.documentsByStatus()) this.set({ status: r.key }, r.n);
    },
  });
  new Gauge({
    name: 'retaguarda_queue_jobs',
    help: 'Jobs in each queue by state (from Redis); state "failed" counts jobs that failed for good',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const depths = await ctx.queueDepths();
      for (const [queue, states] of Object.entries(depths)) {
        for (const [state, n] of Object.entries(states)) this.set({ queue, state }, n);
      }
    },
  });
  new Gauge({
    name: 'retaguarda_review_items_open',
    help: 'Open review items by SLA state',
    labelNames: ['sla'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const open = await ctx.figures.openItems(ctx.clock.now());
      this.set({ sla: 'overdue' }, open.overdue);
      this.set({ sla: 'not_overdue' }, open.notOverdue);
    },
  });
  return registry;
}
