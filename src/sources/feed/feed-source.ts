// One poll of one feed source: conditional GET, decode, hash, parse. The pipeline owns the rest
// of the fetch state (failures, lastError, lastNewAt) and all logging.
import { createHash } from 'node:crypto';
import type { FetchState, SourceConfig } from '../../domain.js';
import type { SafeFetcher } from '../http/safe-fetch.js';
import { decodeFeedBytesWithInfo } from './decode.js';
import { parseFeed, type ParsedFeed } from './parse-feed.js';

/** What one poll found, with the fetch state to remember for the next one. */
export type FeedPoll =
  /** 304: the server says nothing changed. */
  | { kind: 'not-modified'; state: FetchState }
  /** 200 but the body's sha256 equals `previous.bodyHash`: parsing was skipped. */
  | { kind: 'unchanged'; state: FetchState }
  | { kind: 'parsed'; feed: ParsedFeed; state: FetchState };

/** A conditional fetch: nothing new (304 or the same bytes), or a new body to parse. */
export type ConditionalFetch =
  | { kind: 'not-modified' | 'unchanged'; state: FetchState }
  | { kind: 'fresh'; body: Uint8Array; contentType: string | undefined; url: string; state: FetchState };

/**
 * Fetches `url` with the validators of `previous` and hashes the body (sha256): the one step every
 * source kind shares. Updates etag, lastModified, bodyHash and lastFetchAt (ISO, from `now`);
 * leaves failures, lastError and lastNewAt to the pipeline. Errors propagate as `WirewatchError`.
 */
export async function conditionalFetch(fetcher: SafeFetcher, url: string, previous: FetchState, now: () => Date): Promise<ConditionalFetch> {
  const lastFetchAt = now().toISOString();
  const response = await fetcher.fetch(url, { etag: previous.etag, lastModified: previous.lastModified });
  if (response.status === 'not-modified') return { kind: 'not-modified', state: { ...previous, lastFetchAt } };
  const bodyHash = createHash('sha256').update(response.body).digest('hex');
  const state: FetchState = { ...previous, etag: response.etag, lastModified: response.lastModified, bodyHash, lastFetchAt };
  if (bodyHash === previous.bodyHash) return { kind: 'unchanged', state };
  return { kind: 'fresh', body: response.body, contentType: response.contentType, url: response.url, state };
}

/**
 * Fetches `source.url` conditionally and parses the body unless it is the one already parsed
 * (the feed reports the encoding it was decoded with).
 */
export async function pollFeed(
  fetcher: SafeFetcher,
  source: SourceConfig,
  previous: FetchState,
  now: () => Date = () => new Date(),
): Promise<FeedPoll> {
  const fetched = await conditionalFetch(fetcher, source.url, previous, now);
  if (fetched.kind !== 'fresh') return fetched;
  const { text, encoding } = decodeFeedBytesWithInfo(fetched.body, fetched.contentType);
  return { kind: 'parsed', feed: { ...parseFeed(text, { sourceId: source.id, url: fetched.url }), encoding }, state: fetched.state };
}
