// Feed text to NewsItems: RSS 0.9x/2.0, RSS 1.0 (RDF), Atom 0.3/1.0 (xml-feed.ts, on top of
// @rowanmanning/feed-parser) and JSON Feed 1.0/1.1 (json-feed.ts). Pure: no I/O, no clock.
// This module settles what every format shares: titles, bounded summaries, canonical URLs and
// stable item keys.
import type { NewsItem } from '../../domain.js';
import { canonicalUrl } from '../canonical-url.js';
import { assignKeys, type IdField } from './item-identity.js';
import { looksLikeJson, parseJsonFeed } from './json-feed.js';
import type { FeedFormat, RawFeed } from './raw-feed.js';
import { truncate } from './text.js';
import { parseXmlText } from './xml-feed.js';

export type { FeedFormat } from './raw-feed.js';
export type { IdField } from './item-identity.js';

/** A feed item: a NewsItem plus what only feeds tell. */
export interface FeedItem extends NewsItem {
  /** First author's name (dc:creator, author, JSON Feed authors), when the feed gives one. */
  author?: string;
}

/** A feed reduced to what the pipeline uses. */
export interface ParsedFeed {
  /** The feed's own title, plain text. */
  title: string | undefined;
  /** The site the feed belongs to, absolute http(s). */
  link: string | undefined;
  /** Items in feed order, each with a key unique inside this feed. */
  items: FeedItem[];
  /** The format the text was read as. */
  format?: FeedFormat;
  /** The identity the item keys were made from (`mixed`: item by item); absent for a feed without items. */
  idField?: IdField;
  /** The codec the body was decoded with, when the caller decoded it (see pollFeed). */
  encoding?: string;
}

/** Longest summary kept, in characters (ellipsis included). */
const SUMMARY_MAX_CHARS = 500;
/** Longest title made from a summary when the item has none, in characters. */
const TITLE_FROM_SUMMARY_MAX_CHARS = 80;

function readRaw(text: string, url: string): RawFeed {
  return looksLikeJson(text) ? parseJsonFeed(text, url) : parseXmlText(text, url);
}

/**
 * Parses feed text (already decoded, see decode.ts) into items. `url` is the feed's URL: the last
 * base for relative links. Items with neither title, link nor summary are dropped. Throws
 * `WirewatchError('parse_failed')` when the text is not a feed.
 */
export function parseFeed(text: string, options: { sourceId: string; url: string }): ParsedFeed {
  return parseFeedCounted(text, options).feed;
}

/** `parseFeed`, with what incremental-parse.ts checks a parse of part of a feed against. */
export interface CountedParse {
  feed: ParsedFeed;
  /** Entries the format reader found, before empty ones were dropped. */
  entries: number;
  /** Items kept only for their link: whether they are kept depends on the bases links resolve against. */
  linkOnly: number;
}

export function parseFeedCounted(text: string, options: { sourceId: string; url: string }): CountedParse {
  const raw = readRaw(text, options.url);
  const entries = raw.entries.filter((e) => e.title !== '' || e.url !== undefined || e.summary !== '' || e.titleFallback !== '');
  const linkOnly = entries.reduce((n, e) => (e.title === '' && e.summary === '' && e.titleFallback === '' ? n + 1 : n), 0);
  const summaries = entries.map((e) => truncate(e.summary, SUMMARY_MAX_CHARS));
  const { keys, idField } = assignKeys(entries.map((e, i) => ({ id: e.id, url: e.url, title: e.title, published: e.published, summary: summaries[i] ?? '' })));

  const items: FeedItem[] = [];
  entries.forEach((entry, i) => {
    const key = keys[i];
    if (key === undefined) return;
    const fallback = entry.titleFallback || entry.summary;
    const item: FeedItem = {
      sourceId: options.sourceId,
      key,
      title: entry.title !== '' ? entry.title : fallback !== '' ? truncate(fallback, TITLE_FROM_SUMMARY_MAX_CHARS) : '(untitled)',
      url: entry.url,
      summary: summaries[i] ?? '',
      published: entry.published,
    };
    const canonical = entry.url === undefined ? undefined : canonicalUrl(entry.url);
    if (canonical !== undefined) item.canonicalUrl = canonical;
    if (entry.author !== undefined) item.author = entry.author;
    items.push(item);
  });

  const parsed: ParsedFeed = { title: raw.title === '' ? undefined : raw.title, link: raw.link, items, format: raw.format };
  if (idField !== undefined) parsed.idField = idField;
  return { feed: parsed, entries: raw.entries.length, linkOnly };
}
