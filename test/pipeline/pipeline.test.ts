// The pipeline against a local feed server, on both stores: seed, alert only new items, skip
// unchanged feeds, honour channel rules and the SSRF allow-list.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AdapterKind, Alert, ChannelConfig, SourceConfig } from '../../src/domain.js';
import { createLogger } from '../../src/log.js';
import { createConsoleAdapter } from '../../src/bots/console-adapter.js';
import type { ChatAdapter } from '../../src/bots/chat-adapter.js';
import { startFeedServer, type FeedServer } from '../../src/demo/feed-server.js';
import { createDeliverer } from '../../src/pipeline/deliver.js';
import { createPipeline } from '../../src/pipeline/poll-source.js';
import { createSafeFetcher, DEFAULT_FETCH_POLICY } from '../../src/sources/http/safe-fetch.js';
import { createMemoryStore } from '../../src/store/memory-store.js';
import { createRedisStore } from '../../src/store/redis-store.js';
import { emptyFetchState, type Store } from '../../src/store/store.js';
import { testPrefix, testRedis, testRedisUrl } from '../support/redis.js';

const logger = createLogger({ level: 'silent' });

const rss = (items: Array<{ id: string; title: string; summary?: string }>) => `<?xml version="1.0"?>
<rss version="2.0"><channel><title>Test wire</title><link>http://127.0.0.1/</link>
${items.map((i) => `<item><guid>${i.id}</guid><title>${i.title}</title><link>http://127.0.0.1/a/${i.id}</link><description>${i.summary ?? ''}</description><pubDate>Sun, 29 Nov 2026 09:00:00 GMT</pubDate></item>`).join('\n')}
</channel></rss>`;

const channels: ChannelConfig[] = [
  { id: 'markets', adapter: 'console', webhookUrl: undefined, topics: ['ai-chips', 'crypto'], watch: [] },
  { id: 'desk', adapter: 'console', webhookUrl: undefined, topics: [], watch: ['coreweave', '-gaming'] },
  { id: 'nothing', adapter: 'console', webhookUrl: undefined, topics: [], watch: [] },
];

let server: FeedServer;
beforeAll(async () => {
  server = await startFeedServer();
});
afterAll(async () => {
  await server.close();
});

/** The two stores with a clock of the test's: claims are timed by it. */
const clockedStores: Array<[string, ((now: () => number) => { store: Store; cleanup: () => Promise<void> }) | undefined]> = [
  ['memory store', (now) => ({ store: createMemoryStore({ now }), cleanup: async () => {} })],
  [
    'redis store',
    testRedisUrl()
      ? (now) => {
          const redis = testRedis();
          const prefix = testPrefix('clocked');
          return {
            store: createRedisStore(redis, { prefix, now }),
            cleanup: async () => {
              const keys = await redis.keys(`${prefix}*`);
              if (keys.length > 0) await redis.del(...keys);
              redis.disconnect();
            },
          };
        }
      : undefined,
  ],
];

type StoreFactory = () => Promise<{ store: Store; cleanup: () => Promise<void> }>;
/** The same two stores on the real clock. */
const factories: Array<[string, StoreFactory | undefined]> = clockedStores.map(([name, make]) => [name, make ? async () => make(Date.now) : undefined]);

for (const [name, factory] of factories) {
  describe.skipIf(!factory)(`pipeline on the ${name}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let printed: string[];
    const fetcher = createSafeFetcher({ ...DEFAULT_FETCH_POLICY, allowCidrs: ['127.0.0.1/32'], timeoutMs: 5000, perHostSpacingMs: 0 });

    const setup = async (path: string) => {
      ({ store, cleanup } = await (factory as StoreFactory)());
      printed = [];
      const adapters = new Map<AdapterKind, ChatAdapter>([['console', createConsoleAdapter({ format: 'json', write: (t) => printed.push(t) })]]);
      const source: SourceConfig = { id: `src-${path.slice(1)}`, kind: 'feed', options: {}, name: 'Test wire', url: `${server.origin}${path}`, every: '5m', cron: undefined, enabled: true };
      const pipeline = createPipeline({ store, fetcher, logger, channels, seenTtlMs: 86_400_000 });
      const deliverer = createDeliverer({ store, adapters, channels, logger });
      const cycle = async () => {
        const report = await pipeline.pollSource(source);
        const delivery = await deliverer.drain();
        return { report, delivery };
      };
      return { source, pipeline, cycle };
    };
    afterEach(async () => cleanup?.());

    it('first poll remembers the backlog and alerts nothing; later polls alert only new items', async () => {
      const path = `/feed-${name.replace(/\W/g, '')}-1.xml`;
      server.set(path, rss([{ id: 'old-1', title: 'Nvidia ships more H200 accelerators' }, { id: 'old-2', title: 'Bitcoin steadies near highs' }]));
      const { cycle } = await setup(path);
      const first = await cycle();
      expect(first.report).toMatchObject({ outcome: 'seeded', items: 2, alerts: 0 });
      expect(printed).toEqual([]);

      server.set(
        path,
        rss([
          { id: 'new-1', title: 'Nvidia pulls out of $100 billion OpenAI deal' },
          { id: 'new-2', title: 'CoreWeave signs new lease', summary: 'The neocloud expands.' },
          { id: 'new-3', title: 'Potato chips prices rise' },
          { id: 'old-1', title: 'Nvidia ships more H200 accelerators' },
          { id: 'old-2', title: 'Bitcoin steadies near highs' },
        ]),
      );
      const second = await cycle();
      expect(second.report).toMatchObject({ outcome: 'polled', items: 5, fresh: 3 });
      const alerts = printed.map((l) => JSON.parse(l) as { channel: string; title: string; topics: string[]; matched: string[] });
      expect(alerts.map((a) => `${a.channel} ${a.title}`).sort()).toEqual(
        ['desk CoreWeave signs new lease', 'markets CoreWeave signs new lease', 'markets Nvidia pulls out of $100 billion OpenAI deal'].sort(),
      );
      expect(alerts.find((a) => a.channel === 'desk')?.matched).toContain('coreweave');
      expect(second.delivery).toMatchObject({ delivered: 3, retried: 0, dropped: 0, held: 0 });
      expect(await store.outboxSize()).toBe(0);
      expect((await store.recentAlerts(10)).map((a) => a.title)).toContain('Nvidia pulls out of $100 billion OpenAI deal');

      printed.length = 0;
      const third = await cycle();
      expect(third.report.outcome).toBe('not-modified');
      expect(third.delivery.delivered).toBe(0);
      expect(printed).toEqual([]);
      expect(server.hits(path).notModified).toBeGreaterThanOrEqual(1);
    });

    it('names the first twenty outlets of a story reported by more, and counts them all', async () => {
      ({ store, cleanup } = await (factory as StoreFactory)());
      const seen: Alert[] = [];
      const pipeline = createPipeline({ store, fetcher, logger, channels, seenTtlMs: 86_400_000, onAlert: (alert) => seen.push(alert) });
      const sources: SourceConfig[] = Array.from({ length: 25 }, (_, i) => {
        const path = `/outlets-${name.replace(/\W/g, '')}-${i}.xml`;
        server.set(path, rss([{ id: `seed-${i}`, title: 'Seed item' }]));
        return { id: `outlet-${i}`, kind: 'feed', options: {}, name: `Outlet ${i}`, url: `${server.origin}${path}`, every: '5m', cron: undefined, enabled: true };
      });
      for (const source of sources) expect((await pipeline.pollSource(source)).outcome).toBe('seeded');
      for (const [i, source] of sources.entries()) {
        server.set(new URL(source.url ?? '').pathname, rss([{ id: `story-${i}`, title: 'Nvidia pulls out of $100 billion OpenAI deal', summary: 'The chipmaker ends talks on the 10 GW compute deal.' }, { id: `seed-${i}`, title: 'Seed item' }]));
        expect((await pipeline.pollSource(source)).outcome).toBe('polled');
      }
      const last = seen.at(-1);
      expect(last?.storyId).toBe(seen[0]?.storyId);
      expect(last?.reportedBy).toEqual(sources.slice(0, 20).map((s) => s.name));
      expect(last?.reportedByCount).toBe(25);
      const [newest] = await store.recentAlerts(1);
      expect(newest).toMatchObject({ reportedBy: sources.slice(0, 20).map((s) => s.name), reportedByCount: 25 });
    });

    it('chat-added watch terms change what the next poll alerts, and exclusions win', async () => {
      const path = `/feed-${name.replace(/\W/g, '')}-2.xml`;
      server.set(path, rss([{ id: 'a', title: 'Seed item' }]));
      const { cycle } = await setup(path);
      await cycle();
      await store.addWatchTerms('console:nothing', ['"stargate project"', '-delay']);
      server.set(
        path,
        rss([
          { id: 'b', title: 'Stargate Project picks a Texas site' },
          { id: 'c', title: 'Stargate Project faces delay' },
          { id: 'a', title: 'Seed item' },
        ]),
      );
      await cycle();
      const toNothing = printed.map((l) => JSON.parse(l) as { channel: string; title: string }).filter((a) => a.channel === 'nothing');
      expect(toNothing.map((a) => a.title)).toEqual(['Stargate Project picks a Texas site']);
    });

    it('an unchanged body re-served without validators is not parsed again', async () => {
      const path = `/feed-${name.replace(/\W/g, '')}-3.xml`;
      server.set(path, rss([{ id: 'x', title: 'Nvidia' }]), { validators: false });
      const { cycle } = await setup(path);
      await cycle();
      const again = await cycle();
      expect(again.report.outcome).toBe('unchanged');
    });
  });
}

