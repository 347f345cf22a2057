// JSON Feed 1.0 and 1.1 (jsonfeed.org), which @rowanmanning/feed-parser does not read. Lenient:
// an item of the wrong shape is skipped, the others are kept; a field of the wrong type on the
// feed itself is ignored.
import { z } from 'zod';
import { WirewatchError } from '../../errors.js';
import { feedDateIso } from './parse-date.js';
import type { FeedFormat, RawEntry, RawFeed } from './raw-feed.js';
import { absoluteHttpUrl, plainText } from './text.js';

const text = z.string().nullish();
const lenientText = z.string().nullish().catch(undefined);
const author = z.object({ name: text, url: text }).loose();

const itemSchema = z
  .object({
    id: z.union([z.string(), z.number()]).nullish(),
    url: text,
    external_url: text,
    title: text,
    summary: text,
    content_text: text,
    content_html: text,
    date_published: lenientText,
    date_modified: lenientText,
    author: author.nullish().catch(undefined),
    authors: z.array(z.unknown()).nullish().catch(undefined),
  })
  .loose();

const feedSchema = z
  .object({
    version: lenientText,
    title: lenientText,
    home_page_url: lenientText,
    feed_url: lenientText,
    items: z.array(z.unknown()),
  })
  .loose();

const VERSION = /^https?:\/\/jsonfeed\.org\/version\/(\d+(?:\.\d+)?)\/?$/i;

/** True when `text` is JSON rather than XML (its first non-blank character opens an object or array). */
export function looksLikeJson(text: string): boolean {
  const first = /\S/.exec(text.slice(0, 1024))?.[0];
  return first === '{' || first === '[';
}

function formatOf(version: string | null | undefined): FeedFormat {
  const number = VERSION.exec(version?.trim() ?? '')?.[1] ?? version?.trim();
  return number === '1.1' ? 'json-feed-1.1' : 'json-feed-1.0';
}

function firstAuthorName(item: z.infer<typeof itemSchema>): string | undefined {
  for (const candidate of [...(item.authors ?? []), item.author]) {
    const parsed = author.safeParse(candidate);
    const name = parsed.success ? plainText(parsed.data.name) : '';
    if (name !== '') return name;
  }
  return undefined;
}

/**
 * Reads a JSON Feed. A JSON object counts as one when its `version` names jsonfeed.org, or when
 * it has an `items` array beside a title or home/feed URL (feeds that forgot the version). Throws
 * `WirewatchError('parse_failed')` for invalid JSON and for JSON that is not a feed.
 */
export function parseJsonFeed(source: string, feedUrl: string): RawFeed {
  let json: unknown;
  try {
    json = JSON.parse(source);
  } catch (err) {
    throw new WirewatchError('parse_failed', `not a feed: invalid JSON (${err instanceof Error ? err.message : String(err)})`, { cause: err });
  }
  const parsed = feedSchema.safeParse(json);
  const declared = parsed.success && VERSION.test(parsed.data.version?.trim() ?? '');
  const implied = parsed.success && [parsed.data.title, parsed.data.home_page_url, parsed.data.feed_url].some((v) => typeof v === 'string');
  if (!parsed.success || (!declared && !implied)) {
    throw new WirewatchError('parse_failed', 'not a feed: JSON but not a JSON Feed (no jsonfeed.org version and items)');
  }
  const feed = parsed.data;
  const link = absoluteHttpUrl(feed.home_page_url, feedUrl);
  const entries: RawEntry[] = [];
  for (const raw of feed.items) {
    const item = itemSchema.safeParse(raw);
    if (!item.success) continue;
    const { data } = item;
    const contentText = plainText(data.content_text);
    const summary = plainText(data.summary);
    // The HTML is read only when neither text says anything: it is the longest field.
    const contentHtml = summary === '' && contentText === '' ? plainText(data.content_html) : '';
    const id = data.id === null || data.id === undefined ? '' : String(data.id).trim();
    entries.push({
      id: id === '' ? undefined : id,
      title: plainText(data.title),
      url: absoluteHttpUrl(data.url, link, feedUrl) ?? absoluteHttpUrl(data.external_url, link, feedUrl),
      summary: summary || contentText || contentHtml,
      titleFallback: contentText || summary || contentHtml,
      published: feedDateIso(data.date_published) ?? feedDateIso(data.date_modified),
      author: firstAuthorName(data),
    });
  }
  return { format: formatOf(feed.version), title: plainText(feed.title), link, entries };
}
