// Purchase orders with their lines, and the goods receipts against them.
import { randomBytes } from 'node:crypto';
import { poNumberKey } from '../rules/master-data.ts';
import type { Queryable, Row } from './database.ts';
import { date, num, oneOf, str, strOrNull } from './rows.ts';

export const PO_STATUSES = ['open', 'closed', 'cancelled'] as const;
export type PoStatus = (typeof PO_STATUSES)[number];

export interface PoLineFields {
  line: number;
  sku: string | null;
  description: string;
  /** Decimal strings. */
  quantity: string;
  unitPrice: string;
}

export interface PurchaseOrderFields {
  number: string;
  vendorId: string;
  currency: string | null;
  amount: string | null;
  /** YYYY-MM-DD. */
  orderDate: string | null;
  status: PoStatus;
  lines: PoLineFields[];
}

export interface PurchaseOrderRecord extends PurchaseOrderFields {
  id: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface ReceiptLineFields {
  /** The purchase order's line. */
  line: number;
  quantity: string;
}

export interface GoodsReceiptFields {
  purchaseOrderId: string;
  reference: string | null;
  /** YYYY-MM-DD. */
  receivedOn: string;
  note: string | null;
  lines: ReceiptLineFields[];
}

export interface GoodsReceiptRecord extends GoodsReceiptFields {
  id: string;
  /** The purchase order's number, for people. */
  purchaseOrderNumber: string;
  createdAt: Date;
  updatedAt: Date;
}

export const newPurchaseOrderId = () => `po_${randomBytes(8).toString('hex')}`;
export const newGoodsReceiptId = () => `grn_${randomBytes(8).toString('hex')}`;

const PO_COLUMNS = `id, number, vendor_id, currency, amount::text as amount, to_char(order_date, 'YYYY-MM-DD') as order_date,
  status, created_at, updated_at`;
const GR_COLUMNS = `g.id, g.purchase_order_id, p.number as purchase_order_number, g.reference,
  to_char(g.received_on, 'YYYY-MM-DD') as received_on, g.note, g.created_at, g.updated_at`;

const toLine = (r: Row): PoLineFields => ({
  line: num(r, 'line'),
  sku: strOrNull(r, 'sku'),
  description: str(r, 'description'),
  quantity: str(r, 'quantity'),
  unitPrice: str(r, 'unit_price'),
});

export interface PageFilter {
  /** After this (created_at, id): the cursor. */
  after?: { at: Date; id: string } | undefined;
  limit: number;
}

export class PurchasingRepository {
  constructor(private readonly db: Queryable) {}

  private async linesOf(ids: string[]): Promise<Map<string, PoLineFields[]>> {
    const rows = await this.db.query(
      `select purchase_order_id, line, sku, description, quantity::text as quantity, unit_price::text as unit_price
       from purchase_order_lines where purchase_order_id = any($1::text[]) order by purchase_order_id, line`,
      [ids],
    );
    const out = new Map<string, PoLineFields[]>();
    for (const r of rows) {
      const id = str(r, 'purchase_order_id');
      out.set(id, [...(out.get(id) ?? []), toLine(r)]);
    }
    return out;
  }

  private async withLines(rows: Row[]): Promise<PurchaseOrderRecord[]> {
    const lines = await this.linesOf(rows.map((r) => str(r, 'id')));
    return rows.map((r) => ({
      id: str(r, 'id'),
      number: str(r, 'number'),
      vendorId: str(r, 'vendor_id'),
      currency: strOrNull(r, 'currency'),
      amount: strOrNull(r, 'amount'),
      orderDate: strOrNull(r, 'order_date'),
      status: oneOf(r, 'status', PO_STATUSES),
      lines: lines.get(str(r, 'id')) ?? [],
      createdAt: date(r, 'created_at'),
      updatedAt: date(r, 'updated_at'),
    }));
  }

  /** Inserts or rewrites an order and replaces its lines. */
  async saveOrder(id: string, po: PurchaseOrderFields, at: Date): Promise<PurchaseOrderRecord> {
    await this.db.query(
      `insert into purchase_orders (id, number, number_key, vendor_id, currency, amount, order_date, status, created_at, updated_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
       on conflict (id) do update set number = excluded.number, number_key = excluded.number_key,
         vendor_id = excluded.vendor_id, currency = excluded.currency, amount = excluded.amount,
         order_date = excluded.order_date, status = excluded.status, updated_at = excluded.updated_at`,
      [
        id,
        po.number,
        poNumberKey(po.number),
        po.vendorId,
        po.currency,
        po.amount,
        po.orderDate,
        po.status,
        at,
      ],
    );
    await this.db.query('delete from purchase_order_lines where purchase_order_id = $1', [id]);
    for (const l of po.lines) {
      await this.db.query(
        `insert into purchase_order_lines (purchase_order_id, line, sku, description, quantity, unit_price)
         values ($1, $2, $3, $4, $5, $6)`,
        [id, l.line, l.sku, l.description, l.quantity, l.unitPrice],
      );
    }
    return (await this.order(id))!;
  }

  async order(id: string): Promise<PurchaseOrderRecord | undefined> {
    const rows = await this.db.query(`select ${PO_COLUMNS} from purchase_orders where id = $1`, [id]);
    return (await this.withLines(rows))[0];
  }

