// The watched folder: each file dropped there becomes a document through the same intake as uploads, then
// goes to done/ (with its document id) or failed/ (with the reason) so the person who dropped it can see.
import { createHash } from 'node:crypto';
import type { DropFolder, DroppedFile } from '../adapters/drop-folder.ts';
import type { FolderOrigin } from '../contract/origin.ts';
import type { Clock } from '../storage/clock.ts';
import type { DocumentsRepository } from '../storage/documents.repository.ts';
import type { IntakeRefusalsRepository } from '../storage/intake-refusals.repository.ts';
import { messageOf } from './errors.ts';
import { IntakeRefusal, type IntakeService } from './intake.ts';

export interface ChannelLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** A subfolder name taken as the documents' reference (an ERP order, a batch): WATCH_DIR/ERP-2024-001/a.pdf. */
const REFERENCE = /^[\w.-]{1,200}$/;

export type FolderOutcome =
  | { outcome: 'done'; documentId: string; movedTo: string }
  | { outcome: 'failed'; code: string; message: string; movedTo: string }
  | { outcome: 'skipped' };

export class FolderIntakeService {
  private readonly inFlight = new Set<string>();
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    private readonly folder: DropFolder,
    private readonly intake: Pick<IntakeService, 'check' | 'accept'>,
    private readonly documents: Pick<DocumentsRepository, 'findByOrigin'>,
    private readonly refusals: Pick<IntakeRefusalsRepository, 'record'>,
    private readonly clock: Clock,
    private readonly log: ChannelLog,
    private readonly options: { businessUnit?: string | undefined } = {},
  ) {}

  async start(): Promise<void> {
    await this.folder.watch((file) => {
      // A fault while taking it (the file moved away under us) leaves the file for the next scan, never an
      // unhandled rejection.
      const work = this.take(file).catch((e: unknown): FolderOutcome => {
        this.log.warn(
          { err: e, file: file.path },
          'a dropped file could not be taken; the next scan tries again',
        );
        return { outcome: 'skipped' };
      });
      this.running.add(work);
      void work.finally(() => this.running.delete(work));
    });
    this.log.info({ dir: this.folder.dir }, 'watching the folder');
  }

  async stop(): Promise<void> {
    await this.folder.close();
    await Promise.allSettled([...this.running]);
  }

  /**
   * Takes one dropped file. A fault (database away) leaves the file where it is, for the next scan; a file
   * whose document was stored before a crash is found by its origin and bytes, and only moved.
   */
  async take(file: DroppedFile): Promise<FolderOutcome> {
    if (this.inFlight.has(file.path)) return { outcome: 'skipped' };
    this.inFlight.add(file.path);
    try {
      const bytes = await this.folder.read(file).catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return undefined; // taken by another pass already
        throw e;
      });
      if (!bytes) return { outcome: 'skipped' };
      const parts = file.relativePath.split('/');
      const fileName = parts.at(-1) ?? file.relativePath;
      const folderRef = parts.length > 1 ? parts[0] : undefined;
      const externalRef = folderRef && REFERENCE.test(folderRef) ? folderRef : undefined;
      const origin: FolderOrigin = { channel: 'folder', folder: this.folder.dir, path: file.relativePath };
      const sha256 = createHash('sha256').update(bytes).digest('hex');

      const before = await this.documents.findByOrigin(sha256, origin);
      if (before) return this.done(file, before.id, externalRef);

      let mediaType: string;
      try {
        mediaType = await this.intake.check({ fileName, bytes });
      } catch (e) {
        if (!(e instanceof IntakeRefusal)) throw e;
        await this.refusals.record(
          { source: 'folder', origin, fileName, code: e.code, message: e.message },
          this.clock.now(),
        );
        const movedTo = await this.folder.settle(file, 'failed', {
          error: e.code,
          message: e.message,
          refusedAt: this.clock.now().toISOString(),
        });
        this.log.warn({ path: file.relativePath, error: e.code }, 'dropped file refused');
        return { outcome: 'failed', code: e.code, message: e.message, movedTo };
      }
      const [doc] = await this.intake.accept(
        [{ file: { fileName, bytes }, mediaType }],
        {
          source: 'folder',
          origin,
          externalRef,
          businessUnit: this.options.businessUnit,
          submittedBy: 'watch-folder',
        },
        this.log,
      );
      if (!doc) throw new Error('intake stored no document');
      return this.done(file, doc.id, externalRef);
    } catch (e) {
      this.log.error(
        { path: file.relativePath, err: messageOf(e) },
        'dropped file not taken yet; retried at the next scan',
      );
      return { outcome: 'skipped' };
    } finally {
      this.inFlight.delete(file.path);
    }
  }

  private async done(
    file: DroppedFile,
    documentId: string,
    externalRef: string | undefined,
  ): Promise<FolderOutcome> {
    const movedTo = await this.folder.settle(file, 'done', {
      documentId,
      url: `/v1/documents/${documentId}`,
      ...(externalRef ? { externalRef } : {}),
      takenAt: this.clock.now().toISOString(),
    });
    this.log.info({ path: file.relativePath, documentId }, 'dropped file taken');
    return { outcome: 'done', documentId, movedTo };
  }
}
