import { createHash, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert, PendingDelivery, RecentAlert } from '../../src/domain.js';
import { CLAIM_KEEP_MS, CLAIM_RECORD_BYTES, createRedisStore } from '../../src/store/redis-store.js';
import { NEWS_TERM_TTL_MS, newsTerms } from '../../src/store/news-index.js';
import { emptyFetchState, STORE_DEFAULTS } from '../../src/store/store.js';
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

function delivery(id: string, notBefore: number, channel = 'slack:C1'): PendingDelivery {
  const alert: Alert = {
    id,
    channel,
    title: `Alert ${id}`,
    url: undefined,
    source: 's',
    sourceId: 's',
    published: undefined,
    topics: [],
    matched: [],
    summary: '',
  };
  return { alert, attempts: 0, notBefore };
}

/** The keys a recorded command touches: the declared keys of a script call, else the first argument. */
function keysOf(commands: WireCommand[]): string[] {
  const keys: string[] = [];
  for (const { args } of commands) {
    const name = args[0]?.toLowerCase() ?? '';
    if (name === 'multi' || name === 'exec') continue;
    if (name === 'eval' || name === 'evalsha') {
      keys.push(...args.slice(3, 3 + Number(args[2])));
    } else if (args[1] !== undefined) {
      keys.push(args[1]);
    }
  }
  return keys;
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
        // GET seeded, TYPE + GET + SET of the claim memory, SET seeded.
        expect(touched.length).toBeGreaterThanOrEqual(5);
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

    it('claims and commits a poll in exactly one command', async () => {
      const client = testRedis();
      const prefix = testPrefix('store-commit-wire');
      try {
        const store = createRedisStore(client, { prefix });
        await store.claim('feed-1', ['old'], { ttlMs: 60_000, maxKeys: 100 });
        const commit = (keys: string[], expected: string[]) => ({
          keys,
          options: { ttlMs: 60_000, maxKeys: 100 },
          expected,
          rulesVersion: 0,
          state: { ...emptyFetchState(), etag: 'e' },
          deliveries: expected.map((k, i) => delivery(`d-${k}`, i)),
          recent: [alert(1)],
          stories: [{ id: 'st', signature: null, firstAt: 1, reports: [] }],
          storyTtlMs: 60_000,
        });
        await store.claimAndCommit('feed-1', commit(['warm', 'old'], ['warm'])); // loads the script
        let committed = false;
        const wire = await onTheWire(client, async () => {
          committed = (await store.claimAndCommit('feed-1', commit(['new', 'warm', 'old'], ['new']))).committed;
        });
        expect(committed).toBe(true);
        expect(wire.fromClient.map((c) => c.args[0]?.toLowerCase())).toEqual(['evalsha']);
        expect(await store.outboxSize()).toBe(2);
      } finally {
        await deleteKeys(client, prefix);
        await client.quit();
      }
    });

    it('sends the claims of one turn of the event loop in one write, each still a command of its own', async () => {
      const client = testRedis();
      const prefix = testPrefix('store-commit-together');
      try {
        const store = createRedisStore(client, { prefix });
        const commit = (keys: string[]) => ({
          keys,
          options: { ttlMs: 60_000, maxKeys: 100 },
          expected: keys.filter((k) => k !== 'old'),
          rulesVersion: 0,
          state: { ...emptyFetchState(), etag: 'e' },
          deliveries: [],
          recent: [],
          stories: [],
          storyTtlMs: 60_000,
        });
        for (const feed of ['feed-1', 'feed-2', 'feed-3']) await store.claim(feed, ['old'], { ttlMs: 60_000, maxKeys: 100 });
        await store.claimAndCommit('feed-1', commit(['old'])); // loads the script
        const socket = client.stream;
        let results: Array<{ fresh: string[]; committed: boolean }> = [];
        const wire = await onTheWire(client, async () => {
          const claims = ['feed-1', 'feed-2', 'feed-3'].map((feed) => store.claimAndCommit(feed, commit([`${feed}-new`, 'old'])));
          // Held in the socket until the turn ends: nothing has been written yet.
          expect(socket.writableCorked).toBe(1);
          expect(socket.writableLength).toBeGreaterThan(0);
          results = await Promise.all(claims);
          expect(socket.writableCorked).toBe(0);
        });
        expect(results.map((r) => [r.fresh, r.committed])).toEqual([
          [['feed-1-new'], true],
          [['feed-2-new'], true],
          [['feed-3-new'], true],
        ]);
        expect(wire.fromClient.map((c) => c.args[0]?.toLowerCase())).toEqual(['evalsha', 'evalsha', 'evalsha']);
        // A claim of a later turn is written in its own.
        const later = store.claimAndCommit('feed-1', commit(['later']));
        expect(socket.writableCorked).toBe(1);
        expect((await later).fresh).toEqual(['later']);
      } finally {
        await deleteKeys(client, prefix);
        await client.quit();
      }
    });

    it('leases in exactly one command that touches only the outbox slot', async () => {
      const client = testRedis();
      const prefix = testPrefix('store-lease-wire');
      try {
        const store = createRedisStore(client, { prefix });
        await store.enqueueDeliveries([delivery('a', 1), delivery('b', 2), delivery('c', 3)]);
        // Warm the script cache so the recorded call is the steady-state EVALSHA.
        await store.leaseDeliveries(0, 10, 1);
        let leased: PendingDelivery[] = [];
        const wire = await onTheWire(client, async () => {
          leased = await store.leaseDeliveries(10, 2, 1000);
        });
        expect(leased.map((d) => d.alert.id)).toEqual(['a', 'b']);
        expect(wire.fromClient.map((c) => c.args[0]?.toLowerCase())).toEqual(['evalsha']);
        const keys = [...keysOf(wire.fromClient), ...keysOf(wire.fromScripts)];
        expect(new Set(keys)).toEqual(new Set([`${prefix}{outbox}`, `${prefix}{outbox}:due`]));
        expect(new Set(keys.map(calculateSlot)).size).toBe(1);
        // The script itself moved the scores (ZADD XX), not a second command from the client.
        expect(wire.fromScripts.some((c) => c.args[0]?.toLowerCase() === 'zadd' && c.args.includes('XX'))).toBe(true);
        expect(await client.zscore(`${prefix}{outbox}:due`, 'a')).toBe('1010');
      } finally {
        await deleteKeys(client, prefix);
        await client.quit();
      }
    });

    it('keeps every multi-key operation in one cluster slot', async () => {
      const client = testRedis();
      const prefix = testPrefix('store-slots');
      try {
        const store = createRedisStore(client, { prefix });
        const channel = 'slack:C{odd}1';
        const alert = delivery('x', 1, channel).alert;
        const operations: Array<[string, () => Promise<unknown>]> = [
          ['holdForDigest', () => store.holdForDigest(channel, [alert, alert])],
          ['heldCount', () => store.heldCount(channel)],
          ['takeDigest', () => store.takeDigest(channel)],
          ['countSent', () => store.countSent(channel, 1000, 60_000, true)],
          ['clearWatchTerms', () => store.clearWatchTerms(channel)],
          ['addChatSource', () => store.addChatSource({ id: 's1', url: 'https://e.com/f', every: '5m', addedIn: channel, addedBy: 'u', addedAt: 'x' })],
          ['listChatSources', () => store.listChatSources()],
          ['removeChatSource', () => store.removeChatSource('s1')],
          ['putStory', () => store.putStory({ id: 'st', signature: null, firstAt: 5, reports: [] }, 60_000)],
          ['recentStories', () => store.recentStories(0)],
          ['recordMessage', () => store.recordMessage('sent:x', 'ref', 60_000)],
        ];
        for (const [name, run] of operations) {
          // Twice: the first call may load the script (EVAL), the second is the steady state.
          await run();
          const wire = await onTheWire(client, async () => {
            await run();
          });
          // The rules version is bumped by its own command after a watch-list write (one key, its own
          // slot), like the known-channels set: every other key of the operation shares one slot.
          const keys = [...keysOf(wire.fromClient), ...keysOf(wire.fromScripts)].filter((key) => key.startsWith(prefix) && key !== `${prefix}rules:version`);
          expect(keys.length, name).toBeGreaterThan(0);
          expect(new Set(keys.map(calculateSlot)).size, `${name}: ${[...new Set(keys)].join(', ')}`).toBe(1);
        }
      } finally {
        await deleteKeys(client, prefix);
        await client.quit();
      }
    });
  });

  describe('redis store leases across connections', () => {
    it('never hands one entry to two workers leasing at the same time on two connections', async () => {
      const prefix = testPrefix('store-lease-race');
      const one = testRedis();
      const two = testRedis();
      try {
        const worker1 = createRedisStore(one, { prefix });
        const worker2 = createRedisStore(two, { prefix });
        const ids = Array.from({ length: 200 }, (_, i) => `d${String(i).padStart(3, '0')}`);
        await worker1.enqueueDeliveries(ids.map((id, i) => delivery(id, i)));
        const taken: string[] = [];
        for (let round = 0; round < 20; round++) {
          const [a, b] = await Promise.all([worker1.leaseDeliveries(1000, 7, 60_000), worker2.leaseDeliveries(1000, 7, 60_000)]);
          taken.push(...a.map((d) => d.alert.id), ...b.map((d) => d.alert.id));
        }
        expect(taken).toHaveLength(200);
        expect(new Set(taken).size).toBe(200);
        expect([...taken].sort()).toEqual(ids);
        // Both leases are over: a third worker (a restarted bot) gets everything back.
        const restarted = createRedisStore(shared, { prefix });
        expect(await restarted.leaseDeliveries(1000 + 60_000, 500, 60_000)).toHaveLength(200);
      } finally {
        await deleteKeys(shared, prefix);
        await one.quit();
        await two.quit();
      }
    });
  });

  describe('redis store specifics', () => {
    it('keeps the claim memory bounded on the server and lets it expire a year after the last claim', async () => {
      const prefix = testPrefix('store-bound');
      try {
        const store = createRedisStore(shared, { prefix });
        await store.claim('feed', Array.from({ length: 50 }, (_, i) => `k${i}`), { ttlMs: 30_000, maxKeys: 20 });
        // 20 records of CLAIM_RECORD_BYTES (8-byte key hash + 6-byte expiry).
        expect(await shared.strlen(`${prefix}src:{feed}:seen`)).toBe(20 * CLAIM_RECORD_BYTES);
        // Memory and seeded marker outlive the ttl by CLAIM_KEEP_MS: a feed unchanged for weeks keeps what it lists.
        for (const key of ['seen', 'seeded']) {
          const pttl = await shared.pttl(`${prefix}src:{feed}:${key}`);
          expect(pttl).toBeGreaterThan(CLAIM_KEEP_MS);
          expect(pttl).toBeLessThanOrEqual(30_000 + CLAIM_KEEP_MS);
        }
      } finally {
        await deleteKeys(shared, prefix);
      }
    });

    it('converts a claim memory of the layout before (a sorted set of raw keys) on its next claim', async () => {
      const prefix = testPrefix('store-convert');
      let time = 1_000_000;
      try {
        const seen = `${prefix}src:{feed}:seen`;
        // As the previous version left it: member = item key, score = expiry epoch ms, oldest-seen first.
        await shared.zadd(seen, time + 500, 'https://example.com/a', time + 1000, 'https://example.com/b', time + 2000, 'https://example.com/c');
        await shared.set(`${prefix}src:{feed}:seeded`, '1');
        const store = createRedisStore(shared, { prefix, now: () => time });
        time += 600; // a has expired
        const keys = ['https://example.com/a', 'https://example.com/b', 'https://example.com/c', 'https://example.com/d'];
        expect(await store.claim('feed', keys, { ttlMs: 10_000, maxKeys: 100 })).toEqual({
          fresh: ['https://example.com/a', 'https://example.com/d'],
          firstPoll: false,
        });
        expect(await shared.type(seen)).toBe('string');
        expect(await shared.strlen(seen)).toBe(4 * CLAIM_RECORD_BYTES);
        expect(await store.claim('feed', keys, { ttlMs: 10_000, maxKeys: 100 })).toEqual({ fresh: [], firstPoll: false });
      } finally {
        await deleteKeys(shared, prefix);
      }
    });

    it('converts a claim memory of 8-bit key hashes (marker "1") on its next claim, and remembers what it held', async () => {
      const prefix = testPrefix('store-convert-8bit');
      const time = 1_000_000;
      try {
        const seen = `${prefix}src:{feed}:seen`;
        // As the version before left it: the first 8 whole bytes of sha1(key), then the expiry as 6 bytes.
        const record = (key: string, expiry: number) => {
          const out = Buffer.alloc(CLAIM_RECORD_BYTES);
          createHash('sha1').update(key).digest().copy(out, 0, 0, 8);
          out.writeUIntBE(expiry, 8, 6);
          return out;
        };
        const keys = Array.from({ length: 12 }, (_, i) => `https://example.com/${i}`);
        // Twelve keys: the chance that none of their 96 hash bytes is 128 or above is 2^-96, so the
        // conversion has something to cut.
        await shared.set(seen, Buffer.concat(keys.map((key) => record(key, time + 5_000))));
        await shared.set(`${prefix}src:{feed}:seeded`, '1');
        const store = createRedisStore(shared, { prefix, now: () => time });
        expect(await store.claim('feed', [...keys, 'https://example.com/new'], { ttlMs: 10_000, maxKeys: 100 })).toEqual({
          fresh: ['https://example.com/new'],
          firstPoll: false,
        });
        const stored = await shared.getBuffer(seen);
        expect(stored?.length).toBe(13 * CLAIM_RECORD_BYTES);
        for (let p = 0; p < (stored?.length ?? 0); p += CLAIM_RECORD_BYTES) {
          expect([...(stored?.subarray(p, p + 8) ?? [])].every((byte) => byte < 128)).toBe(true);
        }
        expect(await shared.get(`${prefix}src:{feed}:seeded`)).toBe('2');
        expect(await store.claim('feed', [...keys, 'https://example.com/new'], { ttlMs: 10_000, maxKeys: 100 })).toEqual({ fresh: [], firstPoll: false });
      } finally {
        await deleteKeys(shared, prefix);
      }
    });

    it('keeps the /news index to the configured limit on the server: alerts, postings, and nothing with limit 0', async () => {
      const prefix = testPrefix('store-recent');
      try {
        const store = createRedisStore(shared, { prefix, recentAlerts: 3 });
        await store.addRecentAlerts([alert(1), alert(2)]);
        await store.addRecentAlerts([alert(3), alert(4), alert(5)]);
        expect(await shared.hlen(`${prefix}{news}:alerts`)).toBe(3);
        expect((await store.recentAlerts(10)).map((a) => a.title)).toEqual(['Story 5', 'Story 4', 'Story 3']);
        expect((await store.searchRecentAlerts(['story'], 10)).map((a) => a.title)).toEqual(['Story 5', 'Story 4', 'Story 3']);
        // A term every alert holds: its postings lose their dead half as they grow, so they stay
        // within twice the limit (plus the 16 entries below which nothing is cut).
        for (let n = 6; n < 200; n++) await store.addRecentAlerts([alert(n)]);
        expect(await shared.strlen(`${prefix}{news}:t:story`)).toBeLessThanOrEqual(4 * Math.max(16, 2 * 3));
        expect(await shared.hlen(`${prefix}{news}:alerts`)).toBe(3);
        expect(await shared.pttl(`${prefix}{news}:t:story`)).toBeGreaterThan(NEWS_TERM_TTL_MS - 60_000);
        expect((await store.searchRecentAlerts(['story'], 10)).map((a) => a.title)).toEqual(['Story 199', 'Story 198', 'Story 197']);

        const none = createRedisStore(shared, { prefix: `${prefix}none:`, recentAlerts: 0 });
        await none.addRecentAlerts([alert(1)]);
        expect(await none.recentAlerts(10)).toEqual([]);
        expect(await none.searchRecentAlerts(['story'], 10)).toEqual([]);
        expect(await countKeys(shared, `${prefix}none:`)).toBe(0);
      } finally {
        await deleteKeys(shared, prefix);
      }
    });

    it('moves the recent-alert list of the layout before into the /news index on the first read', async () => {
      const prefix = testPrefix('store-recent-old');
      try {
        // The layout before: a list of JSON alerts, newest first.
        await shared.lpush(`${prefix}recent`, JSON.stringify(alert(1)), JSON.stringify(alert(2)), JSON.stringify(alert(3)));
        const store = createRedisStore(shared, { prefix });
        expect((await store.searchRecentAlerts(['story'], 10)).map((a) => a.title)).toEqual(['Story 3', 'Story 2', 'Story 1']);
        expect(await shared.exists(`${prefix}recent`)).toBe(0);
        // A second instance finds the list gone and imports nothing twice.
        const other = createRedisStore(shared, { prefix });
        expect((await other.searchRecentAlerts(['story'], 10)).map((a) => a.title)).toEqual(['Story 3', 'Story 2', 'Story 1']);
        expect((await other.searchRecentAlerts(['2'], 10)).map((a) => a.title)).toEqual(['Story 2']);
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
        // claim: seen + seeded; state; watch terms + the known-channels set + the rules version;
        // /news: the sequence, the alerts, one key per term.
        expect(await countKeys(shared, prefix)).toBe(6 + 2 + newsTerms(alert(1)).length);
        const neighbour = createRedisStore(shared, { prefix: other });
        expect(await neighbour.claim('feed', ['k'], { ttlMs: 60_000, maxKeys: 10 })).toEqual({ fresh: ['k'], firstPoll: true });
        expect(await neighbour.getWatchTerms('slack:C1')).toEqual([]);
      } finally {
        await deleteKeys(shared, prefix);
        await deleteKeys(shared, other);
      }
    });

    it('bounds the new collections on the server: counters, records, held alerts and stories', async () => {
      const prefix = testPrefix('store-bounds');
      let time = 1_000_000;
      try {
        const store = createRedisStore(shared, { prefix, now: () => time });
        // Sent counter: trimmed to the window, and expires with it.
        const sentKey = `${prefix}sent:{slack:C1}`;
        for (let i = 0; i < 5; i++) await store.countSent('slack:C1', 1000 + i, 60_000, true);
        expect(await shared.zcard(sentKey)).toBe(5);
        const sentTtl = await shared.pttl(sentKey);
        expect(sentTtl).toBeGreaterThan(0);
        expect(sentTtl).toBeLessThanOrEqual(60_000);
        await store.countSent('slack:C1', 1000 + 60_002, 60_000, true);
        expect(await shared.zcard(sentKey)).toBe(3);

        // Message record: a real expiry as a safety net.
        await store.recordMessage('sent:a1', 'ref', 30_000);
        const msgTtl = await shared.pttl(`${prefix}msg:{sent:a1}`);
        expect(msgTtl).toBeGreaterThan(0);
        expect(msgTtl).toBeLessThanOrEqual(30_000);

        // Held alerts: the list never exceeds the cap.
        const alerts = Array.from({ length: STORE_DEFAULTS.heldPerChannel + 3 }, (_, i) => delivery(`h${i}`, 0).alert);
        await store.holdForDigest('slack:C1', alerts);
        expect(await shared.llen(`${prefix}held:{slack:C1}`)).toBe(STORE_DEFAULTS.heldPerChannel);
        expect(await shared.get(`${prefix}held:{slack:C1}:dropped`)).toBe('3');
        await store.takeDigest('slack:C1');
        expect(await shared.exists(`${prefix}held:{slack:C1}`, `${prefix}held:{slack:C1}:dropped`)).toBe(0);

        // Stories: expired ids are pruned from the hash, both indexes and their reports on the next
        // put; the keys expire.
        await store.putStory({ id: 'old', signature: 1, firstAt: 1, reports: [{ outlet: 'AP', seq: 8, at: 1 }] }, 1000);
        await store.putStory({ id: 'old2', signature: 2, firstAt: 2, reports: [] }, 1000);
        expect(await shared.hgetall(`${prefix}{stories}:r:old`)).toEqual({ AP: '8 1' });
        time += 1000;
        await store.putStory({ id: 'new', signature: 3, firstAt: 3, reports: [{ outlet: 'FT', seq: 8, at: 3 }] }, 5000);
        expect(await shared.exists(`${prefix}{stories}:r:old`)).toBe(0);
        const reportsTtl = await shared.pttl(`${prefix}{stories}:r:new`);
        expect(reportsTtl).toBeGreaterThan(1000);
        expect(reportsTtl).toBeLessThanOrEqual(5000);
        expect(await shared.hkeys(`${prefix}{stories}`)).toEqual(['new']);
        expect(await shared.zrange(`${prefix}{stories}:first`, 0, '-1')).toEqual(['new']);
        expect(await shared.zrange(`${prefix}{stories}:exp`, 0, '-1')).toEqual(['new']);
        for (const key of [`${prefix}{stories}`, `${prefix}{stories}:first`, `${prefix}{stories}:exp`]) {
          const ttl = await shared.pttl(key);
          expect(ttl, key).toBeGreaterThan(1000);
          expect(ttl, key).toBeLessThanOrEqual(5000);
        }
        // A shorter ttl later never shortens the life of the index under a longer-lived story.
        await store.putStory({ id: 'brief', signature: 4, firstAt: 4, reports: [] }, 100);
        expect(await shared.pttl(`${prefix}{stories}`)).toBeGreaterThan(1000);
      } finally {
        await deleteKeys(shared, prefix);
      }
    });

    it('drops an outbox id whose body is gone instead of leasing it', async () => {
      const prefix = testPrefix('store-orphan');
      try {
        const store = createRedisStore(shared, { prefix });
        await store.enqueueDeliveries([delivery('ok', 1)]);
        await shared.zadd(`${prefix}{outbox}:due`, 0, 'orphan');
        expect((await store.leaseDeliveries(10, 10, 1000)).map((d) => d.alert.id)).toEqual(['ok']);
        expect(await shared.zscore(`${prefix}{outbox}:due`, 'orphan')).toBeNull();
      } finally {
        await deleteKeys(shared, prefix);
      }
    });

    it('reads the message records and stories with its own clock, not the server time', async () => {
      const prefix = testPrefix('store-clock');
      // A clock far in the future: the server keeps the keys (real PX), the store treats them as expired.
      let time = Date.UTC(2030, 0, 1);
      try {
        const store = createRedisStore(shared, { prefix, now: () => time });
        await store.recordMessage('k', 'ref', 60_000);
        await store.putStory({ id: 's', signature: null, firstAt: time, reports: [] }, 60_000);
        time += 60_000;
        expect(await shared.exists(`${prefix}msg:{k}`)).toBe(1);
        expect(await store.getMessage('k')).toBeUndefined();
        expect(await store.recentStories(0)).toEqual([]);
      } finally {
        await deleteKeys(shared, prefix);
      }
    });

    it('lets Redis errors through instead of swallowing them', async () => {
      const prefix = testPrefix('store-errors');
      try {
        const store = createRedisStore(shared, { prefix });
        await shared.set(`${prefix}src:{feed}:seen`, 'not a sorted set');
        await expect(store.claim('feed', ['k'], { ttlMs: 60_000, maxKeys: 10 })).rejects.toThrow(/WRONGTYPE/);
        await shared.set(`${prefix}{news}:alerts`, 'not a hash');
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
