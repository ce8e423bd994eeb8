// Vendor master data, purchase orders and goods receipts kept by the service: checked on the way in, every
// change in the master-data trail, and read back by the rules through the MasterData port.
import { parse as parseCsv } from 'csv-parse/sync';
import currencyCodes from 'currency-codes';
import { Decimal } from 'decimal.js';
import { electronicFormatIBAN, friendlyFormatIBAN, isValidIBAN } from 'ibantools';
import { z } from 'zod';
import { validateTaxId } from '../pipeline/extract/tax-ids.ts';
import { taxIdKindOf } from '../rules/identifiers.ts';
import {
  type MasterData,
  type MasterDataQuery,
  type MasterDataView,
  normaliseDomain,
  normalisePhone,
  type PurchaseOrder,
} from '../rules/master-data.ts';
import type { Clock } from '../storage/clock.ts';
import type { MasterDataEntity } from '../storage/master-data-events.repository.ts';
import {
  type GoodsReceiptRecord,
  newGoodsReceiptId,
  newPurchaseOrderId,
  PO_STATUSES,
  type PoLineFields,
  type PurchaseOrderFields,
  type PurchaseOrderRecord,
} from '../storage/purchasing.repository.ts';
import type { Repositories, Transaction } from '../storage/repositories.ts';
import {
  newVendorId,
  ruleVendorOf,
  type VendorFields,
  type VendorRecord,
} from '../storage/vendors.repository.ts';
import { AppError } from './errors.ts';

const KIND_NAMES = {
  cnpj: 'CNPJ',
  cpf: 'CPF',
  nif: 'NIF',
  nie: 'NIE',
  cif: 'CIF',
  eu_vat: 'EU VAT number',
  ein: 'EIN',
} as const;

const text = (max: number) => z.string().trim().min(1).max(max);

const AmountText = z
  .string()
  .trim()
  .regex(/^\d{1,15}(\.\d{1,6})?$/, 'expected an amount like "1500.00"');

/** An amount: "1500.00" or 1500, kept as a decimal string. */
export const AmountInput = z.union([AmountText, z.number().nonnegative()]).transform((v) => String(v));
/** The same as text, or null to clear it (text only: the OpenAPI document cannot say "number or string or null"). */
const NullableAmount = AmountText.nullable();

export const CurrencyInput = z
  .string()
  .trim()
  .toUpperCase()
  .refine(
    (c) => /^[A-Z]{3}$/.test(c) && currencyCodes.code(c) !== undefined,
    'not an ISO 4217 currency code',
  );

/** A tax ID whose check digits are verified where the project knows the scheme (CNPJ, CPF, NIF, NIE, CIF, EU VAT, EIN). */
export const TaxIdInput = text(40).superRefine((value, ctx) => {
  const kind = taxIdKindOf(value);
  if (kind && !validateTaxId(kind, value)) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a valid ${KIND_NAMES[kind]}` });
  }
});

/** An IBAN (check digits verified, kept in groups of four) or another account as written. */
export const BankAccountInput = text(100).transform((value, ctx) => {
  const compact = value.replace(/[\s\-.]/g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{8,}$/.test(compact)) return value;
  const iban = electronicFormatIBAN(compact) ?? compact;
  if (!isValidIBAN(iban)) {
    ctx.addIssue({
      code: 'custom',
      message: `"${value}" is not a valid IBAN: its check digits do not match`,
    });
    return z.NEVER;
  }
  return friendlyFormatIBAN(iban) ?? iban;
});

const DomainInput = text(253).transform((value, ctx) => {
  const domain = normaliseDomain(value);
  if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(domain)) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not an e-mail domain like "example.com"` });
    return z.NEVER;
  }
  return domain;
});

const WebsiteInput = text(300).refine(
  (v) => /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(normaliseDomain(v)),
  'not a web address like "https://www.example.com"',
);
const PhoneInput = text(50).refine((v) => normalisePhone(v) !== '', 'a phone number has at least 7 digits');

