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

describe('proxy and webhook ranges', () => {
  it('reads TRUST_PROXY as false, true, a hop count or a list of proxies', () => {
    expect(loadEnv({}).TRUST_PROXY).toBe(false);
    expect(loadEnv({ TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(true);
    expect(loadEnv({ TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2);
    expect(loadEnv({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,loopback' }).TRUST_PROXY).toEqual([
      '10.0.0.0/8',
      '127.0.0.1',
      'loopback',
    ]);
    expect(() => loadEnv({ TRUST_PROXY: 'my-proxy' })).toThrow(/TRUST_PROXY="my-proxy": "my-proxy" is not/);
  });

  it('reads WEBHOOK_ALLOW_CIDRS as CIDR ranges and refuses anything else', () => {
    expect(loadEnv({}).WEBHOOK_ALLOW_CIDRS).toEqual([]);
    expect(loadEnv({ WEBHOOK_ALLOW_CIDRS: '10.20.0.0/16,fd12::/64' }).WEBHOOK_ALLOW_CIDRS).toEqual([
      '10.20.0.0/16',
      'fd12::/64',
    ]);
    expect(() => loadEnv({ WEBHOOK_ALLOW_CIDRS: '10.20.0.0' })).toThrow(/WEBHOOK_ALLOW_CIDRS=.*not a CIDR/);
    expect(loadEnv({ WEBHOOK_ALLOW_PRIVATE: 'true' }).WEBHOOK_ALLOW_PRIVATE).toBe(true);
  });
});
