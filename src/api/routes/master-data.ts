// /v1/vendors, /v1/purchase-orders and /v1/goods-receipts: the master data the rules judge documents by.
// Admins write; reviewers read. Master data spans every document, so a scoped caller is refused.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../services/errors.ts';
import type { Principal } from '../../services/keys.ts';
import {
  GoodsReceiptInput,
  GoodsReceiptPatch,
  type ImportRow,
  PurchaseOrderInput,
  PurchaseOrderPatch,
  VendorInput,
  VendorPatch,
  vendorsFromCsv,
} from '../../services/master-data.ts';
import type { MasterDataEvent } from '../../storage/master-data-events.repository.ts';
import {
  type GoodsReceiptRecord,
  PO_STATUSES,
  type PurchaseOrderRecord,
} from '../../storage/purchasing.repository.ts';
import type { VendorRecord } from '../../storage/vendors.repository.ts';
import type { ApiDeps } from '../deps.ts';
import { principalOf } from '../plugins/auth.ts';
import { ErrorBody } from '../schemas.ts';

const admin = { role: 'admin' as const, unscoped: true };
const reviewer = { role: 'review' as const, unscoped: true };

const VendorBody = z.object({
  id: z.string(),
  externalId: z.string().nullable(),
  legalName: z.string(),
  aliases: z.array(z.string()),
  taxIds: z.array(z.string()),
  bankAccounts: z
    .array(z.string())
    .describe('In full for admins; others see the last four characters (•••• 3000)'),
  emailDomains: z.array(z.string()),
  website: z.string().nullable(),
  phone: z.string().nullable(),
  approvalLimit: z.string().nullable(),
  defaultCurrency: z.string().nullable(),
  currencies: z.array(z.string()).nullable(),
  active: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
const PoLineBody = z.object({
  line: z.number(),
  sku: z.string().nullable(),
  description: z.string(),
  quantity: z.string(),
  unitPrice: z.string(),
});
const PurchaseOrderBody = z.object({
  id: z.string(),
  number: z.string(),
  vendorId: z.string(),
  currency: z.string().nullable(),
  amount: z.string().nullable(),
  orderDate: z.string().nullable(),
  status: z.enum(PO_STATUSES),
  lines: z.array(PoLineBody),
  createdAt: z.string(),
  updatedAt: z.string(),
});
const GoodsReceiptBody = z.object({
  id: z.string(),
  purchaseOrderId: z.string(),
  purchaseOrderNumber: z.string(),
  reference: z.string().nullable(),
  receivedOn: z.string(),
  note: z.string().nullable(),
  lines: z.array(z.object({ line: z.number(), quantity: z.string() })),
  createdAt: z.string(),
  updatedAt: z.string(),
});
const ChangeBody = z.object({
  at: z.string(),
  actor: z.string(),
  actorName: z.string().nullable(),
  action: z.string().describe('created, updated, deactivated or imported'),
  before: z.unknown(),
  after: z.unknown(),
});
const ImportAnswer = z.object({
  created: z.number(),
  updated: z.number(),
  unchanged: z.number(),
  failed: z.number(),
  rows: z.array(
    z.object({
      row: z
        .number()
        .describe('The CSV line (the header is line 1), or the position in the JSON list from 1'),
      status: z.enum(['created', 'updated', 'unchanged', 'error']),
      id: z.string().optional(),
      error: z.string().optional(),
    }),
  ),
});
const Page = { limit: z.coerce.number().int().min(1).max(200).default(50), cursor: z.string().optional() };
const Id = z.object({ id: z.string() });

const iso = (d: Date) => d.toISOString();
const masked = (account: string) => `•••• ${account.replace(/[\s\-.]/g, '').slice(-4)}`;
const vendorBody = (v: VendorRecord, principal: Principal) => ({
  ...v,
  bankAccounts: principal.role === 'admin' ? v.bankAccounts : v.bankAccounts.map(masked),
  createdAt: iso(v.createdAt),
  updatedAt: iso(v.updatedAt),
});
const orderBody = (po: PurchaseOrderRecord) => ({
  ...po,
  createdAt: iso(po.createdAt),
  updatedAt: iso(po.updatedAt),
});
const receiptBody = (gr: GoodsReceiptRecord) => ({
  ...gr,
  createdAt: iso(gr.createdAt),
  updatedAt: iso(gr.updatedAt),
});
const changeBody = (e: MasterDataEvent) => ({
  at: iso(e.at),
  actor: e.actor,
  actorName: e.actorName,
  action: e.action,
  before: e.before,
  after: e.after,
});

/** A page's cursor: the last record's id (vendors), or its creation time and id (orders, receipts). */
const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
function decode<T>(cursor: string | undefined, schema: z.ZodType<T>): T | undefined {
  if (!cursor) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (parsed.success) return parsed.data;
  } catch {}
  throw new AppError(400, 'bad_cursor', 'This cursor is not one the API gave.');
}
const TimeCursor = z
  .tuple([z.iso.datetime(), z.string()])
  .transform(([at, id]) => ({ at: new Date(at), id }));
const nextOf = <T extends { id: string; createdAt: Date }>(rows: T[], limit: number) =>
  rows.length > limit ? encode([rows[limit - 1]!.createdAt.toISOString(), rows[limit - 1]!.id]) : null;

const summarise = (rows: ImportRow[]) => ({
  created: rows.filter((r) => r.status === 'created').length,
  updated: rows.filter((r) => r.status === 'updated').length,
  unchanged: rows.filter((r) => r.status === 'unchanged').length,
  failed: rows.filter((r) => r.status === 'error').length,
  rows,
});

export function masterDataRoutes(ctx: Pick<ApiDeps, 'vendors' | 'purchasing'>): FastifyPluginAsyncZod {
  return async (app) => {
    // A CSV import arrives as text; JSON bodies keep the default parser.
    app.addContentTypeParser(
      ['text/csv', 'text/plain'],
      { parseAs: 'string', bodyLimit: 10 * 1024 * 1024 },
      (_request, body, done) => done(null, body),
    );

    app.post(
      '/v1/vendors',
      {
        config: admin,
        schema: {
          tags: ['master data'],
          summary: 'Add a vendor to the master data',
          description:
            'Tax IDs are checked where the scheme is known (CNPJ, CPF, NIF, NIE, CIF, EU VAT, EIN) and IBANs by their check digits. ' +
            '409 vendor_exists when another vendor has the same external id or one of the tax IDs.',
          body: VendorInput,
          response: { 201: VendorBody, 400: ErrorBody, 409: ErrorBody },
        },
      },
      async (request, reply) => {
        const principal = principalOf(request);
        const vendor = await ctx.vendors.create(request.body, principal);
        return reply.code(201).send(vendorBody(vendor, principal));
      },
    );

    app.get(
      '/v1/vendors',
      {
        config: reviewer,
        schema: {
          tags: ['master data'],
          summary: 'List vendors by legal name, 50 at a time',
          querystring: z.object({
            q: z.string().max(300).optional().describe('Part of the legal name or an alias, or a tax ID'),
            active: z
              .enum(['true', 'false'])
              .optional()
              .describe('Only active (or only deactivated) vendors'),
            ...Page,
          }),
          response: {
            200: z.object({ vendors: z.array(VendorBody), nextCursor: z.string().nullable() }),
            400: ErrorBody,
          },
        },
      },
      async (request) => {
        const q = request.query;
        const afterId = decode(q.cursor, z.string());
        const rows = await ctx.vendors.list({
          search: q.q,
          active: q.active === undefined ? undefined : q.active === 'true',
          afterId,
          limit: q.limit + 1,
        });
        const page = rows.slice(0, q.limit);
        return {
          vendors: page.map((v) => vendorBody(v, principalOf(request))),
          nextCursor: rows.length > q.limit ? encode(page.at(-1)!.id) : null,
        };
      },
    );

    app.post(
      '/v1/vendors/import',
      {
        config: admin,
        schema: {
          tags: ['master data'],
          summary: 'Import vendors from CSV (text/csv) or JSON ({"vendors": […]})',
          description:
            'Each row is added, or updated when a vendor with its externalId (else one of its taxIds) is on file; a row ' +
            'equal to what is on file is left unchanged, so an import can be repeated. A bad row is reported with its ' +
            'line and the others still go in. CSV columns: externalId, legalName, aliases, taxIds, bankAccounts, ' +
            'emailDomains, website, phone, approvalLimit, defaultCurrency, currencies, active; lists separated by "|" or ";".',
          consumes: ['text/csv', 'application/json'],
          body: z.union([
            z.string().describe('CSV with a header line'),
            z.object({ vendors: z.array(z.record(z.string(), z.unknown())).max(10_000) }),
          ]),
          response: { 200: ImportAnswer, 400: ErrorBody, 413: ErrorBody },
        },
      },
      async (request) => {
        const body = request.body;
        const rows =
          typeof body === 'string'
            ? vendorsFromCsv(body)
            : body.vendors.map((value, i) => ({ line: i + 1, value }));
        return summarise(await ctx.vendors.import(rows, principalOf(request)));
      },
    );

    app.get(
      '/v1/vendors/:id',
      {
        config: reviewer,
        schema: {
          tags: ['master data'],
          summary: 'One vendor',
          params: Id,
          response: { 200: VendorBody, 404: ErrorBody },
        },
      },
      async (request) => vendorBody(await ctx.vendors.get(request.params.id), principalOf(request)),
    );

    app.patch(
      '/v1/vendors/:id',
      {
        config: admin,
        schema: {
          tags: ['master data'],
          summary: 'Change a vendor: the fields given replace the ones on file',
          params: Id,
          body: VendorPatch,
          response: { 200: VendorBody, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody },
        },
      },
      async (request) => {
        const principal = principalOf(request);
        return vendorBody(await ctx.vendors.update(request.params.id, request.body, principal), principal);
      },
    );

    app.delete(
      '/v1/vendors/:id',
      {
        config: admin,
        schema: {
          tags: ['master data'],
          summary: 'Deactivate a vendor: kept on file, but documents no longer match it',
          params: Id,
          response: { 204: z.null(), 404: ErrorBody },
        },
      },
      async (request, reply) => {
        await ctx.vendors.deactivate(request.params.id, principalOf(request));
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/v1/vendors/:id/audit',
      {
        config: reviewer,
        schema: {
          tags: ['master data'],
          summary: "The vendor's changes, oldest first, with who made them",
          params: Id,
          response: { 200: z.object({ changes: z.array(ChangeBody) }), 404: ErrorBody },
        },
      },
      async (request) => {
        await ctx.vendors.get(request.params.id);
        return { changes: (await ctx.vendors.history(request.params.id)).map(changeBody) };
      },
    );

    app.post(
      '/v1/purchase-orders',
      {
        config: admin,
        schema: {
          tags: ['master data'],
          summary: 'Add a purchase order with its lines',
          body: PurchaseOrderInput,
          response: { 201: PurchaseOrderBody, 400: ErrorBody, 409: ErrorBody, 422: ErrorBody },
        },
      },
      async (request, reply) =>
        reply.code(201).send(orderBody(await ctx.purchasing.createOrder(request.body, principalOf(request)))),
    );

    app.get(
      '/v1/purchase-orders',
      {
        config: reviewer,
        schema: {
          tags: ['master data'],
          summary: 'List purchase orders, oldest first',
          querystring: z.object({
            vendorId: z.string().optional(),
            status: z.enum(PO_STATUSES).optional(),
            ...Page,
          }),
          response: {
            200: z.object({ purchaseOrders: z.array(PurchaseOrderBody), nextCursor: z.string().nullable() }),
            400: ErrorBody,
          },
        },
      },
      async (request) => {
        const q = request.query;
        const rows = await ctx.purchasing.orders({
          vendorId: q.vendorId,
          status: q.status,
          after: decode(q.cursor, TimeCursor),
          limit: q.limit + 1,
        });
        return { purchaseOrders: rows.slice(0, q.limit).map(orderBody), nextCursor: nextOf(rows, q.limit) };
      },
    );

    app.get(
      '/v1/purchase-orders/:id',
      {
        config: reviewer,
        schema: {
          tags: ['master data'],
          summary: 'One purchase order',
          params: Id,
          response: { 200: PurchaseOrderBody, 404: ErrorBody },
        },
      },
      async (request) => orderBody(await ctx.purchasing.order(request.params.id)),
    );

    app.patch(
      '/v1/purchase-orders/:id',
      {
        config: admin,
        schema: {
          tags: ['master data'],
          summary: 'Change a purchase order; lines given replace all its lines',
          params: Id,
          body: PurchaseOrderPatch,
          response: {
            200: PurchaseOrderBody,
            400: ErrorBody,
            404: ErrorBody,
            409: ErrorBody,
            422: ErrorBody,
          },
        },
      },
      async (request) =>
        orderBody(await ctx.purchasing.updateOrder(request.params.id, request.body, principalOf(request))),
    );

    app.get(
      '/v1/purchase-orders/:id/audit',
      {
        config: reviewer,
        schema: {
          tags: ['master data'],
          summary: "The purchase order's changes, oldest first, with who made them",
          params: Id,
          response: { 200: z.object({ changes: z.array(ChangeBody) }), 404: ErrorBody },
        },
      },
      async (request) => {
        await ctx.purchasing.order(request.params.id);
        return {
          changes: (await ctx.purchasing.history('purchase_order', request.params.id)).map(changeBody),
        };
      },
    );

    app.post(
      '/v1/goods-receipts',
      {
        config: admin,
        schema: {
          tags: ['master data'],
          summary: 'Record goods received against a purchase order',
          body: GoodsReceiptInput,
          response: { 201: GoodsReceiptBody, 400: ErrorBody, 422: ErrorBody },
        },
      },
      async (request, reply) =>
        reply
          .code(201)
          .send(receiptBody(await ctx.purchasing.createReceipt(request.body, principalOf(request)))),
    );

    app.get(
      '/v1/goods-receipts',
      {
        config: reviewer,
        schema: {
          tags: ['master data'],
          summary: 'List goods receipts, oldest first',
          querystring: z.object({ purchaseOrderId: z.string().optional(), ...Page }),
          response: {
            200: z.object({ goodsReceipts: z.array(GoodsReceiptBody), nextCursor: z.string().nullable() }),
            400: ErrorBody,
          },
        },
      },
      async (request) => {
        const q = request.query;
        const rows = await ctx.purchasing.receipts({
          purchaseOrderId: q.purchaseOrderId,
          after: decode(q.cursor, TimeCursor),
          limit: q.limit + 1,
        });
        return { goodsReceipts: rows.slice(0, q.limit).map(receiptBody), nextCursor: nextOf(rows, q.limit) };
      },
    );

    app.get(
      '/v1/goods-receipts/:id',
      {
        config: reviewer,
        schema: {
          tags: ['master data'],
          summary: 'One goods receipt',
          params: Id,
          response: { 200: GoodsReceiptBody, 404: ErrorBody },
        },
      },
      async (request) => receiptBody(await ctx.purchasing.receipt(request.params.id)),
    );

    app.patch(
      '/v1/goods-receipts/:id',
      {
        config: admin,
        schema: {
          tags: ['master data'],
          summary: 'Change a goods receipt; lines given replace all its lines',
          params: Id,
          body: GoodsReceiptPatch,
          response: { 200: GoodsReceiptBody, 400: ErrorBody, 404: ErrorBody, 422: ErrorBody },
        },
      },
      async (request) =>
        receiptBody(
          await ctx.purchasing.updateReceipt(request.params.id, request.body, principalOf(request)),
        ),
    );

    app.get(
      '/v1/goods-receipts/:id/audit',
      {
        config: reviewer,
        schema: {
          tags: ['master data'],
          summary: "The goods receipt's changes, oldest first, with who made them",
          params: Id,
          response: { 200: z.object({ changes: z.array(ChangeBody) }), 404: ErrorBody },
        },
      },
      async (request) => {
        await ctx.purchasing.receipt(request.params.id);
        return {
          changes: (await ctx.purchasing.history('goods_receipt', request.params.id)).map(changeBody),
        };
      },
    );
  };
}
