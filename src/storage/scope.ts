// Which documents a key, a user or a webhook may see: all (no scope), its own uploads, a business unit's, or
// named vendors'. One grammar for the API, the CLI and the tables; one SQL condition for every query.
import { normaliseTaxId } from '../rules/master-data.ts';

export type DocumentScope =
  | { kind: 'own' }
  | { kind: 'unit'; unit: string }
  | { kind: 'vendors'; taxIds: string[] };

/** A business unit's name: what intake accepts as `businessUnit` and a scope as `unit:<name>`. */
export const BUSINESS_UNIT = /^[A-Za-z0-9][A-Za-z0-9 _.-]{0,59}$/;

/** `own`, `unit:<name>` or `vendors:<tax id>,<tax id>…`; a sentence saying what is wrong otherwise. */
export function parseScope(text: string): DocumentScope | string {
  const value = text.trim();
  if (value === 'own') return { kind: 'own' };
  if (value.startsWith('unit:')) {
    const unit = value.slice(5).trim();
    return BUSINESS_UNIT.test(unit)
      ? { kind: 'unit', unit }
      : 'a business unit is letters, digits, spaces, ".", "_" or "-", up to 60 characters';
  }
  if (value.startsWith('vendors:')) {
    const taxIds = value
      .slice(8)
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    if (taxIds.length === 0 || taxIds.length > 100)
      return 'list between 1 and 100 vendor tax IDs, joined with commas';
    if (taxIds.some((t) => !normaliseTaxId(t))) return 'a vendor tax ID needs letters or digits';
    return { kind: 'vendors', taxIds };
  }
  return 'a scope is "own", "unit:<name>" or "vendors:<tax id>,<tax id>…"';
}

export function formatScope(scope: DocumentScope): string {
  if (scope.kind === 'own') return 'own';
  if (scope.kind === 'unit') return `unit:${scope.unit}`;
  return `vendors:${scope.taxIds.join(',')}`;
}

/** A stored scope column: null is every document. */
export function storedScope(text: string | null): DocumentScope | undefined {
  if (text === null) return undefined;
  const scope = parseScope(text);
  if (typeof scope === 'string') throw new Error(`a stored scope "${text}" does not read: ${scope}`);
  return scope;
}

/** Whose view: the scope and the principal it belongs to (a principal always sees what it sent itself). */
export interface ScopeFilter {
  scope: DocumentScope;
  /** Absent for a webhook: it sent nothing. */
  principalId?: string | undefined;
}

/**
 * The SQL condition on a documents row (`alias` is its table's name and a dot, or nothing) that keeps the
 * documents in scope; `p` adds a parameter and returns its placeholder.
 */
export function scopeCondition(filter: ScopeFilter, p: (value: unknown) => string, alias = ''): string {
  const conditions: string[] = [];
  if (filter.principalId) conditions.push(`${alias}submitted_by = ${p(filter.principalId)}`);
  const { scope } = filter;
  if (scope.kind === 'unit') conditions.push(`${alias}business_unit = ${p(scope.unit)}`);
  if (scope.kind === 'vendors') {
    // Matched on the vendor key the rules compute from the tax ID, so "31-4829175" and "314829175" agree.
    const keys = scope.taxIds.map((t) => `tax:${normaliseTaxId(t)}`);
    conditions.push(`${alias}vendor_key = any(${p(keys)}::text[])`);
  }
  return conditions.length ? `(${conditions.join(' or ')})` : 'false';
}
