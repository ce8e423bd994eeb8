// Vendor master data: the records an admin keeps, with the normalised keys documents are matched on.
import { randomBytes } from 'node:crypto';
import { normaliseName, normaliseTaxId, type VendorIdentity, vendorKeys } from '../rules/master-data.ts';
import type { Queryable, Row } from './database.ts';
import { bool, date, str, strings, strOrNull } from './rows.ts';

/** What an admin says about a vendor. */
export interface VendorFields {
  externalId: string | null;
  legalName: string;
  aliases: string[];
  taxIds: string[];
  bankAccounts: string[];
  emailDomains: string[];
  website: string | null;
  phone: string | null;
  /** A decimal string. */
  approvalLimit: string | null;
  defaultCurrency: string | null;
  /** The currencies it may bill in; null: any. */
  currencies: string[] | null;
  active: boolean;
}

export interface VendorRecord extends VendorFields {
  id: string;
  createdAt: Date;
  updatedAt: Date;
}

export const newVendorId = () => `vnd_${randomBytes(8).toString('hex')}`;

/** The vendor as the rules see it (src/rules/master-data.ts). */
export function ruleVendorOf(v: VendorFields & { id: string }) {
  return {
    id: v.id,
    names: [v.legalName, ...v.aliases],
    taxIds: v.taxIds,
    bankAccounts: v.bankAccounts,
    emailDomains: v.emailDomains,
    websites: v.website ? [v.website] : [],
    phones: v.phone ? [v.phone] : [],
    ...(v.currencies ? { currencies: v.currencies } : {}),
    ...(v.approvalLimit ? { approvalLimit: v.approvalLimit } : {}),
  };
}

const COLUMNS = `id, external_id, legal_name, aliases, tax_ids, bank_accounts, email_domains, website, phone,
  approval_limit::text as approval_limit, default_currency, currencies, active, created_at, updated_at`;

const toVendor = (r: Row): VendorRecord => ({
  id: str(r, 'id'),
  externalId: strOrNull(r, 'external_id'),
  legalName: str(r, 'legal_name'),
  aliases: strings(r, 'aliases'),
  taxIds: strings(r, 'tax_ids'),
  bankAccounts: strings(r, 'bank_accounts'),
  emailDomains: strings(r, 'email_domains'),
  website: strOrNull(r, 'website'),
  phone: strOrNull(r, 'phone'),
  approvalLimit: strOrNull(r, 'approval_limit'),
  defaultCurrency: strOrNull(r, 'default_currency'),
  currencies: r.currencies == null ? null : strings(r, 'currencies'),
  active: bool(r, 'active'),
  createdAt: date(r, 'created_at'),
  updatedAt: date(r, 'updated_at'),
});

export interface VendorListFilter {
  /** Part of the legal name or an alias, or a tax ID (with or without punctuation). */
  search?: string | undefined;
  active?: boolean | undefined;
  /** After this vendor in the list's order (the cursor). */
  afterId?: string | undefined;
  limit: number;
}

export class VendorsRepository {
  constructor(private readonly db: Queryable) {}

