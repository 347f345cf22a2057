import { WirewatchError } from '../errors.js';
import type { Alert, ChannelKey, ChannelSettings, ChatSource, FetchState, PendingDelivery, RecentAlert } from '../domain.js';

/** The answer of one atomic claim. */
export interface ClaimResult {
  /** The keys nobody had claimed before (or whose memory had expired), in input order. */
  fresh: string[];
  /** True when this source had never completed a claim: its items are a backlog to remember, not to alert. */
  firstPoll: boolean;
}

export interface ClaimOptions {
  /** How long a claimed key is remembered after it was last seen in the feed, in ms. */
  ttlMs: number;
  /** At most this many keys are remembered per source; the oldest-seen are forgotten first. */
  maxKeys: number;
}

/**
 * One poll's claim plus what its new items produced, for `claimAndCommit`. The caller judges the
 * items it *expects* to be new (those it did not see at its previous poll of the source) before
 * the claim, so that the claim and the writes can be one atomic step (one round trip on Redis).
 */
export interface PollCommit {
  /** Every item key now in the feed, as `claim` takes them (all are remembered again for `ttlMs`). */
  keys: readonly string[];
  options: ClaimOptions;
  /** The keys the caller judged as new; the writes below are what they produced. */
  expected: readonly string[];
  /** The `rulesVersion()` the expected items were judged with (ignored when `expected` is empty). */
  rulesVersion: number;
  /** The source's fetch state after this poll. */
  state: FetchState;
  /** Outbox entries, as `enqueueDeliveries` takes them. */
  deliveries: readonly PendingDelivery[];
  /** Alerts for `/news`, as `addRecentAlerts` takes them (the last is the newest). */
  recent: readonly RecentAlert[];
  /** Stories created or extended, as `putStory` takes them (what changed of each), each kept `storyTtlMs`. */
  stories: readonly StoryWrite[];
  /** How long the stories are kept after this write, in ms (unused when `stories` is empty). */
  storyTtlMs: number;
}

/** The answer of `claimAndCommit`. */
export interface PollCommitResult extends ClaimResult {
  /**
   * True when the guess was right and everything was written: the fresh keys are exactly
   * `expected` (as a set) and, if any were expected, the rules version is still the one given;
   * on a first poll, only when nothing was expected and nothing is to be written. When false,
   * only the claim was done: the caller judges `fresh` itself and writes with the single members.
   */
  committed: boolean;
  /** The current `rulesVersion()`, so a caller learns that its cached rules are stale. */
  rulesVersion: number;
}

/**
 * Everything wirewatch remembers. Two implementations honour the same contract
 * (test/contract/store.contract.ts): Redis for production, in-process for the embedded default.
 */
export interface Store {
  /**
   * Claims a batch of item keys of one source in one atomic step (one round trip on Redis) and
   * answers which were new. Every key given is remembered again for `ttlMs`, so an item that
   * stays in its feed is never forgotten and re-alerted while it is still there.
   */
  claim(sourceId: string, keys: readonly string[], options: ClaimOptions): Promise<ClaimResult>;

  /**
   * `claim`, and in the same atomic step (one round trip on a standalone Redis) the writes of the
   * poll: fetch state, outbox entries, recent alerts, stories; but only when the caller's
   * expectation of the fresh keys holds (see `PollCommitResult.committed`). The claim is always done.
   */
  claimAndCommit(sourceId: string, commit: PollCommit): Promise<PollCommitResult>;

  /**
   * A counter that grows with every call that may change the channel rules (`addWatchTerms`,
   * `removeWatchTerm`, `clearWatchTerms`, `setChannelSettings`), so a caller can cache the watch
   * terms and known channels and reload them only when it moved. Starts at 0.
   */
  rulesVersion(): Promise<number>;

  /** Fetch state of a source (conditional GET validators, failures); a fresh state when unknown. */
  getFetchState(sourceId: string): Promise<FetchState>;
  /** Replaces the fetch state of a source. */
  setFetchState(sourceId: string, state: FetchState): Promise<void>;
  /** Replaces the fetch states of several sources in one step (one round trip on a standalone Redis). */
  setFetchStates(states: ReadonlyArray<readonly [sourceId: string, state: FetchState]>): Promise<void>;

  /** The watch terms added in chat for a channel, in the order they were added. */
  getWatchTerms(channel: ChannelKey): Promise<string[]>;
  /** Adds terms (already normalised by the caller) to a channel; answers the terms that were not there yet. */
  addWatchTerms(channel: ChannelKey, terms: readonly string[]): Promise<string[]>;
  /** Removes one term; answers whether it was there. */
  removeWatchTerm(channel: ChannelKey, term: string): Promise<boolean>;

