// The service bench: intake throughput and latency under autocannon, the time to drain what was accepted,
// and the time from upload to final state for one digital invoice on an idle service.
//
//   npm run bench:service                      # `retaguarda serve` (API and workers in one process)
//   npm run bench:service -- --split           # `retaguarda api` and `retaguarda worker` as two processes
//   npm run bench:service -- --workers-after   # `api` alone takes the uploads, a worker drains them after
//   npm run bench:service -- --raw             # the PDF as the raw request body instead of multipart
//   npm run bench:service -- --duration 15 --connections 10 --latency-runs 30
//   npm run bench:service -- --profile /tmp/prof   # a CPU profile of each service process
//   npm run bench:service -- --log-level warn      # without the per-request log lines (default: info)
//
// Needs Redis on REDIS_URL (default 127.0.0.1:6379) and PostgreSQL at TEST_POSTGRES_URL (default
// postgres://postgres@127.0.0.1:5432/test). It creates a database, a queue prefix and a data folder of
// its own and removes all three at the end.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { decodePDFRawStream, PDFDocument, PDFName, PDFRawStream, StandardFonts } from 'pdf-lib';
import { KeyService } from '../src/services/keys.ts';
import { systemClock } from '../src/storage/clock.ts';
import { type Database, openDatabase } from '../src/storage/database.ts';
import { freePort } from '../tests/support/processes.ts';
import { dropQueuePrefix, freshPostgres, REDIS_URL } from '../tests/support/service.ts';

const { values: args } = parseArgs({
  options: {
    split: { type: 'boolean', default: false },
    /** `api` alone takes the uploads; the worker starts when intake stops, as when workers run on other
     * machines and the API has the cores to itself. */
    'workers-after': { type: 'boolean', default: false },
    /** Send the PDF as the raw request body (Content-Type: application/pdf) instead of multipart. */
    raw: { type: 'boolean', default: false },
    duration: { type: 'string', default: '12' },
    connections: { type: 'string', default: '10' },
    'latency-runs': { type: 'string', default: '30' },
    'drain-timeout': { type: 'string', default: '600' },
    /** The service's own default is info: a line per request, written here to /dev/null. */
    'log-level': { type: 'string', default: 'info' },
    /** Writes a V8 CPU profile of each service process into this folder (open it in Chrome's DevTools). */
    profile: { type: 'string' },
  },
});
const DURATION_S = Number(args.duration);
const CONNECTIONS = Number(args.connections);
const LATENCY_RUNS = Number(args['latency-runs']);
const DRAIN_TIMEOUT_S = Number(args['drain-timeout']);
const ROOT = new URL('../', import.meta.url);
const FINAL = ['auto_approved', 'needs_review', 'approved', 'rejected', 'failed'];

const out = (line = '') => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : NaN;

// ---------------------------------------------------------------------------------------------------
// The upload: a one-page invoice drawn with pdf-lib, plus an (unrendered) filler stream of random bytes
// that brings it to about 100 KB, like a PDF with an embedded font or logo. The page's content stream is
// stored uncompressed so that every request can write its own invoice number into it in place: each
// upload is then a distinct invoice (a new blob, a new sha256, no duplicate-invoice history piling up),
// as real uploads are. Identical uploads would be stored once by the content-addressed blob store and
// would each be flagged as a duplicate of all the earlier ones.

const NUMBER_MARK = 'Q'.repeat(10);
const hexOf = (text: string) => Buffer.from(text, 'latin1').toString('hex').toUpperCase();

