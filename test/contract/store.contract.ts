// The Store contract: one suite, run against every implementation (memory and Redis), so the
// embedded default and production behave the same.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Alert, ChannelSettings, ChatSource, PendingDelivery, RecentAlert } from '../../src/domain.js';
import { WirewatchError } from '../../src/errors.js';
import {
  defaultChannelSettings,
  emptyFetchState,
  STORE_DEFAULTS,
  type ClaimOptions,
  type PollCommit,
  type Store,
  type StoryRecord,
} from '../../src/store/store.js';
import { channelTerm } from '../../src/store/news-index.js';

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

/** A held alert; even numbers carry every optional field, so both shapes round-trip. */
function heldAlert(n: number, channel = 'slack:C1'): Alert {
  const base: Alert = {
    id: `h${n}`,
    channel,
    title: `Held ${n} — “quoted” & <b>`,
    url: n % 2 === 0 ? `https://example.com/h/${n}` : undefined,
    source: 'Example News',
    sourceId: 'example',
    published: n % 3 === 0 ? undefined : new Date(T0 + n).toISOString(),
    topics: n % 2 === 0 ? ['ai-chips'] : [],
    matched: n % 2 === 0 ? ['nvidia', 'topic:ai-chips'] : [],
    summary: `Summary ${n}`,
  };
  if (n % 2 !== 0) return base;
  return { ...base, storyId: `s${n}`, reportedBy: ['Reuters', 'Bloomberg'], highlights: ['$100 billion', '10 GW'], breaking: n % 4 === 0, lang: 'fr' };
}

function chatSource(id: string, n = 0): ChatSource {
  return {
    id,
    url: `https://example.com/feeds/${id}.xml?x=${n}`,
    every: '15m',
    addedIn: 'discord:123',
    addedBy: `user-${n}`,
    addedAt: new Date(T0 + n * 1000).toISOString(),
  };
}

function story(id: string, firstAt: number, outlets: string[] = ['Reuters']): StoryRecord {
  return {
    id,
    signature: { tokens: ['nvidia', 'h200', 'export'], shingles: [1, 2, 3], url: `https://example.com/${id}`, nested: { empty: [], none: null } },
    firstAt,
    reports: outlets.map((outlet, i) => ({ outlet, seq: 8 + i, at: firstAt + i * 1000 })),
  };
}

