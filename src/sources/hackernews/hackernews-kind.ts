import { z } from 'zod';
import { pollApi } from '../api-poll.js';
import type { SourceKind } from '../source-kind.js';
import { parseHackerNews } from './parse-hackernews.js';

/** Stories per poll: the newest 50 matches (Algolia's page size cap is 1000; 50 keeps answers small). */
const HITS_PER_PAGE = 50;

const hackerNewsOptions = z
  .object({
    /** Keywords, Algolia syntax ("nvidia h200", `"exact phrase"`). */
    query: z.string().trim().min(1, 'hackernews needs a non-empty "query"'),
    /** Algolia tag filter: story, show_hn, ask_hn, front_page, or a combination such as "(story,poll)". */
    tags: z.string().trim().min(1).default('story'),
    /** Stories with fewer points are skipped until they earn them. */
    minPoints: z.number().int().min(0).optional(),
  })
  .strict();

/** The options of a `hackernews` source, after defaults. */
export type HackerNewsOptions = z.infer<typeof hackerNewsOptions>;

/** The Algolia URL for these options: newest first, with the points filter done by the server too. */
function hackerNewsUrl(options: HackerNewsOptions): string {
  const params = new URLSearchParams({ query: options.query, tags: options.tags, hitsPerPage: String(HITS_PER_PAGE) });
  if (options.minPoints !== undefined) params.set('numericFilters', `points>=${options.minPoints}`);
  return `https://hn.algolia.com/api/v1/search_by_date?${params.toString()}`;
}

/** Hacker News stories matching a keyword query, newest first, via the Algolia search API. */
export const hackerNewsKind = {
  kind: 'hackernews',
  options: hackerNewsOptions,
  defaultUrl: hackerNewsUrl,
  poll: (context, options) =>
    pollApi(context, ({ text }) => parseHackerNews(text, { sourceId: context.source.id, minPoints: options.minPoints })),
} as const satisfies SourceKind<HackerNewsOptions>;
