// Intake: every way in (API, upload page) ends here. Sniff the real type, enforce limits, store the blob,
// create the document record, enqueue its job (ids only).
import { createHash } from 'node:crypto';
import type { Origin } from '../contract/origin.ts';
import { detectFormat } from '../formats/registry.ts';
import { DocumentError } from '../pipeline/errors.ts';
import { type BlobStore, BlobStoreUnavailable } from '../storage/blobs.ts';
import type { DocumentRecord, DocumentsRepository } from '../storage/documents.repository.ts';
import type { IdempotencyKeysRepository } from '../storage/idempotency-keys.repository.ts';
import { AppError } from './errors.ts';
import type { EnqueueReading } from './jobs.ts';

export interface IncomingFile {
  fileName: string;
  bytes: Buffer;
}

export interface IntakeMeta {
  source: string;
  /** The channel's details (mailbox and sender, watched folder and path); the channel alone when absent. */
  origin?: Origin | undefined;
  externalRef?: string | undefined;
  businessUnit?: string | undefined;
  submittedBy: string;
}

const megabytes = (n: number) => `${(n / 1048576).toFixed(1)} MB`;

/** A file (or a request) refused at intake: the HTTP status and a code and message the sender can act on. */
export class IntakeRefusal extends AppError {
  constructor(
    statusCode: number,
    code: string,
    message: string,
    readonly fileName?: string,
    extra: Record<string, unknown> = {},
  ) {
    super(statusCode, code, message, extra);
  }
}

/** One request to intake: its files, where they come from and, when the sender gave one, its Idempotency-Key. */
export interface Submission {
  files: IncomingFile[];
  meta: IntakeMeta;
  idempotencyKey?: string | undefined;
}

/** The documents created, or, for a retried request, the answer its first attempt was given. */
export type SubmitOutcome =
  | { replayed: false; documents: DocumentRecord[] }
  | { replayed: true; response: unknown };

/** A request still unanswered after this long is taken as abandoned (its process died). */
const ABANDONED_AFTER_SECONDS = 300;

export class IntakeService {
  constructor(
    private readonly idempotencyKeys: Pick<IdempotencyKeysRepository, keyof IdempotencyKeysRepository>,
    private readonly documents: Pick<DocumentsRepository, 'create'>,
    private readonly blobs: Pick<BlobStore, 'put'>,
    private readonly enqueue: EnqueueReading,
    private readonly limits: { maxBytes: number },
  ) {}

  /**
   * Takes a request whole: every file is checked before any is stored, so it is accepted or refused as one
   * (an IntakeRefusal naming each refused file). With an Idempotency-Key, a retry of an accepted request gets
   * the first answer back (`answerOf` makes the answer stored for it) and a different request under the same
   * key is refused.
   */
  async submit(
    { files, meta, idempotencyKey }: Submission,
    answerOf: (documents: DocumentRecord[]) => unknown,
    log?: { warn(obj: object, msg: string): void },
  ): Promise<SubmitOutcome> {
    const principalId = meta.submittedBy;
    if (idempotencyKey) {
      const verdict = await this.reserve(principalId, idempotencyKey, IntakeService.fingerprint(files, meta));
      if (verdict === 'conflict') {
        throw new AppError(
          422,
          'idempotency_key_reused',
          'This Idempotency-Key was used before with a different request; use a new key for a new request.',
        );
      }
      if (verdict === 'in_progress') {
        throw new AppError(
          409,
          'idempotency_key_in_progress',
          'The first request with this Idempotency-Key is still being handled; retry in a moment.',
        );
      }
      // Only an accepted request stores its answer (below), so a replay is that answer again.
      if (verdict !== 'reserved') return { replayed: true, response: verdict.response };
    }
    try {
      const refusals: { fileName: string; error: string; message: string; status: number }[] = [];
      const checked: { file: IncomingFile; mediaType: string }[] = [];
      for (const file of files) {
        try {
          checked.push({ file, mediaType: await this.check(file) });
        } catch (e) {
          if (!(e instanceof IntakeRefusal)) throw e;
          refusals.push({ fileName: file.fileName, error: e.code, message: e.message, status: e.statusCode });
        }
      }
      const [first] = refusals;
      if (first) {
        throw new IntakeRefusal(
          first.status,
          first.error,
          refusals.length === 1
            ? first.message
            : `${refusals.length} of ${files.length} files were refused; nothing was stored.`,
          undefined,
          { files: refusals.map(({ status: _s, ...r }) => r) },
        );
      }
      const documents = await this.accept(checked, meta, log);
      if (idempotencyKey) await this.complete(principalId, idempotencyKey, 202, answerOf(documents));
      return { replayed: false, documents };
    } catch (e) {
      if (idempotencyKey) await this.release(principalId, idempotencyKey);
      throw e;
    }
  }

