// The Store contract: one suite, run against every implementation (memory and Redis), so the
// embedded default and production behave the same.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PendingDelivery, RecentAlert } from '../../src/domain.js';
import { emptyFetchState, STORE_DEFAULTS, type ClaimOptions, type Store } from '../../src/store/store.js';

/** A fake clock the suite moves by hand; epoch ms. */
export interface ContractClock {
  now: () => number;
}

/** Builds a fresh, empty store on the given clock, and a way to remove everything it created. */
export type MakeStore = (clock: ContractClock) => Promise<{ store: Store; cleanup: () => Promise<void> }>;

const T0 = Date.UTC(2025, 0, 1);
const OPTS: ClaimOptions = { ttlMs: 1000, maxKeys: 100 };

function recentAlert(n: number): RecentAlert {
  return {
    title: `Story ${n}`,
    url: n % 2 === 0 ? `https://example.com/${n}` : undefined,
    source: 'Example News',
    sourceId: 'example',
    published: n % 3 === 0 ? undefined : new Date(T0 + n * 1000).toISOString(),
    topics: n % 2 === 0 ? ['ai-chips'] : ['ai-chips', 'crypto'],
    alertedAt: new Date(T0 + n * 1000).toISOString(),
    channels: ['console:main', `slack:C${n}`],
  };
}

function pending(id: string, notBefore: number, attempts = 0): PendingDelivery {
  return {
    alert: {
      id,
      channel: 'slack:C1',
      title: `Alert ${id}`,
      url: `https://example.com/${id}`,
      source: 'Example News',
      sourceId: 'example',
      published: undefined,
      topics: ['crypto'],
      matched: ['bitcoin'],
      summary: 'One line.',
    },
    attempts,
    notBefore,
  };
}

