// The web pages (/login, /upload, /review, /memory): static HTML shells and browser ES modules from src/web/, no build
// step. Pages carry no data: their scripts call the /v1 API with the session cookie, so auth stays in one place.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyReply } from 'fastify';
import type { App } from '../app.ts';

export const WEB_DIR = resolve(import.meta.dirname, '..', '..', 'web');

/** No inline script or style, nothing from elsewhere: document text can never run as code. */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const PAGES = {
  '/login': 'login.html',
  '/upload': 'upload.html',
  '/review': 'review.html',
  '/memory': 'memory.html',
} as const;

function secure(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', PAGE_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'same-origin');
}

export async function pageRoutes(app: App): Promise<void> {
  const html = new Map<string, string>();
  for (const [path, file] of Object.entries(PAGES)) {
    html.set(path, await readFile(resolve(WEB_DIR, file), 'utf8'));
  }
  await app.register(async (scope) => {
    scope.addHook('onSend', async (_request, reply) => {
      secure(reply);
    });
    await scope.register(fastifyStatic, {
      root: resolve(WEB_DIR, 'static'),
      prefix: '/static/',
      decorateReply: false,
      index: false,
      cacheControl: true,
      maxAge: 0,
    });
    for (const [path, body] of html) {
      scope.get(path, { schema: { hide: true } }, async (_request, reply) =>
        reply
          .header('content-type', 'text/html; charset=utf-8')
          .header('cache-control', 'no-store')
          .send(body),
      );
    }
    scope.get('/', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/review'));
    // Browsers ask for /favicon.ico whatever the pages link to; the one icon answers both.
    scope.get('/favicon.ico', { schema: { hide: true } }, async (_request, reply) =>
      reply.redirect('/static/favicon.svg', 301),
    );
  });
}
