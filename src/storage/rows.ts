// Reading database rows into types: each helper checks one column, so a repository's mapper needs no casts
// and a row that does not match its schema fails loudly at the repository door.
import type { Row } from './database.ts';

export class RowShapeError extends Error {}

function wrong(column: string, expected: string, value: unknown): never {
  const got = value === null ? 'null' : value instanceof Date ? 'a date' : typeof value;
  throw new RowShapeError(`column ${column}: expected ${expected}, got ${got}`);
}

export function str(r: Row, column: string): string {
  const v = r[column];
  return typeof v === 'string' ? v : wrong(column, 'text', v);
}

export function strOrNull(r: Row, column: string): string | null {
  const v = r[column];
  if (v == null) return null;
  return typeof v === 'string' ? v : wrong(column, 'text or null', v);
}

function asNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/** int4, int8 (a number on both engines), float8, or numeric text. */
export function num(r: Row, column: string): number {
  const v = r[column];
  return asNumber(v) ?? wrong(column, 'a number', v);
}

export function numOrNull(r: Row, column: string): number | null {
  return r[column] == null ? null : num(r, column);
}

export function date(r: Row, column: string): Date {
  const v = r[column];
  return v instanceof Date ? v : wrong(column, 'a timestamp', v);
}

export function dateOrNull(r: Row, column: string): Date | null {
  const v = r[column];
  if (v == null) return null;
  return v instanceof Date ? v : wrong(column, 'a timestamp or null', v);
}

export function bool(r: Row, column: string): boolean {
  const v = r[column];
  return typeof v === 'boolean' ? v : wrong(column, 'a boolean', v);
}

export function strings(r: Row, column: string): string[] {
  const v = r[column];
  if (!Array.isArray(v)) return wrong(column, 'a text array', v);
  const out: string[] = [];
  for (const item of v) out.push(typeof item === 'string' ? item : wrong(column, 'a text array', item));
  return out;
}

/** A number array (float8[]). */
export function numbers(r: Row, column: string): number[] {
  const v = r[column];
  if (!Array.isArray(v)) return wrong(column, 'a number array', v);
  const out: number[] = [];
  for (const item of v) out.push(asNumber(item) ?? wrong(column, 'a number array', item));
  return out;
}

const isOneOf = <T extends string>(values: readonly T[], v: string): v is T => {
  const allowed: readonly string[] = values;
  return allowed.includes(v);
};

/** A text column holding one of a fixed set of values (a status, a role). */
export function oneOf<T extends string>(r: Row, column: string, values: readonly T[]): T {
  const v = str(r, column);
  return isOneOf(values, v) ? v : wrong(column, `one of ${values.join(', ')}`, v);
}

export function oneOfOrNull<T extends string>(r: Row, column: string, values: readonly T[]): T | null {
  return r[column] == null ? null : oneOf(r, column, values);
}

/** Every element of a text array column, each one of a fixed set. */
export function someOf<T extends string>(r: Row, column: string, values: readonly T[]): T[] {
  return strings(r, column).map((v) =>
    isOneOf(values, v) ? v : wrong(column, `one of ${values.join(', ')}`, v),
  );
}

/** A json/jsonb value as the database gave it back (already parsed). */
export function json(r: Row, column: string): unknown {
  return r[column] ?? null;
}

/**
 * A json/jsonb value this service wrote itself from a value of type T (a result, a stored answer). It is
 * trusted, not parsed again: rows written under an older contract must still read, and parsing every
 * result on every read would cost more than it guards.
 */
export function stored<T>(r: Row, column: string): T {
  const v = r[column];
  if (v == null) return wrong(column, 'a stored value', v);
  return v as T;
}
