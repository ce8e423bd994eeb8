// Who may act on an approval stage beyond its own approvers: an unscoped admin may reject a document whose
// named approver is gone (it is never stuck waiting), and a delegate acts only on the documents the person away
// may see. Real HTTP, Redis and PostgreSQL, and the real pipeline.
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/storage/clock.ts';
import { sampleInvoice } from '../support/sample-invoice.ts';
import { formWith, startTestService, type TestService } from '../support/service.ts';

const CHAIN = `
approval:
  stages:
    - name: cfo
      when: { amountOver: 100 }
      approvers: [cfo@example.com, fia@example.com]
`;

// biome-ignore lint/suspicious/noExplicitAny: the answers are JSON the assertions walk into
type Json = Record<string, any>;

describe('approval authority', () => {
  const clock = new ManualClock(new Date('2025-03-20T09:00:00Z'));
  const password = 'quiet harbour lantern meadow';
  let svc: TestService;
  const send = async (n: number, businessUnit: string): Promise<string> => {
    const res = await svc.request('/v1/documents', {
      method: 'POST',
      body: formWith([await sampleInvoice(`authority-${n}`, `INV-2025-9${n}0`)], { businessUnit }),
    });
    const id = ((await res.json()) as Json).documents[0].id as string;
    expect((await svc.waitForFinal(id)).status).toBe('awaiting_approval');
    return id;
  };
  const signIn = async (email: string) => {
    const res = await fetch(`${svc.url}/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    expect(res.status).toBe(200);
    return (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  };
  const as = async (cookie: string, path: string, method = 'GET', body?: unknown) => {
    const res = await fetch(`${svc.url}${path}`, {
      method,
      headers: {
        cookie,
        'x-requested-with': 'retaguarda',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as Json };
  };

  beforeAll(async () => {
    const rules = join(tmpdir(), `rtg-authority-rules-${process.pid}-${Date.now()}.yaml`);
    writeFileSync(rules, `${readFileSync('src/rules/default-rules.yaml', 'utf8')}\n${CHAIN}`);
    svc = await startTestService({ clock, env: { RULES_FILE: rules } });
  }, 120_000);

  afterAll(async () => {
    await svc?.stop();
  });

  it('lets an unscoped admin reject at a stage whose named approvers are gone, and nobody else', async () => {
    const id = await send(1, 'filial-sp');
    const reviewer = (await svc.service.ctx.keys.create('approver', 'Rui Costa')).key;
    const refused = await svc.request(`/v1/approvals/${id}/reject`, {
      method: 'POST',
      key: reviewer,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'The CFO left.' }),
    });
    expect(refused.status).toBe(403);
    const rejected = await svc.request(`/v1/approvals/${id}/reject`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'The CFO left; sent back to the vendor.' }),
    });
    expect(rejected.status).toBe(200);
    expect(((await (await svc.request(`/v1/documents/${id}`)).json()) as Json).status).toBe('rejected');
    // An admin approving in the CFO's place is still refused: only rejecting unblocks.
    const other = await send(2, 'filial-sp');
    const approve = await svc.request(`/v1/approvals/${other}/approve`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({}),
    });
    expect(approve.status).toBe(403);
  });

  it('lets a delegate act for someone away only on the documents that person may see', async () => {
    const ctx = svc.service.ctx;
    await ctx.users.create({
      email: 'fia@example.com',
      name: 'Fia Lopes',
      role: 'approver',
      password,
      scope: { kind: 'unit', unit: 'filial-rj' },
    });
    await ctx.users.create({ email: 'gil@example.com', name: 'Gil Matos', role: 'review', password });
    const fia = await signIn('fia@example.com');
    const gil = await signIn('gil@example.com');
    const away = await as(fia, '/v1/session/away', 'PUT', {
      until: '2025-03-27T18:00:00Z',
      delegate: 'gil@example.com',
    });
    expect(away.status).toBe(200);
    const sp = await send(3, 'filial-sp');
    const rj = await send(4, 'filial-rj');
    // Fia sees only filial-rj: Gil may approve that one for her, not the São Paulo one.
    const queue = await as(gil, '/v1/approvals');
    expect(queue.body.items.map((i: Json) => i.documentId)).toEqual([rj]);
    expect((await as(gil, `/v1/approvals/${sp}/approve`, 'POST', {})).status).toBe(403);
    const approved = await as(gil, `/v1/approvals/${rj}/approve`, 'POST', {});
    expect(approved.status).toBe(200);
  });
});