/** Wraps a store so a test can count the calls a poll makes (every member still runs for real). */
function counting(store: Store): { store: Store; calls: string[] } {
  const calls: string[] = [];
  const proxy = new Proxy(store, {
    get(target, name, receiver) {
      const value: unknown = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(String(name));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: proxy, calls };
}

describe('pipeline store traffic and caches', () => {
  const fetcher = createSafeFetcher({ ...DEFAULT_FETCH_POLICY, allowCidrs: ['127.0.0.1/32'], timeoutMs: 5000, perHostSpacingMs: 0 });
  const sourceAt = (path: string, id = `traffic${path.replace(/\W/g, '')}`): SourceConfig => ({ id, kind: 'feed', options: {}, name: 'Test wire', url: `${server.origin}${path}`, every: '5m', cron: undefined, enabled: true });

  it('a store that cannot read the state fails the poll as store_failed, saying so once', async () => {
    const inner = createMemoryStore();
    const store = new Proxy(inner, {
      get(target, name, receiver) {
        if (name === 'getFetchState') return async () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6390'));
        return Reflect.get(target, name, receiver) as unknown;
      },
    });
    const pipeline = createPipeline({ store, fetcher, logger, channels, seenTtlMs: 86_400_000 });
    const report = await pipeline.pollSource(sourceAt('/traffic-unreadable.xml'));
    expect(report.outcome).toBe('failed');
    expect(report.error).toBe('store unavailable: connect ECONNREFUSED 127.0.0.1:6390');
  });

  it('a 304 makes no store call, a changed feed one call (claim and writes together), and fetch times are written in one call later', async () => {
    const path = '/traffic-1.xml';
    server.set(path, rss([{ id: 'a', title: 'Seed' }]));
    const inner = createMemoryStore();
    const { store, calls } = counting(inner);
    let clock = Date.parse('2026-11-29T10:00:00Z');
    const pipeline = createPipeline({ store, fetcher, logger, channels, seenTtlMs: 86_400_000, now: () => new Date(clock), stateFlushMs: 60_000 });
    const source = sourceAt(path);
    expect((await pipeline.pollSource(source)).outcome).toBe('seeded');
    expect(calls).toEqual(['getFetchState', 'claimAndCommit']);

    calls.length = 0;
    clock += 1000;
    expect((await pipeline.pollSource(source)).outcome).toBe('not-modified');
    expect(calls).toEqual([]);

    server.set(path, rss([{ id: 'b', title: 'Nvidia ships Rubin GPUs early' }, { id: 'a', title: 'Seed' }]));
    calls.length = 0;
    clock += 1000;
    const changed = await pipeline.pollSource(source);
    expect(changed).toMatchObject({ outcome: 'polled', fresh: 1, alerts: 1 });
    // The rules and the story index are read once per process (then cached), the poll itself is one call.
    expect(calls).toEqual(['rulesVersion', 'getWatchTerms', 'getWatchTerms', 'getWatchTerms', 'recentStories', 'claimAndCommit']);
    expect((await inner.dueDeliveries(clock, 10)).map((d) => d.alert.title)).toEqual(['Nvidia ships Rubin GPUs early']);

    server.set(path, rss([{ id: 'c', title: 'AMD wins an OpenAI GPU order' }, { id: 'b', title: 'Nvidia ships Rubin GPUs early' }]));
    calls.length = 0;
    clock += 1000;
    expect(await pipeline.pollSource(source)).toMatchObject({ outcome: 'polled', fresh: 1, alerts: 1 });
    expect(calls).toEqual(['claimAndCommit']);

    calls.length = 0;
    clock += 1000;
    expect((await pipeline.pollSource(source)).outcome).toBe('not-modified');
    expect(calls).toEqual([]);
    expect((await inner.getFetchState(source.id)).lastFetchAt).toBe(new Date(clock - 1000).toISOString());
    clock += 60_000;
    expect((await pipeline.pollSource(source)).outcome).toBe('not-modified');
    expect(calls).toEqual(['setFetchStates']);
    expect((await inner.getFetchState(source.id)).lastFetchAt).toBe(new Date(clock).toISOString());
  });

  it('sees watch terms added while its rules are cached', async () => {
    const path = '/traffic-2.xml';
    server.set(path, rss([{ id: 'a', title: 'Seed' }]));
    const store = createMemoryStore();
    const pipeline = createPipeline({ store, fetcher, logger, channels, seenTtlMs: 86_400_000 });
    const source = sourceAt(path);
    await pipeline.pollSource(source);
    server.set(path, rss([{ id: 'b', title: 'Nvidia ships Rubin GPUs early' }, { id: 'a', title: 'Seed' }]));
    expect((await pipeline.pollSource(source)).alerts).toBe(1); // markets only: the rules are now cached
    await store.addWatchTerms('console:nothing', ['lumber']);
    server.set(path, rss([{ id: 'c', title: 'Lumber prices climb' }, { id: 'b', title: 'Nvidia ships Rubin GPUs early' }, { id: 'a', title: 'Seed' }]));
    const report = await pipeline.pollSource(source);
    expect(report).toMatchObject({ outcome: 'polled', fresh: 1, alerts: 1 });
    expect((await store.dueDeliveries(Date.now() + 1000, 10)).map((d) => `${d.alert.channel} ${d.alert.title}`).sort()).toEqual([
      'console:markets Nvidia ships Rubin GPUs early',
      'console:nothing Lumber prices climb',
    ]);
  });

  it('alerts an item once when another process claimed part of the feed first', async () => {
    const path = '/traffic-3.xml';
    server.set(path, rss([{ id: 'a', title: 'Seed' }]));
    const store = createMemoryStore();
    const one = createPipeline({ store, fetcher, logger, channels, seenTtlMs: 86_400_000 });
    const two = createPipeline({ store, fetcher, logger, channels, seenTtlMs: 86_400_000 });
    const source = sourceAt(path);
    await one.pollSource(source);
    await two.pollSource(source);
    server.set(path, rss([{ id: 'b', title: 'Nvidia ships Rubin GPUs early' }, { id: 'a', title: 'Seed' }]));
    expect(await two.pollSource(source)).toMatchObject({ outcome: 'polled', fresh: 1, alerts: 1 });
    server.set(path, rss([{ id: 'c', title: 'Bitcoin tops $120,000' }, { id: 'b', title: 'Nvidia ships Rubin GPUs early' }, { id: 'a', title: 'Seed' }]));
    // `one` last saw only a: it guesses b and c, the store answers c alone, and only c is alerted.
    expect(await one.pollSource(source)).toMatchObject({ outcome: 'polled', fresh: 1, alerts: 1 });
    expect((await store.dueDeliveries(Date.now() + 1000, 10)).map((d) => d.alert.title).sort()).toEqual(['Bitcoin tops $120,000', 'Nvidia ships Rubin GPUs early']);
  });

  for (const [name, make] of clockedStores) {
    it.skipIf(!make)(`a feed unchanged for longer than the seen ttl alerts only its new item when it changes (${name}, also after a restart)`, async () => {
      const path = `/quiet-${name.replace(' ', '-')}.xml`;
      const backlog = [{ id: 'a', title: 'Nvidia books record datacenter revenue' }, { id: 'b', title: 'Bitcoin slides below $90,000' }];
      server.set(path, rss(backlog));
      let clock = Date.parse('2026-11-29T10:00:00Z');
      const { store, cleanup } = (make as (now: () => number) => { store: Store; cleanup: () => Promise<void> })(() => clock);
      try {
        const options = { store, fetcher, logger, channels, seenTtlMs: 60_000, now: () => new Date(clock) };
        const source = sourceAt(path, `quiet${name.replace(' ', '')}`);
        expect((await createPipeline(options).pollSource(source)).outcome).toBe('seeded');
        // Ten ttls of 304s, then one new item: polled by the same process, and by a restarted one.
        for (const pipeline of [createPipeline(options), createPipeline(options)]) {
          await pipeline.pollSource(source);
          clock += 10 * 60_000;
          expect((await pipeline.pollSource(source)).outcome).toBe('not-modified');
        }
        clock += 10 * 60_000;
        const one = createPipeline(options);
        expect((await one.pollSource(source)).outcome).toBe('not-modified');
        clock += 10 * 60_000;
        backlog.unshift({ id: 'c', title: 'AMD wins an OpenAI GPU order' });
        server.set(path, rss(backlog));
        expect(await one.pollSource(source)).toMatchObject({ outcome: 'polled', fresh: 1, alerts: 1 });
        clock += 10 * 60_000;
        backlog.unshift({ id: 'd', title: 'TSMC raises its capex guidance' });
        server.set(path, rss(backlog));
        expect(await createPipeline(options).pollSource(source)).toMatchObject({ outcome: 'polled', fresh: 1, alerts: 1 });
        expect((await store.dueDeliveries(clock + 1000, 10)).map((d) => d.alert.title).sort()).toEqual(['AMD wins an OpenAI GPU order', 'TSMC raises its capex guidance']);
      } finally {
        await cleanup();
      }
    });
  }

  it('reads a disabled source state again, so a source enabled from another process is polled', async () => {
    const path = '/traffic-4.xml';
    server.set(path, rss([{ id: 'a', title: 'Seed' }]));
    const store = createMemoryStore();
    const pipeline = createPipeline({ store, fetcher, logger, channels, seenTtlMs: 86_400_000 });
    const source = sourceAt(path);
    await store.setFetchState(source.id, { ...emptyFetchState(), health: 'disabled', failures: 3, lastError: 'HTTP 404' });
    expect((await pipeline.pollSource(source)).outcome).toBe('disabled');
    await store.setFetchState(source.id, { ...(await store.getFetchState(source.id)), health: 'ok', failures: 0 });
    expect((await pipeline.pollSource(source)).outcome).toBe('seeded');
  });
});

describe('SSRF allow-list and source health', () => {
  const localSource = (path: string): SourceConfig => ({ id: 'local', kind: 'feed', options: {}, name: undefined, url: `${server.origin}${path}`, every: '5m', cron: undefined, enabled: true });

  it('refuses a feed on 127.0.0.1 without the allow-list and accepts it with it', async () => {
    server.set('/ssrf.xml', rss([{ id: '1', title: 'Nvidia' }]));
    const source = localSource('/ssrf.xml');
    const store = createMemoryStore();
    let clock = Date.parse('2026-11-29T10:00:00Z');
    const now = () => new Date(clock);
    const refused = createPipeline({ store, fetcher: createSafeFetcher({ ...DEFAULT_FETCH_POLICY, allowCidrs: [], perHostSpacingMs: 0 }), logger, channels, seenTtlMs: 60_000, now });
    const report = await refused.pollSource(source);
    expect(report.outcome).toBe('failed');
    expect(report.error).toMatch(/127\.0\.0\.1/);
    expect(report.error).toMatch(/WIREWATCH_FETCH_ALLOW/);
    expect(await store.getFetchState('local')).toMatchObject({ failures: 1, health: 'failing', nextAttemptAt: '2026-11-29T10:01:00.000Z' });
    expect(server.hits('/ssrf.xml').full).toBe(0);

    const allowed = createPipeline({ store, fetcher: createSafeFetcher({ ...DEFAULT_FETCH_POLICY, allowCidrs: ['127.0.0.1/32'], perHostSpacingMs: 0 }), logger, channels, seenTtlMs: 60_000, now });
    expect((await allowed.pollSource(source)).outcome).toBe('backoff');
    clock += 61_000;
    expect((await allowed.pollSource(source)).outcome).toBe('seeded');
    expect(await store.getFetchState('local')).toMatchObject({ failures: 0, health: 'ok', nextAttemptAt: undefined, lastError: undefined });
  });

  it('backs off exponentially, disables a source that keeps failing, and tells its channels once', async () => {
    const store = createMemoryStore();
    let clock = Date.parse('2026-11-29T10:00:00Z');
    const pipeline = createPipeline({ store, fetcher: createSafeFetcher({ ...DEFAULT_FETCH_POLICY, allowCidrs: ['127.0.0.1/32'], perHostSpacingMs: 0 }), logger, channels, seenTtlMs: 60_000, now: () => new Date(clock) });
    const source = localSource('/missing.xml'); // 404: will not pass by itself
    const waits: number[] = [];
    for (let i = 0; i < 3; i++) {
      expect((await pipeline.pollSource(source)).outcome).toBe('failed');
      const state = await store.getFetchState('local');
      if (state.nextAttemptAt) waits.push(Date.parse(state.nextAttemptAt) - clock);
      clock += 3_600_000;
    }
    expect(waits).toEqual([60_000, 120_000]);
    const state = await store.getFetchState('local');
    expect(state).toMatchObject({ health: 'disabled', failures: 3 });
    expect((await pipeline.pollSource(source)).outcome).toBe('disabled');
    expect(server.hits('/missing.xml').missing).toBe(3);
    const notices = await store.dueDeliveries(clock, 10);
    // markets and desk receive things; "nothing" has neither topics nor terms.
    expect(notices.map((n) => n.alert.channel).sort()).toEqual(['console:desk', 'console:markets']);
    expect(notices[0]?.alert.title).toMatch(/source "local" is disabled/);
    expect(notices[0]?.alert.summary).toMatch(/HTTP 404.*wirewatch source enable local/);
  });
});

// A changed feed keyed by GUID is parsed incrementally: only the items whose text is new. The
// unparsed ones are still claimed, and one the store calls fresh is judged from the whole feed.
for (const [name, makeStore] of clockedStores) {
  describe.skipIf(!makeStore)(`incrementally parsed feeds on the ${name}`, () => {
    const fetcher = createSafeFetcher({ ...DEFAULT_FETCH_POLICY, allowCidrs: ['127.0.0.1/32'], timeoutMs: 5000, perHostSpacingMs: 0 });
    const cleanups: Array<() => Promise<void>> = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0)) await cleanup();
    });
    const story = (id: string) => ({ id, title: `Nvidia ships Rubin GPUs to customer ${id}`, summary: `Deal ${id} for accelerators.` });

    /** A pipeline with its own clocks: the pipeline's, and the one the store times claims with. */
    function setup(label: string) {
      const clocks = { pipeline: Date.parse('2026-11-29T10:00:00Z'), store: Date.parse('2026-11-29T10:00:00Z') };
      const { store, cleanup } = (makeStore as NonNullable<typeof makeStore>)(() => clocks.store);
      cleanups.push(cleanup);
      const path = `/incremental-${name.replace(/\W/g, '')}-${label}.xml`;
      const source: SourceConfig = { id: `inc-${label}`, kind: 'feed', options: {}, name: 'Test wire', url: `${server.origin}${path}`, every: '5m', cron: undefined, enabled: true };
      return { store, clocks, path, source };
    }

    it('alerts exactly the new items of a changed feed, once each', async () => {
      const { store, clocks, path, source } = setup('once');
      const pipeline = createPipeline({ store, fetcher, logger, channels, seenTtlMs: 86_400_000, now: () => new Date(clocks.pipeline) });
      let items = Array.from({ length: 20 }, (_, i) => story(`old-${i}`));
      server.set(path, rss(items));
      expect(await pipeline.pollSource(source)).toMatchObject({ outcome: 'seeded', items: 20 });

      items = [story('new-1'), story('new-2'), ...items].slice(0, 20);
      server.set(path, rss(items));
      expect(await pipeline.pollSource(source)).toMatchObject({ outcome: 'polled', items: 20, fresh: 2, alerts: 2 });
      expect(await pipeline.pollSource(source)).toMatchObject({ outcome: 'not-modified' });

      // One more on top; an old one edited in place (same GUID, new text) and two moved: not new.
      const edited = { ...story('old-5'), summary: 'Corrected figures.' };
      items = [story('new-3'), ...items.map((i) => (i.id === 'old-5' ? edited : i))].slice(0, 20);
      [items[10], items[11]] = [items[11] ?? story('x'), items[10] ?? story('x')];
      server.set(path, rss(items));
      expect(await pipeline.pollSource(source)).toMatchObject({ outcome: 'polled', items: 20, fresh: 1, alerts: 1 });

      server.set(path, rss(items.slice(0, 15)));
      expect(await pipeline.pollSource(source)).toMatchObject({ outcome: 'polled', items: 15, fresh: 0, alerts: 0 });

      const due = await store.dueDeliveries(clocks.pipeline + 60_000, 100);
      expect(due.map((d) => `${d.alert.channel} ${d.alert.title}`).sort()).toEqual(
        ['new-1', 'new-2', 'new-3'].map((id) => `console:markets Nvidia ships Rubin GPUs to customer ${id}`),
      );
      expect(due.find((d) => d.alert.title.endsWith('new-3'))?.alert.summary).toBe('Deal new-3 for accelerators.');
    });

    it('judges from the whole feed an unparsed item the store calls fresh (its memory expired)', async () => {
      const { store, clocks, path, source } = setup('expired');
      const pipeline = createPipeline({ store, fetcher, logger, channels, seenTtlMs: 60_000, now: () => new Date(clocks.pipeline) });
      server.set(path, rss([story('a'), story('b')]));
      expect(await pipeline.pollSource(source)).toMatchObject({ outcome: 'seeded', items: 2 });

      // Another process polls while the feed lists x alone; a ttl later (on the store's clock) a
      // and b are forgotten while this process still remembers their text from its last parse:
      // only c is parsed, yet all three are new to the store.
      const other = createPipeline({ store, fetcher, logger, channels, seenTtlMs: 60_000, now: () => new Date(clocks.pipeline) });
      clocks.pipeline += 1000;
      clocks.store += 1000;
      server.set(path, rss([story('x')]));
      expect(await other.pollSource(source)).toMatchObject({ outcome: 'polled', items: 1, fresh: 1 });
      clocks.store += 120_000;
      clocks.pipeline += 1000;
      server.set(path, rss([story('c'), story('a'), story('b')]));
      expect(await pipeline.pollSource(source)).toMatchObject({ outcome: 'polled', items: 3, fresh: 3, alerts: 3 });
      const due = await store.dueDeliveries(clocks.store + 60_000, 10);
      expect(due.map((d) => d.alert.title).sort()).toEqual(['a', 'b', 'c', 'x'].map((id) => `Nvidia ships Rubin GPUs to customer ${id}`));
      expect(due.find((d) => d.alert.title.endsWith(' a'))?.alert.summary).toBe('Deal a for accelerators.');
    });

    it('judges an item parsed by a poll whose claim failed, in the next poll, with one store call', async () => {
      const { store: inner, clocks, path, source } = setup('claim-failed');
      const calls: string[] = [];
      let failClaims = 0;
      // The store as the network leaves it: one claim lost to a dropped connection.
      const store = new Proxy(inner, {
        get(target, member, receiver) {
          const value: unknown = Reflect.get(target, member, receiver);
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => {
            calls.push(String(member));
            if (member === 'claimAndCommit' && failClaims > 0) {
              failClaims--;
              return Promise.reject(new Error('connection lost'));
            }
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
      const pipeline = createPipeline({ store, fetcher, logger, channels, seenTtlMs: 86_400_000, now: () => new Date(clocks.pipeline) });
      server.set(path, rss([story('a')]));
      expect(await pipeline.pollSource(source)).toMatchObject({ outcome: 'seeded' });
      // Warm the rules and story caches, so the last poll below shows its own store calls only.
      server.set(path, rss([story('b'), story('a')]));
      expect(await pipeline.pollSource(source)).toMatchObject({ outcome: 'polled', fresh: 1, alerts: 1 });

      failClaims = 1;
      server.set(path, rss([story('c'), story('b'), story('a')]));
      expect(await pipeline.pollSource(source)).toMatchObject({ outcome: 'failed' });
      // c is now remembered as parsed, but was never claimed: the next poll parses only d, and
      // still judges c with it, in the one claim-and-commit call.
      server.set(path, rss([story('d'), story('c'), story('b'), story('a')]));
      calls.length = 0;
      expect(await pipeline.pollSource(source)).toMatchObject({ outcome: 'polled', items: 4, fresh: 2, alerts: 2 });
      expect(calls).toEqual(['claimAndCommit']);
      const due = await inner.dueDeliveries(clocks.pipeline + 60_000, 10);
      expect(due.map((d) => d.alert.title.split(' ').at(-1)).sort()).toEqual(['b', 'c', 'd']);
    });
  });
}