  /** By number as printed (spaces and case do not matter). */
  async orderByNumber(number: string): Promise<PurchaseOrderRecord | undefined> {
    const rows = await this.db.query(`select ${PO_COLUMNS} from purchase_orders where number_key = $1`, [
      poNumberKey(number),
    ]);
    return (await this.withLines(rows))[0];
  }

  async orders(filter: PageFilter & { vendorId?: string | undefined; status?: PoStatus | undefined }) {
    const where: string[] = [];
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    if (filter.vendorId) where.push(`vendor_id = ${p(filter.vendorId)}`);
    if (filter.status) where.push(`status = ${p(filter.status)}`);
    if (filter.after) where.push(`(created_at, id) > (${p(filter.after.at)}, ${p(filter.after.id)})`);
    const rows = await this.db.query(
      `select ${PO_COLUMNS} from purchase_orders ${where.length ? `where ${where.join(' and ')}` : ''}
       order by created_at, id limit ${p(filter.limit)}`,
      params,
    );
    return this.withLines(rows);
  }

  /** True when any order is on file: without one, po_mismatch has nothing to match against. */
  async anyOrder(): Promise<boolean> {
    return (await this.db.query('select 1 from purchase_orders limit 1')).length > 0;
  }

  /** Quantity received so far per order line, and how many receipts there are. */
  async received(purchaseOrderId: string): Promise<{ receipts: number; byLine: Map<number, string> }> {
    const [count] = await this.db.query(
      'select count(*)::int as n from goods_receipts where purchase_order_id = $1',
      [purchaseOrderId],
    );
    const rows = await this.db.query(
      `select l.line, sum(l.quantity)::text as quantity from goods_receipt_lines l
       join goods_receipts g on g.id = l.goods_receipt_id where g.purchase_order_id = $1 group by l.line`,
      [purchaseOrderId],
    );
    return {
      receipts: num(count!, 'n'),
      byLine: new Map(rows.map((r) => [num(r, 'line'), str(r, 'quantity')])),
    };
  }

  private async receiptsOf(rows: Row[]): Promise<GoodsReceiptRecord[]> {
    const lines = await this.db.query(
      `select goods_receipt_id, line, quantity::text as quantity from goods_receipt_lines
       where goods_receipt_id = any($1::text[]) order by goods_receipt_id, line`,
      [rows.map((r) => str(r, 'id'))],
    );
    return rows.map((r) => ({
      id: str(r, 'id'),
      purchaseOrderId: str(r, 'purchase_order_id'),
      purchaseOrderNumber: str(r, 'purchase_order_number'),
      reference: strOrNull(r, 'reference'),
      receivedOn: str(r, 'received_on'),
      note: strOrNull(r, 'note'),
      lines: lines
        .filter((l) => str(l, 'goods_receipt_id') === str(r, 'id'))
        .map((l) => ({ line: num(l, 'line'), quantity: str(l, 'quantity') })),
      createdAt: date(r, 'created_at'),
      updatedAt: date(r, 'updated_at'),
    }));
  }

  /** Inserts or rewrites a receipt and replaces its lines. */
  async saveReceipt(id: string, gr: GoodsReceiptFields, at: Date): Promise<GoodsReceiptRecord> {
    await this.db.query(
      `insert into goods_receipts (id, purchase_order_id, reference, received_on, note, created_at, updated_at)
       values ($1, $2, $3, $4, $5, $6, $6)
       on conflict (id) do update set purchase_order_id = excluded.purchase_order_id, reference = excluded.reference,
         received_on = excluded.received_on, note = excluded.note, updated_at = excluded.updated_at`,
      [id, gr.purchaseOrderId, gr.reference, gr.receivedOn, gr.note, at],
    );
    await this.db.query('delete from goods_receipt_lines where goods_receipt_id = $1', [id]);
    for (const l of gr.lines) {
      await this.db.query(
        'insert into goods_receipt_lines (goods_receipt_id, line, quantity) values ($1, $2, $3)',
        [id, l.line, l.quantity],
      );
    }
    return (await this.receipt(id))!;
  }

  async receipt(id: string): Promise<GoodsReceiptRecord | undefined> {
    const rows = await this.db.query(
      `select ${GR_COLUMNS} from goods_receipts g join purchase_orders p on p.id = g.purchase_order_id where g.id = $1`,
      [id],
    );
    return (await this.receiptsOf(rows))[0];
  }

  async receipts(filter: PageFilter & { purchaseOrderId?: string | undefined }) {
    const where: string[] = [];
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    if (filter.purchaseOrderId) where.push(`g.purchase_order_id = ${p(filter.purchaseOrderId)}`);
    if (filter.after) where.push(`(g.created_at, g.id) > (${p(filter.after.at)}, ${p(filter.after.id)})`);
    const rows = await this.db.query(
      `select ${GR_COLUMNS} from goods_receipts g join purchase_orders p on p.id = g.purchase_order_id
       ${where.length ? `where ${where.join(' and ')}` : ''} order by g.created_at, g.id limit ${p(filter.limit)}`,
      params,
    );
    return this.receiptsOf(rows);
  }
}