/** Declares `describe(name)` with the whole Store contract, each test on a fresh store from `make`. */
export function storeContract(name: string, make: MakeStore): void {
  describe(name, () => {
    let time = T0;
    let store: Store;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      time = T0;
      ({ store, cleanup } = await make({ now: () => time }));
    });

    afterEach(async () => {
      await cleanup();
    });

    describe('claim', () => {
      it('treats the first claim of a source as a backlog: firstPoll, every key fresh in input order', async () => {
        const result = await store.claim('feed-a', ['k3', 'k1', 'k2'], OPTS);
        expect(result).toEqual({ fresh: ['k3', 'k1', 'k2'], firstPoll: true });
      });

      it('answers only the new keys on later claims, in input order', async () => {
        await store.claim('feed-a', ['k1', 'k2'], OPTS);
        time += 10;
        const result = await store.claim('feed-a', ['k4', 'k1', 'k3', 'k2'], OPTS);
        expect(result).toEqual({ fresh: ['k4', 'k3'], firstPoll: false });
        time += 10;
        expect(await store.claim('feed-a', ['k1', 'k2', 'k3', 'k4'], OPTS)).toEqual({ fresh: [], firstPoll: false });
      });

      it('keeps sources apart: the same key is new in another source', async () => {
        await store.claim('feed-a', ['shared', 'a-only'], OPTS);
        expect(await store.claim('feed-b', ['shared'], OPTS)).toEqual({ fresh: ['shared'], firstPoll: true });
        expect(await store.claim('feed-a', ['shared', 'b-new'], OPTS)).toEqual({ fresh: ['b-new'], firstPoll: false });
      });

      it('reports a key repeated inside one batch once', async () => {
        await store.claim('feed-a', ['seed'], OPTS);
        const result = await store.claim('feed-a', ['dup', 'x', 'dup', 'seed', 'x'], OPTS);
        expect(result).toEqual({ fresh: ['dup', 'x'], firstPoll: false });
      });

      it('does not seed a source on an empty batch, and answers nothing fresh', async () => {
        expect(await store.claim('feed-a', [], OPTS)).toEqual({ fresh: [], firstPoll: true });
        expect(await store.claim('feed-a', ['k1'], OPTS)).toEqual({ fresh: ['k1'], firstPoll: true });
        expect(await store.claim('feed-a', [], OPTS)).toEqual({ fresh: [], firstPoll: false });
      });

      it('forgets a key ttlMs after it was last seen, exactly at the boundary', async () => {
        await store.claim('feed-a', ['x'], OPTS);
        time = T0 + OPTS.ttlMs - 1;
        // Seen again: remembered until T0 + 2 * ttl - 1.
        expect((await store.claim('feed-a', ['x'], OPTS)).fresh).toEqual([]);
        time = T0 + 2 * OPTS.ttlMs - 2;
        expect((await store.claim('feed-a', ['x'], OPTS)).fresh).toEqual([]);
        time += OPTS.ttlMs;
        expect(await store.claim('feed-a', ['x'], OPTS)).toEqual({ fresh: ['x'], firstPoll: false });
      });

      it('keeps a key that stays in the feed while one that left expires', async () => {
        await store.claim('feed-a', ['stays', 'leaves'], OPTS);
        time = T0 + 600;
        await store.claim('feed-a', ['stays'], OPTS);
        time = T0 + OPTS.ttlMs;
        expect(await store.claim('feed-a', ['stays', 'leaves'], OPTS)).toEqual({ fresh: ['leaves'], firstPoll: false });
      });

      it('keeps at most maxKeys per source, forgetting the oldest-seen first', async () => {
        const opts = { ttlMs: 60_000, maxKeys: 3 };
        for (const key of ['a', 'b', 'c', 'd']) {
          await store.claim('feed-a', [key], opts);
          time += 1;
        }
        // 'a' was pushed out by 'd'; b, c, d are still remembered.
        expect((await store.claim('feed-a', ['b', 'c', 'd'], opts)).fresh).toEqual([]);
        time += 1;
        expect((await store.claim('feed-a', ['a'], opts)).fresh).toEqual(['a']);
      });

      it('counts a re-seen key as recently seen when trimming', async () => {
        const opts = { ttlMs: 60_000, maxKeys: 2 };
        await store.claim('feed-a', ['a'], opts);
        time += 1;
        await store.claim('feed-a', ['b'], opts);
        time += 1;
        await store.claim('feed-a', ['a'], opts);
        time += 1;
        await store.claim('feed-a', ['c'], opts);
        time += 1;
        expect((await store.claim('feed-a', ['a', 'c'], opts)).fresh).toEqual([]);
        time += 1;
        expect((await store.claim('feed-a', ['b'], opts)).fresh).toEqual(['b']);
      });

      it('handles a large batch in one claim', async () => {
        const keys = Array.from({ length: 1500 }, (_, i) => `item-${i}`);
        const opts = { ttlMs: 60_000, maxKeys: 5000 };
        expect((await store.claim('feed-a', keys, opts)).fresh).toHaveLength(1500);
        time += 1;
        expect(await store.claim('feed-a', [...keys, 'item-new'], opts)).toEqual({ fresh: ['item-new'], firstPoll: false });
      });

      it('keeps unusual keys and source ids verbatim', async () => {
        const keys = ['https://example.com/a?b=1&c={x}', 'tag:example.com,2025:ü/ß', 'with space', '"quoted"', '{}', ''];
        expect((await store.claim('feed:{weird} id', keys, OPTS)).fresh).toEqual(keys);
        time += 1;
        expect((await store.claim('feed:{weird} id', keys, OPTS)).fresh).toEqual([]);
      });

      it('rejects options that would make memory meaningless', async () => {
        await expect(store.claim('feed-a', ['k'], { ttlMs: 0, maxKeys: 10 })).rejects.toThrow(RangeError);
        await expect(store.claim('feed-a', ['k'], { ttlMs: Number.NaN, maxKeys: 10 })).rejects.toThrow(RangeError);
        await expect(store.claim('feed-a', ['k'], { ttlMs: 1000, maxKeys: 0 })).rejects.toThrow(RangeError);
        await expect(store.claim('feed-a', ['k'], { ttlMs: 1000, maxKeys: 1.5 })).rejects.toThrow(RangeError);
        await expect(store.claim('', ['k'], OPTS)).rejects.toThrow(RangeError);
        // Nothing was remembered by the refused calls.
        expect(await store.claim('feed-a', ['k'], OPTS)).toEqual({ fresh: ['k'], firstPoll: true });
      });
    });

    describe('fetch state', () => {
      it('answers an empty state for an unknown source', async () => {
        expect(await store.getFetchState('never')).toStrictEqual(emptyFetchState());
      });

      it('round-trips a state and replaces it whole', async () => {
        const full = {
          health: 'failing' as const,
          nextAttemptAt: '2025-01-01T00:10:00.000Z',
          etag: 'W/"abc"',
          lastModified: 'Wed, 01 Jan 2025 00:00:00 GMT',
          bodyHash: 'sha256:0f',
          failures: 2,
          lastError: 'HTTP 503',
          lastFetchAt: '2025-01-01T00:00:00.000Z',
          lastNewAt: '2024-12-31T23:00:00.000Z',
        };
        await store.setFetchState('feed-a', full);
        expect(await store.getFetchState('feed-a')).toStrictEqual(full);

        const partial = { ...emptyFetchState(), etag: '"v2"', lastFetchAt: '2025-01-01T00:05:00.000Z' };
        await store.setFetchState('feed-a', partial);
        expect(await store.getFetchState('feed-a')).toStrictEqual(partial);
      });

      it('does not share the stored state with the caller', async () => {
        const state = { ...emptyFetchState(), failures: 1 };
        await store.setFetchState('feed-a', state);
        state.failures = 99;
        const read = await store.getFetchState('feed-a');
        read.failures = 42;
        expect((await store.getFetchState('feed-a')).failures).toBe(1);
      });

      it('keeps sources apart', async () => {
        await store.setFetchState('feed-a', { ...emptyFetchState(), etag: 'a' });
        await store.setFetchState('feed-b', { ...emptyFetchState(), etag: 'b' });
        expect((await store.getFetchState('feed-a')).etag).toBe('a');
        expect((await store.getFetchState('feed-b')).etag).toBe('b');
      });
    });

    describe('watch terms', () => {
      const channel = 'slack:C1';

      it('answers no terms for an unknown channel', async () => {
        expect(await store.getWatchTerms(channel)).toEqual([]);
      });

      it('adds terms in order and answers only those that were not there yet', async () => {
        expect(await store.addWatchTerms(channel, ['nvidia', 'stargate project'])).toEqual(['nvidia', 'stargate project']);
        expect(await store.addWatchTerms(channel, ['tsmc', 'nvidia', 'tsmc', 'hbm'])).toEqual(['tsmc', 'hbm']);
        expect(await store.addWatchTerms(channel, [])).toEqual([]);
        expect(await store.getWatchTerms(channel)).toEqual(['nvidia', 'stargate project', 'tsmc', 'hbm']);
      });

      it('removes a term, answering whether it was there; a term added again goes last', async () => {
        await store.addWatchTerms(channel, ['a', 'b', 'c']);
        expect(await store.removeWatchTerm(channel, 'a')).toBe(true);
        expect(await store.removeWatchTerm(channel, 'a')).toBe(false);
        expect(await store.removeWatchTerm(channel, 'never')).toBe(false);
        expect(await store.getWatchTerms(channel)).toEqual(['b', 'c']);
        expect(await store.addWatchTerms(channel, ['a'])).toEqual(['a']);
        expect(await store.getWatchTerms(channel)).toEqual(['b', 'c', 'a']);
      });

      it('starts over cleanly once every term was removed', async () => {
        await store.addWatchTerms(channel, ['x', 'y']);
        await store.removeWatchTerm(channel, 'x');
        await store.removeWatchTerm(channel, 'y');
        expect(await store.getWatchTerms(channel)).toEqual([]);
        await store.addWatchTerms(channel, ['z', 'x']);
        expect(await store.getWatchTerms(channel)).toEqual(['z', 'x']);
      });

      it('keeps channels apart', async () => {
        await store.addWatchTerms('slack:C1', ['nvidia']);
        expect(await store.addWatchTerms('discord:123', ['nvidia', 'amd'])).toEqual(['nvidia', 'amd']);
        expect(await store.removeWatchTerm('slack:C1', 'amd')).toBe(false);
        expect(await store.getWatchTerms('slack:C1')).toEqual(['nvidia']);
        expect(await store.getWatchTerms('discord:123')).toEqual(['nvidia', 'amd']);
      });
    });

    describe('recent alerts', () => {
      it('answers nothing before any alert', async () => {
        expect(await store.recentAlerts(10)).toEqual([]);
      });

      it('answers the newest first (the last of a batch is the newest), at most limit', async () => {
        await store.addRecentAlerts([recentAlert(1), recentAlert(2)]);
        await store.addRecentAlerts([]);
        await store.addRecentAlerts([recentAlert(3), recentAlert(4)]);
        expect(await store.recentAlerts(10)).toEqual([recentAlert(4), recentAlert(3), recentAlert(2), recentAlert(1)]);
        expect(await store.recentAlerts(2)).toEqual([recentAlert(4), recentAlert(3)]);
        expect(await store.recentAlerts(0)).toEqual([]);
      });

      it(`keeps only the newest ${STORE_DEFAULTS.recentAlerts} by default`, async () => {
        const total = STORE_DEFAULTS.recentAlerts + 10;
        const all = Array.from({ length: total }, (_, i) => recentAlert(i + 1));
        await store.addRecentAlerts(all.slice(0, 300));
        await store.addRecentAlerts(all.slice(300));
        const kept = await store.recentAlerts(total * 2);
        expect(kept).toHaveLength(STORE_DEFAULTS.recentAlerts);
        expect(kept[0]).toEqual(recentAlert(total));
        expect(kept.at(-1)).toEqual(recentAlert(11));
      });
    });

    describe('outbox', () => {
      it('starts empty', async () => {
        expect(await store.outboxSize()).toBe(0);
        expect(await store.dueDeliveries(T0 + 1e9, 10)).toEqual([]);
      });

      it('enqueues idempotently by alert id: an entry already there is left as it is', async () => {
        await store.enqueueDeliveries([pending('a1', T0), pending('a2', T0 + 5)]);
        await store.enqueueDeliveries([]);
        await store.enqueueDeliveries([pending('a1', T0 + 999, 3), pending('a3', T0 + 1)]);
        expect(await store.outboxSize()).toBe(3);
        expect(await store.dueDeliveries(T0 + 10, 10)).toEqual([pending('a1', T0), pending('a3', T0 + 1), pending('a2', T0 + 5)]);
      });

      it('keeps the first of two entries with the same id in one batch', async () => {
        await store.enqueueDeliveries([pending('a1', T0, 0), pending('a1', T0 + 50, 7)]);
        expect(await store.outboxSize()).toBe(1);
        expect(await store.dueDeliveries(T0, 10)).toEqual([pending('a1', T0, 0)]);
      });

      it('answers only entries due (notBefore ≤ now), oldest first, at most limit', async () => {
        await store.enqueueDeliveries([pending('late', T0 + 100), pending('early', T0), pending('mid', T0 + 50)]);
        expect(await store.dueDeliveries(T0 - 1, 10)).toEqual([]);
        expect((await store.dueDeliveries(T0 + 50, 10)).map((d) => d.alert.id)).toEqual(['early', 'mid']);
        expect((await store.dueDeliveries(T0 + 100, 2)).map((d) => d.alert.id)).toEqual(['early', 'mid']);
        expect(await store.dueDeliveries(T0 + 100, 0)).toEqual([]);
        // Reading is not taking: the entries stay until acknowledged.
        expect(await store.outboxSize()).toBe(3);
      });

      it('reschedules an entry: new attempts and notBefore', async () => {
        await store.enqueueDeliveries([pending('a1', T0), pending('a2', T0 + 10)]);
        await store.rescheduleDelivery(pending('a1', T0 + 500, 1));
        expect((await store.dueDeliveries(T0 + 10, 10)).map((d) => d.alert.id)).toEqual(['a2']);
        expect(await store.dueDeliveries(T0 + 500, 10)).toEqual([pending('a2', T0 + 10), pending('a1', T0 + 500, 1)]);
        expect(await store.outboxSize()).toBe(2);
      });

      it('never resurrects an acknowledged entry by rescheduling it', async () => {
        await store.enqueueDeliveries([pending('a1', T0)]);
        await store.ackDelivery('a1');
        await store.rescheduleDelivery(pending('a1', T0 + 500, 1));
        expect(await store.outboxSize()).toBe(0);
        expect(await store.dueDeliveries(T0 + 1e9, 10)).toEqual([]);
      });

      it('removes an acknowledged entry; acknowledging an unknown id is harmless', async () => {
        await store.enqueueDeliveries([pending('a1', T0), pending('a2', T0)]);
        await store.ackDelivery('a1');
        await store.ackDelivery('unknown');
        expect(await store.outboxSize()).toBe(1);
        expect(await store.dueDeliveries(T0, 10)).toEqual([pending('a2', T0)]);
        // Once acknowledged, the same id can be enqueued again.
        await store.enqueueDeliveries([pending('a1', T0 + 1, 0)]);
        expect((await store.dueDeliveries(T0 + 1, 10)).map((d) => d.alert.id)).toEqual(['a2', 'a1']);
      });
    });

    describe('lifecycle', () => {
      it('answers ping', async () => {
        await expect(store.ping()).resolves.toBeUndefined();
      });
    });
  });
}
