// The story tracker over both stores: what a poll writes back is what the next process reads.
import { afterEach, describe, expect, it } from 'vitest';
import { createStoryTracker, STORY_TTL_MS } from '../../src/pipeline/story-tracker.js';
import { storySignature } from '../../src/relevance/stories.js';
import { REPORTED_BY_NAMES } from '../../src/domain.js';
import { createMemoryStore } from '../../src/store/memory-store.js';
import { createRedisStore } from '../../src/store/redis-store.js';
import { STORY_JSON, storyHead, type Store, type StoryWrite } from '../../src/store/store.js';
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

/** The head's JSON a write carries is exactly its head serialised; a write without head carries none. */
function expectHeadJson(write: StoryWrite): void {
  expect(write[STORY_JSON]).toBe(write.signature === undefined ? undefined : JSON.stringify(storyHead(write)));
}

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
      // The text a write carries for the Redis store is its head's JSON. Once the story has its eight
      // representatives and is breaking, a report writes itself alone: no head.
      const writes = batch.touched();
      for (const write of writes) expectHeadJson(write);
      if (minute >= 8) expect(writes).toStrictEqual([{ id: storyId, signature: undefined, firstAt: T0, reports: [{ outlet: outlets[minute % 3], seq: 8 + (minute - 8) % 3, at: T0 + minute * 60_000 }] }]);
      else expect(writes[0]?.signature).toBeDefined();
      await batch.commit();
    }
    const [stored] = await store.recentStories(T0 - STORY_TTL_MS);
    expect(stored?.id).toBe(storyId);
    // Eight representatives whole (their words as one string) in the head, then each outlet's latest report.
    const members = (stored?.signature as { members: Array<{ signature?: { tokens: unknown }; source: string; time: number }> }).members;
    expect(members).toHaveLength(8);
    expect(members.every((m) => typeof m.signature?.tokens === 'string')).toBe(true);
    expect(stored?.reports).toEqual([
      { outlet: 'Bloomberg', seq: 8, at: T0 + 29 * 60_000 },
      { outlet: 'Reuters', seq: 9, at: T0 + 27 * 60_000 },
      { outlet: 'CNBC', seq: 10, at: T0 + 28 * 60_000 },
    ]);

    const second = createStoryTracker(store);
    const batch = await second.open(T0 + 31 * 60_000);
    expect(batch.assign(report('FT', 31))).toMatchObject({ storyId, isNew: false, sources: 4, breaking: true, outlets: ['Reuters', 'CNBC', 'Bloomberg', 'FT'] });
  });

  it.runIf(make !== undefined)('writes and reads back reports without outlet or date', async () => {
    const store = (make as () => Store)();
    const tracker = createStoryTracker(store);
    let sources = 0;
    for (let minute = 0; minute < 16; minute++) {
      const batch = await tracker.open(T0 + minute * 60_000);
      const item = minute % 4 === 3 ? { ...report('x', minute), source: undefined } : minute % 5 === 4 ? { ...report('AP', minute), published: 'not a date' } : report('Reuters', minute);
      sources = batch.assign(item).sources;
      for (const write of batch.touched()) expectHeadJson(write);
      await batch.commit();
    }
    const [stored] = await store.recentStories(T0 - STORY_TTL_MS);
    expect((stored?.signature as { members: unknown[] }).members).toHaveLength(8);
    // Reports 8–15: Reuters and AP once each, and the two without outlet (minutes 11 and 15) each on their own.
    expect(stored?.reports).toHaveLength(4);
    // Another process counts the same outlets: each report without outlet is one.
    const batch = await createStoryTracker(store).open(T0 + 16 * 60_000);
    expect(batch.assign(report('FT', 16))).toMatchObject({ storyId: stored?.id, isNew: false, sources: sources + 1 });
  });

  it.runIf(make !== undefined)('names the first twenty outlets of a story and counts them all', async () => {
    const store = (make as () => Store)();
    const batch = await createStoryTracker(store).open(T0 + 60 * 60_000);
    const outlets = Array.from({ length: 30 }, (_, i) => `Outlet ${i}`);
    let placed = batch.assign(report(outlets[0] ?? '', 0));
    for (const [i, outlet] of outlets.entries()) placed = batch.assign(report(outlet, i));
    expect(placed).toMatchObject({ isNew: false, sources: 30, outletCount: 30 });
    expect(placed.outlets).toEqual(outlets.slice(0, REPORTED_BY_NAMES));
  });

  it.runIf(make !== undefined)('splits a story the store holds whole on its next write', async () => {
    const store = (make as () => Store)();
    const sig = storySignature(report('Reuters', 0));
    const outlets = Array.from({ length: 11 }, (_, i) => `Outlet ${i}`);
    // As stories were written before reports were kept apart: every member in the head.
    const members = outlets.map((source, i) => ({ signature: i < 8 ? { ...sig, tokens: sig.tokens.join(' ') } : undefined, source, time: T0 + i * 60_000 }));
    await store.putStory({ id: 'whole', signature: { members, breaking: true }, firstAt: T0, reports: [] }, STORY_TTL_MS);
    const batch = await createStoryTracker(store).open(T0 + 12 * 60_000);
    expect(batch.assign(report('FT', 12))).toMatchObject({ storyId: 'whole', isNew: false, sources: 12 });
    await batch.commit();
    const [stored] = await store.recentStories(T0 - STORY_TTL_MS);
    expect((stored?.signature as { members: unknown[] }).members).toHaveLength(8);
    expect(stored?.reports.map((r) => [r.outlet, r.seq])).toEqual([...outlets.slice(8), 'FT'].map((outlet, i) => [outlet, 8 + i]));
    const again = await createStoryTracker(store).open(T0 + 13 * 60_000);
    expect(again.assign(report('AP', 13))).toMatchObject({ storyId: 'whole', isNew: false, sources: 13 });
  });

  it.runIf(make !== undefined)('reads a story written with its words as lists, as stories were written before', async () => {
    const store = (make as () => Store)();
    const sig = storySignature(report('Reuters', 0));
    expect(sig.tokens.length).toBeGreaterThan(3);
    await store.putStory(
      { id: 'older', signature: { members: [{ signature: sig, source: 'Reuters', time: T0 }], breaking: false }, firstAt: T0, reports: [] },
      STORY_TTL_MS,
    );
    const batch = await createStoryTracker(store).open(T0 + 60_000);
    expect(batch.assign(report('CNBC', 1))).toMatchObject({ storyId: 'older', isNew: false, sources: 2, outlets: ['Reuters', 'CNBC'] });
  });
});
