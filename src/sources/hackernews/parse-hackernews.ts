// Hacker News Algolia search answers (`/api/v1/search_by_date`) to NewsItems. Pure: no I/O, no clock.
import { z } from 'zod';
import type { NewsItem } from '../../domain.js';
import { WirewatchError } from '../../errors.js';
import { hostName, httpUrl, isoDate, oneLine, summaryText } from '../api-poll.js';
import { canonicalUrl } from '../canonical-url.js';
import type { ParsedFeed } from '../feed/parse-feed.js';

/** The page of a story on Hacker News itself: the link for Ask HN and other text posts. */
export function hackerNewsItemUrl(objectId: string): string {
  return `https://news.ycombinator.com/item?id=${encodeURIComponent(objectId)}`;
}

// Algolia sends null for absent fields; everything but objectID is optional here so that one odd
// hit is skipped rather than failing the whole page.
const hitSchema = z.object({
  objectID: z.union([z.string(), z.number()]).transform(String),
  title: z.string().nullish(),
  url: z.string().nullish(),
  story_text: z.string().nullish(),
  points: z.number().nullish(),
  num_comments: z.number().nullish(),
  created_at: z.string().nullish(),
  created_at_i: z.number().nullish(),
});

const responseSchema = z.object({ hits: z.array(z.unknown()), query: z.string().optional() });

/**
 * Parses an Algolia HN search response. Hits below `minPoints` are left out (they may come back
 * on a later poll once they have the points). Throws `WirewatchError('parse_failed')` when the
 * text is not JSON or has no `hits` array.
 */
export function parseHackerNews(text: string, options: { sourceId: string; minPoints?: number | undefined }): ParsedFeed {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    const head = oneLine(text.slice(0, 200));
    throw new WirewatchError('parse_failed', `Hacker News search did not answer JSON${head === '' ? ' (empty body)' : `: ${head}`}`, { cause: err });
  }
  const response = responseSchema.safeParse(json);
  if (!response.success) throw new WirewatchError('parse_failed', 'Hacker News search answer has no "hits" array');

  const items: NewsItem[] = [];
  const seen = new Set<string>();
  for (const raw of response.data.hits) {
    const hit = hitSchema.safeParse(raw);
    if (!hit.success) continue;
    const { objectID, points, num_comments: comments } = hit.data;
    const key = objectID.trim();
    if (key === '' || seen.has(key)) continue;
    if (options.minPoints !== undefined && (points ?? 0) < options.minPoints) continue;
    // Titles are plain text on HN ("Vec<T> in Rust" must keep its "<T>"): only whitespace is normalised.
    const title = oneLine(hit.data.title ?? '');
    if (title === '') continue;
    seen.add(key);
    const external = httpUrl(hit.data.url);
    const storyText = summaryText(hit.data.story_text);
    const item: NewsItem = {
      sourceId: options.sourceId,
      key,
      title,
      url: external ?? hackerNewsItemUrl(key),
      summary: storyText !== '' ? storyText : `${points ?? 0} points · ${comments ?? 0} comments on Hacker News`,
      published: isoDate(hit.data.created_at) ?? isoDate(hit.data.created_at_i == null ? undefined : hit.data.created_at_i * 1000),
    };
    const canonical = canonicalUrl(item.url ?? '');
    if (canonical !== undefined) item.canonicalUrl = canonical;
    const publisher = hostName(external);
    if (publisher !== undefined) item.publisher = publisher;
    items.push(item);
  }
  const query = response.data.query?.trim();
  return {
    title: query === undefined || query === '' ? 'Hacker News' : `Hacker News: ${query}`,
    link: 'https://news.ycombinator.com/',
    items,
  };
}
