// Every bad input `retaguarda process` knows (tests/cli/bad-input.test.ts) sent through the API: refused at
// intake with a 4xx, or a `failed` document, each with the same code and a readable message; none left hanging.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { badInputCases, writeGeneratedBadInputs } from '../support/bad-inputs.ts';
import { formWith, startTestService, type TestService } from '../support/service.ts';

let dir: string;
let svc: TestService;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rtg-bad-api-'));
  await writeGeneratedBadInputs(dir);
  svc = await startTestService();
}, 120_000);

afterAll(async () => {
  await svc?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Outcome {
  /** HTTP status of the upload. */
  http: number;
  /** Where the error showed: at intake, or on the document once read. */
  where: 'intake' | 'document';
  status?: string;
  code: string;
  message: string;
}

async function send(path: string): Promise<Outcome> {
  const name = path.split('/').pop()!;
  const res = await svc.request('/v1/documents', {
    method: 'POST',
    body: formWith([{ name, bytes: new Uint8Array(await readFile(path)) }]),
  });
  if (res.status !== 202) {
    const body = (await res.json()) as { error: string; message: string };
    return { http: res.status, where: 'intake', code: body.error, message: body.message };
  }
  const id = ((await res.json()) as { documents: { id: string }[] }).documents[0]!.id;
  const doc = await svc.waitForFinal(id, 90_000);
  const error = doc.error as { code: string; message: string } | null;
  return {
    http: 202,
    where: 'document',
    status: doc.status as string,
    code: error?.code ?? '',
    message: error?.message ?? '',
  };
}

describe('bad input through the API', () => {
  const cases = badInputCases(() => dir);

  const outcomes = new Map<string, Outcome>();
  beforeAll(async () => {
    // All sent at once, as a busy sender would; each is judged on its own.
    const results = await Promise.all(cases.map(([, file]) => send(file())));
    for (const [i, [name]] of cases.entries()) outcomes.set(name, results[i]!);
    console.info(
      cases
        .map(([name], i) => `${name}: ${results[i]!.where} ${results[i]!.http} ${results[i]!.code}`)
        .join('\n'),
    );
  }, 180_000);

  it.each(cases.map((c) => [c[0], c[2]] as const))(
    '%s is refused at intake (4xx) or fails as a document, with its code and a readable message',
    (name, codes) => {
      const o = outcomes.get(name)!;
      if (o.where === 'intake') {
        expect(o.http, JSON.stringify(o)).toBeGreaterThanOrEqual(400);
        expect(o.http, JSON.stringify(o)).toBeLessThan(500);
      } else {
        expect(o.status, JSON.stringify(o)).toBe('failed');
      }
      expect(codes, JSON.stringify(o)).toContain(o.code);
      expect(o.message.length, JSON.stringify(o)).toBeGreaterThan(10);
      expect(o.message).not.toMatch(/Something went wrong|undefined|\[object/);
    },
  );

  it('refuses what is not a document at all at intake (415) and nothing else', () => {
    const atIntake = cases.filter(([name]) => outcomes.get(name)!.where === 'intake').map(([n]) => n);
    for (const name of ['an SVG', 'a ZIP archive', 'an executable', 'a text file'])
      expect(outcomes.get(name)!.http).toBe(415);
    expect(atIntake).toEqual(expect.arrayContaining(['an SVG', 'a ZIP archive', 'an executable']));
  });

  it('a corrupt JPEG reaches a final state: refused with corrupt_file, or read as the blank picture it is', async () => {
    const o = await send(join(dir, 'corrupt.jpg'));
    outcomes.set('a corrupt JPEG', o);
    if (o.where === 'intake') expect(o.code).toBe('corrupt_file');
    else if (o.status === 'failed') expect(o.code).toBe('corrupt_file');
    else expect(['auto_approved', 'needs_review']).toContain(o.status);
  }, 90_000);

  it('leaves nothing in received or processing, and the service still reads a good document', async () => {
    for (const status of ['received', 'processing']) {
      const res = await svc.request(`/v1/documents?status=${status}&limit=100`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { documents: unknown[] }).documents).toEqual([]);
    }
    const failed = (await (await svc.request('/v1/documents?status=failed&limit=100')).json()) as {
      documents: unknown[];
    };
    expect(failed.documents.length).toBe([...outcomes.values()].filter((o) => o.status === 'failed').length);
    const good = await svc.request('/v1/documents', {
      method: 'POST',
      body: formWith([
        {
          name: 'invoice-en-digital.pdf',
          bytes: new Uint8Array(
            await readFile(join(import.meta.dirname, '../../samples/invoice-en-digital.pdf')),
          ),
        },
      ]),
    });
    expect(good.status).toBe(202);
    const id = ((await good.json()) as { documents: { id: string }[] }).documents[0]!.id;
    expect((await svc.waitForFinal(id)).status).toBe('auto_approved');
  }, 90_000);
});
