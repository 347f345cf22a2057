// The embedded store, used when REDIS_URL is unset: everything lives in this process and is
// lost on restart. It honours the same contract as the Redis store (test/contract/store.contract.ts),
// and every collection in it is bounded: claims and recent alerts by count, held alerts per
// channel by `STORE_DEFAULTS.heldPerChannel`, chat sources by `CHAT_SOURCES_MAX`, sent counters
// by their window, message records and stories by their TTL (swept as the maps grow).
import { compareText } from '../compare.js';
import type { Alert, ChannelKey, ChannelSettings, ChatSource, FetchState, PendingDelivery, RecentAlert } from '../domain.js';
import {
  chatSourcesFull,
  defaultChannelSettings,
  emptyFetchState,
  STORE_DEFAULTS,
  type ClaimOptions,
  commitMatches,
  type ClaimResult,
  type PollCommit,
  type PollCommitResult,
  type Store,
  type StoryRecord,
  type StoryReport,
  type StoryWrite,
  storyHead,
} from './store.js';
import { intersectNewest, newsTerms } from './news-index.js';

/** At most this many sources can be added from chat (count); `addChatSource` throws beyond it. */
export const CHAT_SOURCES_MAX = STORE_DEFAULTS.chatSources;

/** Options of the in-process store. */
export interface MemoryStoreOptions {
  /** The clock claims are timed with, in epoch ms; `Date.now` by default (tests pass a fake one). */
  now?: () => number;
  /** How many recent alerts are kept for `/news` (count); `STORE_DEFAULTS.recentAlerts` by default. */
  recentAlerts?: number;
}

