// What the format readers (XML via @rowanmanning/feed-parser, JSON Feed by hand) hand to
// parse-feed.ts: one shape for every format, before titles, summaries and keys are settled.

/** The formats wirewatch reads, as reported on `ParsedFeed.format`. */
export type FeedFormat = 'rss-0.9x' | 'rss-2.0' | 'rdf' | 'atom-0.3' | 'atom-1.0' | 'json-feed-1.0' | 'json-feed-1.1';

/** One entry as read, text already plain. */
export interface RawEntry {
  /** guid / atom:id / JSON Feed id, trimmed; undefined when absent or empty. */
  id: string | undefined;
  /** The entry's own title, plain text, possibly empty. */
  title: string;
  /** Absolute http(s) link. */
  url: string | undefined;
  /** Plain-text summary in order of preference (summary, content, media description), uncut. */
  summary: string;
  /** Text a missing title is made from (JSON Feed: content_text first). */
  titleFallback: string;
  /** ISO 8601, or undefined when absent or unreadable. */
  published: string | undefined;
  /** First author's name (dc:creator, author, JSON Feed authors), plain text. */
  author: string | undefined;
}

/** A feed as read by one of the format readers. */
export interface RawFeed {
  format: FeedFormat;
  /** Plain text, possibly empty. */
  title: string;
  /** Absolute http(s) link of the site. */
  link: string | undefined;
  entries: RawEntry[];
}
