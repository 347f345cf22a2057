import type { ChannelKey, FetchState, PendingDelivery, RecentAlert } from '../domain.js';

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

  /** Fetch state of a source (conditional GET validators, failures); a fresh state when unknown. */
  getFetchState(sourceId: string): Promise<FetchState>;
  /** Replaces the fetch state of a source. */
  setFetchState(sourceId: string, state: FetchState): Promise<void>;

  /** The watch terms added in chat for a channel, in the order they were added. */
  getWatchTerms(channel: ChannelKey): Promise<string[]>;
  /** Adds terms (already normalised by the caller) to a channel; answers the terms that were not there yet. */
  addWatchTerms(channel: ChannelKey, terms: readonly string[]): Promise<string[]>;
  /** Removes one term; answers whether it was there. */
  removeWatchTerm(channel: ChannelKey, term: string): Promise<boolean>;

  /** Remembers alerts for `/news`; only the newest `limit` (see implementation options) are kept. */
  addRecentAlerts(alerts: readonly RecentAlert[]): Promise<void>;
  /** The newest remembered alerts first, at most `limit`. */
  recentAlerts(limit: number): Promise<RecentAlert[]>;

  /** Puts deliveries in the outbox; an entry with an id already there is left as it is. */
  enqueueDeliveries(deliveries: readonly PendingDelivery[]): Promise<void>;
  /** Outbox entries due at `nowMs` (notBefore ≤ now), oldest first, at most `limit`. */
  dueDeliveries(nowMs: number, limit: number): Promise<PendingDelivery[]>;
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

/** Limits shared by both implementations. */
export const STORE_DEFAULTS = {
  /** Recent alerts kept for `/news`. */
  recentAlerts: 500,
} as const satisfies Record<string, number>;
