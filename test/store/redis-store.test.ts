import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecentAlert } from '../../src/domain.js';
import { createRedisStore } from '../../src/store/redis-store.js';
import { storeContract } from '../contract/store.contract.js';
import { testPrefix, testRedis, testRedisUrl } from '../support/redis.js';

// The slot function ioredis itself routes cluster commands with (resolved from ioredis, whose
// dependency it is, so the test does not depend on how npm hoisted it).
const requireFromIoredis = createRequire(createRequire(import.meta.url).resolve('ioredis'));
const calculateSlot = requireFromIoredis('cluster-key-slot') as (key: string) => number;

/** Deletes every key under `prefix` (SCAN + DEL; never FLUSH a shared server). */
async function deleteKeys(client: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await client.del(...keys);
  } while (cursor !== '0');
}

async function countKeys(client: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let count = 0;
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    count += keys.length;
  } while (cursor !== '0');
  return count;
}

interface WireCommand {
  args: string[];
  source: string;
}

/**
 * Records, with a MONITOR connection, every command the server received from `client`'s
 * connection while `action` ran, plus the commands scripts ran (source `lua`). Start and end are
 * marked with ECHOs from `client`, so nothing depends on timing.
 */
async function onTheWire(client: Redis, action: () => Promise<void>): Promise<{ fromClient: WireCommand[]; fromScripts: WireCommand[] }> {
  const info = String(await client.client('INFO'));
  const addr = /\baddr=(\S+)/.exec(info)?.[1];
  if (!addr) throw new Error(`no addr in CLIENT INFO: ${info}`);
  const start = `start-${randomUUID()}`;
  const end = `end-${randomUUID()}`;
  const base = testRedis();
  const monitor = await base.monitor();
  try {
    const seen: WireCommand[] = [];
    let recording = false;
    let started!: () => void;
    let ended!: () => void;
    const startedP = new Promise<void>((resolve) => (started = resolve));
    const endedP = new Promise<void>((resolve) => (ended = resolve));
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      const [name, arg] = args;
      if (source === addr && name?.toLowerCase() === 'echo' && arg === start) {
        recording = true;
        started();
      } else if (source === addr && name?.toLowerCase() === 'echo' && arg === end) {
        recording = false;
        ended();
      } else if (recording) {
        seen.push({ args, source });
      }
    });
    await client.echo(start);
    await startedP;
    await action();
    await client.echo(end);
    await endedP;
    return {
      fromClient: seen.filter((c) => c.source === addr),
      fromScripts: seen.filter((c) => c.source === 'lua'),
    };
  } finally {
    monitor.disconnect();
    base.disconnect();
  }
}

function alert(n: number): RecentAlert {
  return {
    title: `Story ${n}`,
    url: undefined,
    source: 'Example',
    sourceId: 'example',
    published: undefined,
    topics: ['crypto'],
    alertedAt: new Date(n * 1000).toISOString(),
    channels: ['console:main'],
  };
}

const url = testRedisUrl();

