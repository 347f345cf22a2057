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
}

/** A delivery waiting for a platform to accept it. */
export interface PendingDelivery {
  alert: Alert;
  /** How many attempts failed so far. */
  attempts: number;
  /** Epoch ms before which it must not be retried. */
  notBefore: number;
}
