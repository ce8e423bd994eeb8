// Soak: a mixed stream of good and hostile documents into one service while its reading processes are
// SIGKILLed, Redis is emptied (FLUSHALL) and Redis is restarted, on a schedule. Loopback only, bounded in time;
// its own redis-server on a spare port, a fresh PostgreSQL database and queue prefix, all removed at the end.
//
//   npm run bench:soak                 # 75 s of uploads, then up to 120 s for the last documents
//   npm run bench:soak -- --seconds 40
//   npm run bench:soak -- --calm       # the same stream without kills, FLUSHALL or restart
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import pg from 'pg';
import { freePort } from '../tests/support/processes.ts';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '75' }, calm: { type: 'boolean', default: false } },
});
const SECONDS = Number(values.seconds);
const out = (s = '') => process.stdout.write(`${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const port = await freePort();
const redisDir = mkdtempSync(join(tmpdir(), 'rtg-soak-redis-'));
let redis: ChildProcess | undefined;
async function startRedis(): Promise<void> {
  redis = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', redisDir],
    {
      stdio: 'ignore',
    },
  );
  const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1 });
  probe.on('error', () => {});
  for (let i = 0; i < 50; i++) {
    if (
      await probe.connect().then(
        () => true,
        () => false,
      )
    )
      break;
    await sleep(100);
  }
  probe.disconnect();
}
await startRedis();
process.env.TEST_REDIS_URL = `redis://127.0.0.1:${port}`;
const { startTestService, formWith } = await import('../tests/support/service.ts');
const { hostileCases } = await import('../tests/support/hostile-inputs.ts');

const svc = await startTestService({
  env: {
    WORKER_CONCURRENCY: '2',
    READER_SPARES: process.env.READER_SPARES ?? '1', // the service's default (the tests' is 0)
    JOB_LOCK_SECONDS: '5',
    JOB_STALLED_CHECK_SECONDS: '5',
    RECOVERY_INTERVAL_SECONDS: '3',
    RECOVERY_GRACE_SECONDS: '5',
    LOG_LEVEL: 'error',
  },
});
const reading = svc.service.ctx.reading;
const rssMb = async () => Math.round(process.memoryUsage().rss / 1048576) + (await reading.rssMb());

const invoice = readFileSync(join(import.meta.dirname, '../samples/invoice-en-digital.pdf'));
const hostile = hostileCases();
let sequence = 0;
/** A normal invoice made unique (its own hash) by a comment after its end marker. */
const normalInvoice = () => Buffer.concat([invoice, Buffer.from(`%soak ${sequence++} ${Date.now()}\n`)]);

interface Sent {
  id: string;
  normal: boolean;
  sentAt: number;
  finalAt?: number;
  status?: string;
}
const sent: Sent[] = [];
const refused = new Map<number, number>();
let failedRequests = 0;

async function upload(normal: boolean): Promise<void> {
  const c = hostile[sequence % hostile.length]!;
  const name = normal ? `invoice-${sequence}.pdf` : c.file;
  const bytes = normal ? normalInvoice() : c.bytes();
  if (!normal) sequence++;
  const sentAt = performance.now();
  try {
    const res = await svc.request('/v1/documents', {
      method: 'POST',
      body: formWith([{ name, bytes: new Uint8Array(bytes) }]),
    });
    const body = (await res.json()) as { documents?: { id: string }[] };
    if (res.status === 202) sent.push({ id: body.documents![0]!.id, normal, sentAt });
    else refused.set(res.status, (refused.get(res.status) ?? 0) + 1);
  } catch {
    failedRequests++;
  }
}

/** Polls every unfinished document; a document's time to final is when it was first seen final. */
let polling = true;
async function poll(): Promise<void> {
  while (polling) {
    const open = sent.filter((s) => !s.finalAt);
    await Promise.all(
      open.map(async (s) => {
        const res = await svc.request(`/v1/documents/${s.id}`).catch(() => undefined);
        if (!res?.ok) return;
        const doc = (await res.json()) as { status: string };
        if (!['received', 'processing'].includes(doc.status)) {
          s.finalAt = performance.now();
          s.status = doc.status;
        }
      }),
    );
    await sleep(100);
  }
}

// Idle memory is measured once the reading processes are up and have read one document.
const first = await svc.request('/v1/documents', {
  method: 'POST',
  body: formWith([{ name: 'first.pdf', bytes: new Uint8Array(normalInvoice()) }]),
});
await svc.waitForFinal(((await first.json()) as { documents: { id: string }[] }).documents[0]!.id, 300_000);
await sleep(5000);
const idleBefore = await rssMb();
let peak = idleBefore;
const sampler = setInterval(async () => {
  peak = Math.max(peak, await rssMb());
}, 500);
const events: string[] = [];
const t0 = performance.now();
const at = () => `${((performance.now() - t0) / 1000).toFixed(0)} s`;
const schedule: [number, string, () => Promise<void>][] = [
  [0.2, 'SIGKILL a reading process', async () => void process.kill(reading.pids().at(-1)!, 'SIGKILL')],
  [
    0.4,
    'FLUSHALL',
    async () => {
      const r = new Redis({ port, host: '127.0.0.1' });
      await r.flushall();
      r.disconnect();
    },
  ],
  [
    0.6,
    'Redis restarted (killed, down 3 s, started empty)',
    async () => {
      redis?.kill('SIGKILL');
      await sleep(3000);
      await startRedis();
    },
  ],
  [
    0.8,
    'SIGKILL every reading process',
    async () => {
      for (const pid of reading.pids()) process.kill(pid, 'SIGKILL');
    },
  ],
];
const pending = (values.calm ? [] : schedule).map(([share, what, act]) =>
  sleep(share * SECONDS * 1000).then(async () => {
    events.push(`${at()}: ${what}`);
    await act().catch((e: Error) => events.push(`${at()}: ${what} failed: ${e.message}`));
  }),
);
const poller = poll();
// Four uploads a second: four in five a normal invoice, one a hostile file.
let n = 0;
while (performance.now() - t0 < SECONDS * 1000) {
  void upload(n++ % 5 !== 4);
  await sleep(250);
}
await Promise.all(pending);
const drainUntil = performance.now() + 120_000;
while (sent.some((s) => !s.finalAt) && performance.now() < drainUntil) await sleep(500);
polling = false;
await poller;
const stuck = new Map<string, number>();
for (const s of sent.filter((x) => !x.finalAt)) {
  const doc = (await (await svc.request(`/v1/documents/${s.id}`)).json()) as { status: string };
  stuck.set(doc.status, (stuck.get(doc.status) ?? 0) + 1);
}
clearInterval(sampler);
await sleep(15_000);
const idleAfter = await rssMb();

const db = new pg.Client({ connectionString: svc.config.DATABASE_URL });
await db.connect();
const duplicated = await db.query(
  `select document_id from document_events where to_status in ('auto_approved', 'needs_review', 'failed')
   group by document_id having count(*) > 1`,
);
const results = await db.query(
  `select document_id from document_results where kind <> 'correction' group by document_id having count(*) > 1`,
);
await db.end();

const normal = sent
  .filter((s) => s.normal && s.finalAt)
  .map((s) => s.finalAt! - s.sentAt)
  .sort((a, b) => a - b);
const q = (p: number) => normal[Math.min(normal.length - 1, Math.floor(p * normal.length))] ?? Number.NaN;
const final = sent.filter((s) => s.finalAt);
const byStatus = new Map<string, number>();
for (const s of final) byStatus.set(s.status!, (byStatus.get(s.status!) ?? 0) + 1);
out(`Soak: ${SECONDS} s of uploads, 4 a second (4 in 5 a normal invoice), 2 reading processes`);
for (const e of events) out(`  ${e}`);
out(
  `  accepted (202): ${sent.length} (${sent.filter((s) => s.normal).length} normal, ${sent.filter((s) => !s.normal).length} hostile)`,
);
out(
  `  refused: ${[...refused].map(([status, count]) => `${count} × ${status}`).join(', ') || 'none'}; requests that got no answer: ${failedRequests}`,
);
out(`  final: ${final.length} (${[...byStatus].map(([s, c]) => `${s} ${c}`).join(', ')})`);
out(
  `  lost (accepted, not final after 120 s more): ${sent.length - final.length}${stuck.size ? ` (${[...stuck].map(([st, c]) => `${c} ${st}`).join(', ')})` : ''}`,
);
out(
  `  duplicated (two final transitions or two readings of one round): ${duplicated.rowCount! + results.rowCount!}`,
);
out(
  `  normal invoice upload→final: p50 ${q(0.5).toFixed(0)} ms, p99 ${q(0.99).toFixed(0)} ms, max ${(normal.at(-1) ?? Number.NaN).toFixed(0)} ms`,
);
// When the slow normal invoices were sent, in 5-second windows, to tie them to the storm's events.
const slow = new Map<number, number>();
for (const s of sent.filter((x) => x.normal && x.finalAt && x.finalAt - x.sentAt > 1000)) {
  const w = Math.floor((s.sentAt - t0) / 5000) * 5;
  slow.set(w, (slow.get(w) ?? 0) + 1);
}
out(
  `  normal invoices over 1 s, by when sent: ${
    [...slow]
      .sort((a, b) => a[0] - b[0])
      .map(([w, c]) => `${w}–${w + 5} s: ${c}`)
      .join(', ') || 'none'
  }`,
);
out(
  `  RSS (service + reading processes): idle before ${idleBefore} MB, peak ${peak} MB, idle after ${idleAfter} MB`,
);

await svc.stop();
redis?.kill('SIGKILL');
rmSync(redisDir, { recursive: true, force: true });
process.exit(0);