/**
 * Creates the in-process store. Claims expire `ttlMs` after an item was last seen and each source
 * keeps at most `maxKeys` keys, so memory stays bounded by (sources × maxKeys) plus the outbox.
 * Message records and stories expire on the `now` clock, like the Redis store's logical expiry.
 * `heldCount` counts held alerts plus those dropped beyond the cap since the last `takeDigest`.
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): Store {
  const now = options.now ?? Date.now;
  const recentLimit = options.recentAlerts ?? STORE_DEFAULTS.recentAlerts;
  if (!Number.isInteger(recentLimit) || recentLimit < 0) {
    throw new RangeError(`recentAlerts must be a non-negative integer, got ${recentLimit}`);
  }

  // Per source: item key → expiry epoch ms. A Map iterates in insertion order, and a key seen
  // again is re-inserted, so the first entries are the oldest-seen.
  const seen = new Map<string, Map<string, number>>();
  // Per source: the expiry given to the keys of its latest claim.
  const lastClaimExpiry = new Map<string, number>();
  // Sources that completed a claim with at least one key; bounded by the configured sources.
  const seeded = new Set<string>();
  const fetchStates = new Map<string, FetchState>();
  // A Set keeps insertion order, which is the order `/watch list` shows.
  const watch = new Map<ChannelKey, Set<string>>();
  // The /news index (news-index.ts): alerts (with their terms) by sequence number, and each term's sequence numbers,
  // oldest first. Alerts at or below `recentFloor` are gone, their postings with them.
  const recent = new Map<number, { alert: RecentAlert; terms: string[] }>();
  const postings = new Map<string, number[]>();
  let recentSeq = 0;
  let recentFloor = 0;
  const outbox = new Map<string, PendingDelivery>();
  // Channels written to by addWatchTerms/setChannelSettings; a channel stays once added (bounded
  // by the channels ever configured in chat), like the Redis store's set.
  const channels = new Set<ChannelKey>();
  const settings = new Map<ChannelKey, ChannelSettings>();
  // Insertion order is the order `/source list` shows.
  const chatSources = new Map<string, ChatSource>();
  // Per channel: held alerts oldest first, and how many were dropped beyond the cap since the last take.
  const held = new Map<ChannelKey, { alerts: Alert[]; dropped: number }>();
  // Per channel: epoch ms of each message sent, trimmed to the last window asked about.
  const sent = new Map<ChannelKey, number[]>();
  const messages = createExpiringMap<string>(now);
  // A story's head and its reports by outlet (see Store.putStory), forgotten together.
  const stories = createExpiringMap<{ head: { id: string; signature: unknown; firstAt: number } | undefined; reports: Map<string, StoryReport> }>(now);
  const writeStory = (story: StoryWrite, ttlMs: number): void => {
    const kept = stories.get(story.id);
    const reports = kept?.reports ?? new Map<string, StoryReport>();
    for (const r of story.reports) reports.set(r.outlet, { outlet: r.outlet, seq: r.seq, at: r.at });
    const head = story.signature === undefined ? kept?.head : structuredClone(storyHead(story));
    stories.set(story.id, { head, reports }, ttlMs);
  };
  let closed = false;
  // Grows with every write that may change the channel rules (see Store.rulesVersion).
  let version = 0;

  /** The claim, synchronous: nothing else runs in between, so it is atomic. */
  function claimNow(sourceId: string, keys: readonly string[], claimOptions: ClaimOptions): ClaimResult {
    validateClaim(sourceId, claimOptions);
    const nowMs = now();
    const wasSeeded = seeded.has(sourceId);
    let memory = seen.get(sourceId);
    if (memory) {
      // The keys of the latest claim share its expiry and stay however long the feed is quiet (as in redis-store.ts).
      const latest = lastClaimExpiry.get(sourceId);
      for (const [key, expiresAt] of memory) {
        if (expiresAt <= nowMs && expiresAt !== latest) memory.delete(key);
      }
    }
    const unique = [...new Set(keys)];
    if (unique.length === 0) {
      if (memory && memory.size === 0) seen.delete(sourceId);
      return { fresh: [], firstPoll: !wasSeeded };
    }
    if (!memory) {
      memory = new Map();
      seen.set(sourceId, memory);
    }
    const expiresAt = nowMs + claimOptions.ttlMs;
    lastClaimExpiry.set(sourceId, expiresAt);
    const fresh: string[] = [];
    for (const key of unique) {
      if (!memory.has(key)) fresh.push(key);
      memory.delete(key);
      memory.set(key, expiresAt);
    }
    let excess = memory.size - claimOptions.maxKeys;
    for (const key of memory.keys()) {
      if (excess <= 0) break;
      memory.delete(key);
      excess--;
    }
    seeded.add(sourceId);
    return { fresh, firstPoll: !wasSeeded };
  }

  function enqueue(deliveries: readonly PendingDelivery[]): void {
    for (const delivery of deliveries) {
      if (!outbox.has(delivery.alert.id)) outbox.set(delivery.alert.id, structuredClone(delivery));
    }
  }

  function remember(alerts: readonly RecentAlert[]): void {
    if (alerts.length === 0 || recentLimit === 0) return;
    // The last alert of the batch is the newest: it gets the highest number.
    for (const alert of alerts) {
      recentSeq += 1;
      const copy = structuredClone(alert);
      const terms = newsTerms(copy);
      recent.set(recentSeq, { alert: copy, terms });
      for (const term of terms) {
        const list = postings.get(term);
        if (list) list.push(recentSeq);
        else postings.set(term, [recentSeq]);
      }
    }
    // Forget what fell out of the limit; it is the oldest, so first in each of its terms' lists.
    for (; recentFloor < recentSeq - recentLimit; recentFloor++) {
      const seq = recentFloor + 1;
      const gone = recent.get(seq);
      if (!gone) continue;
      recent.delete(seq);
      for (const term of gone.terms) {
        const list = postings.get(term);
        if (list?.[0] === seq) list.shift();
        if (list?.length === 0) postings.delete(term);
      }
    }
  }

  function newest(limit: number): RecentAlert[] {
    const out: RecentAlert[] = [];
    for (let seq = recentSeq; seq > recentFloor && out.length < limit; seq--) {
      const entry = recent.get(seq);
      if (entry) out.push(structuredClone(entry.alert));
    }
    return out;
  }

  return {
    async claim(sourceId: string, keys: readonly string[], claimOptions: ClaimOptions): Promise<ClaimResult> {
      return claimNow(sourceId, keys, claimOptions);
    },

    async claimAndCommit(sourceId: string, commit: PollCommit): Promise<PollCommitResult> {
      if (commit.stories.length > 0) validateTtl('claimAndCommit', commit.storyTtlMs);
      const result = claimNow(sourceId, commit.keys, commit.options);
      const committed = commitMatches(result, commit, version);
      if (committed) {
        fetchStates.set(sourceId, structuredClone(commit.state));
        enqueue(commit.deliveries);
        remember(commit.recent);
        for (const story of commit.stories) writeStory(story, commit.storyTtlMs);
      }
      return { ...result, committed, rulesVersion: version };
    },

    async rulesVersion(): Promise<number> {
      return version;
    },

    async getFetchState(sourceId: string): Promise<FetchState> {
      const state = fetchStates.get(sourceId);
      return state ? { ...emptyFetchState(), ...structuredClone(state) } : emptyFetchState();
    },

    async setFetchState(sourceId: string, state: FetchState): Promise<void> {
      fetchStates.set(sourceId, structuredClone(state));
    },

    async setFetchStates(states: ReadonlyArray<readonly [string, FetchState]>): Promise<void> {
      for (const [sourceId, state] of states) fetchStates.set(sourceId, structuredClone(state));
    },

    async getWatchTerms(channel: ChannelKey): Promise<string[]> {
      return [...(watch.get(channel) ?? [])];
    },

    async addWatchTerms(channel: ChannelKey, terms: readonly string[]): Promise<string[]> {
      if (terms.length === 0) return [];
      channels.add(channel);
      const current = watch.get(channel) ?? new Set<string>();
      const added: string[] = [];
      for (const term of terms) {
        if (current.has(term)) continue;
        current.add(term);
        added.push(term);
      }
      if (current.size > 0) watch.set(channel, current);
      version += 1;
      return added;
    },

    async removeWatchTerm(channel: ChannelKey, term: string): Promise<boolean> {
      version += 1;
      const current = watch.get(channel);
      if (!current?.delete(term)) return false;
      if (current.size === 0) watch.delete(channel);
      return true;
    },

    async clearWatchTerms(channel: ChannelKey): Promise<number> {
      const count = watch.get(channel)?.size ?? 0;
      watch.delete(channel);
      version += 1;
      return count;
    },

    async knownChannels(): Promise<ChannelKey[]> {
      return [...channels].sort(compareText);
    },

    async getChannelSettings(channel: ChannelKey): Promise<ChannelSettings> {
      const stored = settings.get(channel);
      return stored ? { ...defaultChannelSettings(), ...structuredClone(stored) } : defaultChannelSettings();
    },

    async setChannelSettings(channel: ChannelKey, value: ChannelSettings): Promise<void> {
      channels.add(channel);
      settings.set(channel, structuredClone(value));
      version += 1;
    },

    async addChatSource(source: ChatSource): Promise<boolean> {
      if (chatSources.has(source.id)) return false;
      if (chatSources.size >= CHAT_SOURCES_MAX) throw chatSourcesFull();
      chatSources.set(source.id, structuredClone(source));
      return true;
    },

    async removeChatSource(id: string): Promise<boolean> {
      return chatSources.delete(id);
    },

    async listChatSources(): Promise<ChatSource[]> {
      return [...chatSources.values()].map((source) => structuredClone(source));
    },

    async holdForDigest(channel: ChannelKey, alerts: readonly Alert[]): Promise<void> {
      if (alerts.length === 0) return;
      validateChannel('holdForDigest', channel);
      const entry = held.get(channel) ?? { alerts: [], dropped: 0 };
      entry.alerts.push(...alerts.map((alert) => structuredClone(alert)));
      const excess = entry.alerts.length - STORE_DEFAULTS.heldPerChannel;
      if (excess > 0) {
        entry.alerts.splice(0, excess);
        entry.dropped += excess;
      }
      held.set(channel, entry);
    },

    async takeDigest(channel: ChannelKey): Promise<Alert[]> {
      validateChannel('takeDigest', channel);
      const entry = held.get(channel);
      held.delete(channel);
      return entry?.alerts ?? [];
    },

    async heldCount(channel: ChannelKey): Promise<number> {
      validateChannel('heldCount', channel);
      const entry = held.get(channel);
      return entry ? entry.alerts.length + entry.dropped : 0;
    },

    async countSent(channel: ChannelKey, nowMs: number, windowMs: number, record: boolean): Promise<number> {
      if (!Number.isFinite(windowMs) || windowMs <= 0) {
        throw new RangeError(`countSent: windowMs must be a positive number of ms, got ${windowMs}`);
      }
      const since = nowMs - windowMs;
      const kept = (sent.get(channel) ?? []).filter((at) => at > since);
      if (record) kept.push(nowMs);
      if (kept.length > SENT_MAX) kept.splice(0, kept.length - SENT_MAX);
      if (kept.length > 0) sent.set(channel, kept);
      else sent.delete(channel);
      return kept.filter((at) => at <= nowMs).length;
    },

    async recordMessage(deliveryKey: string, ref: string, ttlMs: number): Promise<void> {
      validateTtl('recordMessage', ttlMs);
      messages.set(deliveryKey, ref, ttlMs);
    },

    async getMessage(deliveryKey: string): Promise<string | undefined> {
      return messages.get(deliveryKey);
    },

    async recentStories(sinceMs: number): Promise<StoryRecord[]> {
      const out: StoryRecord[] = [];
      for (const { head, reports } of stories.values()) {
        if (head === undefined || !(head.firstAt >= sinceMs)) continue;
        const sorted = [...reports.values()].sort((a, b) => a.seq - b.seq);
        out.push(structuredClone({ ...head, reports: sorted }));
      }
      return out.sort((a, b) => b.firstAt - a.firstAt || compareText(b.id, a.id));
    },

    async putStory(story: StoryWrite, ttlMs: number): Promise<void> {
      validateTtl('putStory', ttlMs);
      writeStory(story, ttlMs);
    },

    async addRecentAlerts(alerts: readonly RecentAlert[]): Promise<void> {
      remember(alerts);
    },

    async recentAlerts(limit: number): Promise<RecentAlert[]> {
      return newest(limit);
    },

    async searchRecentAlerts(terms: readonly string[], limit: number): Promise<RecentAlert[]> {
      if (terms.length === 0) return newest(limit);
      const lists = [...new Set(terms)].map((term) => postings.get(term) ?? []);
      return intersectNewest(lists, recentFloor, limit).flatMap((seq) => {
        const entry = recent.get(seq);
        return entry ? [structuredClone(entry.alert)] : [];
      });
    },

    async enqueueDeliveries(deliveries: readonly PendingDelivery[]): Promise<void> {
      enqueue(deliveries);
    },

    async dueDeliveries(nowMs: number, limit: number): Promise<PendingDelivery[]> {
      if (limit <= 0) return [];
      // Same order as the Redis sorted set: by notBefore, then by id.
      return [...outbox.values()]
        .filter((delivery) => delivery.notBefore <= nowMs)
        .sort((a, b) => a.notBefore - b.notBefore || compareText(a.alert.id, b.alert.id))
        .slice(0, limit)
        .map((delivery) => structuredClone(delivery));
    },

    async leaseDeliveries(nowMs: number, limit: number, leaseMs: number): Promise<PendingDelivery[]> {
      validateLease(leaseMs);
      if (limit <= 0) return [];
      // No await before the loop ends: nothing else runs in between, so the take is atomic.
      const due = [...outbox.values()]
        .filter((delivery) => delivery.notBefore <= nowMs)
        .sort((a, b) => a.notBefore - b.notBefore || compareText(a.alert.id, b.alert.id))
        .slice(0, limit);
      for (const delivery of due) delivery.notBefore = nowMs + leaseMs;
      return due.map((delivery) => structuredClone(delivery));
    },

    async outboxSize(): Promise<number> {
      return outbox.size;
    },

    async rescheduleDelivery(delivery: PendingDelivery): Promise<void> {
      // An entry acknowledged meanwhile stays gone: rescheduling never resurrects it.
      if (outbox.has(delivery.alert.id)) outbox.set(delivery.alert.id, structuredClone(delivery));
    },

    async ackDelivery(alertId: string): Promise<void> {
      outbox.delete(alertId);
    },

    async ping(): Promise<void> {
      if (closed) throw new Error('memory store is closed');
    },

    async close(): Promise<void> {
      closed = true;
    },
  };
}

