import { describe, expect, it } from 'vitest';
import {
  clusterStories,
  compareStories,
  createStoryIndex,
  sameStory,
  storyIdOf,
  storyScore,
  storySignature,
  type StoryIndexItem,
} from '../../src/relevance/stories.js';

const H = 3_600_000;
const at = (iso: string): number => Date.parse(iso);

const nvidiaEn = {
  title: 'Nvidia to invest up to $100 billion in OpenAI',
  summary: 'The chipmaker will supply 10 gigawatts of systems for new data centers.',
  published: '2025-09-22T14:00:00Z',
};
const nvidiaFr = {
  title: 'Nvidia va investir jusqu’à 100 milliards de dollars dans OpenAI',
  summary: 'Le géant des puces fournira dix gigawatts de systèmes pour de nouveaux centres de données.',
  published: '2025-09-22T18:00:00Z',
};
/** Same companies and amount, another event, four months later. */
const nvidiaLater = {
  title: 'Nvidia’s plan to invest $100 billion in OpenAI is on ice',
  summary: 'Executives doubt the size of the deal.',
  published: '2026-01-30T22:00:00Z',
};

describe('storySignature', () => {
  it('holds entities with aliases resolved, normalised figures and bilingual content words', () => {
    const en = storySignature(nvidiaEn);
    const fr = storySignature(nvidiaFr);
    expect(en.entities).toEqual(['nvidia', 'openai']);
    expect(fr.entities).toEqual(['nvidia', 'openai']);
    expect(en.amounts).toEqual([
      { kind: 'money', value: 100e9, unit: 'USD', inTitle: true },
      { kind: 'power', value: 10, unit: 'GW', inTitle: false },
    ]);
    expect(fr.amounts).toEqual(en.amounts);
    // « centres de données » ≈ "data centers", « investir » ≈ "invest".
    expect(fr.tokens).toEqual(expect.arrayContaining(['datacenter', 'invest', 'system', 'supply']));
    expect(en.tokens).toEqual(expect.arrayContaining(['datacenter', 'invest', 'system', 'supply']));
    expect(fr.tokens).not.toContain('new');
    expect(en.time).toBe(at('2025-09-22T14:00:00Z'));
    expect(en.topics).toEqual(['ai-chips']);
  });

  it('is plain data that survives JSON', () => {
    const sig = storySignature(nvidiaFr);
    expect(JSON.parse(JSON.stringify(sig))).toEqual({ ...sig, time: sig.time });
  });
});

