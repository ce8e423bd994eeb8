// Vendor memory's rows: one learned layout each, and the layout every document was read with, for learning.
import { MemoryLayout } from '../pipeline/extract/memory/schema.ts';
import { Layout } from '../pipeline/layout.ts';
import type { Queryable } from './database.ts';
import { date, json, num, str, strOrNull } from './rows.ts';

/** One vendor in the memory: how much was learned about it and when last. */
export interface MemoryVendor {
  vendorKey: string;
  vendorName: string | null;
  layouts: number;
  fields: number;
  updatedAt: Date;
}

export class VendorMemoryRepository {
  constructor(private readonly db: Queryable) {}

  async all(): Promise<MemoryLayout[]> {
    const rows = await this.db.query('select layout from vendor_memory order by layout_id');
    return rows.map((r) => MemoryLayout.parse(json(r, 'layout')));
  }

  /** Every vendor with a learned layout, the most recently taught first. */
  async vendors(): Promise<MemoryVendor[]> {
    const rows = await this.db.query(
      `select m.vendor_key, max(m.layout->>'vendorName') as vendor_name, count(*)::int as layouts,
              coalesce(sum(f.n), 0)::int as fields, max(m.updated_at) as updated_at
         from vendor_memory m
         cross join lateral (select count(*) as n from jsonb_object_keys(m.layout->'fields')) f
        group by m.vendor_key
        order by max(m.updated_at) desc, m.vendor_key`,
    );
    return rows.map((r) => ({
      vendorKey: str(r, 'vendor_key'),
      vendorName: strOrNull(r, 'vendor_name'),
      layouts: num(r, 'layouts'),
      fields: num(r, 'fields'),
      updatedAt: date(r, 'updated_at'),
    }));
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
