// Headers every answer carries: nosniff everywhere, and for the pages other plugins serve (the OpenAPI page at
// /docs, the queue board at /admin/queues) a Content-Security-Policy and no framing. Our own pages set theirs.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * The OpenAPI page and the queue board load their scripts from this site only; both render with inline style
 * attributes (React), so styles may be inline. Nothing may frame them.
 */
const THIRD_PARTY_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self' data:",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const THIRD_PARTY_PAGES = ['/docs', '/admin/queues'];

const under = (url: string, prefix: string) =>
  url === prefix || url.startsWith(`${prefix}/`) || url.startsWith(`${prefix}?`);

export default fp(
  async (app: FastifyInstance) => {
    app.addHook('onSend', async (request, reply, payload) => {
      reply.header('x-content-type-options', 'nosniff');
      if (!reply.hasHeader('x-frame-options')) reply.header('x-frame-options', 'DENY');
      if (THIRD_PARTY_PAGES.some((p) => under(request.url, p))) {
        reply.header('content-security-policy', THIRD_PARTY_PAGE_CSP);
        reply.header('referrer-policy', 'same-origin');
      }
      return payload;
    });
  },
  { name: 'security-headers' },
);
