// The embedded store, used when REDIS_URL is unset: everything lives in this process and is
// lost on restart. It honours the same contract as the Redis store (test/contract/store.contract.ts),
// and every collection in it is bounded.
import type { ChannelKey, FetchState, PendingDelivery, RecentAlert } from '../domain.js';
import { emptyFetchState, STORE_DEFAULTS, type ClaimOptions, type ClaimResult, type Store } from './store.js';

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
  // Sources that completed a claim with at least one key; bounded by the configured sources.
  const seeded = new Set<string>();
  const fetchStates = new Map<string, FetchState>();
  // A Set keeps insertion order, which is the order `/watch list` shows.
  const watch = new Map<ChannelKey, Set<string>>();
  // Newest first.
  let recent: RecentAlert[] = [];
  const outbox = new Map<string, PendingDelivery>();
  let closed = false;

  return {
    async claim(sourceId: string, keys: readonly string[], claimOptions: ClaimOptions): Promise<ClaimResult> {
      validateClaim(sourceId, claimOptions);
      const nowMs = now();
      const wasSeeded = seeded.has(sourceId);
      let memory = seen.get(sourceId);
      if (memory) {
        for (const [key, expiresAt] of memory) {
          if (expiresAt <= nowMs) memory.delete(key);
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
    },

    async getFetchState(sourceId: string): Promise<FetchState> {
      const state = fetchStates.get(sourceId);
      return state ? { ...emptyFetchState(), ...structuredClone(state) } : emptyFetchState();
    },

    async setFetchState(sourceId: string, state: FetchState): Promise<void> {
      fetchStates.set(sourceId, structuredClone(state));
    },

    async getWatchTerms(channel: ChannelKey): Promise<string[]> {
      return [...(watch.get(channel) ?? [])];
    },

    async addWatchTerms(channel: ChannelKey, terms: readonly string[]): Promise<string[]> {
      if (terms.length === 0) return [];
      const current = watch.get(channel) ?? new Set<string>();
      const added: string[] = [];
      for (const term of terms) {
        if (current.has(term)) continue;
        current.add(term);
        added.push(term);
      }
      if (current.size > 0) watch.set(channel, current);
      return added;
    },

    async removeWatchTerm(channel: ChannelKey, term: string): Promise<boolean> {
      const current = watch.get(channel);
      if (!current?.delete(term)) return false;
      if (current.size === 0) watch.delete(channel);
      return true;
    },

    async addRecentAlerts(alerts: readonly RecentAlert[]): Promise<void> {
      if (alerts.length === 0) return;
      // The last alert of the batch is the newest.
      const newestFirst = alerts.map((alert) => structuredClone(alert)).reverse();
      recent = [...newestFirst, ...recent].slice(0, recentLimit);
    },

    async recentAlerts(limit: number): Promise<RecentAlert[]> {
      if (limit <= 0) return [];
      return recent.slice(0, limit).map((alert) => structuredClone(alert));
    },

    async enqueueDeliveries(deliveries: readonly PendingDelivery[]): Promise<void> {
      for (const delivery of deliveries) {
        if (!outbox.has(delivery.alert.id)) outbox.set(delivery.alert.id, structuredClone(delivery));
      }
    },

    async dueDeliveries(nowMs: number, limit: number): Promise<PendingDelivery[]> {
      if (limit <= 0) return [];
      // Same order as the Redis sorted set: by notBefore, then by id.
      return [...outbox.values()]
        .filter((delivery) => delivery.notBefore <= nowMs)
        .sort((a, b) => a.notBefore - b.notBefore || compareIds(a.alert.id, b.alert.id))
        .slice(0, limit)
        .map((delivery) => structuredClone(delivery));
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

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
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