describe('sameStory', () => {
  it('joins the same event across languages and outlets', () => {
    expect(sameStory(storySignature(nvidiaEn), storySignature(nvidiaFr))).toBe(true);
  });

  it('keeps apart the same companies and amount on another day', () => {
    const c = compareStories(storySignature(nvidiaEn), storySignature(nvidiaLater));
    expect(c.inWindow).toBe(false);
    expect(sameStory(storySignature(nvidiaEn), storySignature(nvidiaLater))).toBe(false);
    // Without dates the window cannot tell, and the shared figure makes them one story.
    const undated = (x: { title: string; summary: string }) => storySignature({ title: x.title, summary: x.summary });
    expect(sameStory(undated(nvidiaEn), undated(nvidiaLater))).toBe(true);
  });

  it('keeps apart two deals of one company on the same day', () => {
    const iren = storySignature({
      title: 'Microsoft signs $9.7 billion AI cloud deal with IREN',
      summary: 'The data center operator will give Microsoft access to Nvidia GB300 chips.',
      published: '2025-11-03T13:00:00Z',
    });
    const lambda = storySignature({
      title: 'Lambda strikes multibillion-dollar AI infrastructure deal with Microsoft',
      summary: 'The cloud provider will deploy Nvidia GB300 systems for Microsoft.',
      published: '2025-11-03T19:00:00Z',
    });
    const c = compareStories(iren, lambda);
    expect(c.sharedEntities).toEqual(expect.arrayContaining(['microsoft', 'nvidia']));
    expect(c.titleConflict).toBe(true);
    expect(sameStory(iren, lambda)).toBe(false);
  });

  it('needs a shared entity, or a shared figure and topic', () => {
    const a = storySignature({ title: 'Crypto market sees record $19 billion of liquidations', published: '2025-10-11T02:00:00Z' });
    const b = storySignature({ title: 'Krach des cryptos : 19 milliards de dollars de positions liquidées', published: '2025-10-11T07:00:00Z' });
    expect(compareStories(a, b).sharedEntities).toEqual([]);
    expect(sameStory(a, b)).toBe(true);
    const c = storySignature({ title: 'Snack sales reach $19 billion of liquidations', published: '2025-10-11T07:00:00Z' });
    expect(sameStory(a, c)).toBe(false);
  });

  it('treats close figures as one ($962.7 million ≈ $963 million) and distant ones as a conflict', () => {
    const a = storySignature({ title: 'Strategy buys 10,624 bitcoin for $962.7 million', published: '2025-12-08T13:00:00Z' });
    const b = storySignature({ title: 'Saylor’s Strategy spent about $963 million on bitcoin', published: '2025-12-08T14:00:00Z' });
    const later = storySignature({ title: 'Strategy buys 10,645 bitcoin for $835.6 million', published: '2025-12-09T13:00:00Z' });
    expect(compareStories(a, b).sharedAmount).toBe(true);
    expect(sameStory(a, b)).toBe(true);
    expect(compareStories(a, later).amountConflict).toBe(true);
    expect(compareStories(a, later).headlineConflict).toBe(true);
    expect(sameStory(a, later)).toBe(false);
  });

  it('scores in [0, 1], 0.5 being the decision line', () => {
    const s = storyScore(storySignature(nvidiaEn), storySignature(nvidiaFr));
    expect(s).toBeGreaterThanOrEqual(0.5);
    expect(s).toBeLessThanOrEqual(1);
    expect(storyScore(storySignature(nvidiaEn), storySignature(nvidiaLater))).toBe(0);
  });

  it('accepts a wider window when asked', () => {
    const a = storySignature({ ...nvidiaEn, published: '2025-09-22T00:00:00Z' });
    const b = storySignature({ ...nvidiaFr, published: '2025-09-25T00:00:00Z' });
    expect(sameStory(a, b)).toBe(false);
    expect(sameStory(a, b, { windowMs: 96 * H })).toBe(true);
  });
});

describe('clusterStories', () => {
  it('gives one id to one story, in order, and others their own', () => {
    const ids = clusterStories([
      { ...nvidiaEn, key: 'reuters-1' },
      { title: 'Le bitcoin passe sous les 81 000 dollars', published: '2025-09-22T15:00:00Z', key: 'echos-2' },
      { ...nvidiaFr, key: 'lemonde-3' },
      { ...nvidiaLater, key: 'wsj-4' },
    ]);
    expect(ids[0]).toBe(storyIdOf('reuters-1'));
    expect(ids[2]).toBe(ids[0]);
    expect(new Set(ids).size).toBe(3);
    expect(ids[1]).toBe(storyIdOf('echos-2'));
  });
});

