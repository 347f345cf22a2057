import { describe, expect, it } from 'vitest';
import type { RecentAlert } from '../../src/domain.js';
import { createMemoryStore } from '../../src/store/memory-store.js';
import { storeContract } from '../contract/store.contract.js';

storeContract('memory store', async (clock) => {
  const store = createMemoryStore({ now: clock.now });
  return { store, cleanup: () => store.close() };
});

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

describe('memory store options', () => {
  it('keeps only the configured number of recent alerts', async () => {
    const store = createMemoryStore({ recentAlerts: 3 });
    await store.addRecentAlerts([alert(1), alert(2)]);
    await store.addRecentAlerts([alert(3), alert(4), alert(5)]);
    expect((await store.recentAlerts(10)).map((a) => a.title)).toEqual(['Story 5', 'Story 4', 'Story 3']);
    expect((await store.searchRecentAlerts(['story'], 10)).map((a) => a.title)).toEqual(['Story 5', 'Story 4', 'Story 3']);
    expect(await store.searchRecentAlerts(['1'], 10)).toEqual([]);
  });

  it('keeps no recent alerts when configured with 0', async () => {
    const store = createMemoryStore({ recentAlerts: 0 });
    await store.addRecentAlerts([alert(1)]);
    expect(await store.recentAlerts(10)).toEqual([]);
    expect(await store.searchRecentAlerts(['story'], 10)).toEqual([]);
  });

  it('refuses a negative or fractional recent-alert limit', () => {
    expect(() => createMemoryStore({ recentAlerts: -1 })).toThrow(RangeError);
    expect(() => createMemoryStore({ recentAlerts: 2.5 })).toThrow(RangeError);
  });

  it('times claims with Date.now when no clock is given', async () => {
    const store = createMemoryStore();
    expect(await store.claim('feed', ['k'], { ttlMs: 60_000, maxKeys: 10 })).toEqual({ fresh: ['k'], firstPoll: true });
    expect(await store.claim('feed', ['k'], { ttlMs: 60_000, maxKeys: 10 })).toEqual({ fresh: [], firstPoll: false });
  });

  it('stops answering ping once closed', async () => {
    const store = createMemoryStore();
    await store.close();
    await expect(store.ping()).rejects.toThrow(/closed/);
  });
});
