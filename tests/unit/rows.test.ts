// Rows are read once at the repository door: each column is checked, and a row that does not match its
// schema fails with the column's name instead of travelling on as the wrong type.
import { describe, expect, it } from 'vitest';
import { date, num, numOrNull, oneOf, someOf, stored, str, strOrNull } from '../../src/storage/rows.ts';

describe('row readers', () => {
  const at = new Date('2026-01-05T09:00:00Z');
  const row = {
    id: 'doc_1',
    vendor: null,
    size: 1234,
    total: '10.50',
    at,
    status: 'approved',
    events: ['document.approved'],
    result: { route: 'auto' },
  };

  it('reads each column as its type', () => {
    expect(str(row, 'id')).toBe('doc_1');
    expect(strOrNull(row, 'vendor')).toBeNull();
    expect(num(row, 'size')).toBe(1234);
    expect(num(row, 'total')).toBe(10.5);
    expect(numOrNull(row, 'vendor')).toBeNull();
    expect(date(row, 'at')).toBe(at);
    expect(oneOf(row, 'status', ['approved', 'rejected'] as const)).toBe('approved');
    expect(someOf(row, 'events', ['document.approved'] as const)).toEqual(['document.approved']);
    expect(stored<{ route: string }>(row, 'result').route).toBe('auto');
  });

  it('names the column when a value is not what the schema says', () => {
    expect(() => str(row, 'size')).toThrow('column size: expected text, got number');
    expect(() => date(row, 'id')).toThrow(/column id: expected a timestamp/);
    expect(() => num(row, 'id')).toThrow(/column id: expected a number/);
    expect(() => oneOf(row, 'status', ['received'] as const)).toThrow(
      /column status: expected one of received/,
    );
    expect(() => str(row, 'missing')).toThrow(/column missing/);
  });
});
