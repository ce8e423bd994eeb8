// Names shown to people lose their control characters and direction marks at intake: a file called
// "invoice<U+202E>fdp.exe" would otherwise read "invoiceexe.pdf" on the review page.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { formWith, startTestService, type TestService } from '../support/service.ts';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(async () => {
  await svc?.stop();
});

const json = (body: unknown) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});
const HIDDEN = /[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

it('strips bidi controls and C0/C1 characters from file, user and key names', async () => {
  const bytes = new Uint8Array(
    readFileSync(new URL('../../samples/invoice-en-digital.pdf', import.meta.url)),
  );
  const upload = await svc.request('/v1/documents', {
    method: 'POST',
    body: formWith([{ name: 'invoice\u202efdp.exe', bytes }]),
  });
  expect(upload.status).toBe(202);
  const [doc] = ((await upload.json()) as { documents: { id: string; fileName: string }[] }).documents;
  expect(doc!.fileName).toBe('invoicefdp.exe');
  const raw = await svc.request(
    `/v1/documents?filename=${encodeURIComponent('\u2067statement\u2069\u200f\u0085.pdf')}`,
    { method: 'POST', headers: { 'content-type': 'application/pdf' }, body: bytes },
  );
  expect(((await raw.json()) as { documents: { fileName: string }[] }).documents[0]!.fileName).toBe(
    'statement.pdf',
  );

  const user = await svc.request(
    '/v1/users',
    json({
      email: 'bidi@example.com',
      name: 'Ana\u202e Silva\u0007',
      role: 'review',
      password: 'quiet-harbour-lantern-7',
    }),
  );
  expect(user.status).toBe(201);
  expect(((await user.json()) as { name: string }).name).toBe('Ana Silva');

  const key = await svc.request('/v1/keys', json({ role: 'ingest', name: 'erp\u202e\u2066 connector' }));
  expect(key.status).toBe(201);
  expect(((await key.json()) as { name: string }).name).toBe('erp connector');
  const listed = (await (await svc.request('/v1/keys')).json()) as { keys: { name: string }[] };
  for (const k of listed.keys) expect(k.name).not.toMatch(HIDDEN);
});