/** Sent timestamps kept per channel at most (count), whatever the window: a guard, far above any platform pace. */
const SENT_MAX = 10_000;

interface ExpiringMap<V> {
  set(key: string, value: V, ttlMs: number): void;
  /** The value, unless it expired (expiry ≤ now). */
  get(key: string): V | undefined;
  /** Every live value, in no particular order. */
  values(): V[];
}

/**
 * A map whose entries expire `ttlMs` after their last write. Expired entries are swept whenever
 * the map has doubled since the last sweep, so it holds at most twice the live entries (plus 64).
 */
function createExpiringMap<V>(now: () => number): ExpiringMap<V> {
  const entries = new Map<string, { value: V; expiresAt: number }>();
  let sweepAt = 64;
  const sweep = (nowMs: number): void => {
    for (const [key, entry] of entries) {
      if (entry.expiresAt <= nowMs) entries.delete(key);
    }
    sweepAt = Math.max(64, entries.size * 2);
  };
  return {
    set(key, value, ttlMs) {
      const nowMs = now();
      entries.set(key, { value, expiresAt: nowMs + ttlMs });
      if (entries.size > sweepAt) sweep(nowMs);
    },
    get(key) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.expiresAt <= now()) {
        entries.delete(key);
        return undefined;
      }
      return entry.value;
    },
    values() {
      const nowMs = now();
      sweep(nowMs);
      return [...entries.values()].map((entry) => entry.value);
    },
  };
}

function validateTtl(what: string, ttlMs: number): void {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new RangeError(`${what}: ttlMs must be a positive number of ms, got ${ttlMs}`);
}

function validateChannel(what: string, channel: ChannelKey): void {
  // Refused like the Redis store does (there an empty key would split a channel's keys across slots).
  if (channel === '') throw new RangeError(`${what}: channel must not be empty`);
}

function validateLease(leaseMs: number): void {
  if (!Number.isFinite(leaseMs) || leaseMs <= 0) {
    throw new RangeError(`leaseDeliveries: leaseMs must be a positive number of ms, got ${leaseMs}`);
  }
}

function validateClaim(sourceId: string, options: ClaimOptions): void {
  if (sourceId === '') throw new RangeError('claim: sourceId must not be empty');
  if (!Number.isFinite(options.ttlMs) || options.ttlMs <= 0) {
    throw new RangeError(`claim: ttlMs must be a positive number of ms, got ${options.ttlMs}`);
  }
  if (!Number.isInteger(options.maxKeys) || options.maxKeys < 1) {
    throw new RangeError(`claim: maxKeys must be a positive integer, got ${options.maxKeys}`);
  }
}
