// /v1/watch-folders end to end: an admin adds, changes and removes watched folders on a running service
// (PostgreSQL, Redis, the pipeline) and files dropped there are taken, or left alone, without a restart.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

interface Folder {
  id: string;
  path: string;
  businessUnit: string | null;
  enabled: boolean;
}

describe('watched folders through the API', () => {
  let svc: TestService;
  let root: string;
  const json = { 'content-type': 'application/json' };
  const post = (body: unknown, key?: string) =>
    svc.request('/v1/watch-folders', {
      method: 'POST',
      headers: json,
      body: JSON.stringify(body),
      ...(key ? { key } : {}),
    });
  const patch = (id: string, body: unknown) =>
    svc.request(`/v1/watch-folders/${id}`, { method: 'PATCH', headers: json, body: JSON.stringify(body) });
  const errorOf = async (res: Response) => ({
    status: res.status,
    ...((await res.json()) as { error: string; message: string }),
  });

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'rtg-watch-folders-'));
    // WATCH_SCAN_SECONDS 1: a scan catches each file within a second of its settling.
    svc = await startTestService({ env: { WATCH_SETTLE_MS: '300', WATCH_SCAN_SECONDS: '1' } });
  });
  afterAll(async () => {
    await svc?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('refuses paths it could not watch, each with a reason an admin can act on', async () => {
    const file = join(root, 'a-file.pdf');
    writeFileSync(file, sample('invoice-en-digital.pdf'));
    expect(await errorOf(await post({ path: 'scans/incoming' }))).toMatchObject({
      status: 400,
      error: 'bad_path',
    });
    expect(await errorOf(await post({ path: join(root, 'missing') }))).toMatchObject({
      status: 400,
      error: 'folder_not_found',
    });
    expect(await errorOf(await post({ path: file }))).toMatchObject({ status: 400, error: 'not_a_folder' });
    const inStore = await errorOf(await post({ path: svc.config.blobDir }));
    expect(inStore).toMatchObject({ status: 400, error: 'folder_not_allowed' });
    expect(inStore.message).toMatch(/inside the service's data folder|inside the blob store/);
    // A folder holding the data folder would take the service's own files.
    const holding = await errorOf(await post({ path: join(svc.config.dataDir, '..') }));
    expect(holding).toMatchObject({ status: 400, error: 'folder_not_allowed' });
    expect(holding.message).toMatch(/holds the service's data folder/);
    expect((await post({ path: root, businessUnit: '' })).status).toBe(400);
    // Only an admin manages them.
    expect((await post({ path: root }, await svc.key('ingest'))).status).toBe(403);
    expect((await svc.request('/v1/watch-folders')).status).toBe(200);
    expect(
      ((await (await svc.request('/v1/watch-folders')).json()) as { folders: Folder[] }).folders,
    ).toEqual([]);
  });

  it('watches a new folder at once, with its business unit on the documents', async () => {
    const dir = join(root, 'scanner-lisbon');
    mkdirSync(dir);
    const res = await post({ path: `${dir}/`, businessUnit: 'pt-lisbon' });
    expect(res.status).toBe(201);
    const folder = (await res.json()) as Folder;
    expect(folder).toMatchObject({ path: dir, businessUnit: 'pt-lisbon', enabled: true });

    writeFileSync(join(dir, 'invoice.pdf'), sample('invoice-pt-digital.pdf'));
    const moved = join(dir, 'done', 'invoice.pdf');
    await waitForFile(`${moved}.json`);
    const { documentId } = noteOf(moved);
    const doc = await svc.waitForFinal(documentId ?? '');
    expect(doc).toMatchObject({
      source: 'folder',
      businessUnit: 'pt-lisbon',
      origin: { channel: 'folder', folder: dir, path: 'invoice.pdf' },
    });
    expect(doc.status).toBe('auto_approved');

    // A file it cannot take goes to failed/ with the reason, as in WATCH_DIR.
    writeFileSync(join(dir, 'notes.txt'), 'call the supplier\n');
    await waitForFile(join(dir, 'failed', 'notes.txt.json'));
    expect(noteOf(join(dir, 'failed', 'notes.txt')).error).toBe('unsupported_type');

    // The same folder, or one inside or around it, would take files twice.
    expect(await errorOf(await post({ path: dir }))).toMatchObject({
      status: 409,
      error: 'watch_folder_exists',
    });
    mkdirSync(join(dir, 'sub'), { recursive: true });
    expect(await errorOf(await post({ path: join(dir, 'sub') }))).toMatchObject({
      status: 409,
      error: 'folder_overlaps',
    });
    expect(await errorOf(await post({ path: root }))).toMatchObject({
      status: 409,
      error: 'folder_overlaps',
    });
  });

  it('leaves files alone while a folder is switched off, and takes them when it is on again', async () => {
    const dir = join(root, 'scanner-porto');
    mkdirSync(dir);
    const folder = (await (await post({ path: dir, enabled: false })).json()) as Folder;
    expect(folder.enabled).toBe(false);
    writeFileSync(join(dir, 'waiting.pdf'), sample('invoice-en-digital.pdf'));
    // Well past the settle time and a scan: a switched-off folder is not watched at all.
    await sleep(2500);
    expect(existsSync(join(dir, 'waiting.pdf'))).toBe(true);
    expect(existsSync(join(dir, 'done'))).toBe(false);

    const on = await patch(folder.id, { enabled: true, businessUnit: 'pt-porto' });
    expect(on.status).toBe(200);
    expect(await on.json()).toMatchObject({ enabled: true, businessUnit: 'pt-porto' });
    const moved = join(dir, 'done', 'waiting.pdf');
    await waitForFile(`${moved}.json`);
    const doc = await svc.waitForFinal(noteOf(moved).documentId ?? '');
    expect(doc.businessUnit).toBe('pt-porto');

    // Off again: the next file stays where it was dropped.
    expect((await patch(folder.id, { enabled: false })).status).toBe(200);
    writeFileSync(join(dir, 'later.pdf'), sample('invoice-es-digital.pdf'));
    await sleep(2500);
    expect(existsSync(join(dir, 'later.pdf'))).toBe(true);
    expect(existsSync(join(dir, 'done', 'later.pdf'))).toBe(false);
    expect(await errorOf(await patch(folder.id, {}))).toMatchObject({ status: 400 });
    expect(await errorOf(await patch('wf_nosuchfolder', { enabled: true }))).toMatchObject({
      status: 404,
      error: 'not_found',
    });
  });

  it('does not make a folder that went away (an unmounted share) again, and watches it once it is back', async () => {
    const dir = join(root, 'share-faro');
    mkdirSync(dir);
    const folder = (await (await post({ path: dir, businessUnit: 'pt-faro' })).json()) as Folder;
    rmSync(dir, { recursive: true });
    // A change restarts its watcher: the folder is not there, and is not made on the local disk in its place.
    expect((await patch(folder.id, { businessUnit: 'pt-algarve' })).status).toBe(200);
    await sleep(2000);
    expect(existsSync(dir)).toBe(false);
    // The share is mounted again: the next look (every second here) watches it.
    mkdirSync(dir);
    writeFileSync(join(dir, 'back.pdf'), sample('invoice-es-digital-longdate.pdf'));
    const moved = join(dir, 'done', 'back.pdf');
    await waitForFile(`${moved}.json`);
    expect((await svc.waitForFinal(noteOf(moved).documentId ?? '')).businessUnit).toBe('pt-algarve');
    expect((await svc.request(`/v1/watch-folders/${folder.id}`, { method: 'DELETE' })).status).toBe(204);
  });

  it('stops watching a removed folder, and lists what remains', async () => {
    const { folders } = (await (await svc.request('/v1/watch-folders')).json()) as { folders: Folder[] };
    const lisbon = folders.find((f) => f.path.endsWith('scanner-lisbon'));
    expect(folders.map((f) => f.path.split('/').pop())).toEqual(['scanner-lisbon', 'scanner-porto']);
    const removed = await svc.request(`/v1/watch-folders/${lisbon?.id}`, { method: 'DELETE' });
    expect(removed.status).toBe(204);
    expect((await svc.request(`/v1/watch-folders/${lisbon?.id}`, { method: 'DELETE' })).status).toBe(404);
    const dir = lisbon?.path ?? '';
    writeFileSync(join(dir, 'after-removal.pdf'), sample('invoice-en-digital.pdf'));
    await sleep(2500);
    expect(existsSync(join(dir, 'after-removal.pdf'))).toBe(true);
    // What it had taken stays in done/.
    expect(existsSync(join(dir, 'done', 'invoice.pdf'))).toBe(true);
  });

  it('counts the folders’ documents under their channel in the figures', async () => {
    const summary = (await (await svc.request('/v1/metrics/summary')).json()) as {
      byChannel: Record<string, { received: number; processed: number; straightThroughRate: number | null }>;
    };
    // invoice.pdf from Lisbon, waiting.pdf from Porto, back.pdf from Faro; nothing came by the other channels.
    expect(summary.byChannel.folder).toMatchObject({ received: 3, processed: 3 });
    expect(summary.byChannel.api).toEqual({
      received: 0,
      processed: 0,
      autoApproved: 0,
      straightThroughRate: null,
    });
  });
});
