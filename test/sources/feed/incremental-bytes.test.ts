// The parse job with a memo works on the body's bytes (incremental-parse.ts): it must answer
// exactly what a full parse of the same body answers (runParseJob without a memo), poll after
// poll: same keys in the same order, each parsed item equal to the full parse's item with that
// key, the same feed fields and codec. Proven on every file of the real-world corpus (UTF-8 with
// and without a BOM, windows-1252, ISO-8859-7, windows-1251, UTF-16/32, Big5, GB2312, EUC-KR)
// under simulated changes, on hostile mutations of it, then on hand-made cases: legacy codecs
// with non-ASCII bytes, invalid UTF-8, BOMs, a change of codec between polls, huge items.
import { readFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { byteCodecKind, feedEncoding, strippedBomBytes } from '../../../src/sources/feed/decode.js';
import type { FeedMemo } from '../../../src/sources/feed/incremental-parse.js';
import { splitItemChunks } from '../../../src/sources/feed/item-chunks.js';
import { runParseJob, type ParseJob, type ParseJobResult } from '../../../src/sources/feed/parse-job.js';
import { loadCorpus, mutatedCase } from '../../../scripts/mutate-corpus.js';

const CORPUS = new URL('../../fixtures/corpus/', import.meta.url);
const URL_ = 'https://corpus.test/feeds/feed.xml';

const files = readFileSync(new URL('MANIFEST.tsv', CORPUS), 'utf8')
  .trimEnd()
  .split('\n')
  .slice(1)
  .map((line) => line.split('\t')[0] ?? '');

/** One poll: the body and its Content-Type. */
interface Poll {
  body: Uint8Array;
  contentType?: string | undefined;
}

const job = (poll: Poll, memo?: FeedMemo | null): ParseJob => ({
  body: poll.body,
  contentType: poll.contentType,
  url: URL_,
  sourceId: 'corpus',
  ...(memo === undefined ? {} : { memo }),
});

/** The result, or the error thrown. */
function attempt(run: () => ParseJobResult): { ok: true; value: ParseJobResult } | { ok: false; err: unknown } {
  try {
    return { ok: true, value: run() };
  } catch (err) {
    return { ok: false, err };
  }
}

const keysOf = (result: ParseJobResult): string[] => result.keys ?? result.feed.items.map((i) => i.key);

/** The result with a memo reads as the full parse: keys in order, parsed items equal, feed fields (codec included) equal. */
function expectSameAsFull(result: ParseJobResult, full: ParseJobResult): void {
  expect(keysOf(result)).toEqual(full.feed.items.map((i) => i.key));
  const byKey = new Map(full.feed.items.map((i) => [i.key, i]));
  for (const item of result.feed.items) expect(item).toEqual(byKey.get(item.key));
  expect({ ...result.feed, items: undefined }).toEqual({ ...full.feed, items: undefined });
  if (result.keys === undefined) expect(result.feed.items).toHaveLength(full.feed.items.length);
  else expect(result.feed.items.length).toBeLessThan(full.feed.items.length);
}

/** One poll after another of the same source, each checked against a full parse; answers the results. */
function pollChain(polls: readonly Poll[], stats?: { partial: number }): ParseJobResult[] {
  let memo: FeedMemo | null = null;
  const results: ParseJobResult[] = [];
  for (const poll of polls) {
    const full = attempt(() => runParseJob(job(poll)));
    const result = attempt(() => runParseJob(job(poll, memo)));
    expect(result.ok).toBe(full.ok);
    if (!result.ok || !full.ok) {
      // The pipeline forgets the memo of a body that failed to parse.
      memo = null;
      continue;
    }
    expectSameAsFull(result.value, full.value);
    if (result.value.keys !== undefined && stats) stats.partial++;
    results.push(result.value);
    memo = result.value.memo ?? null;
  }
  return results;
}

/**
 * A body as a string to edit and back: for a codec that works on bytes, the bytes read one per
 * character (latin1) so that every byte, invalid ones included, survives the edit; for any other
 * codec the decoded text, encoded again with the same codec (and its BOM, if it had one).
 */
function editable(bytes: Buffer, contentType?: string): { units: string; skip: number; toPoll: (units: string) => Poll } | undefined {
  const { encoding } = feedEncoding(bytes, contentType);
  if (byteCodecKind(encoding) !== undefined) {
    return { units: bytes.toString('latin1'), skip: strippedBomBytes(bytes, encoding), toPoll: (units) => ({ body: Buffer.from(units, 'latin1'), contentType }) };
  }
  const hasBom = [[0xfe, 0xff], [0xff, 0xfe], [0xef, 0xbb, 0xbf]].some((bom) => bom.every((b, i) => bytes[i] === b));
  let text: string;
  try {
    text = iconv.decode(bytes, encoding, { stripBOM: true });
  } catch {
    return undefined;
  }
  return { units: text, skip: 0, toPoll: (units) => ({ body: iconv.encode(units, encoding, { addBOM: hasBom }), contentType }) };
}

/** The string with the span [from, to) replaced. */
const splice = (text: string, from: number, to: number, insert = ''): string => text.slice(0, from) + insert + text.slice(to);

/** A copy of an item with another GUID / atom:id, or undefined when it has none written plainly. */
function withNewId(chunk: string, suffix: string): string | undefined {
  const changed = chunk.replace(/(<(guid|id)(?:\s[^<>]*)?>)([^<]+)(<\/\2>)/, (_all, open: string, _name, id: string, close: string) => `${open}${id}${suffix}${close}`);
  return changed === chunk ? undefined : changed;
}

/** The polls a feed goes through: items added on top, removed, edited in place, reordered, the channel changed. */
function changesOf(units: string, skip: number): string[][] | undefined {
  const found = splitItemChunks(units.slice(skip));
  if (found === undefined || found.starts.length === 0) return undefined;
  const starts = found.starts.map((s) => s + skip);
  const ends = found.ends.map((e) => e + skip);
  const chunk = (i: number) => units.slice(starts[i], ends[i]);
  const [firstStart = 0, firstEnd = 0, lastStart = 0, lastEnd = 0] = [starts[0], ends[0], starts.at(-1), ends.at(-1)];
  const withoutFirst = splice(units, firstStart, firstEnd);
  const lastEndTag = units.lastIndexOf('</', lastEnd - 1);
  const lastEdited = splice(units, lastEndTag, lastEndTag, '<category>edited</category>');
  const firstEndTag = units.lastIndexOf('</', firstEnd - 1);
  const firstEdited = splice(units, firstEndTag, firstEndTag, '<category>edited</category>');
  const channelChanged = splice(units, firstStart, firstStart, '<!-- built again -->');
  const chains = [[withoutFirst, units, lastEdited, channelChanged, firstEdited]];
  if (starts.length >= 2) {
    // The first two items swapped.
    const [secondStart = 0, secondEnd = 0] = [starts[1], ends[1]];
    const swapped = units.slice(0, firstStart) + chunk(1) + units.slice(firstEnd, secondStart) + chunk(0) + units.slice(secondEnd);
    chains.push([units, swapped, units]);
  }
  const fresh = withNewId(chunk(0), '-new-1');
  const fresher = withNewId(chunk(0), '-new-2');
  if (fresh !== undefined && fresher !== undefined) {
    const prepended = splice(units, firstStart, firstStart, fresh);
    const twice = splice(prepended, firstStart, firstStart, fresher);
    const shift = fresh.length + fresher.length;
    // The last item dropped as new ones arrive, as feeds do.
    chains.push([units, prepended, splice(twice, lastStart + shift, lastEnd + shift)]);
  }
  chains.push([units, withoutFirst, splice(units, firstStart, lastEnd)]);
  return chains;
}

describe('parse jobs with a memo over the real-world corpus', () => {
  const stats = { files: 0, changed: 0, partial: 0 };

  it.each(files)('%s', (file) => {
    stats.files++;
    const bytes = readFileSync(new URL(`feeds/${file}`, CORPUS));
    const edit = editable(bytes);
    const chains = edit === undefined ? undefined : changesOf(edit.units, edit.skip);
    if (edit === undefined || chains === undefined) {
      pollChain([{ body: bytes }, { body: bytes }]);
      return;
    }
    stats.changed++;
    for (const chain of chains) pollChain(chain.map(edit.toPoll), stats);
  });

  it('changes most feeds, and parses most changes incrementally', () => {
    expect(stats.files).toBe(files.length);
    expect(stats.changed).toBeGreaterThan(250);
    expect(stats.partial).toBeGreaterThan(900);
  });

  afterAll(() => {
    console.log(`incremental bytes: ${JSON.stringify(stats)}`);
  });
});

describe('parse jobs with a memo over hostile mutations of the corpus', () => {
  const corpus = loadCorpus();
  const bytesOf = new Map(corpus.map((f) => [f.name, f.bytes]));

  // Every 37th of the first 3,700 cases: each mutation kind in turn (bit flips make invalid UTF-8, wrong-encoding another codec).
  it.each(Array.from({ length: 100 }, (_, i) => i * 37))('case %i reads as a full parse, after the original and before it', (index) => {
    const mutant = mutatedCase(corpus, 1, index);
    const original: Poll = { body: bytesOf.get(mutant.from) ?? Buffer.alloc(0), contentType: mutant.contentType };
    const changed: Poll = { body: mutant.bytes, contentType: mutant.contentType };
    pollChain([original, changed, original]);
  });
});

describe('parse jobs with a memo, by hand', () => {
  const item = (id: string, title = `Story ${id}`) => `<item><title>${title}</title><link>https://wire.test/${id}</link><guid>${id}</guid></item>`;
  const rss = (items: string, declaration = '<?xml version="1.0" encoding="UTF-8"?>') =>
    `${declaration}\n<rss version="2.0"><channel><title>Le fil, édition spéciale</title><link>https://wire.test/</link>\n${items}\n</channel></rss>\n`;
  const utf8 = (text: string): Poll => ({ body: Buffer.from(text, 'utf8') });

  it('parses only the new items of a UTF-8 feed and answers every key in feed order', () => {
    const [, second] = pollChain([utf8(rss(item('a', 'Café') + item('b'))), utf8(rss(item('c', 'Œuvre « neuve »') + item('a', 'Café') + item('b')))]);
    expect(second?.keys).toEqual(['c', 'a', 'b']);
    expect(second?.feed.items.map((i) => i.title)).toEqual(['Œuvre « neuve »']);
    expect(second?.feed).toMatchObject({ title: 'Le fil, édition spéciale', encoding: 'utf-8', idField: 'guid' });
  });

  it('leaves a memo that is small and survives a structured clone (it crosses to the parse worker)', () => {
    const { memo } = runParseJob(job(utf8(rss(item('a') + item('b'))), null));
    expect(memo?.hashes).toHaveLength(2 + 2 * 2);
    expect(structuredClone(memo)).toEqual(memo);
  });

  it.each([
    ['declared ISO-8859-1 (read as windows-1252)', '<?xml version="1.0" encoding="ISO-8859-1"?>', 'windows-1252', undefined],
    ['windows-1252 from the HTTP charset, against the declaration', '<?xml version="1.0" encoding="UTF-8"?>', 'windows-1252', 'application/rss+xml; charset=windows-1252'],
    ['ISO-8859-15 declared', '<?xml version="1.0" encoding="ISO-8859-15"?>', 'iso-8859-15', undefined],
  ])('works on the bytes of a feed %s, non-ASCII bytes included', (_name, declaration, codec, contentType) => {
    const body = (items: string): Poll => ({ body: iconv.encode(rss(items, declaration), codec), contentType });
    const titles = ['Déjà vu', 'Œuvre à 5 €', 'Ça coûte cher', 'Noël à Zürich'];
    const results = pollChain([
      body(item('a', titles[0]) + item('b', titles[1])),
      body(item('c', titles[2]) + item('a', titles[0]) + item('b', titles[1])),
      body(item('c', titles[2]) + item('a', `${titles[0]}, corrigé`) + item('b', titles[1])),
      body(item('b', titles[1]) + item('d', titles[3]) + item('c', titles[2])),
    ]);
    expect(results.map((r) => r.keys)).toEqual([undefined, ['c', 'a', 'b'], ['c', 'a', 'b'], ['b', 'd', 'c']]);
    expect(results.map((r) => r.feed.items.map((i) => i.title))).toEqual([[titles[0], titles[1]], [titles[2]], [`${titles[0]}, corrigé`], [titles[3]]]);
    expect(results.every((r) => r.feed.encoding === codec && r.feed.title === 'Le fil, édition spéciale')).toBe(true);
  });

  it('reads invalid UTF-8 as a full decode does, before, inside and between items', () => {
    const bad = (items: string): Poll => ({ body: Buffer.from(rss(items), 'latin1') });
    // In latin1: each character one byte. \xff never starts UTF-8; \xe2\x82 is a sequence cut short; \xac a stray continuation byte.
    const results = pollChain([
      bad(`${item('a', 'caf\xc3\xa9 \xff')}\xe2\x82${item('b', 'cut \xe2\x82')}`),
      bad(`${item('c', '\xac\xac')}${item('a', 'caf\xc3\xa9 \xff')}\xe2\x82${item('b', 'cut \xe2\x82')}`),
      bad(`${item('c', '\xac\xac')}\xe2\x82${item('a', 'caf\xc3\xa9 \xff')}\xac${item('b', 'cut \xe2\x82')}`),
    ]);
    expect(results[1]?.keys).toEqual(['c', 'a', 'b']);
    expect(results[1]?.feed.items.map((i) => i.title)).toEqual(['\uFFFD\uFFFD']);
    expect(results.every((r) => r.feed.encoding === 'utf-8')).toBe(true);
  });

  it('parses again an item whose bytes changed even though it decodes to the same text (bytes are the stricter match)', () => {
    const before = Buffer.from(rss(item('a', 'broken \xff') + item('b')), 'latin1');
    const after = Buffer.from(rss(item('c') + item('a', 'broken \xfe') + item('b')), 'latin1');
    const [, second] = pollChain([{ body: before }, { body: after }]);
    expect(second?.keys).toEqual(['c', 'a', 'b']);
    expect(second?.feed.items.map((i) => i.key)).toEqual(['c', 'a']);
    expect(second?.feed.items[1]?.title).toBe('broken \uFFFD');
  });

  it('reads a body that starts with one or two UTF-8 BOMs', () => {
    for (const bom of ['\uFEFF', '\uFEFF\uFEFF']) {
      const results = pollChain([utf8(bom + rss(item('a', 'Été') + item('b'))), utf8(bom + rss(item('c', 'Hiver') + item('a', 'Été') + item('b')))]);
      expect(results[1]?.keys).toEqual(['c', 'a', 'b']);
    }
  });

  it('never uses a memo made with another codec', () => {
    const text = rss(item('a', 'Café') + item('b'));
    const bytes = Buffer.from(text, 'utf8');
    const withNew = Buffer.from(rss(item('c') + item('a', 'Café') + item('b')), 'utf8');
    const results = pollChain([
      { body: bytes, contentType: 'text/xml; charset=utf-8' },
      { body: withNew, contentType: 'text/xml; charset=windows-1252' },
      { body: withNew, contentType: 'text/xml; charset=utf-8' },
      { body: iconv.encode(rss(item('c') + item('a', 'Café') + item('b'), '<?xml version="1.0"?>'), 'utf-16le', { addBOM: true }) },
      { body: iconv.encode(rss(item('d') + item('c') + item('a', 'Café') + item('b'), '<?xml version="1.0"?>'), 'utf-16le', { addBOM: true }) },
      { body: Buffer.from(rss(item('d') + item('c') + item('a', 'Café') + item('b')), 'utf8') },
    ]);
    expect(results.map((r) => r.feed.encoding)).toEqual(['utf-8', 'windows-1252', 'utf-8', 'utf-16le', 'utf-16le', 'utf-8']);
    // Each change of codec parses the whole feed; UTF-16 is worked on as text, incrementally too.
    expect(results.map((r) => r.keys?.length)).toEqual([undefined, undefined, undefined, undefined, 4, undefined]);
    expect(results[1]?.feed.items.find((i) => i.key === 'a')?.title).toBe('CafÃ©');
  });

  it('hashes items larger than its scratch buffer (over 32 KiB and over 1 MiB)', () => {
    for (const size of [40_000, 1_200_000]) {
      const huge = item('h', `Long ${'é'.repeat(size / 2)}`);
      const results = pollChain([utf8(rss(huge + item('a'))), utf8(rss(item('b') + huge + item('a')))]);
      expect(results[1]?.keys).toEqual(['b', 'h', 'a']);
      expect(results[1]?.feed.items.map((i) => i.key)).toEqual(['b']);
    }
  });
});