async function invoicePdf(targetBytes: number): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const page = doc.addPage([595, 842]);
  let y = 790;
  const line = (text: string, x = 50, f = font, size = 11) => {
    page.drawText(text, { x, y, size, font: f });
  };
  line('Northwind Office Supplies Ltd.', 50, bold, 16);
  y -= 20;
  line('12 Harbour Street, Bristol BS1 4DJ, United Kingdom');
  y -= 16;
  line('VAT No: GB123456789');
  y -= 40;
  line('INVOICE', 50, bold, 20);
  y -= 30;
  line(`Invoice Number: INV-${NUMBER_MARK}`);
  y -= 16;
  line('Invoice Date: 2025-03-15');
  y -= 16;
  line('Due Date: 2025-04-14');
  y -= 16;
  line('Bill To: Acme Trading Co.');
  y -= 36;
  line('Description', 50, bold);
  line('Qty', 330, bold);
  line('Unit Price', 390, bold);
  line('Amount', 490, bold);
  const items: [string, number, string, string][] = [
    ['A4 copy paper, 500 sheets', 10, '4.50', '45.00'],
    ['Ballpoint pens, box of 50', 4, '12.25', '49.00'],
    ['Lever arch files', 20, '2.30', '46.00'],
  ];
  for (const [d, q, u, a] of items) {
    y -= 18;
    line(d);
    line(String(q), 330);
    line(u, 390);
    line(a, 490);
  }
  y -= 36;
  line('Subtotal', 390);
  line('140.00', 490);
  y -= 16;
  line('VAT 20%', 390);
  line('28.00', 490);
  y -= 16;
  line('Total (GBP)', 390, bold);
  line('168.00', 490, bold);
  // Save, load back, and store the (flate-compressed) content streams plainly.
  const plain = await PDFDocument.load(await doc.save({ useObjectStreams: false }));
  for (const [ref, obj] of plain.context.enumerateIndirectObjects()) {
    if (obj instanceof PDFRawStream && obj.dict.get(PDFName.of('Filter'))) {
      const dict = obj.dict.clone(plain.context);
      dict.delete(PDFName.of('Filter'));
      dict.delete(PDFName.of('DecodeParms'));
      plain.context.assign(ref, PDFRawStream.of(dict, decodePDFRawStream(obj).decode()));
    }
  }
  const base = await plain.save({ useObjectStreams: false });
  const ref = plain.context.register(
    plain.context.stream(randomBytes(Math.max(0, targetBytes - base.length - 120))),
  );
  plain.catalog.set(PDFName.of('RtgFiller'), ref);
  return Buffer.from(await plain.save({ useObjectStreams: false }));
}

