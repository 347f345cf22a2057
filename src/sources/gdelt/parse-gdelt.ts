// GDELT DOC 2.0 article lists (`mode=artlist&format=json`) to NewsItems. Pure: no I/O, no clock.
// GDELT answers a bad query with HTTP 200 and a line of text or HTML instead of JSON; that line
// becomes the error message, so the operator sees GDELT's own words.
import { z } from 'zod';
import type { NewsItem } from '../../domain.js';
import { WirewatchError } from '../../errors.js';
import { hostName, httpUrl, oneLine } from '../api-poll.js';
import { canonicalUrl } from '../canonical-url.js';
import { plainText } from '../feed/text.js';
import type { ParsedFeed } from '../feed/parse-feed.js';

/** Longest piece of a GDELT error text quoted in an error message, in characters. */
const ERROR_QUOTE_MAX_CHARS = 200;

const articleSchema = z.object({
  url: z.string(),
  title: z.string().nullish(),
  seendate: z.string().nullish(),
  domain: z.string().nullish(),
  language: z.string().nullish(),
  sourcecountry: z.string().nullish(),
});

// `{}` is GDELT's answer when nothing matched.
const responseSchema = z.object({ articles: z.array(z.unknown()).optional() });

/** `20260129T104500Z` (GDELT's `seendate`, UTC) as ISO 8601, or undefined. */
export function gdeltDate(seendate: string | null | undefined): string | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T?(\d{2})(\d{2})(\d{2})Z?$/.exec(seendate?.trim() ?? '');
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  // Date.UTC rolls 2026-02-31 over to March: a date that does not round-trip is not a date.
  if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return undefined;
  return date.toISOString();
}

/** GDELT's own message from a non-JSON answer: its first non-empty line, as plain text, at most 200 characters. */
function gdeltMessage(text: string): string {
  const firstLine = text.split(/\r?\n|<br\s*\/?>/i).map((line) => plainText(line)).find((line) => line !== '') ?? '';
  const line = oneLine(firstLine);
  if (line === '') return 'empty answer';
  return line.length > ERROR_QUOTE_MAX_CHARS ? `${line.slice(0, ERROR_QUOTE_MAX_CHARS - 1)}…` : line;
}

/**
 * Parses a GDELT DOC artlist answer. Keys are the article's canonical URL
 * (tracking parameters and fragment removed). Throws `WirewatchError('parse_failed')` carrying GDELT's message when the
 * answer is text or HTML (bad query, too many keywords, rate limit), or when the JSON has the wrong shape.
 */
export function parseGdelt(text: string, options: { sourceId: string }): ParsedFeed {
  const head = text.trimStart();
  if (!head.startsWith('{')) {
    throw new WirewatchError('parse_failed', `GDELT refused the query: ${gdeltMessage(head)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new WirewatchError('parse_failed', `GDELT answered invalid JSON: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const response = responseSchema.safeParse(json);
  if (!response.success) throw new WirewatchError('parse_failed', 'GDELT answer has no "articles" list');

  const items: NewsItem[] = [];
  const seen = new Set<string>();
  for (const raw of response.data.articles ?? []) {
    const article = articleSchema.safeParse(raw);
    if (!article.success) continue;
    const url = httpUrl(article.data.url);
    if (url === undefined) continue;
    const canonical = canonicalUrl(url);
    const key = canonical ?? url;
    // GDELT titles are plain text (sometimes with stray spaces before punctuation): whitespace only.
    const title = oneLine(article.data.title ?? '');
    if (title === '' || seen.has(key)) continue;
    seen.add(key);
    const item: NewsItem = {
      sourceId: options.sourceId,
      key,
      title,
      url,
      // artlist carries no text; a made-up summary (domain, country) would only feed false matches.
      summary: '',
      published: gdeltDate(article.data.seendate),
    };
    if (canonical !== undefined) item.canonicalUrl = canonical;
    const publisher = oneLine(article.data.domain ?? '') || hostName(url);
    if (publisher !== undefined && publisher !== '') item.publisher = publisher;
    items.push(item);
  }
  return { title: 'GDELT', link: 'https://www.gdeltproject.org/', items };
}
