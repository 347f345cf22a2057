// A changed feed parsed incrementally (only the items whose text is new) must read exactly as a
// full parse of the same text: same keys in the same order, and each parsed item equal to the full
// parse's item with that key. Proven on every file of the real-world corpus with simulated
// changes (a new item on top, an item edited, the channel changed), then on hand-made cases.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeFeedBytesWithInfo } from '../../../src/sources/feed/decode.js';
import { MEMO_MAX_ITEMS, parseFeedIncremental, type FeedMemo, type IncrementalParse } from '../../../src/sources/feed/incremental-parse.js';
import { splitItemChunks } from '../../../src/sources/feed/item-chunks.js';
import { parseFeed, type ParsedFeed } from '../../../src/sources/feed/parse-feed.js';
import { loadCorpus, mutatedCase } from '../../../scripts/mutate-corpus.js';

const CORPUS = new URL('../../fixtures/corpus/', import.meta.url);
const OPTIONS = { sourceId: 'corpus', url: 'https://corpus.test/feeds/feed.xml' };

const files = readFileSync(new URL('MANIFEST.tsv', CORPUS), 'utf8')
  .trimEnd()
  .split('\n')
  .slice(1)
  .map((line) => line.split('\t')[0] ?? '');

const keysOf = (result: IncrementalParse): string[] => result.keys ?? result.feed.items.map((i) => i.key);

/** The incremental result reads as the full parse: keys in order, parsed items equal, feed fields equal. */
function expectSameAsFull(result: IncrementalParse, full: ParsedFeed): void {
  expect(keysOf(result)).toEqual(full.items.map((i) => i.key));
  const byKey = new Map(full.items.map((i) => [i.key, i]));
  for (const item of result.feed.items) expect(item).toEqual(byKey.get(item.key));
  expect({ ...result.feed, items: undefined }).toEqual({ ...full, items: undefined });
  if (result.keys === undefined) expect(result.feed.items).toHaveLength(full.items.length);
  else expect(result.feed.items.length).toBeLessThan(full.items.length);
}

/** The text with the span [from, to) replaced. */
const splice = (text: string, from: number, to: number, insert = ''): string => text.slice(0, from) + insert + text.slice(to);

/** A copy of an item with another GUID / atom:id, or undefined when it has none written plainly. */
function withNewId(chunk: string, suffix: string): string | undefined {
  const changed = chunk.replace(/(<(guid|id)(?:\s[^<>]*)?>)([^<]+)(<\/\2>)/, (_all, open: string, _name, id: string, close: string) => `${open}${id}${suffix}${close}`);
  return changed === chunk ? undefined : changed;
}

/** One poll after another of the same source, each checked against a full parse. */
function pollChain(texts: readonly string[], stats: { partial: number }): void {
  let memo: FeedMemo | undefined;
  for (const text of texts) {
    const full = parseFeed(text, OPTIONS);
    const result = parseFeedIncremental(text, OPTIONS, memo);
    expectSameAsFull(result, full);
    if (result.keys !== undefined) stats.partial++;
    memo = result.memo;
  }
}