const vendorShape = {
  externalId: text(200).nullable().optional().describe("Your ERP's id for the vendor; import matches on it"),
  legalName: text(300),
  aliases: z.array(text(300)).max(50).optional().describe('Other names it prints on its documents'),
  taxIds: z.array(TaxIdInput).max(20).optional(),
  bankAccounts: z
    .array(BankAccountInput)
    .max(20)
    .optional()
    .describe(
      'IBANs (check digits verified) or accounts as printed ("Routing 042000314 Account 7391028845")',
    ),
  emailDomains: z.array(DomainInput).max(20).optional(),
  website: WebsiteInput.nullable().optional(),
  phone: PhoneInput.nullable().optional(),
  approvalLimit: NullableAmount.optional().describe('Totals over it go to review (amount_over_limit)'),
  defaultCurrency: CurrencyInput.nullable().optional(),
  currencies: z
    .array(CurrencyInput)
    .max(20)
    .nullable()
    .optional()
    .describe('The currencies it may bill in; null: any'),
  active: z.boolean().optional(),
};
export const VendorInput = z.strictObject(vendorShape);
export type VendorInput = z.infer<typeof VendorInput>;
export const VendorPatch = z.strictObject({ ...vendorShape, legalName: vendorShape.legalName.optional() });
export type VendorPatch = z.infer<typeof VendorPatch>;

const IsoDate = z.iso.date();
const PositiveAmount = AmountInput.refine((v) => Number(v) > 0, 'must be more than 0');

export const PurchaseOrderLineInput = z.strictObject({
  line: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('Its number on the order; its place in the list when absent'),
  sku: text(100).nullable().optional(),
  description: text(500),
  quantity: PositiveAmount,
  unitPrice: AmountInput,
});
const poShape = {
  number: text(100),
  vendorId: z.string().optional().describe('The vendor (vnd_…); or vendorTaxId'),
  vendorTaxId: z.string().optional().describe('The vendor by one of its tax IDs on file'),
  currency: CurrencyInput.nullable().optional(),
  amount: NullableAmount.optional().describe('The order total; the sum of its lines when absent'),
  orderDate: IsoDate.nullable().optional(),
  status: z.enum(PO_STATUSES).optional(),
  lines: z.array(PurchaseOrderLineInput).max(1000).optional(),
};
export const PurchaseOrderInput = z.strictObject(poShape);
export type PurchaseOrderInput = z.infer<typeof PurchaseOrderInput>;
export const PurchaseOrderPatch = z.strictObject({ ...poShape, number: poShape.number.optional() });
export type PurchaseOrderPatch = z.infer<typeof PurchaseOrderPatch>;

export const GoodsReceiptLineInput = z
  .strictObject({
    line: z.number().int().positive().optional().describe('The purchase order line received'),
    sku: text(100).optional().describe('Or the line by its SKU'),
    quantity: AmountInput,
  })
  .refine(
    (l) => l.line !== undefined || l.sku !== undefined,
    'a receipt line names the order line or its SKU',
  );
const grShape = {
  purchaseOrder: text(100).describe('The purchase order number'),
  reference: text(100).nullable().optional().describe('The delivery note or receiving document number'),
  receivedOn: IsoDate,
  note: text(2000).nullable().optional(),
  lines: z.array(GoodsReceiptLineInput).min(1).max(1000),
};
export const GoodsReceiptInput = z.strictObject(grShape);
export type GoodsReceiptInput = z.infer<typeof GoodsReceiptInput>;
export const GoodsReceiptPatch = z.strictObject({
  ...grShape,
  purchaseOrder: grShape.purchaseOrder.optional(),
  receivedOn: grShape.receivedOn.optional(),
  lines: grShape.lines.optional(),
});
export type GoodsReceiptPatch = z.infer<typeof GoodsReceiptPatch>;

