// Scores extracted fields against ground truth, the same way for the golden tests and the accuracy bench.
import { Decimal } from 'decimal.js';
import { type FieldKind, fieldSpec, isFieldName } from '../contract/fields.ts';
import type { Fields, LineItem } from '../contract/result.ts';

export interface FieldScore {
  field: string;
  expected: string;
  got: string | null;
  ok: boolean;
}

/** The kind of a header field (the catalogue's) or of a line-item cell. */
function kindOf(field: string): FieldKind {
  if (isFieldName(field)) return fieldSpec(field).kind;
  return ['quantity', 'unitPrice', 'amount'].includes(field) ? 'amount' : 'name';
}

/** Case, accents, punctuation and spacing do not make a value wrong; anything else does. */
export function foldText(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

export function sameValue(field: string, expected: string, got: string | null | undefined): boolean {
  if (got == null) return false;
  const kind = kindOf(field);
  if (kind === 'amount') {
    try {
      return new Decimal(expected).equals(new Decimal(got));
    } catch {
      return false;
    }
  }
  if (kind === 'taxId' || kind === 'reference' || kind === 'bankAccount')
    return (
      expected.replace(/[^\p{L}\p{N}]/gu, '').toUpperCase() ===
      got.replace(/[^\p{L}\p{N}]/gu, '').toUpperCase()
    );
  return foldText(expected) === foldText(got);
}

export function scoreFields(expected: Record<string, string | null | undefined>, got: Fields): FieldScore[] {
  return Object.entries(expected)
    .filter((e): e is [string, string] => typeof e[1] === 'string')
    .map(([field, value]) => {
      const found = got[field as keyof Fields]?.value ?? null;
      return { field, expected: value, got: found, ok: sameValue(field, value, found) };
    });
}

type ExpectedLine = Pick<LineItem, 'description' | 'quantity' | 'unitPrice' | 'amount'>;

/** One score per expected line and column, lines matched in order. */
export function scoreLineItems(expected: readonly ExpectedLine[], got: readonly LineItem[]): FieldScore[] {
  const scores: FieldScore[] = [];
  expected.forEach((line, i) => {
    const found = got[i];
    for (const key of ['description', 'quantity', 'unitPrice', 'amount'] as const) {
      const want = line[key];
      if (want == null) continue;
      const have = found?.[key] ?? null;
      scores.push({
        field: `lineItems[${i}].${key}`,
        expected: want,
        got: have,
        ok: sameValue(key, want, have),
      });
    }
  });
  return scores;
}