  /** Inserts or rewrites a vendor, its match keys computed from its fields. */
  async save(id: string, v: VendorFields, at: Date): Promise<VendorRecord> {
    const keys = vendorKeys(ruleVendorOf({ ...v, id }));
    const rows = await this.db.query(
      `insert into vendors (id, external_id, legal_name, aliases, tax_ids, bank_accounts, email_domains, website,
         phone, approval_limit, default_currency, currencies, active, tax_id_keys, bank_account_keys,
         email_domain_keys, web_host_keys, phone_keys, name_keys, created_at, updated_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $20)
       on conflict (id) do update set external_id = excluded.external_id, legal_name = excluded.legal_name,
         aliases = excluded.aliases, tax_ids = excluded.tax_ids, bank_accounts = excluded.bank_accounts,
         email_domains = excluded.email_domains, website = excluded.website, phone = excluded.phone,
         approval_limit = excluded.approval_limit, default_currency = excluded.default_currency,
         currencies = excluded.currencies, active = excluded.active, tax_id_keys = excluded.tax_id_keys,
         bank_account_keys = excluded.bank_account_keys, email_domain_keys = excluded.email_domain_keys,
         web_host_keys = excluded.web_host_keys, phone_keys = excluded.phone_keys, name_keys = excluded.name_keys,
         updated_at = excluded.updated_at
       returning ${COLUMNS}`,
      [
        id,
        v.externalId,
        v.legalName,
        v.aliases,
        v.taxIds,
        v.bankAccounts,
        v.emailDomains,
        v.website,
        v.phone,
        v.approvalLimit,
        v.defaultCurrency,
        v.currencies,
        v.active,
        keys.taxIds,
        keys.bankAccounts,
        keys.emailDomains,
        keys.webHosts,
        keys.phones,
        keys.names,
        at,
      ],
    );
    return toVendor(rows[0]!);
  }

  async get(id: string): Promise<VendorRecord | undefined> {
    const rows = await this.db.query(`select ${COLUMNS} from vendors where id = $1`, [id]);
    return rows[0] ? toVendor(rows[0]) : undefined;
  }

  /** Serialises writes that decide by tax ID or external id (create, import), so two cannot both create. */
  async lockForWrites(): Promise<void> {
    await this.db.query('select pg_advisory_xact_lock(774202)');
  }

  /** The vendor an import row or a new record is the same as: by external id, else by a shared tax ID. */
  async findSame(externalId: string | null, taxIds: readonly string[]): Promise<VendorRecord[]> {
    const keys = taxIds.map(normaliseTaxId).filter(Boolean);
    const rows = await this.db.query(
      `select ${COLUMNS} from vendors where ($1::text is not null and external_id = $1) or tax_id_keys && $2::text[]
       order by (external_id is not distinct from $1) desc, created_at, id`,
      [externalId, keys],
    );
    return rows.map(toVendor);
  }

  async list(filter: VendorListFilter): Promise<VendorRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    if (filter.active !== undefined) where.push(`active = ${p(filter.active)}`);
    if (filter.search) {
      const name = normaliseName(filter.search);
      const taxKey = normaliseTaxId(filter.search);
      const parts = [`array_to_string(name_keys, '|') like ${p(`%${name}%`)}`];
      if (taxKey.length >= 4) parts.push(`array_to_string(tax_id_keys, '|') like ${p(`%${taxKey}%`)}`);
      where.push(`(${parts.join(' or ')})`);
    }
    if (filter.afterId) {
      where.push(
        `(lower(legal_name), id) > (select lower(legal_name), id from vendors where id = ${p(filter.afterId)})`,
      );
    }
    const rows = await this.db.query(
      `select ${COLUMNS} from vendors ${where.length ? `where ${where.join(' and ')}` : ''}
       order by lower(legal_name), id limit ${p(filter.limit)}`,
      params,
    );
    return rows.map(toVendor);
  }

  /** True when any vendor is active: without one, there is no vendor master data to judge by. */
  async anyActive(): Promise<boolean> {
    return (await this.db.query('select 1 from vendors where active limit 1')).length > 0;
  }

  /** The active vendors sharing any key with a document's identity; the rules choose among them. */
  async candidates(identity: VendorIdentity): Promise<VendorRecord[]> {
    const rows = await this.db.query(
      `select ${COLUMNS} from vendors where active and (tax_id_keys && $1::text[] or bank_account_keys && $2::text[]
         or email_domain_keys && $3::text[] or web_host_keys && $4::text[] or phone_keys && $5::text[]
         or name_keys && $6::text[])
       order by created_at, id limit 50`,
      [
        identity.taxIds,
        identity.bankAccounts,
        identity.emailDomains,
        identity.webHosts,
        identity.phones,
        identity.names,
      ],
    );
    return rows.map(toVendor);
  }
}