export interface Actor {
  id: string;
  name: string;
}

export type ImportOutcome = 'created' | 'updated' | 'unchanged' | 'error';
export interface ImportRow {
  /** The CSV line (the header is line 1), or the JSON list position from 1. */
  row: number;
  status: ImportOutcome;
  id?: string | undefined;
  error?: string | undefined;
}

const issueText = (error: z.ZodError) =>
  error.issues.map((i) => `${i.path.join('.') || 'row'}: ${i.message}`).join('; ');

/** A vendor's fields from a full input, or an existing record changed by a patch. */
function vendorFields(input: VendorPatch, base?: VendorFields): VendorFields {
  const pick = <K extends keyof VendorFields>(key: K, fallback: VendorFields[K]): VendorFields[K] => {
    const value = (input as Partial<VendorFields>)[key];
    return value === undefined ? (base ? base[key] : fallback) : value;
  };
  return {
    externalId: pick('externalId', null),
    legalName: input.legalName ?? base?.legalName ?? '',
    aliases: pick('aliases', []),
    taxIds: pick('taxIds', []),
    bankAccounts: pick('bankAccounts', []),
    emailDomains: pick('emailDomains', []),
    website: pick('website', null),
    phone: pick('phone', null),
    approvalLimit: pick('approvalLimit', null),
    defaultCurrency: pick('defaultCurrency', null),
    currencies: pick('currencies', null),
    active: pick('active', true),
  };
}

const snapshot = ({
  createdAt: _c,
  updatedAt: _u,
  ...rest
}: VendorRecord | PurchaseOrderRecord | GoodsReceiptRecord) => rest;
const same = (a: VendorFields, b: VendorFields) =>
  JSON.stringify(vendorFields(a)) === JSON.stringify(vendorFields(b));

/** One CSV cell holding a list: "a | b" or "a; b". */
const listCell = (v: string) =>
  v
    .split(/[|;]/)
    .map((s) => s.trim())
    .filter(Boolean);
const LIST_COLUMNS = new Set(['aliases', 'taxIds', 'bankAccounts', 'emailDomains', 'currencies']);
const CSV_COLUMNS = new Map(
  [
    'externalId',
    'legalName',
    'aliases',
    'taxIds',
    'bankAccounts',
    'emailDomains',
    'website',
    'phone',
    'approvalLimit',
    'defaultCurrency',
    'currencies',
    'active',
  ].map((c) => [c.toLowerCase(), c]),
);

/** A CSV of vendors as rows of input objects, each with its line; a header it does not know is refused whole. */
export function vendorsFromCsv(csv: string): { line: number; value: Record<string, unknown> }[] {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parseCsv(csv, {
      bom: true,
      columns: (header: string[]) =>
        header.map((h) => {
          const name = CSV_COLUMNS.get(h.trim().toLowerCase());
          if (!name) {
            throw new AppError(
              400,
              'bad_csv',
              `Unknown column "${h}". Columns: ${[...CSV_COLUMNS.values()].join(', ')}.`,
            );
          }
          return name;
        }),
      delimiter: [',', ';', '\t'],
      skip_empty_lines: true,
      trim: true,
      info: true,
      relax_column_count: true,
    });
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw new AppError(400, 'bad_csv', `The CSV cannot be read: ${(e as Error).message}`);
  }
  return records.map(({ record, info }) => {
    const value: Record<string, unknown> = {};
    for (const [key, cell] of Object.entries(record)) {
      if (cell === '' || cell === undefined) continue;
      if (LIST_COLUMNS.has(key)) value[key] = listCell(cell);
      else if (key === 'active') value[key] = !/^(false|no|0|n)$/i.test(cell);
      else value[key] = cell;
    }
    return { line: info.lines, value };
  });
}

export class VendorService {
  constructor(
    private readonly repos: Pick<Repositories, 'vendors' | 'masterDataEvents'>,
    private readonly transaction: Transaction,
    private readonly clock: Clock,
  ) {}