  /** Removes every chat-added term of a channel; answers how many there were. */
  clearWatchTerms(channel: ChannelKey): Promise<number>;
  /** Channels that have chat-added watch terms or settings (they receive alerts without a config entry). */
  knownChannels(): Promise<ChannelKey[]>;

  /** A channel's `/alerts` settings; the defaults (`defaultChannelSettings()`) when never set. */
  getChannelSettings(channel: ChannelKey): Promise<ChannelSettings>;
  /** Replaces a channel's settings. */
  setChannelSettings(channel: ChannelKey, settings: ChannelSettings): Promise<void>;

  /** Adds a source from chat; false when the id is taken; throws `store_failed` when `STORE_DEFAULTS.chatSources` are already there. */
  addChatSource(source: ChatSource): Promise<boolean>;
  /** Removes a chat-added source; false when there was none with that id. */
  removeChatSource(id: string): Promise<boolean>;
  /** Every chat-added source, oldest first. */
  listChatSources(): Promise<ChatSource[]>;

  /** Holds alerts for a channel's next digest (digest mode, quiet hours, pause, cap overflow). */
  holdForDigest(channel: ChannelKey, alerts: readonly Alert[]): Promise<void>;
  /** Takes (and removes) every alert held for a channel, oldest first. */
  takeDigest(channel: ChannelKey): Promise<Alert[]>;
  /** How many alerts are held for a channel, plus those dropped beyond the cap since the last `takeDigest`. */
  heldCount(channel: ChannelKey): Promise<number>;
  /** Records one message sent to a channel and answers how many were sent in the last `windowMs` (for `/alerts cap`). */
  countSent(channel: ChannelKey, nowMs: number, windowMs: number, record: boolean): Promise<number>;

  /**
   * Records the platform's message id for a delivery key (channel + story), so a redelivery after a
   * crash finds the message instead of posting it again, and story updates know what to edit.
   * `ttlMs` bounds how long it is kept.
   */
  recordMessage(deliveryKey: string, ref: string, ttlMs: number): Promise<void>;
  /** The message id recorded for a delivery key, if any. */
  getMessage(deliveryKey: string): Promise<string | undefined>;

  /** Stories first seen at or after `sinceMs`, newest first (the cross-source story index). */
  recentStories(sinceMs: number): Promise<StoryRecord[]>;
  /**
   * Writes what changed of a story: its head when given (replaced whole), and its reports merged
   * by outlet (a report replaces the one of its outlet, the others stay). The story is forgotten,
   * head and reports, `ttlMs` after its last write; one never given a head is not answered.
   */
  putStory(story: StoryWrite, ttlMs: number): Promise<void>;

  /** Remembers alerts for `/news`; only the newest `limit` (see implementation options) are kept. */
  addRecentAlerts(alerts: readonly RecentAlert[]): Promise<void>;
  /** The newest remembered alerts first, at most `limit`. */
  recentAlerts(limit: number): Promise<RecentAlert[]>;
  /**
   * The remembered alerts holding every one of `terms` (as `newsTerms` gives them: folded words and
   * `channelTerm`s; none: every alert), newest first, at most `limit`. Reads only what it returns
   * plus the terms' postings, whatever the number of alerts remembered (news-index.ts).
   */
  searchRecentAlerts(terms: readonly string[], limit: number): Promise<RecentAlert[]>;

  /** Puts deliveries in the outbox; an entry with an id already there is left as it is. */
  enqueueDeliveries(deliveries: readonly PendingDelivery[]): Promise<void>;
  /** Outbox entries due at `nowMs` (notBefore ≤ now), oldest first, at most `limit`. */
  dueDeliveries(nowMs: number, limit: number): Promise<PendingDelivery[]>;
  /**
   * Like `dueDeliveries`, but atomically leases what it returns: their notBefore moves to
   * `nowMs + leaseMs`, so another worker does not take them, and a worker that dies before
   * acking lets them come back when the lease runs out.
   */
  leaseDeliveries(nowMs: number, limit: number, leaseMs: number): Promise<PendingDelivery[]>;
  /** Number of entries in the outbox. */
  outboxSize(): Promise<number>;
  /** Replaces an outbox entry (after a failed attempt: attempts and notBefore updated). */
  rescheduleDelivery(delivery: PendingDelivery): Promise<void>;
  /** Removes an entry once the platform accepted it. */
  ackDelivery(alertId: string): Promise<void>;

