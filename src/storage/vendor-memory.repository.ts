// Vendor memory's rows: one learned layout each, and the layout every document was read with, for learning.
import { MemoryLayout } from '../pipeline/extract/memory/schema.ts';
import { Layout } from '../pipeline/layout.ts';
import type { Queryable } from './database.ts';
import { json, num, strOrNull } from './rows.ts';

export class VendorMemoryRepository {
  constructor(private readonly db: Queryable) {}

  async all(): Promise<MemoryLayout[]> {
    const rows = await this.db.query('select layout from vendor_memory order by layout_id');
    return rows.map((r) => MemoryLayout.parse(json(r, 'layout')));
  }

  async ofVendor(vendorKey: string): Promise<MemoryLayout[]> {
    const rows = await this.db.query(
      'select layout from vendor_memory where vendor_key = $1 order by layout_id',
      [vendorKey],
    );
    return rows.map((r) => MemoryLayout.parse(json(r, 'layout')));
  }

  /** Changes whenever a layout is learned, changed or forgotten: a worker reloads its memory when it moves. */
  async version(): Promise<string> {
    const [row] = await this.db.query(
      'select count(*)::int as n, max(updated_at)::text as at, coalesce(sum(length(layout::text)), 0)::int as size from vendor_memory',
    );
    return row ? `${num(row, 'n')}:${strOrNull(row, 'at') ?? ''}:${num(row, 'size')}` : '0';
  }

  async put(layout: MemoryLayout): Promise<void> {
    await this.db.query(
      `insert into vendor_memory (layout_id, vendor_key, layout, updated_at) values ($1, $2, $3, $4)
       on conflict (layout_id) do update set vendor_key = excluded.vendor_key, layout = excluded.layout,
         updated_at = excluded.updated_at`,
      [layout.id, layout.vendorKey, JSON.stringify(layout), layout.updatedAt],
    );
  }

  async remove(layoutId: string): Promise<void> {
    await this.db.query('delete from vendor_memory where layout_id = $1', [layoutId]);
  }

  async saveDocumentLayout(documentId: string, layout: Layout): Promise<void> {
    await this.db.query(
      `insert into document_layouts (document_id, layout) values ($1, $2)
       on conflict (document_id) do update set layout = excluded.layout, created_at = now()`,
      [documentId, JSON.stringify(layout)],
    );
  }

  async documentLayout(documentId: string): Promise<Layout | undefined> {
    const [row] = await this.db.query('select layout from document_layouts where document_id = $1', [
      documentId,
    ]);
    return row ? Layout.parse(json(row, 'layout')) : undefined;
  }
}