describe('incremental parsing of the real-world corpus', () => {
  const stats = { files: 0, split: 0, memoised: 0, partial: 0 };

  it.each(files)('%s', (file) => {
    stats.files++;
    const text = decodeFeedBytesWithInfo(readFileSync(new URL(`feeds/${file}`, CORPUS)), undefined).text;
    let full: ParsedFeed;
    try {
      full = parseFeed(text, OPTIONS);
    } catch {
      // Not a feed: the incremental path fails the same way.
      expect(() => parseFeedIncremental(text, OPTIONS, undefined)).toThrow();
      return;
    }
    const first = parseFeedIncremental(text, OPTIONS, undefined);
    expectSameAsFull(first, full);
    expect(first.keys).toBeUndefined();
    const chunks = splitItemChunks(text);
    if (chunks === undefined) {
      expect(first.memo).toBeUndefined();
      return;
    }
    stats.split++;
    if (first.memo !== undefined) stats.memoised++;
    // Whatever the splitter found is markup the parser reads: the items' spans start and end tags.
    chunks.starts.forEach((start, i) => {
      const chunk = text.slice(start, chunks.ends[i]);
      expect(chunk).toMatch(/^<(item|entry)[\s>][\s\S]*<\/\1\s*>$/);
    });
    if (chunks.starts.length === 0) return;

    const [firstStart = 0, lastStart = 0] = [chunks.starts[0], chunks.starts.at(-1)];
    const [firstEnd = 0, lastEnd = 0] = [chunks.ends[0], chunks.ends.at(-1)];
    const withoutFirst = splice(text, firstStart, firstEnd);
    const lastEndTag = text.lastIndexOf('</', lastEnd - 1);
    const lastEdited = splice(text, lastEndTag, lastEndTag, '<category>edited</category>');
    const channelChanged = splice(text, firstStart, firstStart, '<!-- built again -->');
    const chain = [withoutFirst, text, lastEdited, channelChanged];
    const fresh = withNewId(text.slice(firstStart, firstEnd), '-new-1');
    const fresher = withNewId(text.slice(firstStart, firstEnd), '-new-2');
    if (fresh !== undefined && fresher !== undefined) {
      const prepended = splice(text, firstStart, firstStart, fresh);
      const twice = splice(prepended, firstStart, firstStart, fresher);
      const shift = fresh.length + fresher.length;
      // The last item dropped as a new one arrives, as feeds do.
      chain.push(prepended, splice(twice, lastStart + shift, lastEnd + shift));
    }
    pollChain(chain, stats);
    // Polls of the same changes in another order, or of a text that lost all its items.
    pollChain([text, withoutFirst, splice(text, firstStart, lastEnd)], stats);
  });

  it('splits and memoises most feeds, and parses most changes incrementally', () => {
    expect(stats.files).toBe(files.length);
    expect(stats.split).toBeGreaterThan(250);
    expect(stats.memoised).toBeGreaterThan(150);
    expect(stats.partial).toBeGreaterThan(600);
  });

  afterAll(() => {
    console.log(`incremental: ${JSON.stringify(stats)}`);
  });
});

describe('incremental parsing of hostile mutations of the corpus', () => {
  const corpus = loadCorpus();
  const bytesOf = new Map(corpus.map((f) => [f.name, f.bytes]));
  /** The parse of a text, or the error it throws. */
  const attempt = (parse: () => IncrementalParse | ParsedFeed) => {
    try {
      return { ok: true as const, value: parse() };
    } catch (err) {
      return { ok: false as const, err };
    }
  };
  const stats = { cases: 0, partial: 0 };

  // Every 37th of the first 3,700 cases: each mutation kind in turn (see test/hostile/mutated-corpus.test.ts).
  it.each(Array.from({ length: 100 }, (_, i) => i * 37))('case %i reads as a full parse, after the original and before it', (index) => {
    stats.cases++;
    const mutant = mutatedCase(corpus, 1, index);
    const original = decodeFeedBytesWithInfo(bytesOf.get(mutant.from) ?? Buffer.alloc(0), mutant.contentType).text;
    const changed = decodeFeedBytesWithInfo(mutant.bytes, mutant.contentType).text;
    for (const [before, after] of [
      [original, changed],
      [changed, original],
    ] as const) {
      const memo = attempt(() => parseFeedIncremental(before, OPTIONS, undefined));
      const full = attempt(() => parseFeed(after, OPTIONS));
      const result = attempt(() => parseFeedIncremental(after, OPTIONS, memo.ok && 'memo' in memo.value ? memo.value.memo : undefined));
      expect(result.ok).toBe(full.ok);
      if (!result.ok || !full.ok) continue;
      expectSameAsFull(result.value as IncrementalParse, full.value as ParsedFeed);
      if ((result.value as IncrementalParse).keys !== undefined) stats.partial++;
    }
  });

  afterAll(() => {
    console.log(`incremental, mutated: ${JSON.stringify(stats)}`);
  });
});