  async get(id: string): Promise<VendorRecord> {
    const vendor = await this.repos.vendors.get(id);
    if (!vendor) throw new AppError(404, 'not_found', 'No vendor with this id.');
    return vendor;
  }

  list(filter: Parameters<Repositories['vendors']['list']>[0]) {
    return this.repos.vendors.list(filter);
  }

  history(id: string) {
    return this.repos.masterDataEvents.trail('vendor', id);
  }

  private conflict(found: VendorRecord[], self?: string): void {
    const other = found.find((v) => v.id !== self);
    if (other) {
      throw new AppError(
        409,
        'vendor_exists',
        `${other.legalName} (${other.id}) already has this external id or one of these tax IDs.`,
        { id: other.id },
      );
    }
  }

  async create(input: VendorInput, actor: Actor): Promise<VendorRecord> {
    const fields = vendorFields(input);
    return this.transaction(async (tx) => {
      await tx.vendors.lockForWrites();
      this.conflict(await tx.vendors.findSame(fields.externalId, fields.taxIds));
      const saved = await tx.vendors.save(newVendorId(), fields, this.clock.now());
      await record(tx, 'vendor', saved.id, actor, 'created', undefined, snapshot(saved), this.clock);
      return saved;
    });
  }

  async update(id: string, patch: VendorPatch, actor: Actor): Promise<VendorRecord> {
    return this.transaction(async (tx) => {
      await tx.vendors.lockForWrites();
      const before = await tx.vendors.get(id);
      if (!before) throw new AppError(404, 'not_found', 'No vendor with this id.');
      const fields = vendorFields(patch, before);
      this.conflict(await tx.vendors.findSame(fields.externalId, fields.taxIds), id);
      if (same(fields, before)) return before;
      const saved = await tx.vendors.save(id, fields, this.clock.now());
      const action = before.active && !saved.active ? 'deactivated' : 'updated';
      await record(tx, 'vendor', id, actor, action, snapshot(before), snapshot(saved), this.clock);
      return saved;
    });
  }

  /** Vendors stay on file (orders and the trail name them); deactivated, documents no longer match them. */
  deactivate(id: string, actor: Actor): Promise<VendorRecord> {
    return this.update(id, { active: false }, actor);
  }

  /** Upserts each row by external id, else tax ID; a bad row is reported and the others still go in. */
  async import(rows: { line: number; value: unknown }[], actor: Actor): Promise<ImportRow[]> {
    if (rows.length > 10_000) throw new AppError(413, 'too_many_rows', 'At most 10000 vendors per import.');
    return this.transaction(async (tx) => {
      await tx.vendors.lockForWrites();
      const out: ImportRow[] = [];
      for (const { line, value } of rows) {
        // JSON rows may give the limit as a number, as a rules file may.
        const row =
          value &&
          typeof value === 'object' &&
          'approvalLimit' in value &&
          typeof value.approvalLimit === 'number'
            ? { ...value, approvalLimit: String(value.approvalLimit) }
            : value;
        const parsed = VendorInput.safeParse(row);
        if (!parsed.success) {
          out.push({ row: line, status: 'error', error: issueText(parsed.error) });
          continue;
        }
        const incoming = vendorFields(parsed.data);
        const found = await tx.vendors.findSame(incoming.externalId, incoming.taxIds);
        if (new Set(found.map((v) => v.id)).size > 1) {
          out.push({
            row: line,
            status: 'error',
            error: `matches more than one vendor (${found.map((v) => v.id).join(', ')}) by external id or tax ID`,
          });
          continue;
        }
        const existing = found[0];
        if (!existing) {
          const saved = await tx.vendors.save(newVendorId(), incoming, this.clock.now());
          await record(tx, 'vendor', saved.id, actor, 'imported', undefined, snapshot(saved), this.clock);
          out.push({ row: line, status: 'created', id: saved.id });
          continue;
        }
        const merged = vendorFields(parsed.data, existing);
        if (same(merged, existing)) {
          out.push({ row: line, status: 'unchanged', id: existing.id });
          continue;
        }
        const saved = await tx.vendors.save(existing.id, merged, this.clock.now());
        await record(
          tx,
          'vendor',
          saved.id,
          actor,
          'imported',
          snapshot(existing),
          snapshot(saved),
          this.clock,
        );
        out.push({ row: line, status: 'updated', id: saved.id });
      }
      return out;
    });
  }
}

