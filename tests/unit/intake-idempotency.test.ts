// Idempotency-Keys at intake, with the keys' table faked in memory: the first request reserves the key, a
// retry of it gets its answer, another request with that key is refused, and a first request that died
// long ago gives its key up.
import { describe, expect, it } from 'vitest';
import { IntakeService } from '../../src/services/intake.ts';
import type { IdempotencyKeysRepository } from '../../src/storage/idempotency-keys.repository.ts';

interface Stored {
  requestHash: string;
  statusCode: number | null;
  response: unknown;
  ageSeconds: number;
}

function fakeKeys(): Pick<IdempotencyKeysRepository, keyof IdempotencyKeysRepository> & {
  rows: Map<string, Stored>;
} {
  const rows = new Map<string, Stored>();
  const id = (principal: string, key: string) => `${principal}|${key}`;
  return {
    rows,
    async reserve(principal, key, requestHash) {
      if (rows.has(id(principal, key))) return false;
      rows.set(id(principal, key), { requestHash, statusCode: null, response: null, ageSeconds: 0 });
      return true;
    },
    async find(principal, key) {
      return rows.get(id(principal, key));
    },
    async freeAbandoned(principal, key, seconds) {
      const row = rows.get(id(principal, key));
      if (!row || row.statusCode !== null || row.ageSeconds <= seconds) return false;
      return rows.delete(id(principal, key));
    },
    async complete(principal, key, statusCode, response) {
      const row = rows.get(id(principal, key));
      if (row) Object.assign(row, { statusCode, response });
    },
    async release(principal, key) {
      if (rows.get(id(principal, key))?.statusCode === null) rows.delete(id(principal, key));
    },
    async trimOlderThanADay() {
      return 0;
    },
  };
}

function intakeWith(keys: ReturnType<typeof fakeKeys>): IntakeService {
  const unused = async () => {
    throw new Error('not part of this test');
  };
  return new IntakeService(keys, { create: unused }, { put: unused }, unused, { maxBytes: 1000 });
}

describe('Idempotency-Key reservations', () => {
  it('reserves a new key, replays the stored answer to a retry and refuses another request', async () => {
    const keys = fakeKeys();
    const intake = intakeWith(keys);
    expect(await intake.reserve('key_a', 'k1', 'hash-1')).toBe('reserved');
    expect(await intake.reserve('key_a', 'k1', 'hash-1')).toBe('in_progress');
    await intake.complete('key_a', 'k1', 202, { documents: [] });
    expect(await intake.reserve('key_a', 'k1', 'hash-1')).toEqual({
      statusCode: 202,
      response: { documents: [] },
    });
    expect(await intake.reserve('key_a', 'k1', 'hash-2')).toBe('conflict');
    // The same key of another sender is another key.
    expect(await intake.reserve('key_b', 'k1', 'hash-2')).toBe('reserved');
  });

  it('takes over a key whose first request never answered, once it is old enough', async () => {
    const keys = fakeKeys();
    const intake = intakeWith(keys);
    expect(await intake.reserve('key_a', 'k2', 'hash-1')).toBe('reserved');
    expect(await intake.reserve('key_a', 'k2', 'hash-1')).toBe('in_progress');
    const row = keys.rows.get('key_a|k2');
    if (row) row.ageSeconds = 3600;
    expect(await intake.reserve('key_a', 'k2', 'hash-1')).toBe('reserved');
  });

  it('frees a refused request’s key so the sender can retry it', async () => {
    const keys = fakeKeys();
    const intake = intakeWith(keys);
    expect(await intake.reserve('key_a', 'k3', 'hash-1')).toBe('reserved');
    await intake.release('key_a', 'k3');
    expect(await intake.reserve('key_a', 'k3', 'hash-1')).toBe('reserved');
  });
});