describe('parseFeedIncremental', () => {
  const rss = (items: string, channel = '<title>Wire</title>') => `<?xml version="1.0"?>\n<rss version="2.0"><channel>${channel}\n${items}\n</channel></rss>`;
  const item = (id: string, title = `Story ${id}`) => `<item><title>${title}</title><link>https://wire.test/${id}</link><guid>${id}</guid></item>`;
  const poll = (before: string, after: string) => parseFeedIncremental(after, OPTIONS, parseFeedIncremental(before, OPTIONS, undefined).memo);

  it('parses only the new items and answers every key in feed order', () => {
    const result = poll(rss(item('a') + item('b')), rss(item('c') + item('a') + item('b')));
    expect(result.keys).toEqual(['c', 'a', 'b']);
    expect(result.feed.items.map((i) => i.title)).toEqual(['Story c']);
    expect(result.feed).toMatchObject({ title: 'Wire', format: 'rss-2.0', idField: 'guid' });
    expect(result.memo?.keys).toBe('c\u0000a\u0000b');
    expect(result.memo?.hashes).toHaveLength(2 + 2 * 3);
  });

  it('parses an edited item again, under its own key', () => {
    const result = poll(rss(item('a') + item('b')), rss(item('a', 'Story a, updated') + item('b')));
    expect(result.keys).toEqual(['a', 'b']);
    expect(result.feed.items.map((i) => i.title)).toEqual(['Story a, updated']);
  });

  it('answers from the memo alone when only the channel changed', () => {
    const result = poll(rss(item('a')), rss(item('a'), '<title>Wire, renamed</title><lastBuildDate>Mon, 30 Nov 2026 10:00:00 GMT</lastBuildDate>'));
    expect(result.keys).toEqual(['a']);
    expect(result.feed.items).toEqual([]);
    expect(result.feed.title).toBe('Wire, renamed');
  });

  it('parses the whole feed when a new item repeats a GUID, and forgets the memo', () => {
    const after = rss(`<item><title>Other</title><link>https://wire.test/other</link><guid>a</guid></item>${item('a')}`);
    const result = poll(rss(item('a')), after);
    expect(result.keys).toBeUndefined();
    expect(result.feed).toEqual(parseFeed(after, OPTIONS));
    expect(result.feed.idField).not.toBe('guid');
    expect(result.memo).toBeUndefined();
  });

  it('memoises only feeds whose every item is keyed by GUID and kept for its own text', () => {
    expect(parseFeedIncremental(rss(item('a')), OPTIONS, undefined).memo).toBeDefined();
    expect(parseFeedIncremental(rss(`${item('a')}<item><title>No guid</title><link>https://wire.test/x</link></item>`), OPTIONS, undefined).memo).toBeUndefined();
    // Kept only because its relative link resolves: in other surroundings it might not be.
    expect(parseFeedIncremental(rss(`${item('a')}<item><link>/only-a-link</link><guid>b</guid></item>`), OPTIONS, undefined).memo).toBeUndefined();
    // An empty item is dropped: items no longer map one to one onto the spans.
    expect(parseFeedIncremental(rss(`${item('a')}<item><guid>b</guid></item>`), OPTIONS, undefined).memo).toBeUndefined();
    expect(parseFeedIncremental(rss(''), OPTIONS, undefined).memo).toBeUndefined();
  });

  it('ignores a memo made for another URL or other surroundings', () => {
    const memo = parseFeedIncremental(rss(item('a')), OPTIONS, undefined).memo;
    const after = rss(item('b') + item('a'));
    expect(parseFeedIncremental(after, { ...OPTIONS, url: 'https://feeds.test/b/feed.xml' }, memo).keys).toBeUndefined();
    expect(parseFeedIncremental(after.replace('<rss version="2.0">', '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">'), OPTIONS, memo).keys).toBeUndefined();
    expect(parseFeedIncremental(after, OPTIONS, memo).keys).toEqual(['b', 'a']);
  });

  it('parses whole a text with a lone surrogate (it would hash like U+FFFD)', () => {
    const lone = rss(item('a', 'Broken \uD800 title') + item('b'));
    expect(parseFeedIncremental(lone, OPTIONS, undefined).memo).toBeUndefined();
    expect(poll(rss(item('b')), lone).keys).toBeUndefined();
  });

  it('parses whole a feed of more items than a memo keeps', () => {
    const many = Array.from({ length: MEMO_MAX_ITEMS + 1 }, (_, i) => item(`i${i}`)).join('');
    expect(parseFeedIncremental(rss(many), OPTIONS, undefined).memo).toBeUndefined();
  });
});
