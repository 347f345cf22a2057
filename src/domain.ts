// The vocabulary of the pipeline. Types only: this file imports nothing.

/** The subjects wirewatch judges items against. */
export type Topic = 'ai-chips' | 'crypto';
export const TOPICS = ['ai-chips', 'crypto'] as const satisfies readonly Topic[];

/** Where an alert can be sent. */
export type AdapterKind = 'console' | 'slack' | 'discord' | 'slack-webhook' | 'discord-webhook';
export const ADAPTER_KINDS = ['console', 'slack', 'discord', 'slack-webhook', 'discord-webhook'] as const satisfies readonly AdapterKind[];

/** One entry of a feed, normalised. */
export interface NewsItem {
  /** The source it came from (config id). */
  sourceId: string;
  /** Identity of the item inside its source: guid, else link, else title+date. Never empty. */
  key: string;
  title: string;
  /** Absolute http(s) link, when the feed gives one. */
  url: string | undefined;
  /** Plain-text summary (markup stripped), possibly empty. */
  summary: string;
  /** Publication time as ISO 8601, or undefined when the feed gives none or an unparseable one. */
  published: string | undefined;
  /** `url` canonicalised for cross-source work: scheme/host lower-cased, utm_*, fbclid, gclid and fragment removed. */
  canonicalUrl?: string;
  /** The outlet that published it when the source aggregates others (Google News `<source>`, GDELT domain). */
  publisher?: string;
  /** Topics decided by the source itself (a market move is `crypto` by construction); judged items leave it unset. */
  fixedTopics?: readonly Topic[];
}

/** How a source is read; each kind has its own parser and options (src/sources/registry.ts). */
export type SourceKindName = 'feed' | 'hackernews' | 'google-news' | 'gdelt' | 'sec-edgar' | 'market';
export const SOURCE_KIND_NAMES = ['feed', 'hackernews', 'google-news', 'gdelt', 'sec-edgar', 'market'] as const satisfies readonly SourceKindName[];

/** A source as configured. */
export interface SourceConfig {
  id: string;
  kind: SourceKindName;
  /** Display name; defaults to the feed's title or the id. */
  name: string | undefined;
  /** The URL fetched; for API kinds built from `options` unless the config gives one (proxies, tests). */
  url: string;
  /** The kind's own settings (query, symbols, forms …), already validated by the kind's schema. */
  options: Readonly<Record<string, unknown>>;
  /** A duration such as `30s`, `5m`, `1h`, or undefined when `cron` is set. */
  every: string | undefined;
  /** A node-cron expression, when given instead of `every`. */
  cron: string | undefined;
  enabled: boolean;
}

/** A channel as configured: where alerts go and what it wants. */
export interface ChannelConfig {
  /** The platform's channel id (any name for console; a name for webhooks). */
  id: string;
  adapter: AdapterKind;
  /** For the webhook adapters. */
  webhookUrl: string | undefined;
  topics: Topic[];
  /** Watch terms from the config file; terms added in chat live in the store. */
  watch: string[];
}

/** `adapter:id`, the key that names a channel in the store and in logs. */
export type ChannelKey = string;

/** What the judge decided about one item. */
export interface Judgement {
  topics: Topic[];
  /** The dictionary terms that decided each topic, as written in the item (for explanation). */
  topicTerms: Record<Topic, string[]>;
}

/** One alert for one channel, platform-neutral. */
export interface Alert {
  /** Stable id: `${sourceId}:${itemKey}:${channelKey}` hashed; the same item never gets two ids for one channel. */
  id: string;
  channel: ChannelKey;
  title: string;
  url: string | undefined;
  /** Display name of the source. */
  source: string;
  sourceId: string;
  published: string | undefined;
  topics: Topic[];
  /** Topic and watch terms that made this channel receive it. */
  matched: string[];
  /** One line, plain text, already shortened. */
  summary: string;
  /** The story this item belongs to (same event from several outlets); later reports update the first alert. */
  storyId?: string;
  /**
   * Outlets that reported the story so far, first one first (only on story updates and digests):
   * the first `REPORTED_BY_NAMES` of them, `reportedByCount` counting them all.
   */
  reportedBy?: string[];
  /** How many outlets reported the story, when more than `reportedBy` names (absent: it names them all). */
  reportedByCount?: number;
  /** Amounts, power, percentages and tickers found in the item, as written (`$100 billion`, `10 GW`, `−7.2 %`). */
  highlights?: string[];
  /** Reported by 3 or more outlets within an hour. */
  breaking?: boolean;
  /** Language of the labels around the story (the story text itself is never translated). */
  lang?: Lang;
}

