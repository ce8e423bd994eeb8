// A `worker` has no API, so its Prometheus metrics (stage durations, readings, webhook outcomes: what only
// the process doing the work can count) and a liveness check get a small port of their own.
import { createServer, type Server } from 'node:http';
import { createMetrics } from '../metrics/prometheus.ts';
import type { AppContext } from './context.ts';

export async function startWorkerMetrics(ctx: AppContext, port: number, host: string): Promise<Server> {
  const registry = createMetrics({
    processing: ctx.processing,
    webhooks: ctx.webhooks,
    figures: ctx.repos.figures,
    clock: ctx.clock,
    queueDepths: () => ctx.queues.depths(),
  });
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method === 'GET' && path === '/metrics') {
      registry.metrics().then(
        (body) => response.writeHead(200, { 'content-type': registry.contentType }).end(body),
        () => response.writeHead(500).end(),
      );
    } else if (request.method === 'GET' && path === '/healthz') {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
