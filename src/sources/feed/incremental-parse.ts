// A changed feed parses only the items whose text is new. The pipeline keeps, per source and in
// this process only, a memo of the previous parse: a 64-bit hash of each item's bytes and the key
// it produced. Items whose bytes are unchanged keep their key without being parsed; the new ones
// are parsed by the real parser in the feed's current surroundings (the body with the unchanged
// items cut out), so the channel, namespaces and xml:base stay as they are. Only feeds whose items
// are all keyed by GUID are memoised: such a key depends on the item's own text alone as long as
// the GUIDs stay unique (item-identity.ts), whereas every other identity depends on the whole set
// of items. Each step is checked, and anything unexpected parses the whole text instead. Pure.
//
// A body in UTF-8 or a single-byte codec (decode.ts `byteCodecKind`) is worked on as bytes: its
// markup is ASCII and no other byte decodes to ASCII, so the items are found on the bytes read one
// per character (latin1), each item's bytes are hashed as they are, and only the body with the
// known items cut out is decoded. An item's bytes decode to the same text wherever they stand
// (they run from `<` to `>`), so equal bytes are equal text. Other codecs (UTF-16/32, multi-byte
// legacy ones) are decoded whole and worked on as text.
import { byteCodecKind, decodeFeedBytesAs, strippedBomBytes, type ByteCodecKind } from './decode.js';
import { splitItemChunks, type ItemChunks } from './item-chunks.js';
import { parseFeedCounted, type CountedParse, type ParsedFeed } from './parse-feed.js';