  /** Checks one file without storing anything; throws an IntakeRefusal. */
  async check(file: IncomingFile): Promise<string> {
    if (file.bytes.length > this.limits.maxBytes) {
      throw new IntakeRefusal(
        413,
        'file_too_large',
        `${file.fileName} is ${megabytes(file.bytes.length)} (${file.bytes.length} bytes); the limit is ` +
          `${megabytes(this.limits.maxBytes)} (${this.limits.maxBytes} bytes).`,
        file.fileName,
      );
    }
    try {
      return (await detectFormat(file.bytes)).mediaType;
    } catch (e) {
      if (e instanceof DocumentError) {
        const status = e.code === 'unsupported_type' ? 415 : 400;
        throw new IntakeRefusal(status, e.code, `${file.fileName}: ${e.message}`, file.fileName);
      }
      throw e;
    }
  }

  /**
   * Stores and enqueues files that passed `check`. The record is committed before the job is added:
   * when Redis is down the document still exists, `received`, and the recovery sweep enqueues it later.
   */
  async accept(
    files: { file: IncomingFile; mediaType: string }[],
    meta: IntakeMeta,
    log?: { warn(obj: object, msg: string): void },
  ): Promise<DocumentRecord[]> {
    // Every file stored before any record: a store that fails half-way leaves no document without its bytes.
    const stored = await Promise.all(files.map(({ file }) => this.blobs.put(file.bytes))).catch(
      (e: unknown) => {
        if (e instanceof BlobStoreUnavailable) {
          throw new AppError(
            503,
            'storage_unavailable',
            'The file store does not answer; nothing was stored. Retry in a moment.',
          );
        }
        throw e;
      },
    );
    const created: DocumentRecord[] = [];
    for (const [i, { file, mediaType }] of files.entries()) {
      const sha256 = stored[i] ?? '';
      created.push(
        await this.documents.create({
          sha256,
          fileName: file.fileName,
          mediaType,
          sizeBytes: file.bytes.length,
          source: meta.source,
          origin: meta.origin,
          externalRef: meta.externalRef,
          businessUnit: meta.businessUnit,
          submittedBy: meta.submittedBy,
        }),
      );
    }
    // A failed enqueue (Redis gone mid-request) loses nothing: the records are committed, `received`, and
    // the recovery sweep queues them. The sender gets its 202 and the ids, so a retry is not a second copy.
    await Promise.all(
      created.map((d) =>
        this.enqueue({ documentId: d.id, round: d.processingRound }).catch((e: Error) =>
          log?.warn({ documentId: d.id, err: e.message }, 'not queued yet; the recovery sweep will queue it'),
        ),
      ),
    );
    return created;
  }

  /** A stable fingerprint of a request, for Idempotency-Key: the files' bytes and names and the metadata. */
  static fingerprint(files: IncomingFile[], meta: Omit<IntakeMeta, 'submittedBy'>): string {
    const h = createHash('sha256');
    h.update(
      JSON.stringify({
        source: meta.source,
        externalRef: meta.externalRef ?? null,
        ...(meta.businessUnit ? { businessUnit: meta.businessUnit } : {}),
      }),
    );
    for (const f of files) {
      h.update(`\u0000${f.fileName}\u0000`);
      h.update(createHash('sha256').update(f.bytes).digest());
    }
    return h.digest('hex');
  }

  /**
   * Reserves an Idempotency-Key. Returns the stored answer when the key was used with the same request,
   * 'conflict' when it was used with another one, 'in_progress' when its first request is still running,
   * and 'reserved' when this request is the first.
   */
  async reserve(
    principalId: string,
    key: string,
    fingerprint: string,
  ): Promise<'reserved' | 'conflict' | 'in_progress' | { statusCode: number; response: unknown }> {
    if (await this.idempotencyKeys.reserve(principalId, key, fingerprint)) return 'reserved';
    const row = await this.idempotencyKeys.find(principalId, key);
    if (!row) return this.reserve(principalId, key, fingerprint);
    if (row.requestHash !== fingerprint) return 'conflict';
    if (row.statusCode === null) {
      // A first request that never finished (its process died) must not block the key for ever.
      const freed = await this.idempotencyKeys.freeAbandoned(principalId, key, ABANDONED_AFTER_SECONDS);
      return freed ? this.reserve(principalId, key, fingerprint) : 'in_progress';
    }
    return { statusCode: row.statusCode, response: row.response };
  }

  async complete(principalId: string, key: string, statusCode: number, response: unknown): Promise<void> {
    await this.idempotencyKeys.complete(principalId, key, statusCode, response);
  }

  /** Forgets Idempotency-Keys older than a day (a retry comes within minutes, not days). */
  async trimIdempotencyKeys(): Promise<number> {
    return this.idempotencyKeys.trimOlderThanADay();
  }

  /** Frees a key whose request was refused, so the sender can retry it once the problem is fixed. */
  async release(principalId: string, key: string): Promise<void> {
    await this.idempotencyKeys.release(principalId, key);
  }
}
