// Sign-in behind a TLS proxy: guesses at one account are throttled whatever address they come from, one noisy
// address does not lock everyone else out, passwords must be strong, and a second factor is asked for.
import { Redis } from 'ioredis';
import { generateSync } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/storage/clock.ts';
import { REDIS_URL, startTestService, type TestService } from '../support/service.ts';

// biome-ignore lint/suspicious/noExplicitAny: the answers are JSON the assertions walk into
type Json = Record<string, any>;

let svc: TestService;
const clock = new ManualClock(new Date());
beforeAll(async () => {
  // The proxy is this machine: X-Forwarded-For from 127.0.0.1 is believed, as from a proxy in front.
  svc = await startTestService({ env: { TRUST_PROXY: '127.0.0.1' }, clock });
});
afterAll(async () => {
  await svc?.stop();
});

const post = async (path: string, body: unknown, headers: Record<string, string> = {}, key?: string) => {
  const res = await svc.request(path, {
    method: 'POST',
    key: key ?? '',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json().catch(() => null)) as Json };
};
const createUser = (email: string, password: string, role = 'review') =>
  post('/v1/users', { email, name: email.split('@')[0], role, password }, {}, svc.adminKey);
/** A sign-in from the client address `from`, as the proxy forwards it. */
const signIn = (body: Json, from: string) => post('/v1/session', body, { 'x-forwarded-for': from });

describe('passwords', () => {
  it.each([
    ['12345678', /at least 12 characters/],
    ['password1234', /too easy to guess \(it is close to a common password\)/],
    ['qwertyuiop12', /too easy to guess/],
    ['aaaaaaaaaaaaaaaa', /too easy to guess \(it repeats characters\)/],
    ['walter@example.com', /too easy to guess/],
  ])('refuses %s for a new admin with 400 weak_password', async (password, why) => {
    const res = await createUser('walter@example.com', password, 'admin');
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('weak_password');
    expect(res.body.message).toMatch(why);
  });
});