describe('createStoryIndex', () => {
  const report = (source: string, minutes: number, extra: Partial<StoryIndexItem> = {}): StoryIndexItem => ({
    ...nvidiaEn,
    published: new Date(at(nvidiaEn.published) + minutes * 60_000).toISOString(),
    key: `${source}-${minutes}`,
    source,
    ...extra,
  });

  it('opens a story on the first report and counts distinct outlets after', () => {
    const index = createStoryIndex();
    const now = at(nvidiaEn.published);
    const first = index.assign(report('Reuters', 0), now);
    expect(first).toEqual({ storyId: storyIdOf('Reuters-0'), isNew: true, sources: 1, breaking: false, becameBreaking: false, member: 0 });
    const again = index.assign(report('Reuters', 5), now);
    expect(again).toMatchObject({ storyId: first.storyId, isNew: false, sources: 1, breaking: false, member: 1 });
    const second = index.assign({ ...nvidiaFr, published: new Date(now + 20 * 60_000).toISOString(), source: 'Le Monde', key: 'lm' }, now);
    expect(second).toMatchObject({ storyId: first.storyId, isNew: false, sources: 2, breaking: false });
  });

  it('marks a story breaking when three outlets report it within an hour, once', () => {
    const index = createStoryIndex();
    const now = at(nvidiaEn.published);
    index.assign(report('Reuters', 0), now);
    index.assign(report('CNBC', 20), now);
    const third = index.assign(report('Bloomberg', 50), now);
    expect(third).toMatchObject({ sources: 3, breaking: true, becameBreaking: true });
    const fourth = index.assign(report('FT', 55), now);
    expect(fourth).toMatchObject({ sources: 4, breaking: true, becameBreaking: false });
  });

  it('does not call a story breaking when its outlets are spread over more than an hour', () => {
    const index = createStoryIndex();
    const now = at(nvidiaEn.published);
    index.assign(report('Reuters', 0), now);
    index.assign(report('CNBC', 70), now);
    expect(index.assign(report('Bloomberg', 140), now)).toMatchObject({ sources: 3, breaking: false });
  });

  it('forgets stories older than the window and starts again from a snapshot', () => {
    const index = createStoryIndex({ windowMs: 48 * H });
    const t0 = at(nvidiaEn.published);
    const first = index.assign(report('Reuters', 0), t0);
    expect(index.snapshot()).toHaveLength(1);
    const restored = createStoryIndex({ initial: index.snapshot() });
    expect(restored.assign(report('CNBC', 10), t0).storyId).toBe(first.storyId);
    const late = index.assign({ ...report('CNBC', 0), published: undefined, key: 'late' }, t0 + 72 * H);
    expect(late.isNew).toBe(true);
    expect(index.snapshot().map((s) => s.id)).toEqual([late.storyId]);
  });

  it('keeps a story reported all day by the same outlets the same size: representatives, then each outlet once', () => {
    const index = createStoryIndex({ representatives: 4 });
    const now = at(nvidiaEn.published);
    const outlets = ['Reuters', 'CNBC', 'Bloomberg'];
    let last = index.assign(report('Reuters', 0), now);
    for (let minute = 1; minute < 600; minute++) last = index.assign(report(outlets[minute % 3] ?? '', minute), now);
    expect(last).toMatchObject({ isNew: false, sources: 3, breaking: true });
    const [story] = index.snapshot();
    expect(story?.members).toHaveLength(4 + 3);
    // Each assignment says where the report is kept: the outlet's place after the representatives.
    expect(story?.members[last.member]).toMatchObject({ source: 'Bloomberg', time: at(nvidiaEn.published) + 599 * 60_000 });
    // The representatives keep their signatures; after them each outlet's latest report, without one.
    expect(story?.members.slice(0, 4).every((m) => m.signature !== undefined)).toBe(true);
    const tail = story?.members.slice(4) ?? [];
    expect(tail.map((m) => m.signature)).toEqual([undefined, undefined, undefined]);
    expect(Object.fromEntries(tail.map((m) => [m.source, m.time]))).toEqual({
      Reuters: at(nvidiaEn.published) + 597 * 60_000,
      CNBC: at(nvidiaEn.published) + 598 * 60_000,
      Bloomberg: at(nvidiaEn.published) + 599 * 60_000,
    });
    expect(JSON.stringify(story).length).toBeLessThan(8_000);
    // A copy started from it reads the same outlets and places the next report in the same story.
    const restored = createStoryIndex({ representatives: 4, initial: JSON.parse(JSON.stringify(index.snapshot())) });
    expect(restored.assign(report('FT', 600), now)).toMatchObject({ storyId: last.storyId, sources: 4, breaking: true });
  });

  it('counts an outlet within the breaking window by its latest report, kept or not', () => {
    const index = createStoryIndex({ representatives: 1 });
    const now = at(nvidiaEn.published);
    index.assign(report('Reuters', 0), now);
    // CNBC's early report is replaced by its later one; Bloomberg's late report makes three within the hour.
    index.assign(report('CNBC', 10), now);
    index.assign(report('CNBC', 200), now);
    expect(index.assign(report('Reuters', 210), now)).toMatchObject({ sources: 2, breaking: false });
    expect(index.assign(report('Bloomberg', 220), now)).toMatchObject({ sources: 3, breaking: true, becameBreaking: true });
  });

  it('never reuses an id, even for the same first key', () => {
    const index = createStoryIndex();
    const a = index.assign({ title: 'Bitcoin slides below $81,000', key: 'k' }, 0);
    const b = index.assign({ title: 'Oracle doubles jobs pledge for New Mexico data center', key: 'k' }, 0);
    expect(b.isNew).toBe(true);
    expect(b.storyId).not.toBe(a.storyId);
  });
});