/** The languages of labels and command replies. */
export type Lang = 'en' | 'fr';
export const LANGS = ['en', 'fr'] as const satisfies readonly Lang[];

/** How a channel wants its alerts, set in chat with `/alerts`. */
export interface ChannelSettings {
  /** Nothing is delivered while paused; alerts are held and sent as one digest on resume. */
  paused: boolean;
  /** `off`: one message per story; otherwise alerts are collected into one digest per interval. */
  digest: 'off' | '15m' | '1h' | 'daily';
  /** Hours during which alerts are held, delivered as one digest afterwards. `start`/`end` are `HH:MM`, `tz` an IANA zone. */
  quiet: { start: string; end: string; tz: string } | undefined;
  /** At most this many alert messages per hour; the overflow goes into the next digest. */
  capPerHour: number | undefined;
  lang: Lang;
  /** Only stories marked breaking reach the channel. */
  breakingOnly: boolean;
}

/** A source added in chat with `/source add`. */
export interface ChatSource {
  id: string;
  url: string;
  /** A duration such as `15m`. */
  every: string;
  /** The channel it was added from (it alerts every channel, like configured sources). */
  addedIn: ChannelKey;
  addedBy: string;
  /** ISO time. */
  addedAt: string;
}

/** OK: polls succeed. FAILING: recent polls failed, retried with backoff. DISABLED: given up until re-enabled. */
export type SourceHealth = 'ok' | 'failing' | 'disabled';

/** Per-source fetch state remembered between polls. */
export interface FetchState {
  health: SourceHealth;
  /** ISO time before which the source is not polled again (backoff after failures, Retry-After). */
  nextAttemptAt: string | undefined;
  etag: string | undefined;
  lastModified: string | undefined;
  /** Hash of the last body parsed, so an unchanged body skips parsing. */
  bodyHash: string | undefined;
  /** Consecutive failures. */
  failures: number;
  lastError: string | undefined;
  /** ISO time of the last fetch attempt. */
  lastFetchAt: string | undefined;
  /** ISO time of the last item that was new. */
  lastNewAt: string | undefined;
}

/**
 * `state` with `changes` applied, built field by field. An object spread takes the shape of the
 * object it copies, and states come from several places (a literal, JSON, a spread): the poll of
 * every source then ran on megamorphic copies (~5 % of a 304 poll's CPU, bench/profile.ts same).
 */
export function fetchStateWith(state: FetchState, changes: Partial<FetchState>): FetchState {
  return {
    health: 'health' in changes ? (changes.health ?? state.health) : state.health,
    nextAttemptAt: 'nextAttemptAt' in changes ? changes.nextAttemptAt : state.nextAttemptAt,
    etag: 'etag' in changes ? changes.etag : state.etag,
    lastModified: 'lastModified' in changes ? changes.lastModified : state.lastModified,
    bodyHash: 'bodyHash' in changes ? changes.bodyHash : state.bodyHash,
    failures: 'failures' in changes ? (changes.failures ?? state.failures) : state.failures,
    lastError: 'lastError' in changes ? changes.lastError : state.lastError,
    lastFetchAt: 'lastFetchAt' in changes ? changes.lastFetchAt : state.lastFetchAt,
    lastNewAt: 'lastNewAt' in changes ? changes.lastNewAt : state.lastNewAt,
  };
}

/** An alert remembered for `/news` lookups. */
export interface RecentAlert {
  title: string;
  url: string | undefined;
  source: string;
  sourceId: string;
  published: string | undefined;
  topics: Topic[];
  /** ISO time it was alerted. */
  alertedAt: string;
  /** Channels it went to. */
  channels: ChannelKey[];
  /** Its story; several recent alerts may share one (the same event from several outlets). */
  storyId?: string;
  /** Outlets that reported the story so far, first one first: at most `REPORTED_BY_NAMES`, as in `Alert`. */
  reportedBy?: string[];
  /** See `Alert.reportedByCount`. */
  reportedByCount?: number;
}

/**
 * How many outlets an alert names (chat shows the first ten besides the first outlet, then a
 * count): a story reported by hundreds of outlets would otherwise carry every name in each of its
 * alerts, outbox entries and /news records.
 */
export const REPORTED_BY_NAMES = 20;

/** A delivery waiting for a platform to accept it. */
export interface PendingDelivery {
  alert: Alert;
  /** How many attempts failed so far. */
  attempts: number;
  /** Epoch ms before which it must not be retried. */
  notBefore: number;
}
