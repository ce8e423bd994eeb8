// The queue board's own buttons work for an admin signed in on the web: they cannot send the CSRF header, so a
// change must come with the Origin a browser sends from the board's own page.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/service.ts';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(async () => {
  await svc?.stop();
});

it('lets an admin session pause and resume a queue from /admin/queues, and refuses a reviewer', async () => {
  const signIn = async (apiKey: string) => {
    const res = await svc.request('/v1/session', {
      method: 'POST',
      key: '',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apiKey }),
    });
    expect(res.status).toBe(200);
    return res.headers.get('set-cookie')!.split(';')[0]!;
  };
  const admin = await signIn(svc.adminKey);
  const origin = new URL(svc.url).origin;
  // From another site, or with no Origin at all (a forged form or a script elsewhere): refused.
  const forgeries: Record<string, string>[] = [
    { cookie: admin },
    { cookie: admin, origin: 'https://evil.example' },
  ];
  for (const headers of forgeries) {
    const forged = await svc.request('/admin/queues/api/queues/deliver-webhook/pause', {
      method: 'PUT',
      key: '',
      headers,
    });
    expect(forged.status).toBe(403);
    expect(((await forged.json()) as { error: string }).error).toBe('csrf');
  }
  expect(await svc.service.ctx.queues.queues['deliver-webhook'].isPaused()).toBe(false);
  const pause = await svc.request('/admin/queues/api/queues/deliver-webhook/pause', {
    method: 'PUT',
    key: '',
    headers: { cookie: admin, origin },
  });
  expect(pause.status).toBe(200);
  expect(await svc.service.ctx.queues.queues['deliver-webhook'].isPaused()).toBe(true);
  const resume = await svc.request('/admin/queues/api/queues/deliver-webhook/resume', {
    method: 'PUT',
    key: '',
    headers: { cookie: admin, origin },
  });
  expect(resume.status).toBe(200);
  expect(await svc.service.ctx.queues.queues['deliver-webhook'].isPaused()).toBe(false);

  const reviewer = await signIn(await svc.key('review'));
  const refused = await svc.request('/admin/queues/api/queues/deliver-webhook/pause', {
    method: 'PUT',
    key: '',
    headers: { cookie: reviewer, origin },
  });
  expect(refused.status).toBe(403);
  // Everywhere else a cookie still needs the header to change something.
  const keyCreate = await svc.request('/v1/keys', {
    method: 'POST',
    key: '',
    headers: { cookie: admin, 'content-type': 'application/json' },
    body: JSON.stringify({ role: 'ingest' }),
  });
  expect(keyCreate.status).toBe(403);
});

it('sends the board and the OpenAPI page with a CSP and no framing, and nosniff on every answer', async () => {
  for (const path of ['/admin/queues', '/docs', '/docs/static/index.html']) {
    const res = await svc.request(path);
    expect(res.status, path).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp, path).toContain("frame-ancestors 'none'");
    expect(csp, path).toContain("script-src 'self'");
    expect(csp, path).not.toMatch(/script-src[^;]*unsafe/);
    expect(res.headers.get('x-frame-options'), path).toBe('DENY');
  }
  for (const [path, key] of [
    ['/healthz', ''],
    ['/v1/documents', undefined],
    ['/v1/documents/doc_nope', undefined],
    ['/v1/keys', ''],
    ['/docs/json', undefined],
  ] as const) {
    const res = await svc.request(path, key === undefined ? {} : { key });
    expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
  }
});
