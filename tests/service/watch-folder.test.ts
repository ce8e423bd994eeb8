// The watched folder end to end: a real temporary folder, the real service (PostgreSQL, Redis, the pipeline).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { appendFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/service.ts';

const sample = (name: string) => readFileSync(new URL(`../../samples/${name}`, import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitForFile(path: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > until) throw new Error(`${path} did not appear`);
    await sleep(100);
  }
}

const noteOf = (path: string) => JSON.parse(readFileSync(`${path}.json`, 'utf8')) as Record<string, string>;

describe('watched folder', () => {
  let svc: TestService;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rtg-watch-'));
    // Dropped while the service was down: found by the scan at start-up, in a subfolder carrying a reference.
    mkdirSync(join(dir, 'ERP-2024-001'));
    writeFileSync(join(dir, 'ERP-2024-001', 'invoice.pdf'), sample('invoice-en-digital.pdf'));
    svc = await startTestService({
      env: { WATCH_DIR: dir, WATCH_SETTLE_MS: '400', WATCH_SCAN_SECONDS: '1' },
    });
  });
  afterAll(async () => {
    await svc?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes a file dropped before start-up, with the subfolder as its reference, and moves it to done/ with its id', async () => {
    const moved = join(dir, 'done', 'ERP-2024-001', 'invoice.pdf');
    await waitForFile(`${moved}.json`);
    await waitForFile(moved);
    expect(existsSync(join(dir, 'ERP-2024-001', 'invoice.pdf'))).toBe(false);
    const { documentId } = noteOf(moved);
    const doc = await svc.waitForFinal(documentId ?? '');
    expect(doc.status).toBe('auto_approved');
    expect(doc.source).toBe('folder');
    expect(doc.externalRef).toBe('ERP-2024-001');
    expect(doc.fileName).toBe('invoice.pdf');
    expect(doc.origin).toEqual({ channel: 'folder', folder: dir, path: 'ERP-2024-001/invoice.pdf' });

    const csv = await (await svc.request('/v1/exports?status=approved')).text();
    const [header, row] = csv.trim().split('\n');
    expect(header).toContain('channel,origin');
    expect(row).toContain(`folder,folder ${dir} · ERP-2024-001/invoice.pdf`);
  });

  it('waits until a file stops growing, and takes it whole, once', async () => {
    const bytes = sample('invoice-es-digital.pdf');
    const path = join(dir, 'slow-scanner.pdf');
    // A scanner writing in pieces, slower than the settle time's polling but faster than the settle time.
    await writeFile(path, bytes.subarray(0, 1000));
    for (let at = 1000; at < bytes.length; at += 4000) {
      await sleep(150);
      await appendFile(path, bytes.subarray(at, at + 4000));
    }
    const moved = join(dir, 'done', 'slow-scanner.pdf');
    await waitForFile(`${moved}.json`);
    const { documentId } = noteOf(moved);
    const doc = await svc.waitForFinal(documentId ?? '');
    expect(doc.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(doc.status).not.toBe('failed');
    const list = (await (await svc.request('/v1/documents?source=folder&limit=50')).json()) as {
      documents: { fileName: string }[];
    };
    expect(list.documents.filter((d) => d.fileName === 'slow-scanner.pdf')).toHaveLength(1);
  });

  it('moves a file it cannot take to failed/ with the reason beside it', async () => {
    writeFileSync(join(dir, 'notes.txt'), 'call the supplier about the March invoice\n');
    const moved = join(dir, 'failed', 'notes.txt');
    await waitForFile(`${moved}.json`);
    const note = noteOf(moved);
    expect(note.error).toBe('unsupported_type');
    expect(note.message).toMatch(/notes\.txt/);
    await waitForFile(moved);
  });

  it('after a crash between storing and moving, moves the file without a second document', async () => {
    const bytes = sample('invoice-pt-digital.pdf');
    // The document was stored from this very file, then the process died before moving it.
    const [stored] = await svc.service.ctx.intake.accept(
      [{ file: { fileName: 'crash.pdf', bytes }, mediaType: 'application/pdf' }],
      {
        source: 'folder',
        origin: { channel: 'folder', folder: dir, path: 'crash.pdf' },
        submittedBy: 'watch-folder',
      },
    );
    writeFileSync(join(dir, 'crash.pdf'), bytes);
    const moved = join(dir, 'done', 'crash.pdf');
    await waitForFile(`${moved}.json`);
    expect(noteOf(moved).documentId).toBe(stored?.id);
    const list = (await (await svc.request('/v1/documents?source=folder&limit=50')).json()) as {
      documents: { fileName: string }[];
    };
    expect(list.documents.filter((d) => d.fileName === 'crash.pdf')).toHaveLength(1);
  });
});