  /** Checks that the backing service answers. */
  ping(): Promise<void>;
  /** Releases what this store opened (a store never closes a client it was handed). */
  close(): Promise<void>;
}

/**
 * Whether a poll's guess of its fresh keys held (see `PollCommitResult.committed`); both stores
 * decide alike (the Redis one inside its script).
 */
export function commitMatches(result: ClaimResult, commit: PollCommit, currentVersion: number): boolean {
  if (result.firstPoll) {
    return commit.expected.length === 0 && commit.deliveries.length === 0 && commit.recent.length === 0 && commit.stories.length === 0;
  }
  const expected = new Set(commit.expected);
  if (expected.size !== result.fresh.length || !result.fresh.every((key) => expected.has(key))) return false;
  return expected.size === 0 || commit.rulesVersion === currentVersion;
}

/** A fetch state for a source never fetched. */
export function emptyFetchState(): FetchState {
  return {
    health: 'ok',
    nextAttemptAt: undefined,
    etag: undefined,
    lastModified: undefined,
    bodyHash: undefined,
    failures: 0,
    lastError: undefined,
    lastFetchAt: undefined,
    lastNewAt: undefined,
  };
}

/**
 * Where a story write may carry the JSON text of its head (a non-enumerable property, so copies and
 * JSON.stringify ignore it). Its maker sets it only to exactly `JSON.stringify(storyHead(write))`;
 * the Redis store then writes it instead of serialising the head again (the story tracker keeps
 * the text of each member, which never changes).
 */
export const STORY_JSON: unique symbol = Symbol('wirewatch.storyJson');

/** What the store keeps of a story as one piece: everything but its reports. */
export function storyHead(story: StoryWrite): { id: string; signature: unknown; firstAt: number } {
  return { id: story.id, signature: story.signature, firstAt: story.firstAt };
}

/** The JSON text of a story's head: the one it carries (see `STORY_JSON`), else serialised now. */
export function storyJson(story: StoryWrite): string {
  return story[STORY_JSON] ?? JSON.stringify(storyHead(story));
}

/**
 * One report of a story kept by outlet: a story keeps its first reports inside its head (the
 * relevance stage's `signature`) and each later outlet's latest report here, so that a story
 * reported by hundreds of outlets costs one small write per report, not the whole story again.
 */
export interface StoryReport {
  /** The outlet; a story keeps one report per outlet. */
  outlet: string;
  /** Its place among the story's reports: they are answered in this order (ties, from two writers, in either). */
  seq: number;
  /** Epoch ms of the report (NaN when unknown). */
  at: number;
}

/** One story in the index: what new items are compared against, and who reported it. */
export interface StoryRecord {
  id: string;
  /** The story's head: the relevance stage's record of its first reports (JSON-serialisable, opaque to the store). */
  signature: unknown;
  /** Epoch ms of the first report. */
  firstAt: number;
  /** Its later reports, one per outlet, in `seq` order. */
  reports: StoryReport[];
}

/**
 * A write of a story: its head when it changed, and the reports written since the last write. A
 * whole `StoryRecord` is one too.
 */
export interface StoryWrite {
  /** See `STORY_JSON`. */
  readonly [STORY_JSON]?: string;
  id: string;
  /** The head, replacing the stored one; undefined keeps it (a story's first write gives it). */
  signature?: unknown;
  /** Epoch ms of the first report (stored with the head). */
  firstAt: number;
  /** Reports added or replaced, each replacing the stored report of its outlet. */
  reports: readonly StoryReport[];
}

/** The settings of a channel nobody configured in chat. */
export function defaultChannelSettings(): ChannelSettings {
  return { paused: false, digest: 'off', quiet: undefined, capPerHour: undefined, lang: 'en', breakingOnly: false };
}

/** Limits shared by both implementations. */
export const STORE_DEFAULTS = {
  /** Recent alerts kept for `/news` (a week of a busy deployment; the Redis store's option can raise it). */
  recentAlerts: 10_000,
  /** Alerts held per channel for a digest; the oldest beyond this are dropped (and counted in the digest). */
  heldPerChannel: 500,
  /** Sources that can be added in chat, in all. */
  chatSources: 500,
} as const satisfies Record<string, number>;

/** The error both stores throw when `STORE_DEFAULTS.chatSources` sources were already added from chat. */
export function chatSourcesFull(): WirewatchError {
  return new WirewatchError('store_failed', `at most ${STORE_DEFAULTS.chatSources} sources can be added from chat; remove one first`);
}
