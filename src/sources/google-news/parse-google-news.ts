// Google News RSS search results to NewsItems. Pure: no I/O, no clock.
// @rowanmanning/feed-parser reads the RSS; Google's own conventions are handled here: the guid is
// the article's identity, `<source>` names the outlet, titles end with " - Outlet", and the
// description is an HTML list of links.
import { parseFeed as parseXmlFeed } from '@rowanmanning/feed-parser';
import type { NewsItem } from '../../domain.js';
import { WirewatchError } from '../../errors.js';
import { httpUrl, isoDate, oneLine, summaryText, withoutDoctype } from '../api-poll.js';
import { canonicalUrl } from '../canonical-url.js';
import type { ParsedFeed } from '../feed/parse-feed.js';

/** `title` without the " - Publisher" (or " – ", " — ", " | ") suffix Google appends, when it is there. */
export function stripPublisherSuffix(title: string, publisher: string | undefined): string {
  if (publisher === undefined || publisher === '') return title;
  for (const separator of [' - ', ' – ', ' — ', ' | ']) {
    const suffix = `${separator}${publisher}`;
    if (title.length > suffix.length && title.toLowerCase().endsWith(suffix.toLowerCase())) {
      return title.slice(0, -suffix.length).trimEnd();
    }
  }
  return title;
}

/**
 * The description reduced to plain text. The "Full coverage" link (in `<strong>`) is dropped, and
 * a description that only repeats the headline and the outlet becomes empty.
 */
function summaryOf(description: string, title: string, publisher: string | undefined): string {
  const withoutFullCoverage = description
    .split(/(?=<li\b)/i)
    .filter((part) => !/^<li\b[^<>]*>\s*<strong\b/i.test(part))
    .join('');
  const text = summaryText(withoutFullCoverage);
  const fold = (s: string) => s.toLowerCase().replace(/\s+/g, ' ').trim();
  const bare = fold(text);
  if (bare === fold(title) || bare === fold(`${title} ${publisher ?? ''}`)) return '';
  return text;
}

/** Why text that did not parse as RSS is not Google News RSS, for `parse_failed`. */
function notRssReason(text: string, libraryMessage: string): string {
  const head = text.slice(0, 2048).trimStart();
  if (head === '') return 'empty body';
  if (/<html[\s>]/i.test(head) || /^<!DOCTYPE\s+html\b/i.test(head)) return 'an HTML page (a consent, captcha or error page?)';
  if (!head.startsWith('<')) return `not XML: ${oneLine(head.slice(0, 120))}`;
  return libraryMessage;
}

/**
 * Parses a Google News RSS answer. Keys are the item guid (Google's article id), else the link.
 * Throws `WirewatchError('parse_failed')` when the text is not an RSS feed.
 */
export function parseGoogleNews(text: string, options: { sourceId: string }): ParsedFeed {
  let feed: ReturnType<typeof parseXmlFeed>;
  try {
    feed = parseXmlFeed(withoutDoctype(text));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new WirewatchError('parse_failed', `Google News did not answer RSS: ${notRssReason(text, message)}`, { cause: err });
  }

  const items: NewsItem[] = [];
  const seen = new Set<string>();
  for (const entry of feed.items) {
    const source = entry.element.findElementWithName('source');
    const publisherName = source === null ? '' : oneLine(source.textContentNormalized);
    const publisher = publisherName === '' ? undefined : publisherName;
    const fullTitle = oneLine(entry.title ?? '');
    const title = stripPublisherSuffix(fullTitle, publisher);
    const url = httpUrl(entry.url);
    const key = oneLine(entry.id ?? '') || url;
    if (title === '' || key === undefined || seen.has(key)) continue;
    seen.add(key);
    const item: NewsItem = {
      sourceId: options.sourceId,
      key,
      title,
      url,
      summary: summaryOf(entry.description ?? '', title, publisher),
      published: isoDate(entry.published) ?? isoDate(entry.updated),
    };
    const canonical = url === undefined ? undefined : canonicalUrl(url);
    if (canonical !== undefined) item.canonicalUrl = canonical;
    if (publisher !== undefined) item.publisher = publisher;
    items.push(item);
  }
  const feedTitle = oneLine(feed.title ?? '');
  return { title: feedTitle === '' ? undefined : feedTitle, link: httpUrl(feed.url), items };
}