async function record(
  tx: Pick<Repositories, 'masterDataEvents'>,
  entity: MasterDataEntity,
  entityId: string,
  actor: Actor,
  action: string,
  before: unknown,
  after: unknown,
  clock: Clock,
): Promise<void> {
  await tx.masterDataEvents.append({
    entity,
    entityId,
    actor: actor.id,
    actorName: actor.name,
    action,
    before: before ?? null,
    after: after ?? null,
    at: clock.now(),
  });
}

/** Numbered lines: each keeps its number, or takes its place in the list; a number used twice is refused. */
function numberLines(lines: NonNullable<PurchaseOrderInput['lines']>): PoLineFields[] {
  const out = lines.map((l, i) => ({
    line: l.line ?? i + 1,
    sku: l.sku ?? null,
    description: l.description,
    quantity: l.quantity,
    unitPrice: l.unitPrice,
  }));
  const numbers = out.map((l) => l.line);
  const twice = numbers.find((n, i) => numbers.indexOf(n) !== i);
  if (twice !== undefined) throw new AppError(400, 'bad_request', `lines: line ${twice} is given twice.`);
  return out;
}

export class PurchasingService {
  constructor(
    private readonly repos: Pick<Repositories, 'vendors' | 'purchasing' | 'masterDataEvents'>,
    private readonly transaction: Transaction,
    private readonly clock: Clock,
  ) {}

  private async vendorIdOf(
    tx: Pick<Repositories, 'vendors'>,
    input: { vendorId?: string | undefined; vendorTaxId?: string | undefined },
  ): Promise<string | undefined> {
    if (input.vendorId) {
      if (!(await tx.vendors.get(input.vendorId))) {
        throw new AppError(422, 'unknown_vendor', `No vendor with the id ${input.vendorId}.`);
      }
      return input.vendorId;
    }
    if (input.vendorTaxId) {
      const found = await tx.vendors.findSame(null, [input.vendorTaxId]);
      if (found.length !== 1) {
        throw new AppError(
          422,
          'unknown_vendor',
          found.length
            ? `More than one vendor has the tax ID ${input.vendorTaxId}; give vendorId.`
            : `No vendor has the tax ID ${input.vendorTaxId}.`,
        );
      }
      return found[0]!.id;
    }
    return undefined;
  }

  history(entity: 'purchase_order' | 'goods_receipt', id: string) {
    return this.repos.masterDataEvents.trail(entity, id);
  }

  async order(id: string): Promise<PurchaseOrderRecord> {
    const po = await this.repos.purchasing.order(id);
    if (!po) throw new AppError(404, 'not_found', 'No purchase order with this id.');
    return po;
  }

  orders(filter: Parameters<Repositories['purchasing']['orders']>[0]) {
    return this.repos.purchasing.orders(filter);
  }

