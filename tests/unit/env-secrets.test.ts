// Start-up messages name the bad variable but never print a password it holds.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadEnv, withoutPassword } from '../../src/config/env.ts';

describe('configuration errors keep secrets out', () => {
  it('masks the password of a URL', () => {
    expect(withoutPassword('postgres://app:s3cret@db:5432/retaguarda')).toBe(
      'postgres://app:***@db:5432/retaguarda',
    );
    expect(withoutPassword('redis://:s3cret@cache:6379')).toBe('redis://:***@cache:6379');
    expect(withoutPassword('redis://cache:6379')).toBe('redis://cache:6379');
  });

  it('names a bad DATABASE_URL without printing its password', () => {
    let message = '';
    try {
      loadEnv({ DATABASE_URL: 'mysql://app:s3cret@db/retaguarda' });
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      message = (e as Error).message;
    }
    expect(message).toContain('DATABASE_URL');
    expect(message).not.toContain('s3cret');
  });
});
