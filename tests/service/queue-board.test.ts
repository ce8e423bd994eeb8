// The queue board's own buttons work for an admin signed in on the web (they cannot send the CSRF header).
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
  const pause = await svc.request('/admin/queues/api/queues/deliver-webhook/pause', {
    method: 'PUT',
    key: '',
    headers: { cookie: admin },
  });
  expect(pause.status).toBe(200);
  expect(await svc.service.ctx.queues.queues['deliver-webhook'].isPaused()).toBe(true);
  const resume = await svc.request('/admin/queues/api/queues/deliver-webhook/resume', {
    method: 'PUT',
    key: '',
    headers: { cookie: admin },
  });
  expect(resume.status).toBe(200);
  expect(await svc.service.ctx.queues.queues['deliver-webhook'].isPaused()).toBe(false);

  const reviewer = await signIn(await svc.key('review'));
  const refused = await svc.request('/admin/queues/api/queues/deliver-webhook/pause', {
    method: 'PUT',
    key: '',
    headers: { cookie: reviewer },
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
