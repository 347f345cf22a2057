// One parse of a fetched feed body: decode, then parse — whole, or only the items whose bytes are
// new since the previous parse, decoding only those and their surroundings when the codec allows
// (incremental-parse.ts). A pure function of its input, so it runs the same on the main thread
// and in a parse worker (parse-pool.ts); input and output cross the thread boundary by structured
// clone (the memo is strings and a typed array).
import { decodeFeedBytesAs, feedEncoding } from './decode.js';
import { parseFeedBytesIncremental, type FeedMemo } from './incremental-parse.js';
import { parseFeed, type ParsedFeed } from './parse-feed.js';

/** A body to parse, as the fetch returned it. */
export interface ParseJob {
  body: Uint8Array;
  contentType: string | undefined;
  /** The URL the body came from (after redirects): the last base for relative links. */
  url: string;
  sourceId: string;
  /**
   * Parse only what changed since this memo (null: there is none yet, but make one for next
   * time). Absent: parse everything and remember nothing.
   */
  memo?: FeedMemo | null;
}

export interface ParseJobResult {
  /** The parsed feed, with the codec the body was decoded with; after a partial parse, only the new items. */
  feed: ParsedFeed;
  /** Every item key in feed order, present when some items were not parsed (their text was unchanged). */
  keys?: string[];
  /** What to remember for the next parse (asked with `memo`); undefined when the feed cannot be memoised. */
  memo?: FeedMemo;
}

export function runParseJob(job: ParseJob): ParseJobResult {
  // The codec is decided from the whole body, even when only part of it is decoded.
  const { encoding } = feedEncoding(job.body, job.contentType);
  const options = { sourceId: job.sourceId, url: job.url };
  if (job.memo === undefined) return { feed: { ...parseFeed(decodeFeedBytesAs(job.body, encoding), options), encoding } };
  const parsed = parseFeedBytesIncremental(job.body, encoding, options, job.memo ?? undefined);
  const result: ParseJobResult = { feed: { ...parsed.feed, encoding } };
  if (parsed.keys !== undefined) result.keys = parsed.keys;
  if (parsed.memo !== undefined) result.memo = parsed.memo;
  return result;
}

/** How a kind gets a body parsed: on a parse worker (the pipeline's pool) or on this thread. */
export type ParseBody = (job: ParseJob) => Promise<ParseJobResult>;

/** Parses on the calling thread. */
export const parseHere: ParseBody = async (job) => runParseJob(job);
