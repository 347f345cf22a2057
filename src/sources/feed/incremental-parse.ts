// A changed feed parses only the items whose text is new. The pipeline keeps, per source and in
// this process only, a memo of the previous parse: a 64-bit hash of each item's text and the key
// it produced. Items whose text is unchanged keep their key without being parsed; the new ones are
// parsed by the real parser in the feed's current surroundings (the text with the unchanged items
// cut out), so the channel, namespaces and xml:base stay as they are. Only feeds whose items are
// all keyed by GUID are memoised: such a key depends on the item's own text alone as long as the
// GUIDs stay unique (item-identity.ts), whereas every other identity depends on the whole set of
// items. Each step is checked, and anything unexpected parses the whole text instead. Pure.
import { splitItemChunks, type ItemChunks } from './item-chunks.js';
import { parseFeedCounted, type CountedParse, type ParsedFeed } from './parse-feed.js';

/** What one parse of a feed leaves for the next (structured-cloneable: plain strings and a typed array). */
export interface FeedMemo {
  /** The URL the body came from, the last base for links: another URL is treated as another feed. */
  url: string;
  /** Two 32-bit hashes of the items' surroundings (`ItemChunks.context`), then two of each item's text. */
  hashes: Uint32Array;
  /** The key each item produced, in feed order, joined by NUL: one flat copy, so no key keeps a body alive. */
  keys: string;
}

export interface IncrementalParse {
  /** The feed; its items are those parsed this time (every item after a full parse). */
  feed: ParsedFeed;
  /** Every item key in feed order, present when some items were not parsed (their text was unchanged). */
  keys?: string[];
  /** What to remember for the next parse; undefined when the feed cannot be memoised. */
  memo: FeedMemo | undefined;
}

/** Feeds with more items are parsed whole each time, so that one source's memo stays small. */
export const MEMO_MAX_ITEMS = 1000;

const SEPARATOR = '\u0000';

const encoder = new TextEncoder();
/** Scratch for an item's UTF-8 bytes, read as 32-bit words; grown for larger items up to a bound. */
let scratch = new Uint8Array(1 << 15);
const SCRATCH_MAX_BYTES = 1 << 20;

/**
 * A 64-bit hash of `text[from, to)` into `out[at]`, `out[at + 1]`: two MurmurHash3-style lanes
 * over the UTF-8 bytes, four at a time (a third of the work of hashing UTF-16 units one by one).
 * The text is well-formed UTF-16 (see parseFeedIncremental), so UTF-8 maps it one to one.
 */
function hashRange(text: string, from: number, to: number, out: Uint32Array, at: number): void {
  const need = 3 * (to - from) + 4;
  let bytes = scratch;
  if (bytes.length < need) {
    bytes = new Uint8Array(need);
    if (need <= SCRATCH_MAX_BYTES) scratch = bytes;
  }
  const { written } = encoder.encodeInto(text.slice(from, to), bytes);
  bytes[written] = 0;
  bytes[written + 1] = 0;
  bytes[written + 2] = 0;
  const words = new Int32Array(bytes.buffer, 0, (written + 3) >> 2);
  let h1 = 0x9747b28c ^ written;
  let h2 = 0x3c6ef372 ^ written;
  for (let i = 0; i < words.length; i++) {
    let k = words[i] ?? 0;
    k = Math.imul(k, 0xcc9e2d51);
    k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
    h1 ^= k;
    h1 = (Math.imul((h1 << 13) | (h1 >>> 19), 5) + 0xe6546b64) | 0;
    h2 ^= k;
    h2 = (Math.imul((h2 << 17) | (h2 >>> 15), 0x2c1b3c6d) + 0x297a2d39) | 0;
  }
  out[at] = fmix(h1);
  out[at + 1] = fmix(h2);
}

/** MurmurHash3's finaliser: every input bit reaches every output bit. */
function fmix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function hashChunks(text: string, chunks: ItemChunks): Uint32Array {
  const hashes = new Uint32Array(2 + 2 * chunks.starts.length);
  hashRange(chunks.context, 0, chunks.context.length, hashes, 0);
  for (let i = 0; i < chunks.starts.length; i++) hashRange(text, chunks.starts[i] ?? 0, chunks.ends[i] ?? 0, hashes, 2 + 2 * i);
  return hashes;
}