if (url === '') {
  console.warn('[redis-store.test] no test Redis (install redis-server or set REDIS_URL): Redis store tests skipped');
  describe.skip('redis store — skipped: no test Redis (install redis-server or set REDIS_URL; under CI=true the run fails instead)', () => {
    it('needs a Redis server', () => {});
  });
} else {
  let shared: Redis;
  beforeAll(() => {
    shared = testRedis();
  });
  afterAll(async () => {
    await shared.quit();
  });

  storeContract('redis store', async (clock) => {
    const prefix = testPrefix('store-contract');
    const store = createRedisStore(shared, { prefix, now: clock.now });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await deleteKeys(shared, prefix);
      },
    };
  });

  describe('redis store on the wire', () => {
    it('claims 200 keys in exactly one command, the first time (EVAL) and after (EVALSHA)', async () => {
      const client = testRedis();
      const prefix = testPrefix('store-wire');
      try {
        const store = createRedisStore(client, { prefix });
        await client.ping();
        const keys = Array.from({ length: 200 }, (_, i) => `https://example.com/item/${i}`);
        const opts = { ttlMs: 60_000, maxKeys: 1000 };

        const first = await onTheWire(client, async () => {
          expect((await store.claim('feed-1', keys, opts)).fresh).toHaveLength(200);
        });
        expect(first.fromClient.map((c) => c.args[0]?.toLowerCase())).toHaveLength(1);
        expect(['eval', 'evalsha']).toContain(first.fromClient[0]?.args[0]?.toLowerCase());

        const second = await onTheWire(client, async () => {
          expect(await store.claim('feed-1', [...keys, 'new'], opts)).toEqual({ fresh: ['new'], firstPoll: false });
        });
        expect(second.fromClient.map((c) => c.args[0]?.toLowerCase())).toEqual(['evalsha']);
      } finally {
        await deleteKeys(client, prefix);
        await client.quit();
      }
    });

    it('touches only keys of one cluster slot in a claim, and the outbox keys share one slot', async () => {
      const client = testRedis();
      const prefix = testPrefix('store-slot');
      try {
        const store = createRedisStore(client, { prefix });
        const sourceId = 'feeds:hn';
        await store.claim(sourceId, ['warm-up'], { ttlMs: 60_000, maxKeys: 2 });

        const claim = await onTheWire(client, async () => {
          await store.claim(sourceId, ['a', 'b', 'c'], { ttlMs: 60_000, maxKeys: 2 });
        });
        const [script] = claim.fromClient;
        expect(script?.args[0]?.toLowerCase()).toBe('evalsha');
        const numKeys = Number(script?.args[2]);
        const declared = script?.args.slice(3, 3 + numKeys) ?? [];
        expect(declared).toEqual([`${prefix}src:{${sourceId}}:seen`, `${prefix}src:{${sourceId}}:seeded`]);
        // Every key the script itself touched (MONITOR shows script commands with source `lua`).
        const touched = claim.fromScripts.map((c) => c.args[1] ?? '').filter((key) => key.startsWith(prefix));
        expect(touched.length).toBeGreaterThan(5);
        const slots = new Set([...declared, ...touched].map(calculateSlot));
        expect(slots.size).toBe(1);
        expect([...slots]).toEqual([calculateSlot(sourceId)]);

        const outbox = await onTheWire(client, async () => {
          const delivery = {
            alert: {
              id: 'x1',
              channel: 'slack:C1',
              title: 't',
              url: undefined,
              source: 's',
              sourceId: 's',
              published: undefined,
              topics: [],
              matched: [],
              summary: '',
            },
            attempts: 0,
            notBefore: 1,
          };
          await store.enqueueDeliveries([delivery]);
          await store.rescheduleDelivery({ ...delivery, attempts: 1, notBefore: 2 });
          await store.dueDeliveries(10, 10);
          await store.ackDelivery('x1');
        });
        const outboxKeys = [
          ...outbox.fromClient.filter((c) => !['multi', 'exec', 'evalsha', 'eval'].includes(c.args[0]?.toLowerCase() ?? '')).map((c) => c.args[1] ?? ''),
          ...outbox.fromScripts.map((c) => c.args[1] ?? ''),
        ];
        expect(new Set(outboxKeys)).toEqual(new Set([`${prefix}{outbox}`, `${prefix}{outbox}:due`]));
        expect(new Set(outboxKeys.map(calculateSlot)).size).toBe(1);
      } finally {
        await deleteKeys(client, prefix);
        await client.quit();
      }
    });
  });

  describe('redis store specifics', () => {
    it('keeps the claim memory bounded on the server and lets it expire', async () => {
      const prefix = testPrefix('store-bound');
      try {
        const store = createRedisStore(shared, { prefix });
        await store.claim('feed', Array.from({ length: 50 }, (_, i) => `k${i}`), { ttlMs: 30_000, maxKeys: 20 });
        expect(await shared.zcard(`${prefix}src:{feed}:seen`)).toBe(20);
        const pttl = await shared.pttl(`${prefix}src:{feed}:seen`);
        expect(pttl).toBeGreaterThan(0);
        expect(pttl).toBeLessThanOrEqual(30_000);
      } finally {
        await deleteKeys(shared, prefix);
      }
    });

    it('trims the recent-alert list on the server to the configured limit', async () => {
      const prefix = testPrefix('store-recent');
      try {
        const store = createRedisStore(shared, { prefix, recentAlerts: 3 });
        await store.addRecentAlerts([alert(1), alert(2)]);
        await store.addRecentAlerts([alert(3), alert(4), alert(5)]);
        expect(await shared.llen(`${prefix}recent`)).toBe(3);
        expect((await store.recentAlerts(10)).map((a) => a.title)).toEqual(['Story 5', 'Story 4', 'Story 3']);

        const none = createRedisStore(shared, { prefix: `${prefix}none:`, recentAlerts: 0 });
        await none.addRecentAlerts([alert(1)]);
        expect(await none.recentAlerts(10)).toEqual([]);
        expect(await shared.exists(`${prefix}none:recent`)).toBe(0);
      } finally {
        await deleteKeys(shared, prefix);
      }
    });

    it('writes every key under its prefix only', async () => {
      const prefix = testPrefix('store-prefix');
      const other = testPrefix('store-prefix');
      try {
        const store = createRedisStore(shared, { prefix });
        await store.claim('feed', ['k'], { ttlMs: 60_000, maxKeys: 10 });
        await store.setFetchState('feed', { health: 'ok', nextAttemptAt: undefined, etag: 'e', lastModified: undefined, bodyHash: undefined, failures: 0, lastError: undefined, lastFetchAt: undefined, lastNewAt: undefined });
        await store.addWatchTerms('slack:C1', ['nvidia']);
        await store.addRecentAlerts([alert(1)]);
        expect(await countKeys(shared, prefix)).toBe(5);
        const neighbour = createRedisStore(shared, { prefix: other });
        expect(await neighbour.claim('feed', ['k'], { ttlMs: 60_000, maxKeys: 10 })).toEqual({ fresh: ['k'], firstPoll: true });
        expect(await neighbour.getWatchTerms('slack:C1')).toEqual([]);
      } finally {
        await deleteKeys(shared, prefix);
        await deleteKeys(shared, other);
      }
    });

    it('lets Redis errors through instead of swallowing them', async () => {
      const prefix = testPrefix('store-errors');
      try {
        const store = createRedisStore(shared, { prefix });
        await shared.set(`${prefix}src:{feed}:seen`, 'not a sorted set');
        await expect(store.claim('feed', ['k'], { ttlMs: 60_000, maxKeys: 10 })).rejects.toThrow(/WRONGTYPE/);
        await shared.set(`${prefix}recent`, 'not a list');
        await expect(store.addRecentAlerts([alert(1)])).rejects.toThrow(/WRONGTYPE/);
        await shared.set(`${prefix}{outbox}:due`, 'not a sorted set');
        await expect(store.ackDelivery('x')).rejects.toThrow(/WRONGTYPE/);
      } finally {
        await deleteKeys(shared, prefix);
      }
    });

    it('refuses a negative recent-alert limit', () => {
      expect(() => createRedisStore(shared, { prefix: 'unused:', recentAlerts: -1 })).toThrow(RangeError);
    });
  });

  describe('redis store client ownership', () => {
    it('does not close a client it was handed', async () => {
      const client = testRedis();
      try {
        const store = createRedisStore(client, { prefix: testPrefix('store-own'), ownsClient: false });
        await store.ping();
        await store.close();
        expect(client.status).toBe('ready');
        expect(await client.ping()).toBe('PONG');
      } finally {
        await client.quit();
      }
    });

    it('closes a client it owns, once', async () => {
      const client = testRedis();
      const store = createRedisStore(client, { prefix: testPrefix('store-own'), ownsClient: true });
      await store.ping();
      const ended = once(client, 'end');
      await store.close();
      await store.close();
      await ended;
      expect(client.status).toBe('end');
      await expect(store.ping()).rejects.toThrow();
    });
  });
}
