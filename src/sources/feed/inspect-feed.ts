// `wirewatch feed test <url>` and `/source test`: fetch one URL as wirewatch would and describe it.
import { compareText } from '../../compare.js';
import { WirewatchError } from '../../errors.js';
import type { SafeFetcher } from '../http/safe-fetch.js';
import { decodeFeedBytesWithInfo } from './decode.js';
import { parseFeed, type FeedItem } from './parse-feed.js';

/** What a feed looks like to wirewatch. */
export interface FeedInspection {
  /** The URL after redirects. */
  url: string;
  title: string | undefined;
  format: string;
  /** The character encoding used, and where it was found (BOM, HTTP charset, XML declaration, default). */
  encoding: string;
  encodingSource: string;
  /** The identity field items are keyed by (`guid`, `link`, `title+date`, … or `mixed`). */
  idField: string;
  /** Items in the feed, newest first (undated ones last, in feed order). */
  items: FeedItem[];
}

/** Fetches and parses one feed URL (SSRF rules apply); throws a typed WirewatchError on failure. */
export async function inspectFeed(fetcher: SafeFetcher, url: string): Promise<FeedInspection> {
  const response = await fetcher.fetch(url);
  if (response.status !== 'ok') throw new WirewatchError('fetch_failed', `unexpected 304 from ${url}`);
  const decoded = decodeFeedBytesWithInfo(response.body, response.contentType);
  const feed = parseFeed(decoded.text, { sourceId: 'inspect', url: response.url });
  const items = feed.items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => (a.item.published && b.item.published ? compareText(b.item.published, a.item.published) : a.item.published ? -1 : b.item.published ? 1 : a.index - b.index))
    .map(({ item }) => item);
  return {
    url: response.url,
    title: feed.title,
    format: feed.format ?? 'unknown',
    encoding: decoded.encoding,
    encodingSource: decoded.encodingSource,
    idField: feed.idField ?? 'none',
    items,
  };
}
