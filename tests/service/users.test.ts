// A reviewer who leaves is disabled: their sign-in and open sessions stop at once; the audit keeps their name.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/service.ts';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(async () => {
  await svc?.stop();
});

const json = (body: unknown) => ({
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

it('disables a user: the session in use stops working and the password no longer signs in', async () => {
  const created = await svc.request('/v1/users', {
    method: 'POST',
    ...json({ email: 'leaver@example.com', name: 'Lee Leaver', role: 'review', password: 'correct horse' }),
  });
  expect(created.status).toBe(201);
  const { id } = (await created.json()) as { id: string };
  const signIn = () =>
    svc.request('/v1/session', {
      method: 'POST',
      key: '',
      ...json({ email: 'leaver@example.com', password: 'correct horse' }),
    });
  const first = await signIn();
  expect(first.status).toBe(200);
  const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
  const queue = () => svc.request('/v1/review/items', { key: '', headers: { cookie } });
  expect((await queue()).status).toBe(200);

  const reviewKey = await svc.key('review');
  expect((await svc.request(`/v1/users/${id}`, { method: 'DELETE', key: reviewKey })).status).toBe(403);
  expect((await svc.request('/v1/users/LEAVER@example.com', { method: 'DELETE' })).status).toBe(204);

  expect((await queue()).status).toBe(401);
  expect((await signIn()).status).toBe(401);
  expect((await svc.request(`/v1/users/${id}`, { method: 'DELETE' })).status).toBe(404);
});
