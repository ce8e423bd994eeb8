// A batch file through the service: one PDF holding three invoices comes back as the file (status split, its
// bytes kept) and three documents of its own, each with its pages, its reading, its route and its page images.
// Real HTTP, Redis and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Batch, buildBatch } from '../../scripts/invoices/batches.ts';
import { formWith, startTestService, type TestService } from '../support/service.ts';

// biome-ignore lint/suspicious/noExplicitAny: the answers are JSON the assertions walk into
type Json = Record<string, any>;

describe('a batch file through the service', () => {
  let svc: TestService;
  let batch: Batch;
  let fileId: string;

  beforeAll(async () => {
    svc = await startTestService();
    batch = await buildBatch({ seed: 5, index: 1, kind: 'digital', separators: false, documents: 3 });
    const res = await svc.request('/v1/documents', {
      method: 'POST',
      body: formWith([{ name: 'scan-batch.pdf', bytes: Buffer.from(batch.bytes), type: 'application/pdf' }]),
    });
    expect(res.status).toBe(202);
    fileId = ((await res.json()) as { documents: { id: string }[] }).documents[0]!.id;
  }, 120_000);

  afterAll(async () => {
    await svc?.stop();
  });

  it('ends the file split, listing its documents and where it was cut', async () => {
    const file = (await svc.waitForFinal(fileId, 120_000)) as Json;
    expect(file.status).toBe('split');
    const parts = file.result.split.parts as Json[];
    expect(parts.map((p) => [p.first, p.last])).toEqual(batch.parts.map((p) => [p.first, p.last]));
    expect(parts.every((p) => typeof p.documentId === 'string' && p.reading === undefined)).toBe(true);
  }, 130_000);

  it('makes each part a document with its parent, its pages, its own reading and a final state', async () => {
    const file = (await svc.waitForFinal(fileId, 120_000)) as Json;
    for (const [i, part] of (file.result.split.parts as Json[]).entries()) {
      const doc = (await svc.waitForFinal(part.documentId)) as Json;
      expect(doc).toMatchObject({
        parentId: fileId,
        pageRange: { first: batch.parts[i]!.first, last: batch.parts[i]!.last },
        sha256: file.sha256,
      });
      expect(['auto_approved', 'needs_review']).toContain(doc.status);
      expect(doc.result.pages).toBe(part.last - part.first + 1);
      expect(doc.result.fields.invoiceNumber?.value).toBeTruthy();
      const page = await svc.request(`/v1/documents/${part.documentId}/pages/1`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('image/png');
    }
    // Three invoices read from one file are not duplicates of each other.
    const numbers = await Promise.all(
      (file.result.split.parts as Json[]).map(
        async (p) => ((await svc.waitForFinal(p.documentId)) as Json).result.validation.issues as Json[],
      ),
    );
    expect(numbers.flat().filter((i) => i.code === 'duplicate_file')).toEqual([]);
  }, 130_000);
});
