// Approval chains end to end: a rules file with stages, real HTTP, real Redis, a fresh PostgreSQL database, the
// real pipeline, webhooks to a local receiver and a clock we move.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/storage/clock.ts';
import { rulesFileWithChain } from '../support/approval-rules.ts';
import { sampleInvoice } from '../support/sample-invoice.ts';
import { formWith, startTestService, type TestService } from '../support/service.ts';

const invoice = (n: number, wrongTotal: boolean) =>
  sampleInvoice(`approval-${n}`, `INV-2025-7${n}0`, wrongTotal);

// biome-ignore lint/suspicious/noExplicitAny: the answers are JSON the assertions walk into
type Json = Record<string, any>;

describe('approval chains', () => {
  const clock = new ManualClock(new Date('2025-03-20T09:00:00Z'));
  let svc: TestService;
  const keys: Record<'ana' | 'bruno' | 'eva', string> = {} as never;
  const ids: Record<string, string> = {};
  let dan: { cookie: string; id: string };
  let carlaId: string;
  let corrected: string;
  let uploaded: string;
  const received: Json[] = [];
  let receiver: Server;
  const delivered = async (predicate: (r: Json) => boolean, what: string): Promise<Json> => {
    const end = Date.now() + 20_000;
    for (;;) {
      const hit = received.find(predicate);
      if (hit) return hit;
      if (Date.now() > end) throw new Error(`no webhook: ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  const call = async (path: string, key: string, method = 'GET', body?: unknown) => {
    const res = await svc.request(path, {
      method,
      key,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as Json };
  };
  /** A signed-in user's call: the session cookie and the CSRF header the pages send. */
  const asUser = async (who: { cookie: string }, path: string, method = 'GET', body?: unknown) => {
    const res = await fetch(`${svc.url}${path}`, {
      method,
      headers: {
        cookie: who.cookie,
        'x-requested-with': 'retaguarda',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as Json };
  };
  const signIn = async (email: string, password: string) => {
    const res = await fetch(`${svc.url}/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    expect(res.status).toBe(200);
    return { cookie: (res.headers.get('set-cookie') ?? '').split(';')[0]! };
  };

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json);
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    svc = await startTestService({ clock, env: { RULES_FILE: rulesFileWithChain() } });
    const hook = await svc.request('/v1/webhooks', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/erp`,
        events: ['document.approval_stage', 'document.approved', 'document.rejected'],
      }),
    });
    expect(hook.status).toBe(201);
    const ctx = svc.service.ctx;
    keys.ana = (await ctx.keys.create('review', 'Ana Souza')).key;
    keys.bruno = (await ctx.keys.create('approver', 'Bruno Lima')).key;
    keys.eva = (await ctx.keys.create('approver', 'Eva Nunes')).key;
    const password = 'quiet harbour lantern meadow';
    carlaId = (
      await ctx.users.create({ email: 'carla@example.com', name: 'Carla Dias', role: 'approver', password })
    ).id;
    const danId = (
      await ctx.users.create({ email: 'dan@example.com', name: 'Dan Reis', role: 'review', password })
    ).id;
    dan = { ...(await signIn('dan@example.com', password)), id: danId };

    // One with a wrong total (to review), and one read cleanly, sent by Eva for the filial-sp cost centre.
    const wrong = await svc.request('/v1/documents', {
      method: 'POST',
      body: formWith([await invoice(1, true)]),
    });
    corrected = ((await wrong.json()) as Json).documents[0].id;
    const clean = await svc.request('/v1/documents', {
      method: 'POST',
      key: keys.eva,
      body: formWith([await invoice(2, false)], { businessUnit: 'filial-sp' }),
    });
    uploaded = ((await clean.json()) as Json).documents[0].id;
    ids.corrected = corrected;
    expect((await svc.waitForFinal(corrected)).status).toBe('needs_review');
  }, 120_000);

  afterAll(async () => {
    await svc?.stop();
    await new Promise((r) => receiver?.close(r));
  });

  it('stops a document read without an exception at its first stage when the chain applies to it', async () => {
    const doc = await svc.waitForFinal(uploaded);
    expect(doc.status).toBe('awaiting_approval');
    expect(doc.approval).toEqual({
      stage: 'team lead',
      position: 1,
      of: 3,
      role: 'review',
      slaDeadline: '2025-03-20T17:00:00.000Z',
    });
    const { status, body } = await call(`/v1/approvals/${uploaded}`, keys.bruno);
    expect(status).toBe(200);
    // Over 1,000 and from the filial-sp cost centre; not the watched vendor, not reviewed for a duplicate.
    expect(body.stages.map((s: Json) => [s.name, s.matched])).toEqual([
      ['team lead', 'total 1,144.29 USD over 1,000.00'],
      ['unit controller', 'cost centre filial-sp'],
      ['finance director', 'total 1,144.29 USD over 1,000.00'],
    ]);
    expect(body.current).toMatchObject({
      name: 'team lead',
      position: 1,
      of: 3,
      enteredAt: '2025-03-20T09:00:00.000Z',
    });
    expect(body.current.slaDeadline).toBe('2025-03-20T17:00:00.000Z');
    // Not approved yet: the ERP hears of the stage, not of an approval.
    const entered = await delivered(
      (r) => r.event === 'document.approval_stage' && r.data.document.id === uploaded,
      'stage entered',
    );
    expect(entered.data.stage).toMatchObject({ state: 'entered', name: 'team lead', position: 1, of: 3 });
    expect(received.some((r) => r.event === 'document.approved' && r.data.document.id === uploaded)).toBe(
      false,
    );
  });

  it('refuses the uploader, whatever their role, and lets someone else reject with a reason', async () => {
    const refused = await call(`/v1/approvals/${uploaded}/approve`, keys.eva, 'POST', {});
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({
      error: 'own_upload',
      message: 'You uploaded this document: nobody approves their own upload.',
    });
    // The page says so before the button is pressed.
    expect((await call(`/v1/approvals/${uploaded}`, keys.eva)).body.refusal).toBe(
      'You uploaded this document: nobody approves their own upload.',
    );
    expect((await call(`/v1/approvals/${uploaded}/reject`, keys.ana, 'POST', {})).status).toBe(400);
    const rejected = await call(`/v1/approvals/${uploaded}/reject`, keys.ana, 'POST', {
      reason: 'Not ordered by filial-sp.',
    });
    expect(rejected).toEqual({ status: 200, body: { status: 'rejected' } });
    expect((await call(`/v1/documents/${uploaded}`, keys.ana)).body.status).toBe('rejected');
    const hook = await delivered(
      (r) => r.event === 'document.rejected' && r.data.document.id === uploaded,
      'rejected',
    );
    expect(hook.data).toMatchObject({ rejectedBy: 'Ana Souza', reason: 'Not ordered by filial-sp.' });
    const stage = await delivered(
      (r) =>
        r.event === 'document.approval_stage' &&
        r.data.document.id === uploaded &&
        r.data.stage.state === 'rejected',
      'stage rejected',
    );
    expect(stage.data.stage).toMatchObject({ name: 'team lead', decidedBy: { name: 'Ana Souza' } });
  });

  it('sends a reviewed document on to two stages and refuses its corrector the final approval', async () => {
    const item = `/v1/review/items/${corrected}`;
    expect((await call(`${item}/claim`, keys.bruno, 'POST')).status).toBe(200);
    const fixed = await call(`${item}/fields`, keys.bruno, 'PATCH', { fields: { totalAmount: '1144.29' } });
    expect(fixed.body.route).toBe('auto');
    const approved = await call(`${item}/approve`, keys.bruno, 'POST', {});
    expect(approved).toEqual({ status: 200, body: { status: 'awaiting_approval' } });
    const chain = (await call(`/v1/approvals/${corrected}`, keys.bruno)).body;
    expect(chain.stages.map((s: Json) => s.name)).toEqual(['team lead', 'finance director']);

    // Ana (review) sees the first stage in her queue, not the second; she approves the first.
    const queue = (await call('/v1/approvals', keys.ana)).body.items;
    expect(queue.map((i: Json) => [i.documentId, i.stage.name])).toEqual([[corrected, 'team lead']]);
    const first = await call(`/v1/approvals/${corrected}/approve`, keys.ana, 'POST', {
      comment: 'Checked the PO.',
    });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      status: 'awaiting_approval',
      next: { name: 'finance director', position: 2 },
    });
    expect(first.body.next.slaDeadline).toBe('2025-03-20T13:00:00.000Z');

    // The final stage needs the approver role: Ana has not; Bruno has, but he corrected the total.
    const notApprover = await call(`/v1/approvals/${corrected}/approve`, keys.ana, 'POST', {});
    expect(notApprover.status).toBe(403);
    expect(notApprover.body.error).toBe('not_an_approver');
    expect(notApprover.body.message).toBe(
      'The finance director stage needs the approver role (or their delegate while they are away); Ana Souza has the review role.',
    );
    const corrector = await call(`/v1/approvals/${corrected}/approve`, keys.bruno, 'POST', {});
    expect(corrector.status).toBe(403);
    expect(corrector.body).toEqual({
      error: 'corrected_by_you',
      message:
        'You corrected this document (total amount): its final approval must come from someone who did not correct it.',
    });
    expect((await call(`/v1/documents/${corrected}`, keys.bruno)).body.status).toBe('awaiting_approval');
  });

  it('lets a delegate approve for someone away, and the audit says on whose behalf', async () => {
    // Dan (review) cannot approve the final stage in his own right.
    expect((await asUser(dan, '/v1/approvals')).body.items).toEqual([]);
    const carla = await signIn('carla@example.com', 'quiet harbour lantern meadow');
    expect(
      (
        await asUser(carla, '/v1/session/away', 'PUT', {
          until: '2025-03-20T08:00:00Z',
          delegate: 'dan@example.com',
        })
      ).status,
    ).toBe(400);
    const away = await asUser(carla, '/v1/session/away', 'PUT', {
      until: '2025-03-27T18:00:00Z',
      delegate: 'dan@example.com',
    });
    expect(away).toEqual({
      status: 200,
      body: { awayUntil: '2025-03-27T18:00:00.000Z', delegate: { id: dan.id, name: 'Dan Reis' } },
    });
    const queue = (await asUser(dan, '/v1/approvals')).body.items;
    expect(queue).toHaveLength(1);
    expect(queue[0]).toMatchObject({ documentId: corrected, actingFor: { id: carlaId, name: 'Carla Dias' } });
    expect(queue[0].stage).toMatchObject({ name: 'finance director', slaState: 'on_time' });

    // Five hours later the 4-hour stage is late; Dan approves it for Carla.
    clock.advance(5 * 3_600_000);
    expect((await asUser(dan, '/v1/approvals')).body.items[0].stage.slaState).toBe('overdue');
    const done = await asUser(dan, `/v1/approvals/${corrected}/approve`, 'POST', {});
    expect(done).toEqual({ status: 200, body: { status: 'approved', next: null } });
    const approved = (await call(`/v1/documents/${corrected}`, keys.ana)).body;
    expect(approved).toMatchObject({ status: 'approved', approval: null });

    const audit = (await call(`/v1/documents/${corrected}/audit`, keys.ana)).body.events as Json[];
    const stages = audit.filter((e) => e.action.startsWith('stage_'));
    expect(
      stages.map((e) => [e.action, e.field, e.actor.name, e.onBehalfOf?.name ?? null, e.reason]),
    ).toEqual([
      ['stage_enter', 'team lead', 'Bruno Lima', null, 'total 1,144.29 USD over 1,000.00'],
      ['stage_approve', 'team lead', 'Ana Souza', null, 'Checked the PO.'],
      ['stage_enter', 'finance director', 'Ana Souza', null, 'total 1,144.29 USD over 1,000.00'],
      ['stage_approve', 'finance director', 'Dan Reis', 'Carla Dias', null],
    ]);

    const final = await delivered(
      (r) => r.event === 'document.approved' && r.data.document.id === corrected,
      'approved',
    );
    expect(final.data).toMatchObject({ approvedBy: 'Dan Reis', onBehalfOf: 'Carla Dias' });
    expect(final.data.document.status).toBe('approved');
    expect(final.data.result.fields.totalAmount.value).toBe('1144.29');
    const events = received
      .filter((r) => r.event === 'document.approval_stage' && r.data.document.id === corrected)
      .map((r) => [r.data.stage.name, r.data.stage.state, r.data.stage.onBehalfOf?.name ?? null]);
    expect(events).toEqual([
      ['team lead', 'entered', null],
      ['team lead', 'approved', null],
      ['finance director', 'entered', null],
      ['finance director', 'approved', 'Carla Dias'],
    ]);
  });

  it('counts each stage in the figures: waiting, decided, SLA breaches and time to decide', async () => {
    const { body } = await call(
      '/v1/metrics/summary?from=2025-03-20T00:00:00Z&to=2025-03-21T00:00:00Z',
      keys.ana,
    );
    expect(body.approvals.stages).toEqual([
      {
        name: 'team lead',
        pending: 0,
        overdue: 0,
        approved: 1,
        rejected: 1,
        slaBreaches: 0,
        meanSeconds: 0,
        medianSeconds: 0,
      },
      {
        name: 'finance director',
        pending: 0,
        overdue: 0,
        approved: 1,
        rejected: 0,
        slaBreaches: 1,
        meanSeconds: 5 * 3600,
        medianSeconds: 5 * 3600,
      },
    ]);
    // The clean one passed the rules without a person: straight through, though it then waited for approval.
    expect(body.autoApproved).toBe(1);
  });
  it('gives a distinct stage to someone who approved no earlier step', async () => {
    const res = await svc.request('/v1/documents', {
      method: 'POST',
      body: formWith([await invoice(3, false)]),
    });
    const id = ((await res.json()) as Json).documents[0].id as string;
    expect((await svc.waitForFinal(id)).status).toBe('awaiting_approval');
    expect((await call(`/v1/approvals/${id}/approve`, keys.bruno, 'POST', {})).body.next.name).toBe(
      'finance director',
    );
    const again = await call(`/v1/approvals/${id}/approve`, keys.bruno, 'POST', {});
    expect(again).toEqual({
      status: 403,
      body: {
        error: 'approved_earlier_step',
        message:
          'You approved an earlier step of this document: the finance director stage needs someone else.',
      },
    });
    expect((await call(`/v1/approvals/${id}/approve`, keys.eva, 'POST', {})).body).toEqual({
      status: 'approved',
      next: null,
    });
    // Decided: nothing more to approve.
    const late = await call(`/v1/approvals/${id}/approve`, keys.eva, 'POST', {});
    expect(late.status).toBe(409);
    expect(late.body.error).toBe('wrong_status');
  });
});
