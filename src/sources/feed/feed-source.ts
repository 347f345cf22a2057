// One poll of one feed source: conditional GET, decode, hash, parse. The pipeline owns the rest
// of the fetch state (failures, lastError, lastNewAt) and all logging.
import { digest } from '../../hash.js';
import { fetchStateWith, type FetchState, type SourceConfig } from '../../domain.js';
import { isoTime } from '../../iso-time.js';
import type { SafeFetcher } from '../http/safe-fetch.js';
import type { FeedMemo } from './incremental-parse.js';
import type { ParsedFeed } from './parse-feed.js';
import { parseHere, type ParseBody, type ParseJobResult } from './parse-job.js';

export type { FeedMemo } from './incremental-parse.js';

/** What one poll found, with the fetch state to remember for the next one. */
export type FeedPoll =
  /** 304: the server says nothing changed. */
  | { kind: 'not-modified'; state: FetchState }
  /** 200 but the body's sha256 equals `previous.bodyHash`: parsing was skipped. */
  | { kind: 'unchanged'; state: FetchState }
  /**
   * `partial` when only the items whose text changed since the previous poll were parsed;
   * `warnings`: what went wrong without failing the poll (a market symbol that failed while the
   * others answered), for the pipeline to log.
   */
  | { kind: 'parsed'; feed: ParsedFeed; state: FetchState; partial?: PartialFeed; warnings?: string[] };

/** A feed of which only the items with new text were parsed: `feed.items` holds those alone. */
export interface PartialFeed {
  /** Every item key of the feed in feed order: those of `feed.items` and those of the items not parsed. */
  keys: string[];
  /** Parses the whole body (kept only for this poll): for when an item that was not parsed must be judged after all. */
  complete(): Promise<ParsedFeed>;
}

/** Where a kind keeps what it learnt at this source's previous poll, in this process (the pipeline holds it). */
export interface MemoSlot<T> {
  get(): T | undefined;
  /** Replaces the memo; undefined forgets it. */
  set(value: T | undefined): void;
}

/**
 * One source's entry of a map of memos. A class, not an object of two fresh closures: the pipeline
 * makes one every poll, a 304 included (the bench's floor makes them the same way).
 */
export class MapMemoSlot<T> implements MemoSlot<T> {
  readonly #memos: Map<string, T>;
  readonly #sourceId: string;

  constructor(memos: Map<string, T>, sourceId: string) {
    this.#memos = memos;
    this.#sourceId = sourceId;
  }

  get(): T | undefined {
    return this.#memos.get(this.#sourceId);
  }

  set(value: T | undefined): void {
    if (value) this.#memos.set(this.#sourceId, value);
    else this.#memos.delete(this.#sourceId);
  }
}

/** A conditional fetch: nothing new (304 or the same bytes), or a new body to parse. */
export type ConditionalFetch =
  | { kind: 'not-modified' | 'unchanged'; state: FetchState }
  | { kind: 'fresh'; body: Uint8Array; contentType: string | undefined; url: string; state: FetchState };

const bodySha256 = (body: Uint8Array): string => digest('sha256', body, 'hex');

/**
 * Fetches `url` with the validators of `previous` and hashes the body (sha256): the one step every
 * source kind shares. Updates etag, lastModified, bodyHash and lastFetchAt (ISO, from `now`);
 * leaves failures, lastError and lastNewAt to the pipeline. Errors propagate as `WirewatchError`.
 */
export async function conditionalFetch(fetcher: SafeFetcher, url: string, previous: FetchState, now: () => Date): Promise<ConditionalFetch> {
  const lastFetchAt = isoTime(now());
  const response = await fetcher.fetch(url, { etag: previous.etag, lastModified: previous.lastModified });
  if (response.status === 'not-modified') return { kind: 'not-modified', state: fetchStateWith(previous, { lastFetchAt }) };
  const bodyHash = bodySha256(response.body);
  const state = fetchStateWith(previous, { etag: response.etag, lastModified: response.lastModified, bodyHash, lastFetchAt });
  if (bodyHash === previous.bodyHash) return { kind: 'unchanged', state };
  return { kind: 'fresh', body: response.body, contentType: response.contentType, url: response.url, state };
}

/**
 * Fetches `source.url` conditionally and parses the body unless it is the one already parsed
 * (the feed reports the encoding it was decoded with). With a `memo`, a changed feed parses only
 * the items whose text is new (incremental-parse.ts) and the memo is kept up to date; a body that
 * does not parse forgets it. `parse` runs the parse: the pipeline's worker pool, or this thread.
 */
export async function pollFeed(
  fetcher: SafeFetcher,
  source: SourceConfig,
  previous: FetchState,
  now: () => Date = () => new Date(),
  memo?: MemoSlot<FeedMemo>,
  parse: ParseBody = parseHere,
): Promise<FeedPoll> {
  const fetched = await conditionalFetch(fetcher, source.url, previous, now);
  if (fetched.kind !== 'fresh') return fetched;
  const job = { body: fetched.body, contentType: fetched.contentType, url: fetched.url, sourceId: source.id };
  if (memo === undefined) return { kind: 'parsed', feed: (await parse(job)).feed, state: fetched.state };
  let parsed: ParseJobResult;
  try {
    parsed = await parse({ ...job, memo: memo.get() ?? null });
  } catch (err) {
    memo.set(undefined);
    throw err;
  }
  memo.set(parsed.memo);
  if (parsed.keys === undefined) return { kind: 'parsed', feed: parsed.feed, state: fetched.state };
  return { kind: 'parsed', feed: parsed.feed, state: fetched.state, partial: { keys: parsed.keys, complete: async () => (await parse(job)).feed } };
}