/** A multipart body with one file, and where its invoice number sits, so per-request copies differ cheaply. */
function multipartTemplate(pdf: Buffer, boundary: string): { body: Buffer; numberAt: number } {
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="invoice.pdf"\r\n` +
      'Content-Type: application/pdf\r\n\r\n',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const body = Buffer.concat([head, pdf, tail]);
  const at = body.indexOf(hexOf(NUMBER_MARK));
  if (at < 0) throw new Error('the invoice number is not in the PDF as plain text');
  return { body, numberAt: at };
}

// ---------------------------------------------------------------------------------------------------
// The service under test, as child processes (the bench's own load generator must not share its CPU).

interface Service {
  url: string;
  databaseUrl: string;
  db: Database;
  children: ChildProcess[];
  /** With --workers-after: starts the worker once intake is over. */
  startWorker(): Promise<void>;
  stop(): Promise<void>;
}

async function startService(split: boolean, deferWorker = false): Promise<Service> {
  const dataDir = mkdtempSync(join(tmpdir(), 'rtg-bench-'));
  const prefix = `rtgbench${randomBytes(4).toString('hex')}`;
  const database = await freshPostgres();
  const port = await freePort();
  const env = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    DATABASE_URL: database.url,
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: args['log-level'],
    START_REDIS: 'false',
    RATE_LIMIT_PER_MINUTE: '0',
  };
  const children: ChildProcess[] = [];
  const spawnRole = (role: string) => {
    const profile = args.profile ? ['--cpu-prof', `--cpu-prof-dir=${join(args.profile, role)}`] : [];
    const child = spawn(process.execPath, [...profile, new URL('bin/retaguarda.js', ROOT).pathname, role], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    // The first-start key notice goes to stderr; keep other stderr visible.
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      if (!/rtg_admin_|No API key existed|Send it as|keep it:/.test(text)) process.stderr.write(text);
    });
    children.push(child);
  };
  let db: Database | undefined;
  const stop = async () => {
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            const force = setTimeout(() => c.kill('SIGKILL'), 20_000);
            c.once('exit', () => {
              clearTimeout(force);
              resolve();
            });
            c.kill('SIGTERM');
          }),
      ),
    );
    await db?.close().catch(() => {});
    await dropQueuePrefix(prefix).catch(() => {});
    await database.drop().catch((e) => process.stderr.write(`could not drop the database: ${e}\n`));
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    spawnRole(split ? 'api' : 'serve');
    const url = `http://127.0.0.1:${port}`;
    const until = Date.now() + 60_000;
    for (;;) {
      const ready = await fetch(`${url}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) break;
      if (Date.now() > until) throw new Error('the service did not become ready within 60 s');
      if (children.some((c) => c.exitCode !== null)) throw new Error('the service exited during start-up');
      await sleep(200);
    }
    // The worker starts after the API has migrated the database, so the two never race for it.
    if (split && !deferWorker) spawnRole('worker');
    db = await openDatabase({ url: database.url, poolSize: 2 });
    if (split && !deferWorker) await sleep(3_000);
    const startWorker = async () => {
      spawnRole('worker');
      await sleep(3_000);
    };
    return { url, databaseUrl: database.url, db, children, startWorker, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** CPU seconds (user + system, all threads) a process has used so far; Linux only, else NaN. */
function cpuSeconds(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

async function statusCounts(db: Database): Promise<Record<string, number>> {
  const rows = await db.query<{ status: string; n: number }>(
    'select status, count(*)::int as n from documents group by status order by status',
  );
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

// ---------------------------------------------------------------------------------------------------

interface Figures {
  cpuMsPerUpload: number;
  cpuMsPerDocument: number;
  intakeRps: number;
  p50: number;
  p90: number;
  p99: number;
  accepted: number;
  non2xx: number;
  errors: number;
  drainS: number;
  drainRate: number;
  finalCounts: Record<string, number>;
  e2eClientP50: number;
  e2eClientP90: number;
  e2eServerP50: number;
  e2eServerP90: number;
}

async function intakeLoad(
  service: Service,
  key: string,
  seconds: number,
  template: { body: Buffer; numberAt: number },
  boundary: string,
  onId?: (id: string) => void,
): Promise<autocannon.Result> {
  let n = 0;
  const first = randomBytes(4).readUInt32BE() * 100;
  const instance = autocannon({
    url: service.url,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        path: '/v1/documents',
        headers: {
          authorization: `Bearer ${key}`,
          'content-type': args.raw ? 'application/pdf' : `multipart/form-data; boundary=${boundary}`,
        },
        setupRequest: (req) => {
          const body = Buffer.from(template.body);
          const number = String(first + n++)
            .padStart(NUMBER_MARK.length, '0')
            .slice(-NUMBER_MARK.length);
          body.write(hexOf(number), template.numberAt, 'latin1');
          return { ...req, body };
        },
        onResponse: (status, body) => {
          if (status === 202 && onId) {
            for (const d of (JSON.parse(body) as { documents: { id: string }[] }).documents) onId(d.id);
          }
        },
      },
    ],
  });
  return instance;
}

async function run(split: boolean, workersAfter = false): Promise<Figures> {
  const mode = workersAfter
    ? 'api alone during intake, then a worker (workers on other machines)'
    : split
      ? 'api + worker (two processes)'
      : 'serve (API and workers in one process)';
  out(`\n== ${mode} ==`);
  const service = await startService(split || workersAfter, workersAfter);
  try {
    const { key } = await new KeyService(service.db, systemClock).create('ingest', 'bench');
    const pdf = await invoicePdf(100 * 1024);
    const boundary = `----rtgbench${randomBytes(8).toString('hex')}`;
    const template = args.raw
      ? { body: pdf, numberAt: pdf.indexOf(hexOf(NUMBER_MARK)) }
      : multipartTemplate(pdf, boundary);
    out(
      `upload: a one-page invoice PDF of ${pdf.length} bytes, its own invoice number in every request, ` +
        `${args.raw ? 'as the raw body' : 'multipart/form-data'}`,
    );

    // Warm-up (JIT, pools, connections); its documents are drained before the measured run starts.
    await intakeLoad(service, key, 2, template, boundary);
    if (!workersAfter) await drain(service.db, 120);

    out(`intake: ${CONNECTIONS} connections for ${DURATION_S} s …`);
    const ids = new Set<string>();
    const cpuBefore = service.children.map((c) => cpuSeconds(c.pid));
    const result = await intakeLoad(service, key, DURATION_S, template, boundary, (id) => ids.add(id));
    const accepted = ids.size;
    // CPU time per upload is what a busy, shared machine cannot distort much (wall-clock rates it can).
    const cpuMsPerUpload =
      ((cpuSeconds(service.children[0]!.pid) - cpuBefore[0]!) * 1000) / result.requests.total;
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
    const intakeRps = result.requests.average;
    out(
      `  ${result.requests.total} requests, ${intakeRps.toFixed(0)} req/s, latency p50 ${result.latency.p50} ms, ` +
        `p90 ${result.latency.p90} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms; ` +
        `non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts}`,
    );
    out(
      `  the ${split || workersAfter ? 'api' : 'serve'} process used ${cpuMsPerUpload.toFixed(2)} ms of CPU per upload` +
        `${split || workersAfter ? '' : ' (with the reading its workers did meanwhile)'} ` +
        `(${(1000 / cpuMsPerUpload).toFixed(0)} uploads/s per core); load average at the end ${load}`,
    );

    // Drain: every accepted document to a final state.
    if (workersAfter) await service.startWorker();
    const drainStart = performance.now();
    const backlog = await statusCounts(service.db);
    out(`  at the end of intake: ${JSON.stringify(backlog)}`);
    const finalCounts = await drain(service.db, DRAIN_TIMEOUT_S);
    const drainS = (performance.now() - drainStart) / 1000;
    // Intake and reading together, per document, in every service process: how the two interleave
    // during the run (which depends on the machine's load) does not move this one.
    const cpuMsPerDocument =
      (service.children.reduce((sum, c, i) => sum + cpuSeconds(c.pid) - (cpuBefore[i] ?? 0), 0) * 1000) /
      result.requests.total;
    out(`  intake and reading together: ${cpuMsPerDocument.toFixed(2)} ms of CPU per document`);
    const pending = (backlog.received ?? 0) + (backlog.processing ?? 0);
    const total = Object.values(finalCounts).reduce((a, b) => a + b, 0);
    const [{ span }] = (await service.db.query<{ span: number }>(
      `select extract(epoch from max(processed_at) - min(received_at))::float8 as span from documents
       where id = any($1::text[])`,
      [[...ids]],
    )) as [{ span: number }];
    out(
      `drain: ${pending} still waiting when intake stopped reached a final state in ${drainS.toFixed(1)} s; ` +
        `all ${accepted} accepted in the run were final ${span.toFixed(1)} s after the first was received ` +
        `(${(accepted / span).toFixed(0)} documents/s end to end). In the database: ${JSON.stringify(finalCounts)} (${total} with the warm-up)`,
    );

    // Upload to final state, one at a time, on the now idle service.
    const sample = readFileSync(new URL('samples/invoice-en-digital.pdf', ROOT));
    const client: number[] = [];
    const server: number[] = [];
    const statuses: Record<string, number> = {};
    for (let i = 0; i < LATENCY_RUNS; i++) {
      // A comment after %%EOF makes each upload a new file; readers ignore it.
      const bytes = Buffer.concat([sample, Buffer.from(`\n%bench ${randomBytes(8).toString('hex')}\n`)]);
      const form = new FormData();
      form.append('file', new Blob([bytes], { type: 'application/pdf' }), 'invoice-en-digital.pdf');
      const t0 = performance.now();
      const res = await fetch(`${service.url}/v1/documents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}` },
        body: form,
      });
      if (res.status !== 202) throw new Error(`upload answered ${res.status}: ${await res.text()}`);
      const id = ((await res.json()) as { documents: { id: string }[] }).documents[0]!.id;
      let status = 'received';
      while (!FINAL.includes(status)) {
        await sleep(10);
        const [row] = await service.db.query<{ status: string }>(
          'select status from documents where id = $1',
          [id],
        );
        status = row!.status;
      }
      client.push(performance.now() - t0);
      statuses[status] = (statuses[status] ?? 0) + 1;
      const [ev] = await service.db.query<{ ms: number }>(
        `select extract(epoch from max(at) - min(at))::float8 * 1000 as ms from document_events
         where document_id = $1`,
        [id],
      );
      server.push(ev!.ms);
      await sleep(50);
    }
    client.sort((a, b) => a - b);
    server.sort((a, b) => a - b);
    out(
      `upload to final (${LATENCY_RUNS} sequential uploads of samples/invoice-en-digital.pdf, ${JSON.stringify(statuses)}):`,
    );
    out(
      `  seen by the client (POST sent → final status read, polled every 10 ms): p50 ${client[Math.floor(client.length / 2)]!.toFixed(0)} ms, p90 ${pct(client, 90).toFixed(0)} ms`,
    );
    out(
      `  recorded by the service (received → final event): p50 ${server[Math.floor(server.length / 2)]!.toFixed(0)} ms, p90 ${pct(server, 90).toFixed(0)} ms`,
    );
    return {
      cpuMsPerUpload,
      cpuMsPerDocument,
      intakeRps,
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      accepted,
      non2xx: result.non2xx,
      errors: result.errors + result.timeouts,
      drainS,
      drainRate: accepted / span,
      finalCounts,
      e2eClientP50: client[Math.floor(client.length / 2)]!,
      e2eClientP90: pct(client, 90),
      e2eServerP50: server[Math.floor(server.length / 2)]!,
      e2eServerP90: pct(server, 90),
    };
  } finally {
    await service.stop();
  }
}

/** Waits until no document is received or processing; returns the counts by status. */
async function drain(db: Database, timeoutS: number): Promise<Record<string, number>> {
  const until = Date.now() + timeoutS * 1000;
  for (;;) {
    const counts = await statusCounts(db);
    if (!counts.received && !counts.processing) return counts;
    if (Date.now() > until)
      throw new Error(`documents still not final after ${timeoutS} s: ${JSON.stringify(counts)}`);
    await sleep(200);
  }
}

function table(label: string, f: Figures) {
  const mark = (ok: boolean) => (ok ? 'met' : 'MISSED');
  const rows: [string, string, string, string][] = [
    ['intake throughput', `${f.intakeRps.toFixed(0)} uploads/s`, '≥ 500 uploads/s', mark(f.intakeRps >= 500)],
    [
      'service CPU per upload',
      `${f.cpuMsPerUpload.toFixed(2)} ms (${(1000 / f.cpuMsPerUpload).toFixed(0)}/s per core)`,
      '≤ 2 ms (500/s on one core)',
      mark(f.cpuMsPerUpload <= 2),
    ],
    ['CPU per document, intake + reading', `${f.cpuMsPerDocument.toFixed(2)} ms`, '', ''],
    ['intake latency p50 / p90', `${f.p50} / ${f.p90} ms`, '', ''],
    ['intake latency p99', `${f.p99} ms`, '≤ 100 ms', mark(f.p99 <= 100)],
    ['intake non-2xx / errors', `${f.non2xx} / ${f.errors}`, '0', mark(f.non2xx === 0 && f.errors === 0)],
    ['accepted in the run', String(f.accepted), '', ''],
    ['received → all final', `${f.drainRate.toFixed(0)} documents/s`, '', ''],
    ['drain after intake stopped', `${f.drainS.toFixed(1)} s`, '', ''],
    [
      'upload → final p50 (client)',
      `${f.e2eClientP50.toFixed(0)} ms`,
      '≤ 300 ms',
      mark(f.e2eClientP50 <= 300),
    ],
    ['upload → final p90 (client)', `${f.e2eClientP90.toFixed(0)} ms`, '', ''],
    [
      'received → final p50 / p90 (events)',
      `${f.e2eServerP50.toFixed(0)} / ${f.e2eServerP90.toFixed(0)} ms`,
      '',
      '',
    ],
  ];
  out(`\n${label}`);
  const w = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) out(`  ${r[0].padEnd(w[0]!)}  ${r[1].padEnd(w[1]!)}  ${r[2].padEnd(w[2]!)}  ${r[3]}`);
}

const figures = await run(args.split, args['workers-after']);
table(args['workers-after'] ? 'api alone, workers after' : args.split ? 'api + worker' : 'serve', figures);
