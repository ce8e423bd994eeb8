// The review API end to end: real HTTP, real Redis, a fresh PostgreSQL database, the real pipeline, a clock we move.
import { spawn } from 'node:child_process';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/storage/clock.ts';
import { sampleInvoice } from '../support/sample-invoice.ts';
import { formWith, startTestService, type TestService } from '../support/service.ts';

const invoice = (n: number, wrongTotal: boolean) =>
  sampleInvoice(`review-${n}`, `INV-2025-9${n}0`, wrongTotal);

// biome-ignore lint/suspicious/noExplicitAny: the answers are JSON the assertions walk into
type Json = Record<string, any>;

describe('review API', () => {
  // The sample invoices are dated 2025-03-15 and due 2025-04-14: a clock just after keeps them fresh.
  const clock = new ManualClock(new Date('2025-03-20T09:00:00Z'));
  let svc: TestService;
  let ana: string;
  let bruno: string;
  let anaId: string;
  /** What the ERP's webhook endpoint received. */
  const received: Json[] = [];
  let receiver: Server;
  const delivered = async (event: string, documentId: string): Promise<Json> => {
    const end = Date.now() + 20_000;
    for (;;) {
      const hit = received.find((r) => r.event === event && r.data.document.id === documentId);
      if (hit) return hit;
      if (Date.now() > end) throw new Error(`no ${event} webhook for ${documentId}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const docs: Record<'override' | 'correct' | 'reject' | 'reprocess', string> = {} as never;

  const call = async (path: string, key: string, method = 'GET', body?: unknown) => {
    const res = await svc.request(path, {
      method,
      key,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as Json, headers: res.headers };
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
    svc = await startTestService({ clock });
    const hook = await svc.request('/v1/webhooks', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/erp`,
        events: ['document.approved', 'document.rejected'],
      }),
    });
    expect(hook.status).toBe(201);
    const a = await svc.service.ctx.keys.create('review', 'Ana Souza');
    ana = a.key;
    anaId = a.info.id;
    bruno = (await svc.service.ctx.keys.create('review', 'Bruno Lima')).key;
    const files = await Promise.all([1, 2, 3, 4].map((n) => invoice(n, true)));
    const res = await svc.request('/v1/documents', { method: 'POST', body: formWith(files) });
    expect(res.status).toBe(202);
    const ids = ((await res.json()) as { documents: { id: string }[] }).documents.map((d) => d.id);
    [docs.override, docs.correct, docs.reject, docs.reprocess] = ids as [string, string, string, string];
    for (const id of ids) expect((await svc.waitForFinal(id)).status).toBe('needs_review');
  }, 120_000);

  afterAll(async () => {
    await svc?.stop();
    await new Promise((r) => receiver?.close(r));
  });

  it('lists the documents routed to review with their reasons, SLA and no assignee', async () => {
    const { status, body } = await call('/v1/review/items?reason=total_mismatch', ana);
    expect(status).toBe(200);
    expect(body.items.map((i: Json) => i.documentId).sort()).toEqual(Object.values(docs).sort());
    const item = body.items.find((i: Json) => i.documentId === docs.override);
    expect(item).toMatchObject({
      fileName: 'review-1.pdf',
      vendorName: 'Harbor Point Office Supply, Inc.',
      totalAmount: '1244.29',
      currency: 'USD',
      reasons: ['total_mismatch'],
      slaState: 'on_time',
      assignee: null,
      claimedUntil: null,
    });
    // total_mismatch has a 24 h SLA, counted from when it was read.
    expect(item.slaDeadline).toBe('2025-03-21T09:00:00.000Z');
    expect((await call('/v1/review/items?reason=invalid_tax_id', ana)).body.items).toEqual([]);
    // The ingest role cannot see the queue.
    expect((await call('/v1/review/items', await svc.key('ingest'))).status).toBe(403);
    // 22 h later, less than 2 h are left: at risk; 2 h more: overdue.
    clock.advance(22.5 * 3_600_000);
    expect((await call('/v1/review/items', ana)).body.items[0].slaState).toBe('at_risk');
    clock.advance(2 * 3_600_000);
    const overdue = await call('/v1/review/items?sla=overdue', ana);
    expect(overdue.body.items).toHaveLength(4);
    expect(overdue.body.items[0].ageSeconds).toBe(24.5 * 3600);
    clock.set('2025-03-20T10:00:00Z');
  });

  it('shows one item with every field, its box and issues, and the pages with their size', async () => {
    const { status, body } = await call(`/v1/review/items/${docs.override}`, ana);
    expect(status).toBe(200);
    expect(body.document.id).toBe(docs.override);
    expect(body.fields.map((f: Json) => f.name)).toEqual([
      'vendorName',
      'vendorTaxId',
      'vendorAddress',
      'customerName',
      'customerTaxId',
      'invoiceNumber',
      'invoiceDate',
      'dueDate',
      'purchaseOrder',
      'currency',
      'subtotal',
      'taxAmount',
      'totalAmount',
      'amountDue',
    ]);
    const total = body.fields.find((f: Json) => f.name === 'totalAmount');
    expect(total.value).toBe('1244.29');
    expect(total.bbox).toHaveLength(4);
    expect(total.issues.map((i: Json) => i.code)).toEqual(['total_mismatch']);
    expect(body.fields.find((f: Json) => f.name === 'customerTaxId').value).toBeNull();
    expect(body.pages).toEqual([
      { number: 1, url: `/v1/documents/${docs.override}/pages/1`, width: 612, height: 792 },
    ]);
    expect(body.lineItems).toHaveLength(5);
  });

  it('lets one reviewer hold an item: the second gets 409 naming the holder, then claims after a release or expiry', async () => {
    const id = docs.override;
    const first = await call(`/v1/review/items/${id}/claim`, ana, 'POST');
    expect(first.status).toBe(200);
    expect(first.body.assignee).toEqual({ id: anaId, name: 'Ana Souza' });
    expect(first.body.claimedUntil).toBe('2025-03-20T10:15:00.000Z');
    const second = await call(`/v1/review/items/${id}/claim`, bruno, 'POST');
    expect(second.status).toBe(409);
    expect(second.body.error).toBe('claimed');
    expect(second.body.message).toBe('Held by Ana Souza until 2025-03-20T10:15:00.000Z.');
    expect(second.body.holder.name).toBe('Ana Souza');
    expect(
      (await call('/v1/review/items?assignee=me', ana)).body.items.map((i: Json) => i.documentId),
    ).toEqual([id]);
    expect((await call(`/v1/review/items/${id}/release`, ana, 'POST')).status).toBe(204);
    expect((await call(`/v1/review/items/${id}/claim`, bruno, 'POST')).status).toBe(200);
    // Bruno walks away: 16 minutes later his claim has lapsed and Ana takes it.
    clock.advance(16 * 60_000);
    const taken = await call(`/v1/review/items/${id}/claim`, ana, 'POST');
    expect(taken.status).toBe(200);
    expect(taken.body.assignee.name).toBe('Ana Souza');
  });

  it('gives an item to exactly one of two reviewers who claim it at the same moment', async () => {
    const id = docs.reject;
    const answers = await Promise.all([
      call(`/v1/review/items/${id}/claim`, ana, 'POST'),
      call(`/v1/review/items/${id}/claim`, bruno, 'POST'),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const winner = answers.find((a) => a.status === 200)!.body.assignee.name as string;
    expect(answers.find((a) => a.status === 409)!.body.holder.name).toBe(winner);
    const winnerKey = winner === 'Ana Souza' ? ana : bruno;
    expect((await call(`/v1/review/items/${id}/release`, winnerKey, 'POST')).status).toBe(204);
    expect(
      (await call(`/v1/review/items?assignee=none`, ana)).body.items.map((i: Json) => i.documentId),
    ).toContain(id);
  });

  it('refuses to approve over an error-severity issue unless an override reason is given, and audits it', async () => {
    const id = docs.override;
    const refused = await call(`/v1/review/items/${id}/approve`, ana, 'POST', {});
    expect(refused.status).toBe(409);
    expect(refused.body.error).toBe('blocking_issues');
    expect(refused.body.issues.map((i: Json) => i.code)).toEqual(['total_mismatch']);
    expect((await call(`/v1/review/items/${id}/approve`, ana, 'POST', { overrideReason: 'ok' })).status).toBe(
      409,
    );
    // Bruno does not hold the claim.
    const notHolder = await call(`/v1/review/items/${id}/approve`, bruno, 'POST', {
      overrideReason: 'Vendor confirmed the printed total by phone.',
    });
    expect(notHolder.status).toBe(409);
    expect(notHolder.body.error).toBe('claimed');
    const approved = await call(`/v1/review/items/${id}/approve`, ana, 'POST', {
      overrideReason: 'Vendor confirmed the printed total by phone.',
    });
    expect(approved.status).toBe(200);
    expect(approved.body).toEqual({ status: 'approved' });
    expect((await call(`/v1/documents/${id}`, ana)).body.status).toBe('approved');
    expect((await call('/v1/review/items', ana)).body.items.map((i: Json) => i.documentId)).not.toContain(id);
    const audit = (await call(`/v1/documents/${id}/audit`, ana)).body.events as Json[];
    expect(audit.map((e) => `${e.action}:${e.actor.name}`)).toEqual([
      'claim:Ana Souza',
      'release:Ana Souza',
      'claim:Bruno Lima',
      'claim:Ana Souza',
      'override:Ana Souza',
      'approve:Ana Souza',
    ]);
    expect(audit.at(-1)!.reason).toBe('Vendor confirmed the printed total by phone.');
    expect(audit.at(-2)!.before).toEqual(['total_mismatch']);
  });

  it('re-runs the rules on a correction: fixing the total clears total_mismatch, and approval needs no override', async () => {
    const id = docs.correct;
    const dry = await call(`/v1/review/items/${id}/validate`, bruno, 'POST', {
      fields: { totalAmount: '1,144.29', invoiceDate: '03/16/2025', currency: 'usd' },
    });
    expect(dry.status).toBe(200);
    expect(dry.body.fields).toEqual([
      { name: 'totalAmount', value: '1144.29' },
      { name: 'invoiceDate', value: '2025-03-16' },
      { name: 'currency', value: 'USD' },
    ]);
    expect(dry.body.issues.map((i: Json) => i.code)).not.toContain('total_mismatch');
    expect(dry.body.route).toBe('auto');
    const badValues = await call(`/v1/review/items/${id}/validate`, bruno, 'POST', {
      fields: { totalAmount: 'about a thousand', dueDate: '31/31/2025', currency: 'XYZ' },
    });
    expect(badValues.body.fields.map((f: Json) => Boolean(f.error))).toEqual([true, true, true]);
    // A dry run stores nothing.
    expect((await call(`/v1/documents/${id}`, bruno)).body.resultVersion).toBe(1);

    expect(
      (await call(`/v1/review/items/${id}/fields`, bruno, 'PATCH', { fields: { totalAmount: '1144.29' } }))
        .body.error,
    ).toBe('not_claimed');
    expect((await call(`/v1/review/items/${id}/claim`, bruno, 'POST')).status).toBe(200);
    // Typing renews the claim: 10 + 10 minutes with a dry run between is within a 15-minute claim.
    clock.advance(10 * 60_000);
    await call(`/v1/review/items/${id}/validate`, bruno, 'POST', { fields: { totalAmount: '1144' } });
    clock.advance(10 * 60_000);
    expect((await call(`/v1/review/items/${id}/claim`, ana, 'POST')).body.error).toBe('claimed');
    const invalid = await call(`/v1/review/items/${id}/fields`, bruno, 'PATCH', {
      fields: { totalAmount: 'abc' },
    });
    expect(invalid.status).toBe(422);
    expect(invalid.body).toMatchObject({ error: 'invalid_value', field: 'totalAmount' });
    const fixed = await call(`/v1/review/items/${id}/fields`, bruno, 'PATCH', {
      fields: { totalAmount: '1.144,29' },
    });
    expect(fixed.status).toBe(200);
    expect(fixed.body.fields).toEqual([{ name: 'totalAmount', value: '1144.29' }]);
    expect(fixed.body.issues.filter((i: Json) => i.severity === 'error')).toEqual([]);
    const doc = (await call(`/v1/documents/${id}`, bruno)).body;
    expect(doc.resultVersion).toBe(2);
    expect(doc.result.fields.totalAmount.value).toBe('1144.29');
    expect(doc.totalAmount).toBe('1144.29');
    const corrections = await svc.service.ctx.db.query(
      'select field, read_value, corrected_value from vendor_corrections where document_id = $1',
      [id],
    );
    expect(corrections).toEqual([
      { field: 'totalAmount', read_value: '1244.29', corrected_value: '1144.29' },
    ]);

    const approved = await call(`/v1/review/items/${id}/approve`, bruno, 'POST', {});
    expect(approved.status).toBe(200);
    // The ERP is told, with the corrected result.
    const hook = await delivered('document.approved', id);
    expect(hook.data.document.status).toBe('approved');
    expect(hook.data.result.fields.totalAmount.value).toBe('1144.29');
    expect(hook.data.resultVersion).toBe(2);
    expect(hook.data.approvedBy).toBe('Bruno Lima');
    const audit = (await call(`/v1/documents/${id}/audit`, bruno)).body.events as Json[];
    expect(audit.map((e) => [e.action, e.field, e.before])).toEqual([
      ['claim', null, null],
      ['correct', 'totalAmount', '1244.29'],
      ['approve', null, null],
      ['memory_learn', null, null],
    ]);
    // The approval taught vendor memory where this layout prints its fields; not the total, which the page
    // does not print as corrected.
    const learned = audit[3]!.after.changes.map((c: Json) => c.field);
    expect(learned).toContain('vendorName');
    expect(learned).not.toContain('totalAmount');
    expect(audit.every((e, i) => i === 0 || e.id > audit[i - 1]!.id)).toBe(true);
  });

  it('keeps the audit trail append-only: UPDATE and DELETE fail', async () => {
    const db = svc.service.ctx.db;
    await expect(
      db.query("update audit_events set reason = 'edited' where document_id = $1", [docs.correct]),
    ).rejects.toThrow(/cannot be changed or deleted/);
    await expect(db.query('delete from audit_events where document_id = $1', [docs.correct])).rejects.toThrow(
      /cannot be changed or deleted/,
    );
    expect((await call(`/v1/documents/${docs.correct}/audit`, ana)).body.events).toHaveLength(4);
  });

  it('needs a reason to reject', async () => {
    const id = docs.reject;
    expect((await call(`/v1/review/items/${id}/claim`, ana, 'POST')).status).toBe(200);
    const noReason = await call(`/v1/review/items/${id}/reject`, ana, 'POST', {});
    expect(noReason.status).toBe(400);
    expect(noReason.body.error).toBe('reason_required');
    const rejected = await call(`/v1/review/items/${id}/reject`, ana, 'POST', { reason: 'Not our order.' });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toEqual({ status: 'rejected' });
    const doc = (await call(`/v1/documents/${id}`, ana)).body;
    expect(doc.status).toBe('rejected');
    expect(doc.history.at(-1)).toMatchObject({
      from: 'needs_review',
      to: 'rejected',
      reason: 'Not our order.',
    });
    expect(doc.review.decision).toBe('rejected');
    const hook = await delivered('document.rejected', id);
    expect(hook.data.reason).toBe('Not our order.');
    expect(hook.data.document.status).toBe('rejected');
  });

  it('sends a document back through the pipeline on reprocess', async () => {
    const id = docs.reprocess;
    const res = await call(`/v1/review/items/${id}/reprocess`, bruno, 'POST', { reason: 'Try again' });
    expect(res.status).toBe(202);
    const doc = await svc.waitForFinal(id);
    expect(doc.status).toBe('needs_review');
    expect((doc.history as Json[]).map((h) => h.to)).toEqual([
      'received',
      'processing',
      'needs_review',
      'received',
      'processing',
      'needs_review',
    ]);
    expect(doc.resultVersion).toBe(2);
    const items = (await call('/v1/review/items', bruno)).body.items.map((i: Json) => i.documentId);
    expect(items).toContain(id);
    const audit = (await call(`/v1/documents/${id}/audit`, bruno)).body.events as Json[];
    expect(audit.map((e) => [e.action, e.reason])).toEqual([['reprocess', 'Try again']]);
  }, 60_000);

  it('reopens an approved document as rework', async () => {
    const id = docs.override;
    expect(
      (await call(`/v1/review/documents/${docs.reprocess}/reopen`, ana, 'POST', { reason: 'x' })).status,
    ).toBe(409);
    const res = await call(`/v1/review/documents/${id}/reopen`, ana, 'POST', {
      reason: 'Paid twice: check it',
    });
    expect(res.status).toBe(200);
    expect((await call(`/v1/documents/${id}`, ana)).body.status).toBe('needs_review');
    const item = (await call('/v1/review/items?reason=reopened', ana)).body.items;
    expect(item.map((i: Json) => i.documentId)).toEqual([id]);
    const audit = (await call(`/v1/documents/${id}/audit`, ana)).body.events as Json[];
    expect(audit.at(-1)).toMatchObject({ action: 'reopen', reason: 'Paid twice: check it' });
  });

  describe('sessions', () => {
    const login = (body: unknown, cookie?: string) =>
      fetch(`${svc.url}/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
        body: JSON.stringify(body),
      });
    const withCookie = (path: string, cookie: string, init: RequestInit = {}) =>
      fetch(`${svc.url}${path}`, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), cookie },
      });

    it('creates a user from the command line, password on stdin', async () => {
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          'src/cli/main.ts',
          'users',
          'create',
          '--email',
          'carla@example.com',
          '--name',
          'Carla Dias',
          '--role',
          'review',
        ],
        {
          env: { ...process.env, DATABASE_URL: svc.config.DATABASE_URL, DATA_DIR: svc.config.dataDir },
          stdio: ['pipe', 'pipe', 'pipe'],
        },
      );
      child.stdin.end('correct horse battery\n');
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(code).toBe(0);
      expect(out.trim()).toMatch(/^usr_[0-9a-f]{12}$/);
      const [row] = await svc.service.ctx.db.query('select password_hash from users where email = $1', [
        'carla@example.com',
      ]);
      expect(row!.password_hash).toMatch(/^scrypt\$/);
      expect(row!.password_hash).not.toContain('correct horse');
    }, 60_000);

    it('signs in with a password: an HttpOnly, SameSite=Lax cookie that works like a key; state changes need the CSRF header', async () => {
      expect((await login({ email: 'carla@example.com', password: 'wrong password' })).status).toBe(401);
      const res = await login({ email: 'Carla@example.com', password: 'correct horse battery' });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ name: 'Carla Dias', role: 'review' });
      const setCookie = res.headers.get('set-cookie')!;
      expect(setCookie).toMatch(/^rtg_session=[A-Za-z0-9_-]{43};/);
      expect(setCookie).toContain('HttpOnly');
      expect(setCookie).toContain('SameSite=Lax');
      expect(setCookie).toContain('Path=/');
      expect(setCookie).toContain('Max-Age=43200');
      // Plain http to 127.0.0.1 with SECURE_COOKIES=auto: not Secure, or the browser would drop it.
      expect(setCookie).not.toContain('Secure');
      const cookie = setCookie.split(';')[0]!;
      // Stored hashed: the cookie value is not in the table.
      const stored = await svc.service.ctx.db.query('select id_hash from sessions');
      expect(stored.map((r) => r.id_hash)).not.toContain(cookie.split('=')[1]);

      expect(await (await withCookie('/v1/session', cookie)).json()).toEqual({
        name: 'Carla Dias',
        role: 'review',
      });
      expect((await withCookie('/v1/review/items', cookie)).status).toBe(200);
      expect((await withCookie('/v1/keys', cookie)).status).toBe(403);

      const id = docs.reprocess;
      const noHeader = await withCookie(`/v1/review/items/${id}/claim`, cookie, { method: 'POST' });
      expect(noHeader.status).toBe(403);
      expect(((await noHeader.json()) as Json).error).toBe('csrf');
      const claimed = await withCookie(`/v1/review/items/${id}/claim`, cookie, {
        method: 'POST',
        headers: { 'x-requested-with': 'retaguarda' },
      });
      expect(claimed.status).toBe(200);
      expect(((await claimed.json()) as Json).assignee.name).toBe('Carla Dias');

      const out = await withCookie('/v1/session', cookie, {
        method: 'DELETE',
        headers: { 'x-requested-with': 'retaguarda' },
      });
      expect(out.status).toBe(204);
      expect(out.headers.get('set-cookie')).toMatch(/^rtg_session=; .*Max-Age=0/);
      expect((await withCookie('/v1/session', cookie)).status).toBe(401);
      expect((await withCookie('/v1/review/items', cookie)).status).toBe(401);
    });

    it('marks the cookie Secure when the request did not come over plain http to this machine', async () => {
      const setCookie = await new Promise<string>((resolve, reject) => {
        const url = new URL('/v1/session', svc.url);
        const req = httpRequest(
          {
            host: url.hostname,
            port: url.port,
            path: url.pathname,
            method: 'POST',
            headers: { host: 'review.example.com', 'content-type': 'application/json' },
          },
          (res) => {
            res.resume();
            resolve(String(res.headers['set-cookie']?.[0] ?? ''));
          },
        );
        req.on('error', reject);
        req.end(JSON.stringify({ apiKey: ana }));
      });
      expect(setCookie).toMatch(/^rtg_session=/);
      expect(setCookie).toMatch(/; Secure(;|$)/);
    });

    it('answers 401, not a fault, to a session cookie that is not one we set', async () => {
      for (const cookie of ['rtg_session=%E0%A4%A', 'rtg_session=', 'rtg_session="unterminated', 'junk']) {
        const res = await fetch(new URL('/v1/session', svc.url), { headers: { cookie } });
        expect(res.status, cookie).toBe(401);
      }
    });

    it('signs in with an API key, and refuses an unknown one', async () => {
      expect((await login({ apiKey: 'rtg_review_nope' })).status).toBe(401);
      const res = await login({ apiKey: bruno });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ name: 'Bruno Lima', role: 'review' });
      const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
      expect(
        ((await (await withCookie('/v1/review/items?assignee=none', cookie)).json()) as Json).items.length,
      ).toBe(1);
      // Twelve hours later the session is over.
      clock.advance(12 * 3_600_000 + 60_000);
      expect((await withCookie('/v1/session', cookie)).status).toBe(401);
    });

    it('creates users through the API (admin only)', async () => {
      const body = { email: 'dora@example.com', name: 'Dora', role: 'review', password: 'long enough pw' };
      const asReviewer = await call('/v1/users', ana, 'POST', body);
      expect(asReviewer.status).toBe(403);
      const created = await call('/v1/users', svc.adminKey, 'POST', body);
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ email: 'dora@example.com', name: 'Dora', role: 'review' });
      expect((await call('/v1/users', svc.adminKey, 'POST', body)).status).toBe(409);
      expect((await login({ email: 'dora@example.com', password: 'long enough pw' })).status).toBe(200);
    });

    it('slows down password guessing: after 20 sign-in attempts a minute from one address, 429', async () => {
      const answers: number[] = [];
      for (let i = 0; i < 21; i++)
        answers.push((await login({ email: 'dora@example.com', password: `guess ${i}` })).status);
      expect(answers.filter((s) => s === 429).length).toBeGreaterThan(0);
      const last = await login({ email: 'dora@example.com', password: 'long enough pw' });
      expect(last.status).toBe(429);
      expect(((await last.json()) as Json).message).toMatch(/Too many sign-in attempts/);
    });
  });
});
