// What the API source kinds (hackernews, google-news, gdelt, sec-edgar) share: one conditional
// fetch with a body hash, exactly as feed-source.ts polls a feed, and the few helpers their
// parsers need beyond feed/text.ts. The helpers are pure; only `pollApi` does I/O.
import { decodeFeedBytes } from './feed/decode.js';
import { conditionalFetch } from './feed/feed-source.js';
import type { ParsedFeed } from './feed/parse-feed.js';
import { plainText, truncate } from './feed/text.js';
import type { FeedPoll, PollContext } from './source-kind.js';

/** A fetched API body, decoded to text, as handed to a kind's parser. */
export interface ApiBody {
  /** The body decoded (BOM, then HTTP charset, then XML declaration, then UTF-8). */
  text: string;
  /** The final URL after redirects. */
  url: string;
  /** The Content-Type header, when the server sent one. */
  contentType: string | undefined;
}

/**
 * Fetches `context.source.url` with the validators of `context.previous` and parses the body
 * unless the server answered 304 or the body's sha256 equals `previous.bodyHash`. Updates etag,
 * lastModified, bodyHash and lastFetchAt (ISO, from `context.now`); leaves failures, lastError
 * and lastNewAt to the pipeline. Fetch errors and `parse` errors propagate.
 */
export async function pollApi(context: PollContext, parse: (body: ApiBody) => ParsedFeed): Promise<FeedPoll> {
  const fetched = await conditionalFetch(context.fetcher, context.source.url, context.previous, context.now);
  if (fetched.kind !== 'fresh') return fetched;
  const text = decodeFeedBytes(fetched.body, fetched.contentType);
  return { kind: 'parsed', feed: parse({ text, url: fetched.url, contentType: fetched.contentType }), state: fetched.state };
}

/** Longest summary an API item keeps, in characters (ellipsis included). */
export const SUMMARY_MAX_CHARS = 500;

/** Collapses whitespace and removes control characters: one line of plain text that had no markup. */
export function oneLine(text: string): string {
  return (
    text
      // Control characters are exactly what this removes.
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u200B\uFEFF]/g, '')
      .replace(/\s+/g, ' ')
      .trim()
  );
}

/** Markup to plain text of at most `SUMMARY_MAX_CHARS` characters: what a NewsItem summary holds. */
export function summaryText(markup: string | null | undefined): string {
  return truncate(plainText(markup), SUMMARY_MAX_CHARS);
}

/** `raw` when it is an absolute http(s) URL (normalised by the URL parser), else undefined. */
export function httpUrl(raw: unknown): string | undefined {
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  try {
    const url = new URL(raw.trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** The host of an http(s) URL without a leading `www.`, as outlets are usually named (`reuters.com`). */
export function hostName(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    const host = new URL(url).hostname.toLowerCase();
    return host.startsWith('www.') ? host.slice(4) : host;
  } catch {
    return undefined;
  }
}

/** A date as ISO 8601, or undefined for a missing or unparseable one. */
export function isoDate(value: Date | string | number | null | undefined): string | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isFinite(date.getTime()) ? date.toISOString() : undefined;
}

/** Removes the document type declaration: no DTD, and no entity it declares, is ever processed. */
export function withoutDoctype(text: string): string {
  return text.replace(/<!DOCTYPE\s[^[>]*(?:\[[\s\S]*?\]\s*)?>/i, '');
}
