// Idempotency-Keys of intake requests: the request's fingerprint and, once answered, the answer to replay.
import type { Queryable } from './database.ts';
import { json, numOrNull, str } from './rows.ts';

export interface IdempotencyRecord {
  requestHash: string;
  /** Null while the first request is still running (or died). */
  statusCode: number | null;
  response: unknown;
}

export class IdempotencyKeysRepository {
  constructor(private readonly db: Queryable) {}

  /** True when the key was free and is now this request's. */
  async reserve(principalId: string, key: string, requestHash: string): Promise<boolean> {
    const inserted = await this.db.query(
      `insert into idempotency_keys (api_key_id, key, request_hash) values ($1, $2, $3)
       on conflict do nothing returning key`,
      [principalId, key, requestHash],
    );
    return inserted.length > 0;
  }

  async find(principalId: string, key: string): Promise<IdempotencyRecord | undefined> {
    const [row] = await this.db.query(
      'select request_hash, status_code, response from idempotency_keys where api_key_id = $1 and key = $2',
      [principalId, key],
    );
    return (
      row && {
        requestHash: str(row, 'request_hash'),
        statusCode: numOrNull(row, 'status_code'),
        response: json(row, 'response'),
      }
    );
  }

  /** Frees a key still unanswered after `seconds` (by the database's clock); true when it did. */
  async freeAbandoned(principalId: string, key: string, seconds: number): Promise<boolean> {
    const freed = await this.db.query(
      `delete from idempotency_keys where api_key_id = $1 and key = $2 and status_code is null
         and created_at < now() - make_interval(secs => $3) returning key`,
      [principalId, key, seconds],
    );
    return freed.length > 0;
  }

  async complete(principalId: string, key: string, statusCode: number, response: unknown): Promise<void> {
    await this.db.query(
      'update idempotency_keys set status_code = $3, response = $4 where api_key_id = $1 and key = $2',
      [principalId, key, statusCode, JSON.stringify(response)],
    );
  }

  /** Frees a key whose request has no answer yet. */
  async release(principalId: string, key: string): Promise<void> {
    await this.db.query(
      'delete from idempotency_keys where api_key_id = $1 and key = $2 and status_code is null',
      [principalId, key],
    );
  }

  /** Forgets keys older than a day; returns how many. */
  async trimOlderThanADay(): Promise<number> {
    const rows = await this.db.query(
      `delete from idempotency_keys where created_at < now() - interval '24 hours' returning key`,
    );
    return rows.length;
  }
}