  async createOrder(input: PurchaseOrderInput, actor: Actor): Promise<PurchaseOrderRecord> {
    if (input.amount == null && !input.lines?.length) {
      throw new AppError(400, 'bad_request', 'A purchase order needs an amount or lines.');
    }
    return this.transaction(async (tx) => {
      const vendorId = await this.vendorIdOf(tx, input);
      if (!vendorId) throw new AppError(400, 'bad_request', 'Name the vendor: vendorId or vendorTaxId.');
      if (await tx.purchasing.orderByNumber(input.number)) {
        throw new AppError(409, 'purchase_order_exists', `Purchase order ${input.number} already exists.`);
      }
      const fields: PurchaseOrderFields = {
        number: input.number,
        vendorId,
        currency: input.currency ?? null,
        amount: input.amount ?? null,
        orderDate: input.orderDate ?? null,
        status: input.status ?? 'open',
        lines: numberLines(input.lines ?? []),
      };
      const saved = await tx.purchasing.saveOrder(newPurchaseOrderId(), fields, this.clock.now());
      await record(tx, 'purchase_order', saved.id, actor, 'created', undefined, snapshot(saved), this.clock);
      return saved;
    });
  }

  async updateOrder(id: string, patch: PurchaseOrderPatch, actor: Actor): Promise<PurchaseOrderRecord> {
    return this.transaction(async (tx) => {
      const before = await tx.purchasing.order(id);
      if (!before) throw new AppError(404, 'not_found', 'No purchase order with this id.');
      if (patch.number !== undefined) {
        const other = await tx.purchasing.orderByNumber(patch.number);
        if (other && other.id !== id) {
          throw new AppError(409, 'purchase_order_exists', `Purchase order ${patch.number} already exists.`);
        }
      }
      const fields: PurchaseOrderFields = {
        number: patch.number ?? before.number,
        vendorId: (await this.vendorIdOf(tx, patch)) ?? before.vendorId,
        currency: patch.currency === undefined ? before.currency : patch.currency,
        amount: patch.amount === undefined ? before.amount : patch.amount,
        orderDate: patch.orderDate === undefined ? before.orderDate : patch.orderDate,
        status: patch.status ?? before.status,
        lines: patch.lines ? numberLines(patch.lines) : before.lines,
      };
      if (fields.amount == null && fields.lines.length === 0) {
        throw new AppError(400, 'bad_request', 'A purchase order needs an amount or lines.');
      }
      const saved = await tx.purchasing.saveOrder(id, fields, this.clock.now());
      await record(tx, 'purchase_order', id, actor, 'updated', snapshot(before), snapshot(saved), this.clock);
      return saved;
    });
  }

  async receipt(id: string): Promise<GoodsReceiptRecord> {
    const gr = await this.repos.purchasing.receipt(id);
    if (!gr) throw new AppError(404, 'not_found', 'No goods receipt with this id.');
    return gr;
  }

  receipts(filter: Parameters<Repositories['purchasing']['receipts']>[0]) {
    return this.repos.purchasing.receipts(filter);
  }

  /** The receipt's lines against its order: each names an order line by number or SKU. */
  private receiptLines(po: PurchaseOrderRecord, lines: GoodsReceiptInput['lines']) {
    return lines.map((l, i) => {
      const match = po.lines.find((pl) =>
        l.line !== undefined ? pl.line === l.line : pl.sku?.toUpperCase() === l.sku?.toUpperCase(),
      );
      if (!match) {
        throw new AppError(
          422,
          'unknown_order_line',
          `lines[${i}]: purchase order ${po.number} has no line ${l.line !== undefined ? l.line : `with SKU ${l.sku}`}.`,
        );
      }
      return { line: match.line, quantity: l.quantity };
    });
  }

  private async orderNamed(tx: Pick<Repositories, 'purchasing'>, number: string) {
    const po = await tx.purchasing.orderByNumber(number);
    if (!po) throw new AppError(422, 'unknown_purchase_order', `No purchase order ${number}.`);
    return po;
  }

