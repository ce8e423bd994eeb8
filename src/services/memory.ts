// Vendor memory in the service: loaded from the database (again whenever it changed), taught by reviewers'
// corrections and approvals, listed and forgotten by admins; every change on the documents' audit trail.
import type { FieldName } from '../contract/fields.ts';
import type { Fields } from '../contract/result.ts';
import { learnFromReview, type MemoryChange } from '../pipeline/extract/memory/learn.ts';
import { VendorMemory } from '../pipeline/extract/memory/memory.ts';
import type { MemoryLayout } from '../pipeline/extract/memory/schema.ts';
import type { Clock } from '../storage/clock.ts';
import type { Repositories, Transaction } from '../storage/repositories.ts';
import type { MemoryVendor } from '../storage/vendor-memory.repository.ts';
import { AppError } from './errors.ts';

export interface MemorySettings {
  /** Distinct reviewed documents before a learned field is used (MEMORY_MIN_CONFIRMATIONS). */
  minConfirmations: number;
}

export interface Reviewer {
  id: string;
  name: string;
}

export class MemoryService {
  private cached: { version: string; memory: VendorMemory } | undefined;

  constructor(
    private readonly repos: Pick<Repositories, 'vendorMemory' | 'audit'>,
    private readonly transaction: Transaction,
    private readonly clock: Clock,
    private readonly settings: MemorySettings,
  ) {}

  /** The memory as stored now; a worker's copy is reloaded only when a layout was learned or forgotten. */
  async current(repo: Repositories['vendorMemory'] = this.repos.vendorMemory): Promise<VendorMemory> {
    const version = await repo.version();
    if (this.cached?.version === version) return this.cached.memory;
    const memory = new VendorMemory(await repo.all(), { minConfirmations: this.settings.minConfirmations });
    this.cached = { version, memory };
    return memory;
  }

  /**
   * Learns from a review inside its transaction: a correction teaches the fields changed, an approval confirms
   * every field shown. A document read without a page layout (an XML) teaches nothing.
   */
  async learn(
    tx: Pick<Repositories, 'vendorMemory' | 'audit'>,
    review: {
      documentId: string;
      fields: Fields;
      corrected: readonly FieldName[];
      vendorKey: string | undefined;
      reviewer: Reviewer;
      how: 'correction' | 'approval';
    },
  ): Promise<MemoryChange[]> {
    const layout = await tx.vendorMemory.documentLayout(review.documentId);
    if (!layout || !review.vendorKey) return [];
    const now = this.clock.now();
    const learned = learnFromReview(await this.current(tx.vendorMemory), {
      documentId: review.documentId,
      layout,
      fields: review.fields,
      corrected: review.corrected,
      vendorKey: review.vendorKey,
      source: {
        actor: review.reviewer.id,
        actorName: review.reviewer.name,
        at: now.toISOString(),
        how: review.how,
      },
    });
    if (!learned.changes.length) return [];
    await tx.vendorMemory.put(learned.layout);
    await tx.audit.append({
      documentId: review.documentId,
      actor: review.reviewer,
      action: 'memory_learn',
      after: { layoutId: learned.layout.id, vendorKey: learned.layout.vendorKey, changes: learned.changes },
      at: now,
    });
    return learned.changes;
  }

  async vendors(): Promise<MemoryVendor[]> {
    return this.repos.vendorMemory.vendors();
  }

  async ofVendor(vendorKey: string): Promise<MemoryLayout[]> {
    return this.repos.vendorMemory.ofVendor(vendorKey);
  }

  /** Forgets one field of a vendor's layouts, or the whole vendor; audited on each document it was learned from. */
  async forget(
    vendorKey: string,
    admin: Reviewer,
    field?: string,
  ): Promise<{ layouts: number; fields: number }> {
    return this.transaction(async (tx) => {
      const layouts = await tx.vendorMemory.ofVendor(vendorKey);
      if (!layouts.length) throw new AppError(404, 'not_found', `No memory for vendor ${vendorKey}.`);
      let fields = 0;
      const now = this.clock.now();
      for (const layout of layouts) {
        const gone = field ? (layout.fields[field] ? [field] : []) : Object.keys(layout.fields);
        const documents = new Set(gone.flatMap((f) => layout.fields[f]!.sources.map((s) => s.documentId)));
        fields += gone.length;
        if (field) {
          if (!gone.length) continue;
          const { [field]: _forgotten, ...rest } = layout.fields;
          await tx.vendorMemory.put({ ...layout, fields: rest, updatedAt: now.toISOString() });
        } else {
          await tx.vendorMemory.remove(layout.id);
        }
        for (const documentId of documents) {
          await tx.audit.append({
            documentId,
            actor: admin,
            action: 'memory_forget',
            ...(field ? { field } : {}),
            before: { layoutId: layout.id, vendorKey, fields: gone },
            at: now,
          });
        }
      }
      if (field && !fields)
        throw new AppError(404, 'not_found', `Vendor ${vendorKey} has no memory of ${field}.`);
      return { layouts: layouts.length, fields };
    });
  }
}
