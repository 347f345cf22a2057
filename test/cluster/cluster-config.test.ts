// REDIS_CLUSTER_NODES: parsed into seed nodes, every bad entry named, and never together with REDIS_URL.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const load = (env: NodeJS.ProcessEnv) => loadConfig({ WIREWATCH_CONFIG: undefined, ...env }, { cwd: '/nonexistent-wirewatch-dir' });

describe('REDIS_CLUSTER_NODES', () => {
  it('gives the seed nodes of the cluster client', () => {
    const config = load({ REDIS_CLUSTER_NODES: ' 10.0.0.1:7000, redis-b.internal:7001,[::1]:7002 ' });
    expect(config.redis.clusterNodes).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: 'redis-b.internal', port: 7001 },
      { host: '::1', port: 7002 },
    ]);
    expect(config.redis.url).toBeUndefined();
  });

  it('names every entry that is not host:port', () => {
    try {
      load({ REDIS_CLUSTER_NODES: '10.0.0.1,redis:99999,ok:7000' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems.join('\n');
      expect(problems).toContain('"10.0.0.1" is not host:port');
      expect(problems).toContain('"redis:99999" is not host:port');
    }
  });

  it('is refused together with REDIS_URL', () => {
    expect(() => load({ REDIS_CLUSTER_NODES: '127.0.0.1:7000', REDIS_URL: 'redis://127.0.0.1:6379' })).toThrow(/not both/);
  });

  it('WIREWATCH_DELIVERY_LEASE sets how long a taken delivery stays hidden', () => {
    expect(load({ WIREWATCH_DELIVERY_LEASE: '3s' }).deliveryLeaseMs).toBe(3000);
    expect(load({}).deliveryLeaseMs).toBeUndefined();
    expect(() => load({ WIREWATCH_DELIVERY_LEASE: '500ms' })).toThrow(/WIREWATCH_DELIVERY_LEASE/);
  });
});