const HOUR = 3_600_000;

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

      it('forgets a key that left the feed ttlMs after it was last seen, exactly at the boundary', async () => {
        for (const feed of ['feed-a', 'feed-b']) await store.claim(feed, ['x'], OPTS);
        time = T0 + 1;
        // x leaves both feeds.
        for (const feed of ['feed-a', 'feed-b']) expect((await store.claim(feed, ['y'], OPTS)).fresh).toEqual(['y']);
        time = T0 + OPTS.ttlMs - 1;
        expect((await store.claim('feed-a', ['x', 'y'], OPTS)).fresh).toEqual([]);
        time = T0 + OPTS.ttlMs;
        expect(await store.claim('feed-b', ['x', 'y'], OPTS)).toEqual({ fresh: ['x'], firstPoll: false });
      });

      it('keeps the keys of the latest claim however long the feed stays unchanged', async () => {
        // A feed answering 304 for longer than the ttl makes no claim: when it changes, only its new item is fresh.
        await store.claim('feed-a', ['a', 'b'], OPTS);
        time = T0 + 1;
        await store.claim('feed-a', ['b', 'c'], OPTS);
        time = T0 + 100 * OPTS.ttlMs;
        expect(await store.claim('feed-a', ['d', 'b', 'c', 'a'], OPTS)).toEqual({ fresh: ['d', 'a'], firstPoll: false });
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

      it('tells known from fresh in a full memory whose oldest records expired', async () => {
        const opts = { ttlMs: 1000, maxKeys: 2000 };
        const keys = Array.from({ length: 2000 }, (_, i) => `item-${i}`);
        await store.claim('feed-a', keys, opts);
        time = T0 + 500;
        // Half of them seen again, with five new ones: those move to the end with a later expiry.
        expect((await store.claim('feed-a', [...keys.slice(1000), 'n1', 'n2', 'n3', 'n4', 'n5'], opts)).fresh).toEqual(['n1', 'n2', 'n3', 'n4', 'n5']);
        time = T0 + 1000;
        // The first half expired at the front of the memory; the rest is still known.
        const result = await store.claim('feed-a', ['item-0', 'item-999', 'item-1000', 'item-1999', 'n3', 'n9'], opts);
        expect(result.fresh).toEqual(['item-0', 'item-999', 'n9']);
      });

      it('tells an expired record after a live one from a live one (claims with different ttls)', async () => {
        await store.claim('feed-a', ['long'], { ttlMs: 10_000, maxKeys: 100 });
        await store.claim('feed-a', ['short'], { ttlMs: 1000, maxKeys: 100 });
        time = T0 + 1;
        await store.claim('feed-a', ['last'], { ttlMs: 1000, maxKeys: 100 });
        time = T0 + 1000;
        // 'short' expired although 'long', before it in the memory, did not; 'last' is the latest claim.
        expect((await store.claim('feed-a', ['long', 'short', 'last'], { ttlMs: 1000, maxKeys: 100 })).fresh).toEqual(['short']);
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

      it('clears every term of a channel, answering how many there were, and only that channel', async () => {
        await store.addWatchTerms('slack:C1', ['a', 'b', 'c']);
        await store.addWatchTerms('slack:C2', ['a']);
        expect(await store.clearWatchTerms('slack:C1')).toBe(3);
        expect(await store.getWatchTerms('slack:C1')).toEqual([]);
        expect(await store.clearWatchTerms('slack:C1')).toBe(0);
        expect(await store.clearWatchTerms('never:seen')).toBe(0);
        expect(await store.getWatchTerms('slack:C2')).toEqual(['a']);
        // A cleared channel starts over in the order terms are added again.
        expect(await store.addWatchTerms('slack:C1', ['c', 'a'])).toEqual(['c', 'a']);
        expect(await store.getWatchTerms('slack:C1')).toEqual(['c', 'a']);
      });
    });

    describe('known channels', () => {
      it('knows no channel at first, and reading does not make a channel known', async () => {
        expect(await store.knownChannels()).toEqual([]);
        await store.getWatchTerms('slack:C1');
        await store.getChannelSettings('slack:C2');
        await store.addWatchTerms('slack:C3', []);
        await store.removeWatchTerm('slack:C4', 'x');
        expect(await store.knownChannels()).toEqual([]);
      });

      it('knows each channel that got chat terms or settings, once, sorted', async () => {
        await store.addWatchTerms('slack:C9', ['nvidia']);
        await store.setChannelSettings('discord:42', { ...defaultChannelSettings(), paused: true });
        await store.addWatchTerms('discord:42', ['amd']);
        await store.addWatchTerms('slack:C9', ['tsmc']);
        expect(await store.knownChannels()).toEqual(['discord:42', 'slack:C9']);
      });

      it('keeps a channel known after its terms were cleared (documented: the set only grows with what was set)', async () => {
        await store.addWatchTerms('slack:C1', ['x']);
        await store.clearWatchTerms('slack:C1');
        expect(await store.knownChannels()).toEqual(['slack:C1']);
      });
    });

    describe('channel settings', () => {
      const full: ChannelSettings = {
        paused: true,
        digest: '1h',
        quiet: { start: '22:00', end: '07:00', tz: 'Europe/Paris' },
        capPerHour: 12,
        lang: 'fr',
        breakingOnly: true,
      };

      it('answers the defaults for a channel never set', async () => {
        expect(await store.getChannelSettings('slack:C1')).toStrictEqual(defaultChannelSettings());
      });

      it('round-trips settings and replaces them whole (undefined fields come back undefined)', async () => {
        await store.setChannelSettings('slack:C1', full);
        expect(await store.getChannelSettings('slack:C1')).toStrictEqual(full);
        const next: ChannelSettings = { ...defaultChannelSettings(), digest: 'daily' };
        await store.setChannelSettings('slack:C1', next);
        expect(await store.getChannelSettings('slack:C1')).toStrictEqual(next);
      });

      it('keeps channels apart and hands out copies', async () => {
        await store.setChannelSettings('slack:C1', full);
        expect(await store.getChannelSettings('slack:C2')).toStrictEqual(defaultChannelSettings());
        const read = await store.getChannelSettings('slack:C1');
        read.paused = false;
        if (read.quiet) read.quiet.tz = 'UTC';
        expect(await store.getChannelSettings('slack:C1')).toStrictEqual(full);
      });
    });

    describe('chat sources', () => {
      it('lists nothing at first', async () => {
        expect(await store.listChatSources()).toEqual([]);
      });

      it('adds sources, refusing a taken id without replacing it, and lists them oldest first', async () => {
        expect(await store.addChatSource(chatSource('zeta', 1))).toBe(true);
        expect(await store.addChatSource(chatSource('alpha', 2))).toBe(true);
        expect(await store.addChatSource(chatSource('zeta', 3))).toBe(false);
        expect(await store.listChatSources()).toEqual([chatSource('zeta', 1), chatSource('alpha', 2)]);
      });

      it('removes a source, answering whether there was one; an id added again goes last', async () => {
        await store.addChatSource(chatSource('a'));
        await store.addChatSource(chatSource('b'));
        expect(await store.removeChatSource('a')).toBe(true);
        expect(await store.removeChatSource('a')).toBe(false);
        expect(await store.removeChatSource('never')).toBe(false);
        expect(await store.addChatSource(chatSource('a', 7))).toBe(true);
        expect((await store.listChatSources()).map((s) => [s.id, s.addedBy])).toEqual([
          ['b', 'user-0'],
          ['a', 'user-7'],
        ]);
      });

      it('keeps at most 500: the next add throws a WirewatchError until one is removed', async () => {
        for (let i = 0; i < 500; i++) expect(await store.addChatSource(chatSource(`s${i}`, i))).toBe(true);
        const refused = store.addChatSource(chatSource('one-too-many'));
        await expect(refused).rejects.toBeInstanceOf(WirewatchError);
        await expect(store.addChatSource(chatSource('one-too-many'))).rejects.toThrow(/500/);
        // A taken id is still answered as taken, not as full.
        expect(await store.addChatSource(chatSource('s0'))).toBe(false);
        expect(await store.removeChatSource('s17')).toBe(true);
        expect(await store.addChatSource(chatSource('one-too-many'))).toBe(true);
        const listed = await store.listChatSources();
        expect(listed).toHaveLength(500);
        expect(listed.at(-1)?.id).toBe('one-too-many');
        expect(listed.map((s) => s.id)).not.toContain('s17');
      });
    });

    describe('digest hold', () => {
      it('holds nothing at first', async () => {
        expect(await store.heldCount('slack:C1')).toBe(0);
        expect(await store.takeDigest('slack:C1')).toEqual([]);
      });

      it('takes every held alert oldest first, whole, and leaves nothing behind', async () => {
        await store.holdForDigest('slack:C1', [heldAlert(1), heldAlert(2)]);
        await store.holdForDigest('slack:C1', []);
        await store.holdForDigest('slack:C1', [heldAlert(3), heldAlert(4)]);
        expect(await store.heldCount('slack:C1')).toBe(4);
        expect(await store.takeDigest('slack:C1')).toStrictEqual([heldAlert(1), heldAlert(2), heldAlert(3), heldAlert(4)]);
        expect(await store.heldCount('slack:C1')).toBe(0);
        expect(await store.takeDigest('slack:C1')).toEqual([]);
      });

      it('keeps channels apart', async () => {
        await store.holdForDigest('slack:C1', [heldAlert(1)]);
        await store.holdForDigest('discord:9', [heldAlert(2, 'discord:9'), heldAlert(3, 'discord:9')]);
        expect(await store.takeDigest('slack:C1')).toStrictEqual([heldAlert(1)]);
        expect(await store.heldCount('discord:9')).toBe(2);
        expect((await store.takeDigest('discord:9')).map((a) => a.id)).toEqual(['h2', 'h3']);
      });

      it(`keeps the newest ${STORE_DEFAULTS.heldPerChannel}, counting the dropped ones in heldCount until the take`, async () => {
        const cap = STORE_DEFAULTS.heldPerChannel;
        const all = Array.from({ length: cap + 7 }, (_, i) => heldAlert(i + 1));
        await store.holdForDigest('slack:C1', all.slice(0, 300));
        await store.holdForDigest('slack:C1', all.slice(300));
        expect(await store.heldCount('slack:C1')).toBe(cap + 7);
        const taken = await store.takeDigest('slack:C1');
        expect(taken).toHaveLength(cap);
        expect(taken[0]?.id).toBe('h8');
        expect(taken.at(-1)?.id).toBe(`h${cap + 7}`);
        expect(await store.heldCount('slack:C1')).toBe(0);
        // Alerts put back after a failed digest are held again, without the old drop count.
        await store.holdForDigest('slack:C1', taken);
        expect(await store.heldCount('slack:C1')).toBe(cap);
      });
    });

    describe('sent counter', () => {
      it('counts nothing for a channel that sent nothing, and a count without record adds nothing', async () => {
        expect(await store.countSent('slack:C1', T0, HOUR, false)).toBe(0);
        expect(await store.countSent('slack:C1', T0, HOUR, false)).toBe(0);
      });

      it('records one message per call and answers the count including it', async () => {
        expect(await store.countSent('slack:C1', T0, HOUR, true)).toBe(1);
        expect(await store.countSent('slack:C1', T0, HOUR, true)).toBe(2);
        expect(await store.countSent('slack:C1', T0 + 10, HOUR, true)).toBe(3);
        expect(await store.countSent('slack:C1', T0 + 20, HOUR, false)).toBe(3);
      });

      it('counts the window (now − window, now]: a message exactly one window old no longer counts', async () => {
        await store.countSent('slack:C1', T0, HOUR, true);
        await store.countSent('slack:C1', T0 + 1000, HOUR, true);
        expect(await store.countSent('slack:C1', T0 + HOUR - 1, HOUR, false)).toBe(2);
        expect(await store.countSent('slack:C1', T0 + HOUR, HOUR, false)).toBe(1);
        expect(await store.countSent('slack:C1', T0 + HOUR + 1000, HOUR, true)).toBe(1);
        expect(await store.countSent('slack:C1', T0 + 3 * HOUR, HOUR, false)).toBe(0);
      });

      it('does not count messages recorded after now', async () => {
        await store.countSent('slack:C1', T0 + 5000, HOUR, true);
        expect(await store.countSent('slack:C1', T0 + 4999, HOUR, false)).toBe(0);
        expect(await store.countSent('slack:C1', T0 + 5000, HOUR, false)).toBe(1);
      });

      it('keeps channels apart', async () => {
        await store.countSent('slack:C1', T0, HOUR, true);
        await store.countSent('slack:C1', T0, HOUR, true);
        expect(await store.countSent('slack:C2', T0, HOUR, true)).toBe(1);
        expect(await store.countSent('slack:C1', T0, HOUR, false)).toBe(2);
      });
    });

    describe('message records', () => {
      it('answers undefined for a key never recorded', async () => {
        expect(await store.getMessage('sent:a1')).toBeUndefined();
      });

      it('round-trips a ref per key, and a later record replaces it', async () => {
        await store.recordMessage('sent:a1', '1735689600.000100', 60_000);
        await store.recordMessage('story:slack:C1:s1', 'discord-msg-{1}', 60_000);
        expect(await store.getMessage('sent:a1')).toBe('1735689600.000100');
        expect(await store.getMessage('story:slack:C1:s1')).toBe('discord-msg-{1}');
        await store.recordMessage('sent:a1', 'other', 60_000);
        expect(await store.getMessage('sent:a1')).toBe('other');
      });

      it('forgets a record ttlMs after it was written; rewriting starts a new ttl', async () => {
        await store.recordMessage('k1', 'r1', 1000);
        await store.recordMessage('k2', 'r2', 1000);
        time = T0 + 600;
        await store.recordMessage('k2', 'r2b', 1000);
        time = T0 + 999;
        expect(await store.getMessage('k1')).toBe('r1');
        time = T0 + 1000;
        expect(await store.getMessage('k1')).toBeUndefined();
        expect(await store.getMessage('k2')).toBe('r2b');
        time = T0 + 1600;
        expect(await store.getMessage('k2')).toBeUndefined();
        await store.recordMessage('k1', 'again', 1000);
        expect(await store.getMessage('k1')).toBe('again');
      });

      it('refuses a ttl that is not a positive number', async () => {
        await expect(store.recordMessage('k', 'r', 0)).rejects.toThrow(RangeError);
        await expect(store.recordMessage('k', 'r', Number.NaN)).rejects.toThrow(RangeError);
        expect(await store.getMessage('k')).toBeUndefined();
      });
    });

    describe('story index', () => {
      const DAY = 86_400_000;

      it('answers no story at first', async () => {
        expect(await store.recentStories(0)).toEqual([]);
      });

      it('answers stories first seen at or after since, newest first, whole', async () => {
        await store.putStory(story('b', T0 - 2000), DAY);
        await store.putStory(story('c', T0 - 1000, ['Reuters', 'AP', 'Bloomberg']), DAY);
        await store.putStory(story('a', T0 - 3000), DAY);
        expect(await store.recentStories(0)).toStrictEqual([story('c', T0 - 1000, ['Reuters', 'AP', 'Bloomberg']), story('b', T0 - 2000), story('a', T0 - 3000)]);
        expect((await store.recentStories(T0 - 2000)).map((s) => s.id)).toEqual(['c', 'b']);
        expect((await store.recentStories(T0 - 1999)).map((s) => s.id)).toEqual(['c']);
        expect(await store.recentStories(T0)).toEqual([]);
      });

      it('keeps the head when a write gives none, and merges reports by outlet', async () => {
        await store.putStory(story('a', T0, ['Reuters', 'AP']), DAY);
        await store.putStory({ id: 'a', firstAt: T0, reports: [{ outlet: 'FT', seq: 10, at: T0 + 5000 }, { outlet: 'Reuters', seq: 8, at: T0 + 7000 }] }, DAY);
        const [read] = await store.recentStories(0);
        expect(read).toStrictEqual({
          ...story('a', T0),
          reports: [
            { outlet: 'Reuters', seq: 8, at: T0 + 7000 },
            { outlet: 'AP', seq: 9, at: T0 + 1000 },
            { outlet: 'FT', seq: 10, at: T0 + 5000 },
          ],
        });
        // A new head leaves the reports as they are; an unknown time is answered as one.
        await store.putStory({ id: 'a', signature: 'head 2', firstAt: T0, reports: [{ outlet: 'AP', seq: 9, at: Number.NaN }] }, DAY);
        expect(await store.recentStories(0)).toStrictEqual([
          {
            id: 'a',
            signature: 'head 2',
            firstAt: T0,
            reports: [
              { outlet: 'Reuters', seq: 8, at: T0 + 7000 },
              { outlet: 'AP', seq: 9, at: Number.NaN },
              { outlet: 'FT', seq: 10, at: T0 + 5000 },
            ],
          },
        ]);
      });

      it('answers a story only once it has a head, with the reports written before it', async () => {
        await store.putStory({ id: 'b', firstAt: T0, reports: [{ outlet: 'AP', seq: 8, at: T0 }] }, DAY);
        expect(await store.recentStories(0)).toEqual([]);
        await store.putStory({ id: 'b', signature: { members: [] }, firstAt: T0, reports: [] }, DAY);
        expect(await store.recentStories(0)).toStrictEqual([{ id: 'b', signature: { members: [] }, firstAt: T0, reports: [{ outlet: 'AP', seq: 8, at: T0 }] }]);
      });

      it('keeps hundreds of reports of one story, in order', async () => {
        const outlets = Array.from({ length: 300 }, (_, i) => `Outlet ${i} — « Wire »`);
        await store.putStory(story('many', T0, outlets), DAY);
        expect(await store.recentStories(0)).toStrictEqual([story('many', T0, outlets)]);
      });

      it('forgets an expired story with its reports: the same id written again starts afresh', async () => {
        await store.putStory(story('x', T0, ['Reuters', 'AP']), 1000);
        time = T0 + 1000;
        await store.putStory({ id: 'x', signature: 'new', firstAt: T0 + 1000, reports: [{ outlet: 'FT', seq: 8, at: T0 + 1000 }] }, 1000);
        expect(await store.recentStories(0)).toStrictEqual([{ id: 'x', signature: 'new', firstAt: T0 + 1000, reports: [{ outlet: 'FT', seq: 8, at: T0 + 1000 }] }]);
      });

      it('replaces a story by id, including where its firstAt puts it', async () => {
        await store.putStory(story('a', T0 - 3000), DAY);
        await store.putStory(story('b', T0 - 2000), DAY);
        await store.putStory(story('a', T0 - 1000, ['Reuters', 'AP']), DAY);
        expect(await store.recentStories(0)).toStrictEqual([story('a', T0 - 1000, ['Reuters', 'AP']), story('b', T0 - 2000)]);
      });

      it('forgets a story ttlMs after its last write', async () => {
        await store.putStory(story('kept', T0), 1000);
        await store.putStory(story('left', T0), 1000);
        time = T0 + 600;
        await store.putStory(story('kept', T0, ['Reuters', 'AP']), 1000);
        time = T0 + 999;
        expect((await store.recentStories(0)).map((s) => s.id).sort()).toEqual(['kept', 'left']);
        time = T0 + 1000;
        expect((await store.recentStories(0)).map((s) => s.id)).toEqual(['kept']);
        time = T0 + 1600;
        expect(await store.recentStories(0)).toEqual([]);
        // An expired id can be written again, as a new story.
        await store.putStory(story('left', T0 + 1600), 1000);
        expect(await store.recentStories(0)).toStrictEqual([story('left', T0 + 1600)]);
      });

      it('hands out copies', async () => {
        await store.putStory(story('a', T0), DAY);
        const [read] = await store.recentStories(0);
        read?.reports.push({ outlet: 'Mutated', seq: 20, at: 0 });
        expect(await store.recentStories(0)).toStrictEqual([story('a', T0)]);
      });

      it('refuses a ttl that is not a positive number', async () => {
        await expect(store.putStory(story('a', T0), 0)).rejects.toThrow(RangeError);
        expect(await store.recentStories(0)).toEqual([]);
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

      describe('search (/news)', () => {
        const news = (n: number, title: string, patch: Partial<RecentAlert> = {}): RecentAlert => ({ ...recentAlert(n), title, ...patch });
        const titles = (alerts: RecentAlert[]) => alerts.map((a) => a.title);

        it('finds the alerts holding every term, by whole folded word of title, outlet or topic, newest first', async () => {
          await store.addRecentAlerts([
            news(1, 'Nvidia pulls out of $100 billion OpenAI deal', { topics: ['ai-chips'] }),
            news(2, 'Bitcoin slides below $80,000', { topics: ['crypto'] }),
            news(3, 'La Chine autorise les importations de H200 de Nvidia', { source: 'Les Échos', topics: ['ai-chips'] }),
            news(4, 'Nvidia and OpenAI sign a new compute deal', { topics: ['ai-chips'] }),
          ]);
          expect(titles(await store.searchRecentAlerts(['nvidia'], 10))).toEqual([
            'Nvidia and OpenAI sign a new compute deal',
            'La Chine autorise les importations de H200 de Nvidia',
            'Nvidia pulls out of $100 billion OpenAI deal',
          ]);
          expect(titles(await store.searchRecentAlerts(['openai', 'nvidia', 'deal'], 10))).toEqual([
            'Nvidia and OpenAI sign a new compute deal',
            'Nvidia pulls out of $100 billion OpenAI deal',
          ]);
          expect(titles(await store.searchRecentAlerts(['echos'], 10))).toEqual(['La Chine autorise les importations de H200 de Nvidia']);
          expect(titles(await store.searchRecentAlerts(['crypto'], 10))).toEqual(['Bitcoin slides below $80,000']);
          expect(titles(await store.searchRecentAlerts(['nvidia'], 1))).toEqual(['Nvidia and OpenAI sign a new compute deal']);
          // Whole words only, and every term must be there.
          expect(await store.searchRecentAlerts(['nvid'], 10)).toEqual([]);
          expect(await store.searchRecentAlerts(['nvidia', 'bitcoin'], 10)).toEqual([]);
          expect(await store.searchRecentAlerts(['nvidia'], 0)).toEqual([]);
        });

        it('answers the alerts as they were added, and every alert when no term is given', async () => {
          await store.addRecentAlerts([recentAlert(1), recentAlert(2)]);
          expect(await store.searchRecentAlerts(['story', '2'], 10)).toEqual([recentAlert(2)]);
          expect(await store.searchRecentAlerts([], 10)).toEqual([recentAlert(2), recentAlert(1)]);
        });

        it('finds what went to a channel by its channel term', async () => {
          await store.addRecentAlerts([recentAlert(1), recentAlert(2), recentAlert(3)]);
          expect(titles(await store.searchRecentAlerts([channelTerm('console:main')], 10))).toEqual(['Story 3', 'Story 2', 'Story 1']);
          expect(titles(await store.searchRecentAlerts([channelTerm('slack:C2')], 10))).toEqual(['Story 2']);
          expect(await store.searchRecentAlerts([channelTerm('slack:C9')], 10)).toEqual([]);
        });

        it('finds the alerts a poll commit wrote', async () => {
          const commit = (keys: string[], expected: string[], recent: RecentAlert[]): PollCommit => ({
            keys,
            options: OPTS,
            expected,
            rulesVersion: 0,
            state: emptyFetchState(),
            deliveries: [],
            recent,
            stories: [],
            storyTtlMs: 60_000,
          });
          expect((await store.claimAndCommit('wire', commit(['k0'], [], []))).committed).toBe(true);
          const result = await store.claimAndCommit('wire', commit(['k0', 'k1'], ['k1'], [news(7, 'TSMC raises its capex guidance')]));
          expect(result.committed).toBe(true);
          expect(titles(await store.searchRecentAlerts(['tsmc', 'capex'], 10))).toEqual(['TSMC raises its capex guidance']);
        });

        it(`searches all the ${STORE_DEFAULTS.recentAlerts} kept and none of those forgotten`, async () => {
          const total = STORE_DEFAULTS.recentAlerts + 10;
          const all = Array.from({ length: total }, (_, i) => news(i + 1, `Report ${i + 1} ${i % 1000 === 0 ? 'rare' : 'common'}`));
          await store.addRecentAlerts(all.slice(0, 5000));
          await store.addRecentAlerts(all.slice(5000));
          // Report 1 (rare) was forgotten; the oldest rare one kept is Report 1001.
          expect(titles(await store.searchRecentAlerts(['rare'], 100))).toEqual(
            Array.from({ length: Math.floor((total - 1) / 1000) }, (_, i) => `Report ${total - ((total - 1) % 1000) - i * 1000} rare`),
          );
          expect(await store.searchRecentAlerts(['report', '1'], 10)).toEqual([]);
          expect(titles(await store.searchRecentAlerts(['report', '11'], 10))).toEqual(['Report 11 common']);
          expect(titles(await store.searchRecentAlerts(['common'], 2))).toEqual([`Report ${total} common`, `Report ${total - 1} common`]);
        });
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

      it('leases due entries oldest first, at most limit, moving their notBefore to now + lease', async () => {
        await store.enqueueDeliveries([pending('late', T0 + 100), pending('early', T0), pending('mid', T0 + 50, 2)]);
        const leased = await store.leaseDeliveries(T0 + 50, 10, 1000);
        expect(leased).toEqual([
          { ...pending('early', T0), notBefore: T0 + 1050 },
          { ...pending('mid', T0 + 50, 2), notBefore: T0 + 1050 },
        ]);
        expect(await store.outboxSize()).toBe(3);
        expect((await store.leaseDeliveries(T0 + 100, 1, 1000)).map((d) => d.alert.id)).toEqual(['late']);
        expect(await store.leaseDeliveries(T0 + 100, 0, 1000)).toEqual([]);
      });

      it('does not hand a leased entry out again before the lease ends, and does after', async () => {
        await store.enqueueDeliveries([pending('a1', T0), pending('a2', T0 + 500)]);
        expect((await store.leaseDeliveries(T0, 10, 1000)).map((d) => d.alert.id)).toEqual(['a1']);
        expect((await store.leaseDeliveries(T0 + 999, 10, 1000)).map((d) => d.alert.id)).toEqual(['a2']);
        expect(await store.leaseDeliveries(T0 + 999, 10, 1000)).toEqual([]);
        expect(await store.dueDeliveries(T0 + 999, 10)).toEqual([]);
        // The worker that leased a1 died: a1 comes back when its lease runs out, a2 later.
        expect(await store.dueDeliveries(T0 + 1000, 10)).toEqual([{ ...pending('a1', T0), notBefore: T0 + 1000 }]);
        expect(await store.leaseDeliveries(T0 + 1000, 10, 1000)).toEqual([{ ...pending('a1', T0), notBefore: T0 + 2000 }]);
        expect((await store.leaseDeliveries(T0 + 1999, 10, 1000)).map((d) => d.alert.id)).toEqual(['a2']);
      });

      it('lets an acked leased entry go for good, and a rescheduled one come back when rescheduled', async () => {
        await store.enqueueDeliveries([pending('a1', T0), pending('a2', T0)]);
        await store.leaseDeliveries(T0, 10, 60_000);
        await store.ackDelivery('a1');
        await store.rescheduleDelivery(pending('a2', T0 + 10, 1));
        expect(await store.outboxSize()).toBe(1);
        expect(await store.leaseDeliveries(T0 + 9, 10, 60_000)).toEqual([]);
        expect(await store.leaseDeliveries(T0 + 10, 10, 60_000)).toEqual([{ ...pending('a2', T0 + 10, 1), notBefore: T0 + 60_010 }]);
        // Long after every lease: only the unacknowledged entry is still there.
        expect((await store.leaseDeliveries(T0 + 1e9, 10, 60_000)).map((d) => d.alert.id)).toEqual(['a2']);
      });

      it('never hands the same entry to two leases running at once', async () => {
        const ids = Array.from({ length: 30 }, (_, i) => `d${String(i).padStart(2, '0')}`);
        await store.enqueueDeliveries(ids.map((id, i) => pending(id, T0 + i)));
        const [first, second] = await Promise.all([store.leaseDeliveries(T0 + 100, 20, 5000), store.leaseDeliveries(T0 + 100, 20, 5000)]);
        const taken = [...(first ?? []), ...(second ?? [])].map((d) => d.alert.id);
        expect(new Set(taken).size).toBe(taken.length);
        expect([...taken].sort()).toEqual(ids);
      });

      it('refuses a lease that is not a positive number of ms', async () => {
        await store.enqueueDeliveries([pending('a1', T0)]);
        await expect(store.leaseDeliveries(T0, 10, 0)).rejects.toThrow(RangeError);
        await expect(store.leaseDeliveries(T0, 10, Number.NaN)).rejects.toThrow(RangeError);
        expect((await store.dueDeliveries(T0, 10)).map((d) => d.alert.id)).toEqual(['a1']);
      });
    });

    describe('claim and commit', () => {
      const state = (etag: string) => ({ ...emptyFetchState(), etag, lastFetchAt: new Date(T0).toISOString() });
      const commit = (keys: string[], expected: string[], extra: Partial<PollCommit> = {}): PollCommit => ({
        keys,
        options: OPTS,
        expected,
        rulesVersion: 0,
        state: state('e1'),
        deliveries: [],
        recent: [],
        stories: [],
        storyTtlMs: HOUR,
        ...extra,
      });
      const withWrites = (extra: Partial<PollCommit> = {}): Partial<PollCommit> => ({
        deliveries: [pending('d1', T0), pending('d2', T0 + 1)],
        recent: [recentAlert(1), recentAlert(2)],
        stories: [story('s1', T0)],
        ...extra,
      });

      it('claims like claim and writes everything when the fresh keys are the expected ones', async () => {
        await store.claim('feed-a', ['old'], OPTS);
        const result = await store.claimAndCommit('feed-a', commit(['n2', 'old', 'n1'], ['n1', 'n2'], withWrites()));
        expect(result).toEqual({ fresh: ['n2', 'n1'], firstPoll: false, committed: true, rulesVersion: 0 });
        expect(await store.getFetchState('feed-a')).toEqual(state('e1'));
        expect((await store.dueDeliveries(T0 + 10, 10)).map((d) => d.alert.id)).toEqual(['d1', 'd2']);
        expect((await store.recentAlerts(10)).map((a) => a.title)).toEqual(['Story 2', 'Story 1']);
        expect(await store.recentStories(0)).toStrictEqual([story('s1', T0)]);
        // The keys are remembered: a second claim finds nothing new.
        expect(await store.claim('feed-a', ['n1', 'n2', 'old'], OPTS)).toEqual({ fresh: [], firstPoll: false });
      });

      it('only claims when the fresh keys differ from the expected ones (either way)', async () => {
        await store.claim('feed-a', ['old'], OPTS);
        const more = await store.claimAndCommit('feed-a', commit(['n1', 'n2', 'old'], ['n1'], withWrites()));
        expect(more).toEqual({ fresh: ['n1', 'n2'], firstPoll: false, committed: false, rulesVersion: 0 });
        const fewer = await store.claimAndCommit('feed-a', commit(['n1', 'n3', 'old'], ['n3', 'old'], withWrites()));
        expect(fewer).toMatchObject({ fresh: ['n3'], committed: false });
        const unknown = await store.claimAndCommit('feed-a', commit(['old'], ['not-in-keys'], withWrites()));
        expect(unknown).toMatchObject({ fresh: [], committed: false });
        expect(await store.getFetchState('feed-a')).toEqual(emptyFetchState());
        expect(await store.outboxSize()).toBe(0);
        expect(await store.recentAlerts(10)).toEqual([]);
        expect(await store.recentStories(0)).toEqual([]);
        expect(await store.claim('feed-a', ['n1', 'n2', 'n3', 'old'], OPTS)).toEqual({ fresh: [], firstPoll: false });
      });

      it('commits nothing judged with stale rules, but a poll that expected nothing new still writes its state', async () => {
        await store.claim('feed-a', ['old'], OPTS);
        await store.addWatchTerms('slack:C1', ['nvidia']);
        const version = await store.rulesVersion();
        expect(version).toBeGreaterThan(0);
        const stale = await store.claimAndCommit('feed-a', commit(['n1', 'old'], ['n1'], withWrites({ rulesVersion: version - 1 })));
        expect(stale).toEqual({ fresh: ['n1'], firstPoll: false, committed: false, rulesVersion: version });
        expect(await store.outboxSize()).toBe(0);
        const nothingNew = await store.claimAndCommit('feed-a', commit(['n1', 'old'], [], { rulesVersion: version - 1, state: state('e2') }));
        expect(nothingNew).toEqual({ fresh: [], firstPoll: false, committed: true, rulesVersion: version });
        expect((await store.getFetchState('feed-a')).etag).toBe('e2');
        const current = await store.claimAndCommit('feed-a', commit(['n2', 'n1', 'old'], ['n2'], withWrites({ rulesVersion: version })));
        expect(current.committed).toBe(true);
        expect(await store.outboxSize()).toBe(2);
      });

      it('seeds on a first poll: writes the state only when nothing was expected and nothing is to be written', async () => {
        const seeded = await store.claimAndCommit('feed-a', commit(['k1', 'k2'], []));
        expect(seeded).toEqual({ fresh: ['k1', 'k2'], firstPoll: true, committed: true, rulesVersion: 0 });
        expect(await store.getFetchState('feed-a')).toEqual(state('e1'));
        const guessed = await store.claimAndCommit('feed-b', commit(['k1'], ['k1'], withWrites()));
        expect(guessed).toMatchObject({ fresh: ['k1'], firstPoll: true, committed: false });
        expect(await store.outboxSize()).toBe(0);
        expect(await store.getFetchState('feed-b')).toEqual(emptyFetchState());
      });

      it('leaves outbox entries already there as they are, and keeps the recent-alert cap', async () => {
        await store.claim('feed-a', ['old'], OPTS);
        await store.enqueueDeliveries([pending('d1', T0 + 500, 3)]);
        const many = Array.from({ length: STORE_DEFAULTS.recentAlerts + 5 }, (_, i) => recentAlert(i));
        await store.claimAndCommit('feed-a', commit(['n1', 'old'], ['n1'], withWrites({ recent: many })));
        expect((await store.dueDeliveries(T0 + 1000, 10)).map((d) => [d.alert.id, d.attempts])).toEqual([['d2', 0], ['d1', 3]]);
        const recent = await store.recentAlerts(STORE_DEFAULTS.recentAlerts + 10);
        expect(recent).toHaveLength(STORE_DEFAULTS.recentAlerts);
        expect(recent[0]?.title).toBe(`Story ${STORE_DEFAULTS.recentAlerts + 4}`);
      });

      it('writes a large page whole: hundreds of outbox entries, recent alerts sharing terms, and stories', async () => {
        // More than the Redis script writes in one command (it goes in chunks): every one must land.
        await store.claim('feed-a', ['old'], OPTS);
        const n = 437;
        const deliveries = Array.from({ length: n }, (_, i) => pending(`d${i}`, T0 + i));
        const recent = Array.from({ length: n }, (_, i) => recentAlert(i));
        const stories = Array.from({ length: n }, (_, i) => story(`s${i}`, T0 - i));
        const result = await store.claimAndCommit('feed-a', commit(['n1', 'old'], ['n1'], { deliveries, recent, stories }));
        expect(result.committed).toBe(true);
        expect(await store.outboxSize()).toBe(n);
        expect((await store.dueDeliveries(T0 + n, n + 10)).map((d) => d.alert.id)).toEqual(deliveries.map((d) => d.alert.id));
        expect((await store.recentStories(0)).map((s) => s.id).sort()).toEqual(stories.map((s) => s.id).sort());
        // Every alert holds "story"; each its own number: the newest first, and each found alone.
        expect((await store.searchRecentAlerts(['story'], 3)).map((a) => a.title)).toEqual([`Story ${n - 1}`, `Story ${n - 2}`, `Story ${n - 3}`]);
        expect((await store.searchRecentAlerts(['story'], n + 10))).toHaveLength(n);
        for (const i of [0, 199, 200, 436]) expect(await store.searchRecentAlerts(['story', String(i)], 10)).toEqual([recentAlert(i)]);
      });

      it('forgets committed stories storyTtlMs after the write, and refuses a bad story ttl', async () => {
        await store.claim('feed-a', ['old'], OPTS);
        await store.claimAndCommit('feed-a', commit(['n1', 'old'], ['n1'], withWrites({ storyTtlMs: 1000 })));
        time = T0 + 999;
        expect((await store.recentStories(0)).map((s) => s.id)).toEqual(['s1']);
        time = T0 + 1000;
        expect(await store.recentStories(0)).toEqual([]);
        await expect(store.claimAndCommit('feed-a', commit(['n2'], ['n2'], withWrites({ storyTtlMs: 0 })))).rejects.toThrow(RangeError);
        await expect(store.claimAndCommit('', commit(['n2'], []))).rejects.toThrow(RangeError);
      });

      it('keeps the claim semantics: ttl, refresh of keys still in the feed, maxKeys', async () => {
        const opts = { ttlMs: 1000, maxKeys: 3 };
        await store.claimAndCommit('feed-a', commit(['a', 'b'], [], { options: opts }));
        time = T0 + 600;
        await store.claimAndCommit('feed-a', commit(['c', 'd', 'a'], ['c', 'd'], { options: opts }));
        time = T0 + 1100;
        // b was trimmed (oldest seen, beyond 3), a/c/d were seen at T0 + 600.
        expect(await store.claim('feed-a', ['a', 'b', 'c', 'd'], opts)).toEqual({ fresh: ['b'], firstPoll: false });
        // a, b, c, d leave the feed (a was also the oldest beyond maxKeys at T0 + 1100).
        time = T0 + 1200;
        expect((await store.claim('feed-a', ['e'], opts)).fresh).toEqual(['e']);
        time = T0 + 2100;
        expect(await store.claim('feed-a', ['a'], opts)).toEqual({ fresh: ['a'], firstPoll: false });
      });
    });

    describe('rules version', () => {
      it('starts at 0 and grows with every write that may change the channel rules, not with reads or claims', async () => {
        expect(await store.rulesVersion()).toBe(0);
        const seen: number[] = [];
        const bump = async (write: () => Promise<unknown>) => {
          const before = await store.rulesVersion();
          await write();
          const after = await store.rulesVersion();
          expect(after).toBeGreaterThan(before);
          seen.push(after);
        };
        await bump(() => store.addWatchTerms('slack:C1', ['nvidia', 'amd']));
        await bump(() => store.removeWatchTerm('slack:C1', 'amd'));
        await bump(() => store.clearWatchTerms('slack:C1'));
        await bump(() => store.setChannelSettings('slack:C2', { ...defaultChannelSettings(), paused: true }));
        const last = await store.rulesVersion();
        await store.getWatchTerms('slack:C1');
        await store.knownChannels();
        await store.getChannelSettings('slack:C2');
        await store.claim('feed-a', ['k'], OPTS);
        await store.setFetchState('feed-a', emptyFetchState());
        await store.addWatchTerms('slack:C1', []);
        expect(await store.rulesVersion()).toBe(last);
      });
    });

    describe('fetch states in one step', () => {
      it('replaces several states at once, each whole, and accepts an empty list', async () => {
        await store.setFetchState('a', { ...emptyFetchState(), etag: 'old', failures: 2 });
        await store.setFetchStates([]);
        await store.setFetchStates([
          ['a', { ...emptyFetchState(), etag: 'new-a' }],
          ['b', { ...emptyFetchState(), lastModified: 'Mon, 01 Jan 2024 00:00:00 GMT' }],
        ]);
        expect(await store.getFetchState('a')).toEqual({ ...emptyFetchState(), etag: 'new-a' });
        expect(await store.getFetchState('b')).toEqual({ ...emptyFetchState(), lastModified: 'Mon, 01 Jan 2024 00:00:00 GMT' });
        expect(await store.getFetchState('c')).toEqual(emptyFetchState());
      });
    });

    describe('lifecycle', () => {
      it('answers ping', async () => {
        await expect(store.ping()).resolves.toBeUndefined();
      });
    });
  });
}