/** No lone surrogates: UTF-8 would turn each into the same U+FFFD, and two texts into one hash. */
function wellFormed(text: string): boolean {
  return (text as string & { isWellFormed(): boolean }).isWellFormed();
}

/** The memo of a parse whose every item was keyed by its GUID, one item per chunk; else undefined. */
function memoOf(url: string, hashes: Uint32Array, count: number, keys: readonly string[]): FeedMemo | undefined {
  if (count === 0 || count > MEMO_MAX_ITEMS || keys.length !== count) return undefined;
  if (keys.some((k) => k.includes(SEPARATOR))) return undefined;
  return { url, hashes, keys: keys.join(SEPARATOR) };
}

/** A full parse counts as memoisable when its items map one to one onto the chunks and all are keyed by GUID. */
function fullParse(text: string, options: { sourceId: string; url: string }, chunks: ItemChunks | undefined, hashes?: Uint32Array): IncrementalParse {
  const counted = parseFeedCounted(text, options);
  const count = chunks?.starts.length ?? 0;
  const exact = chunks !== undefined && count <= MEMO_MAX_ITEMS && oneToOne(counted, count) && (count === 0 || counted.feed.idField === 'guid');
  const memo = exact ? memoOf(options.url, hashes ?? hashChunks(text, chunks), count, counted.feed.items.map((i) => i.key)) : undefined;
  return { feed: counted.feed, memo };
}

/**
 * Each chunk gave exactly one item, kept whatever the bases (not for its link alone): so item i
 * is chunk i and would be kept in any surroundings.
 */
function oneToOne(counted: CountedParse, chunks: number): boolean {
  return counted.entries === chunks && counted.feed.items.length === chunks && counted.linkOnly === 0;
}

/**
 * Parses feed text (see parseFeed) using the memo of the previous parse of the same source:
 * when the feed can be split into items and the memo applies, only the items whose text is not in
 * the memo are parsed, and the others are answered by key in `keys`. Throws as parseFeed does.
 */
export function parseFeedIncremental(text: string, options: { sourceId: string; url: string }, memo: FeedMemo | undefined): IncrementalParse {
  const chunks = wellFormed(text) ? splitItemChunks(text) : undefined;
  const count = chunks?.starts.length ?? 0;
  if (chunks === undefined || memo === undefined || memo.url !== options.url || count > MEMO_MAX_ITEMS) return fullParse(text, options, chunks);
  const hashes = hashChunks(text, chunks);
  if (hashes[0] !== memo.hashes[0] || hashes[1] !== memo.hashes[1]) return fullParse(text, options, chunks, hashes);

  // The memo's items by their first hash; two of them sharing it are never matched.
  const remembered = new Map<number, number>();
  for (let m = 2; m < memo.hashes.length; m += 2) {
    const h = memo.hashes[m] ?? 0;
    remembered.set(h, remembered.has(h) ? -1 : (m - 2) / 2);
  }
  const memoKeys = memo.keys.split(SEPARATOR);
  const known: (string | undefined)[] = [];
  let parts = '';
  let from = 0;
  for (let i = 0; i < count; i++) {
    const m = remembered.get(hashes[2 + 2 * i] ?? 0) ?? -1;
    const key = m >= 0 && memo.hashes[3 + 2 * m] === hashes[3 + 2 * i] ? memoKeys[m] : undefined;
    known.push(key);
    if (key === undefined) continue;
    parts += text.slice(from, chunks.starts[i]);
    from = chunks.ends[i] ?? text.length;
  }
  const fresh = known.filter((k) => k === undefined).length;
  if (fresh === count) return fullParse(text, options, chunks, hashes);

  let counted: CountedParse;
  try {
    counted = parseFeedCounted(parts + text.slice(from), options);
  } catch {
    return fullParse(text, options, chunks, hashes);
  }
  if (!oneToOne(counted, fresh) || (fresh > 0 && counted.feed.idField !== 'guid')) return fullParse(text, options, chunks, hashes);
  const parsed = counted.feed.items;
  let next = 0;
  const keys = known.map((k) => k ?? parsed[next++]?.key ?? '');
  // GUID keys unique over the whole feed: exactly what a full parse would have keyed by GUID.
  if (new Set(keys).size !== count || keys.includes('')) return fullParse(text, options, chunks, hashes);
  return { feed: { ...counted.feed, idField: 'guid' }, keys, memo: memoOf(options.url, hashes, count, keys) };
}