/** What one parse of a feed leaves for the next (structured-cloneable: plain strings and a typed array). */
export interface FeedMemo {
  /** The URL the body came from, the last base for links: another URL is treated as another feed. */
  url: string;
  /**
   * Two 32-bit hashes of the codec's label and the items' surroundings (`ItemChunks.context`), then
   * two of each item's bytes (its text's UTF-8 for a body decoded whole).
   */
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
/** Scratch for the bytes being hashed, and the same memory as 32-bit words; grown for larger items up to a bound. */
let scratch = new Uint8Array(1 << 15);
let scratchWords = new Int32Array(scratch.buffer);
const SCRATCH_MAX_BYTES = 1 << 20;

/** A buffer of at least `need` bytes at offset 0 (so readable as 32-bit words): the scratch, grown when allowed. */
function room(need: number): Uint8Array {
  if (scratch.length >= need) return scratch;
  const bytes = new Uint8Array((need + 3) & ~3);
  if (need <= SCRATCH_MAX_BYTES) {
    scratch = bytes;
    scratchWords = new Int32Array(bytes.buffer);
  }
  return bytes;
}

/**
 * A 64-bit hash of `bytes[0, length)` (a buffer from `room`, with 3 bytes to spare) into `out[at]`,
 * `out[at + 1]`: two MurmurHash3-style lanes over the bytes, four at a time.
 */
function hashBytes(bytes: Uint8Array, length: number, out: Uint32Array, at: number): void {
  bytes[length] = 0;
  bytes[length + 1] = 0;
  bytes[length + 2] = 0;
  const words = bytes === scratch ? scratchWords : new Int32Array(bytes.buffer);
  const count = (length + 3) >> 2;
  let h1 = 0x9747b28c ^ length;
  let h2 = 0x3c6ef372 ^ length;
  for (let i = 0; i < count; i++) {
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

/** The hash of `text[from, to)` as UTF-8 (the text is well-formed UTF-16, see textBody, so UTF-8 maps it one to one). */
function hashText(text: string, from: number, to: number, out: Uint32Array, at: number): void {
  const bytes = room(3 * (to - from) + 4);
  const { written } = encoder.encodeInto(text.slice(from, to), bytes);
  hashBytes(bytes, written, out, at);
}

/** The hash of `source[from, to)`, copied to a buffer readable as words. */
function hashSlice(source: Uint8Array, from: number, to: number, out: Uint32Array, at: number): void {
  const bytes = room(to - from + 4);
  bytes.set(source.subarray(from, to));
  hashBytes(bytes, to - from, out, at);
}

/** No lone surrogates: UTF-8 would turn each into the same U+FFFD, and two texts into one hash. */
function wellFormed(text: string): boolean {
  return (text as string & { isWellFormed(): boolean }).isWellFormed();
}

/** A feed body as the incremental parse sees it: its text, or its bytes. */
interface Body {
  /** Its items, undefined when it cannot be split. */
  items: Items | undefined;
  /** The body's length, in the unit of the spans. */
  length: number;
  /** The whole body as text. */
  text(): string;
  /**
   * The text of the ranges `keep` of the body (flat [from, to) pairs in order, each non-empty and
   * apart from the next): the whole text with the rest cut out; undefined when the body cannot
   * be cut there and decoded in one piece to that.
   */
  cut(keep: readonly number[]): string | undefined;
}

interface Items {
  /** The items as spans of the body: UTF-16 units of the text, or bytes. */
  chunks: ItemChunks;
  /** Two 32-bit hashes of the codec and the items' surroundings, then two of each item (see FeedMemo); worked out once. */
  hashes(): Uint32Array;
}

/** The items of `chunks`, hashed by `hashContext` and `hashItem` when first asked. */
function itemsOf(chunks: ItemChunks | undefined, hashContext: (out: Uint32Array) => void, hashItem: (from: number, to: number, out: Uint32Array, at: number) => void): Items | undefined {
  if (chunks === undefined) return undefined;
  let hashes: Uint32Array | undefined;
  return {
    chunks,
    hashes() {
      if (hashes !== undefined) return hashes;
      hashes = new Uint32Array(2 + 2 * chunks.starts.length);
      hashContext(hashes);
      for (let i = 0; i < chunks.starts.length; i++) hashItem(chunks.starts[i] ?? 0, chunks.ends[i] ?? 0, hashes, 2 + 2 * i);
      return hashes;
    },
  };
}

/** A decoded body; `codec` names how it was decoded, so that a memo of another codec never applies. */
function textBody(text: string, codec: string): Body {
  const chunks = wellFormed(text) ? splitItemChunks(text) : undefined;
  const context = `${codec}${SEPARATOR}${chunks?.context ?? ''}`;
  return {
    items: itemsOf(
      chunks,
      (out) => hashText(context, 0, context.length, out, 0),
      (from, to, out, at) => hashText(text, from, to, out, at),
    ),
    length: text.length,
    text: () => text,
    cut(keep) {
      let parts = '';
      for (let k = 0; k < keep.length; k += 2) parts += text.slice(keep[k], keep[k + 1]);
      return parts;
    },
  };
}

/**
 * An undecoded body in a codec of `kind`. Its markup is found in the bytes read one per character
 * (latin1: a span of that string is the same span of bytes), after the BOMs the decoder strips.
 */
function bytesBody(bytes: Uint8Array, encoding: string, kind: ByteCodecKind): Body {
  const skip = strippedBomBytes(bytes, encoding);
  const chunks = splitItemChunks(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1', skip));
  if (chunks !== undefined && skip > 0) {
    for (let i = 0; i < chunks.starts.length; i++) {
      chunks.starts[i] = (chunks.starts[i] ?? 0) + skip;
      chunks.ends[i] = (chunks.ends[i] ?? 0) + skip;
    }
  }
  let text: string | undefined;
  return {
    items: itemsOf(
      chunks,
      (out) => {
        const context = Buffer.concat([Buffer.from(`${encoding}${SEPARATOR}`, 'utf8'), Buffer.from(chunks?.context ?? '', 'latin1')]);
        hashSlice(context, 0, context.byteLength, out, 0);
      },
      (from, to, out, at) => hashSlice(bytes, from, to, out, at),
    ),
    length: bytes.byteLength,
    text: () => (text ??= decodeFeedBytesAs(bytes, encoding)),
    cut(keep) {
      let total = 0;
      for (let k = 0; k < keep.length; k += 2) {
        // UTF-8 decodes two pieces joined as it decodes each apart when the join has an ASCII
        // byte on one side (a sequence cut short there becomes one U+FFFD either way); each
        // piece, cut before a `<` or after a `>`, decodes as it did in the whole body.
        if (k > 0 && kind === 'utf-8' && (bytes[(keep[k - 1] ?? 0) - 1] ?? 0) >= 0x80 && (bytes[keep[k] ?? 0] ?? 0) >= 0x80) return undefined;
        total += (keep[k + 1] ?? 0) - (keep[k] ?? 0);
      }
      const reduced = new Uint8Array(total);
      let at = 0;
      for (let k = 0; k < keep.length; k += 2) {
        const piece = bytes.subarray(keep[k], keep[k + 1]);
        reduced.set(piece, at);
        at += piece.byteLength;
      }
      return decodeFeedBytesAs(reduced, encoding);
    },
  };
}

/** The memo of a parse whose every item was keyed by its GUID, one item per chunk; else undefined. */
function memoOf(url: string, hashes: Uint32Array, count: number, keys: readonly string[]): FeedMemo | undefined {
  if (count === 0 || count > MEMO_MAX_ITEMS || keys.length !== count) return undefined;
  if (keys.some((k) => k.includes(SEPARATOR))) return undefined;
  return { url, hashes, keys: keys.join(SEPARATOR) };
}

/** A full parse counts as memoisable when its items map one to one onto the chunks and all are keyed by GUID. */
function fullParse(body: Body, options: { sourceId: string; url: string }): IncrementalParse {
  const counted = parseFeedCounted(body.text(), options);
  const items = body.items;
  const count = items?.chunks.starts.length ?? 0;
  const exact = items !== undefined && count <= MEMO_MAX_ITEMS && oneToOne(counted, count) && (count === 0 || counted.feed.idField === 'guid');
  const memo = exact ? memoOf(options.url, items.hashes(), count, counted.feed.items.map((i) => i.key)) : undefined;
  return { feed: counted.feed, memo };
}

/**
 * Each chunk gave exactly one item, kept whatever the bases (not for its link alone): so item i
 * is chunk i and would be kept in any surroundings.
 */
function oneToOne(counted: CountedParse, chunks: number): boolean {
  return counted.entries === chunks && counted.feed.items.length === chunks && counted.linkOnly === 0;
}

/** The parse of a body with the memo of the previous one (see parseFeedIncremental). */
function parseIncremental(body: Body, options: { sourceId: string; url: string }, memo: FeedMemo | undefined): IncrementalParse {
  const items = body.items;
  const count = items?.chunks.starts.length ?? 0;
  if (items === undefined || memo === undefined || memo.url !== options.url || count > MEMO_MAX_ITEMS) return fullParse(body, options);
  const { chunks } = items;
  const hashes = items.hashes();
  if (hashes[0] !== memo.hashes[0] || hashes[1] !== memo.hashes[1]) return fullParse(body, options);

  // The memo's items by their first hash; two of them sharing it are never matched.
  const remembered = new Map<number, number>();
  for (let m = 2; m < memo.hashes.length; m += 2) {
    const h = memo.hashes[m] ?? 0;
    remembered.set(h, remembered.has(h) ? -1 : (m - 2) / 2);
  }
  const memoKeys = memo.keys.split(SEPARATOR);
  const known: (string | undefined)[] = [];
  /** The spans of the body to parse: all but the known items. */
  const keep: number[] = [];
  let from = 0;
  for (let i = 0; i < count; i++) {
    const m = remembered.get(hashes[2 + 2 * i] ?? 0) ?? -1;
    const key = m >= 0 && memo.hashes[3 + 2 * m] === hashes[3 + 2 * i] ? memoKeys[m] : undefined;
    known.push(key);
    if (key === undefined) continue;
    const start = chunks.starts[i] ?? 0;
    if (start > from) keep.push(from, start);
    from = chunks.ends[i] ?? body.length;
  }
  if (from < body.length) keep.push(from, body.length);
  const fresh = known.filter((k) => k === undefined).length;
  if (fresh === count) return fullParse(body, options);
  const reduced = body.cut(keep);
  if (reduced === undefined) return fullParse(body, options);

  let counted: CountedParse;
  try {
    counted = parseFeedCounted(reduced, options);
  } catch {
    return fullParse(body, options);
  }
  if (!oneToOne(counted, fresh) || (fresh > 0 && counted.feed.idField !== 'guid')) return fullParse(body, options);
  const parsed = counted.feed.items;
  let next = 0;
  const keys = known.map((k) => k ?? parsed[next++]?.key ?? '');
  // GUID keys unique over the whole feed: exactly what a full parse would have keyed by GUID.
  if (new Set(keys).size !== count || keys.includes('')) return fullParse(body, options);
  return { feed: { ...counted.feed, idField: 'guid' }, keys, memo: memoOf(options.url, hashes, count, keys) };
}

/**
 * Parses feed text (see parseFeed) using the memo of the previous parse of the same source:
 * when the feed can be split into items and the memo applies, only the items whose text is not in
 * the memo are parsed, and the others are answered by key in `keys`. `codec` names what the text
 * was decoded from: a memo made from another codec never applies. Throws as parseFeed does.
 */
export function parseFeedIncremental(text: string, options: { sourceId: string; url: string }, memo: FeedMemo | undefined, codec = ''): IncrementalParse {
  return parseIncremental(textBody(text, codec), options, memo);
}

/**
 * `parseFeedIncremental` of a body's bytes in `encoding` (decode.ts `feedEncoding`), decoding
 * only what it parses when the codec allows (see the top of this file); the result is the same.
 */
export function parseFeedBytesIncremental(bytes: Uint8Array, encoding: string, options: { sourceId: string; url: string }, memo: FeedMemo | undefined): IncrementalParse {
  const kind = byteCodecKind(encoding);
  return parseIncremental(kind === undefined ? textBody(decodeFeedBytesAs(bytes, encoding), encoding) : bytesBody(bytes, encoding, kind), options, memo);
}
