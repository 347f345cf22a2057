// The port every source kind implements: RSS/Atom/JSON feeds, news APIs, market tickers.
import type { z } from 'zod';
import type { FetchState, SourceConfig, SourceKindName } from '../domain.js';
import type { FeedMemo, FeedPoll, MemoSlot } from './feed/feed-source.js';
import type { ParseBody } from './feed/parse-job.js';
import type { SafeFetcher } from './http/safe-fetch.js';

export type { FeedMemo, FeedPoll, MemoSlot };

/** What a kind gets for one poll. */
export interface PollContext {
  /** The safe HTTP client (SSRF guard, caps, per-host politeness). */
  fetcher: SafeFetcher;
  source: SourceConfig;
  /** The state remembered after the previous poll (validators, body hash). */
  previous: FetchState;
  now: () => Date;
  /**
   * What this process remembers of the source's previous parse, for kinds that use it (feeds:
   * each item's text hash and key, so a changed feed parses only its new items). Absent: every
   * poll parses everything.
   */
  memo?: MemoSlot<FeedMemo>;
  /** Parses a fetched feed body: the pipeline's parse threads; absent, the calling thread. */
  parse?: ParseBody;
}

/**
 * One way of reading a source. `poll` returns items with keys unique inside the source; the
 * pipeline claims them, so a kind never remembers what it has already returned.
 */
export interface SourceKind<Options = Record<string, unknown>> {
  readonly kind: SourceKindName;
  /** Validates the kind's own keys of a source entry (everything but id, kind, name, url, every, cron, enabled). */
  readonly options: z.ZodType<Options>;
  /** The URL to fetch for these options; undefined when the entry must give `url` itself (plain feeds). */
  defaultUrl(options: Options): string | undefined;
  /** Fetches and parses once. Errors are thrown as `WirewatchError` (the pipeline triages them). */
  poll(context: PollContext, options: Options): Promise<FeedPoll>;
}