  async createReceipt(input: GoodsReceiptInput, actor: Actor): Promise<GoodsReceiptRecord> {
    return this.transaction(async (tx) => {
      const po = await this.orderNamed(tx, input.purchaseOrder);
      const saved = await tx.purchasing.saveReceipt(
        newGoodsReceiptId(),
        {
          purchaseOrderId: po.id,
          reference: input.reference ?? null,
          receivedOn: input.receivedOn,
          note: input.note ?? null,
          lines: mergeReceiptLines(this.receiptLines(po, input.lines)),
        },
        this.clock.now(),
      );
      await record(tx, 'goods_receipt', saved.id, actor, 'created', undefined, snapshot(saved), this.clock);
      return saved;
    });
  }

  async updateReceipt(id: string, patch: GoodsReceiptPatch, actor: Actor): Promise<GoodsReceiptRecord> {
    return this.transaction(async (tx) => {
      const before = await tx.purchasing.receipt(id);
      if (!before) throw new AppError(404, 'not_found', 'No goods receipt with this id.');
      const po = await this.orderNamed(tx, patch.purchaseOrder ?? before.purchaseOrderNumber);
      const saved = await tx.purchasing.saveReceipt(
        id,
        {
          purchaseOrderId: po.id,
          reference: patch.reference === undefined ? before.reference : patch.reference,
          receivedOn: patch.receivedOn ?? before.receivedOn,
          note: patch.note === undefined ? before.note : patch.note,
          lines: patch.lines ? mergeReceiptLines(this.receiptLines(po, patch.lines)) : before.lines,
        },
        this.clock.now(),
      );
      await record(tx, 'goods_receipt', id, actor, 'updated', snapshot(before), snapshot(saved), this.clock);
      return saved;
    });
  }
}

/** Two receipt lines for the same order line are one, their quantities added. */
function mergeReceiptLines(lines: { line: number; quantity: string }[]) {
  const byLine = new Map<number, Decimal>();
  for (const l of lines) byLine.set(l.line, (byLine.get(l.line) ?? new Decimal(0)).plus(l.quantity));
  return [...byLine].map(([line, quantity]) => ({ line, quantity: quantity.toFixed() }));
}

/**
 * The rules' master data from the database: the active vendors that share a key with the document, and the
 * purchase order it names with the quantities received on it. With no active vendor (or no order) on file
 * the list is absent, so the vendor rules (or po_mismatch) do not run, as without a file.
 */
export class DatabaseMasterData implements MasterData {
  constructor(private readonly repos: Pick<Repositories, 'vendors' | 'purchasing'>) {}

  async lookup(query: MasterDataQuery): Promise<MasterDataView> {
    const vendors = (await this.repos.vendors.anyActive())
      ? (await this.repos.vendors.candidates(query.identity)).map(ruleVendorOf)
      : undefined;
    if (!(await this.repos.purchasing.anyOrder())) return { vendors, purchaseOrders: undefined };
    const po = query.purchaseOrder
      ? await this.repos.purchasing.orderByNumber(query.purchaseOrder)
      : undefined;
    return { vendors, purchaseOrders: po ? [await this.ruleOrder(po)] : [] };
  }

  private async ruleOrder(po: PurchaseOrderRecord): Promise<PurchaseOrder> {
    const vendor = await this.repos.vendors.get(po.vendorId);
    const { receipts, byLine } = await this.repos.purchasing.received(po.id);
    return {
      number: po.number,
      vendorId: po.vendorId,
      ...(vendor?.taxIds[0] ? { vendorTaxId: vendor.taxIds[0] } : {}),
      ...(vendor ? { vendorName: vendor.legalName } : {}),
      ...(po.currency ? { currency: po.currency } : {}),
      ...(po.amount ? { amount: po.amount } : {}),
      status: po.status,
      lines: po.lines.map((l) => ({
        line: l.line,
        ...(l.sku ? { sku: l.sku } : {}),
        description: l.description,
        quantity: l.quantity,
        unitPrice: l.unitPrice,
        // Receipts recorded: a line none of them names has received nothing.
        ...(receipts > 0 ? { received: byLine.get(l.line) ?? '0' } : {}),
      })),
    };
  }
}
