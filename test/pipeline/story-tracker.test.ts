// The story tracker over both stores: what a poll writes back is what the next process reads.
import { afterEach, describe, expect, it } from 'vitest';
import { createStoryTracker, STORY_TTL_MS } from '../../src/pipeline/story-tracker.js';
import { storySignature } from '../../src/relevance/stories.js';
import { createMemoryStore } from '../../src/store/memory-store.js';
import { createRedisStore } from '../../src/store/redis-store.js';
import { STORY_JSON, type Store } from '../../src/store/store.js';
import { testPrefix, testRedis, testRedisUrl } from '../support/redis.js';

const T0 = Date.UTC(2026, 10, 30, 9, 0, 0);
const at = (minutes: number): string => new Date(T0 + minutes * 60_000).toISOString();
const report = (source: string, minutes: number) => ({
  title: 'Nvidia to invest up to $100 billion in OpenAI',
  summary: 'The chipmaker will supply 10 gigawatts of systems for new data centers, people familiar said.',
  published: at(minutes),
  key: `${source}-${minutes}`,
  source,
});

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const stores: Array<[string, (() => Store) | undefined]> = [
  ['memory store', () => createMemoryStore({ now: () => T0 })],
  [
    'redis store',
    testRedisUrl()
      ? () => {
          const redis = testRedis();
          const prefix = testPrefix('stories');
          cleanups.push(async () => {
            const keys = await redis.keys(`${prefix}*`);
            if (keys.length > 0) await redis.del(...keys);
            redis.disconnect();
          });
          return createRedisStore(redis, { prefix, now: () => T0 });
        }
      : undefined,
  ],
];

describe.each(stores)('story tracker on the %s', (_label, make) => {
  it.runIf(make !== undefined)('writes a story so that another process places the next report in it, each outlet listed once', async () => {
    const store = (make as () => Store)();
    const first = createStoryTracker(store);
    const outlets = ['Reuters', 'CNBC', 'Bloomberg'];
    let storyId = '';
    for (let minute = 0; minute < 30; minute++) {
      const batch = await first.open(T0 + minute * 60_000);
      const placed = batch.assign(report(outlets[minute % 3] ?? '', minute));
      storyId ||= placed.storyId;
      expect(placed.storyId).toBe(storyId);
      expect(placed.outlets).toEqual(outlets.slice(0, Math.min(3, minute + 1)));
      // The text the record carries for the Redis store is its JSON, whatever the members kept.
      for (const record of batch.touched()) expect(record[STORY_JSON]).toBe(JSON.stringify(record));
      await batch.commit();
    }
    const [stored] = await store.recentStories(T0 - STORY_TTL_MS);
    expect(stored?.id).toBe(storyId);
    // Eight representatives whole (their words as one string), then each outlet's latest report.
    const members = (stored?.signature as { members: Array<{ signature?: { tokens: unknown }; source: string; time: number }> }).members;
    expect(members).toHaveLength(8 + 3);
    expect(members.slice(0, 8).every((m) => typeof m.signature?.tokens === 'string')).toBe(true);
    expect(members.slice(8).map((m) => [m.source, m.time])).toEqual([
      ['Bloomberg', T0 + 29 * 60_000],
      ['Reuters', T0 + 27 * 60_000],
      ['CNBC', T0 + 28 * 60_000],
    ]);
    expect(stored?.reports.at(-1)).toEqual({ outlet: 'CNBC', at: T0 + 28 * 60_000 });

    const second = createStoryTracker(store);
    const batch = await second.open(T0 + 31 * 60_000);
    expect(batch.assign(report('FT', 31))).toMatchObject({ storyId, isNew: false, sources: 4, breaking: true, outlets: ['Reuters', 'CNBC', 'Bloomberg', 'FT'] });
  });

  it.runIf(make !== undefined)('carries the JSON of stories with reports without outlet or date', async () => {
    const store = (make as () => Store)();
    const tracker = createStoryTracker(store);
    for (let minute = 0; minute < 12; minute++) {
      const batch = await tracker.open(T0 + minute * 60_000);
      const item = minute % 4 === 3 ? { ...report('x', minute), source: undefined } : minute % 5 === 4 ? { ...report('AP', minute), published: 'not a date' } : report('Reuters', minute);
      batch.assign(item);
      for (const record of batch.touched()) expect(record[STORY_JSON]).toBe(JSON.stringify(record));
      await batch.commit();
    }
    const [stored] = await store.recentStories(T0 - STORY_TTL_MS);
    expect((stored?.signature as { members: unknown[] }).members.length).toBeGreaterThan(8);
  });

  it.runIf(make !== undefined)('reads a story written with its words as lists, as stories were written before', async () => {
    const store = (make as () => Store)();
    const sig = storySignature(report('Reuters', 0));
    expect(sig.tokens.length).toBeGreaterThan(3);
    await store.putStory(
      { id: 'older', signature: { members: [{ signature: sig, source: 'Reuters', time: T0 }], breaking: false }, firstAt: T0, reports: [{ outlet: 'Reuters', at: T0 }] },
      STORY_TTL_MS,
    );
    const batch = await createStoryTracker(store).open(T0 + 60_000);
    expect(batch.assign(report('CNBC', 1))).toMatchObject({ storyId: 'older', isNew: false, sources: 2, outlets: ['Reuters', 'CNBC'] });
  });
});