describe('throttling', () => {
  beforeAll(async () => {
    expect((await createUser('target@example.com', 'harbour-violet-tundra-58')).status).toBe(201);
    expect((await createUser('bystander@example.com', 'mossy-granite-lighthouse-3')).status).toBe(201);
  });

  it('locks one account after 5 failures from 5 different addresses, for that account only, until the window passes', async () => {
    for (let i = 1; i <= 5; i++) {
      const res = await signIn(
        { email: 'target@example.com', password: `guess number ${i}` },
        `203.0.113.${i}`,
      );
      expect(res.status, `guess ${i}`).toBe(401);
    }
    // A sixth address, and even the right password: refused while the account is throttled.
    const locked = await signIn(
      { email: 'Target@example.com', password: 'harbour-violet-tundra-58' },
      '198.51.100.77',
    );
    expect(locked.status).toBe(429);
    expect(locked.body.error).toBe('rate_limited');
    expect(locked.body.message).toMatch(/Too many sign-in attempts for this account/);
    const retryAfter = Number(locked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);

    // Everyone else signs in as usual, from any of those addresses.
    const other = await signIn(
      { email: 'bystander@example.com', password: 'mossy-granite-lighthouse-3' },
      '203.0.113.1',
    );
    expect(other.status).toBe(200);

    // Fifteen minutes on, the account opens again; a success clears its count.
    clock.advance(15 * 60_000 + 1_000);
    const back = await signIn(
      { email: 'target@example.com', password: 'harbour-violet-tundra-58' },
      '198.51.100.77',
    );
    expect(back.status).toBe(200);
    for (let i = 1; i <= 4; i++) {
      expect(
        (await signIn({ email: 'target@example.com', password: `again ${i}` }, '198.51.100.78')).status,
      ).toBe(401);
    }
    expect(
      (await signIn({ email: 'target@example.com', password: 'harbour-violet-tundra-58' }, '198.51.100.78'))
        .status,
    ).toBe(200);
  });

  it('holds in the database, so another API replica sees the same failures', async () => {
    const failures = await svc.service.ctx.db.query(
      "select count(*)::int as n from sign_in_failures where account = 'nobody@example.com'",
    );
    expect(failures[0]!.n).toBe(0);
    for (let i = 1; i <= 5; i++) {
      await signIn({ email: 'nobody@example.com', password: `x${i}` }, `192.0.2.${i}`);
    }
    // An unknown email is throttled like a known one: the answer does not tell which emails exist.
    const res = await signIn({ email: 'nobody@example.com', password: 'x6' }, '192.0.2.99');
    expect(res.status).toBe(429);
    const [row] = await svc.service.ctx.db.query(
      "select count(*)::int as n from sign_in_failures where account = 'nobody@example.com'",
    );
    expect(row!.n).toBe(5);
  });

  it('limits each forwarded address on its own: one noisy client is refused, the next one is not', async () => {
    const answers: number[] = [];
    for (let i = 0; i < 21; i++) {
      answers.push(
        (await signIn({ email: `spray${i}@example.com`, password: 'wrong' }, '203.0.113.200')).status,
      );
    }
    expect(answers.slice(0, 20).every((s) => s === 401)).toBe(true);
    const refused = await signIn(
      { email: 'bystander@example.com', password: 'mossy-granite-lighthouse-3' },
      '203.0.113.200',
    );
    expect(refused.status).toBe(429);
    expect(refused.body.message).toMatch(/from this address/);
    // Counted in Redis under this installation's prefix, so every API replica shares the count.
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${svc.config.QUEUE_PREFIX}:rate-limit:*`);
    redis.disconnect();
    expect(keys.some((k) => k.includes('203.0.113.200'))).toBe(true);
    const fine = await signIn(
      { email: 'bystander@example.com', password: 'mossy-granite-lighthouse-3' },
      '203.0.113.201',
    );
    expect(fine.status).toBe(200);
  });
});

describe('a second factor', () => {
  const email = 'tessa@example.com';
  const password = 'copper-kettle-orchard-91';
  let cookie = '';
  let secret = '';
  const withCookie = (path: string, body: unknown) =>
    svc.request(path, {
      method: 'POST',
      key: '',
      headers: { cookie, 'content-type': 'application/json', 'x-requested-with': 'retaguarda' },
      body: JSON.stringify(body),
    });
  const codeAt = (at: Date) => generateSync({ secret, epoch: Math.floor(at.getTime() / 1000) });

  beforeAll(async () => {
    expect((await createUser(email, password, 'admin')).status).toBe(201);
    const res = await signIn({ email, password }, '198.51.100.10');
    expect(res.status).toBe(200);
    cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  });

  it('enrols: a secret, an otpauth URI and a QR code; confirmed with a code, it gives recovery codes once', async () => {
    const start = await withCookie('/v1/session/totp', {});
    expect(start.status).toBe(200);
    const begun = (await start.json()) as Json;
    expect(begun.otpauthUri).toMatch(
      /^otpauth:\/\/totp\/Retaguarda:tessa%40example\.com\?secret=[A-Z2-7]+&issuer=Retaguarda$/,
    );
    expect(begun.qrSvg).toMatch(/^<svg /);
    secret = begun.secret;
    // Not yet confirmed: the password alone still signs in.
    expect((await signIn({ email, password }, '198.51.100.10')).status).toBe(200);

    const wrong = await withCookie('/v1/session/totp/confirm', { code: '000000' });
    expect(wrong.status).toBe(400);
    const confirm = await withCookie('/v1/session/totp/confirm', { code: codeAt(clock.now()) });
    expect(confirm.status).toBe(200);
    const { recoveryCodes } = (await confirm.json()) as { recoveryCodes: string[] };
    expect(recoveryCodes).toHaveLength(10);
    // Stored hashed.
    const [row] = await svc.service.ctx.db.query('select totp_recovery_hashes from users where email = $1', [
      email,
    ]);
    expect(JSON.stringify(row)).not.toContain(recoveryCodes[0]!);
    // A key (or an ingest person) cannot enrol.
    const asKey = await svc.request('/v1/session/totp', { method: 'POST', key: await svc.key('review') });
    expect(asKey.status).toBe(403);

    clock.advance(60_000);
    const needed = await signIn({ email, password }, '198.51.100.10');
    expect(needed.status).toBe(401);
    expect(needed.body.error).toBe('totp_required');
    const bad = await signIn({ email, password, code: '123456' }, '198.51.100.10');
    expect(bad.status).toBe(401);
    expect(bad.body.error).toBe('totp_invalid');
    const code = codeAt(clock.now());
    expect((await signIn({ email, password, code }, '198.51.100.10')).status).toBe(200);
    // The same code again (a replay): refused.
    expect((await signIn({ email, password, code }, '198.51.100.10')).body.error).toBe('totp_invalid');

    // A recovery code works once.
    clock.advance(60_000);
    expect(
      (await signIn({ email, password, code: recoveryCodes[0]!.toUpperCase() }, '198.51.100.10')).status,
    ).toBe(200);
    expect((await signIn({ email, password, code: recoveryCodes[0]! }, '198.51.100.10')).status).toBe(401);
  });

  it('is removed by an admin (a lost phone): the password alone signs in again', async () => {
    const reviewer = await svc.key('review');
    expect((await svc.request(`/v1/users/${email}/totp`, { method: 'DELETE', key: reviewer })).status).toBe(
      403,
    );
    expect((await svc.request(`/v1/users/${email}/totp`, { method: 'DELETE' })).status).toBe(204);
    clock.advance(15 * 60_000 + 1_000);
    expect((await signIn({ email, password }, '198.51.100.10')).status).toBe(200);
  });
});
