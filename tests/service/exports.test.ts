// The ERP export is opened in spreadsheets: text a sender controls must not run as a formula there.
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

it('writes a vendor name that starts with = as text in the CSV', async () => {
  const bytes = new Uint8Array(
    readFileSync(new URL('../../samples/invoice-en-digital.pdf', import.meta.url)),
  );
  const res = await svc.request('/v1/documents', {
    method: 'POST',
    body: formWith([{ name: 'a.pdf', bytes }]),
  });
  const id = ((await res.json()) as { documents: { id: string }[] }).documents[0]!.id;
  expect((await svc.waitForFinal(id)).status).toBe('auto_approved');
  // What a hostile document would have printed as its vendor name.
  await svc.service.ctx.db.query(
    `update document_results set result = jsonb_set(result, '{fields,vendorName,value}', '"=HYPERLINK(\\"http://x.example\\",\\"pay\\")"')
     where document_id = $1`,
    [id],
  );
  const csv = await (await svc.request('/v1/exports?status=approved&format=csv')).text();
  const row = csv.split('\n').find((l) => l.startsWith(id))!;
  expect(row).toContain(`"'=HYPERLINK(`);
  expect(row).not.toMatch(/,"?=HYPERLINK/);
});
