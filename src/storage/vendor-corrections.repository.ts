// Corrections kept per vendor: what was read and what a reviewer made of it, so the vendor's next documents
// can be read better.
import type { Queryable } from './database.ts';

export interface VendorCorrection {
  vendorKey: string;
  documentId: string;
  field: string;
  readValue: string | null;
  correctedValue: string | null;
  actor: string;
  at: Date;
}

export class VendorCorrectionsRepository {
  constructor(private readonly db: Queryable) {}

  async add(c: VendorCorrection): Promise<void> {
    await this.db.query(
      `insert into vendor_corrections (vendor_key, document_id, field, read_value, corrected_value, actor, at)
       values ($1, $2, $3, $4, $5, $6, $7)`,
      [c.vendorKey, c.documentId, c.field, c.readValue, c.correctedValue, c.actor, c.at],
    );
  }
}
