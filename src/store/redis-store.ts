// The production store: everything wirewatch remembers lives in Redis under one key prefix, so
// several instances (and restarts) share it. Key layout, with `P` the prefix:
//   P src:{sourceId}:seen     sorted set, item key → expiry epoch ms (the claim memory)
//   P src:{sourceId}:seeded   "1" once the source completed a claim (first poll seeds, never floods)
//   P src:{sourceId}:state    JSON FetchState
//   P watch:{channelKey}      sorted set, term → insertion rank
//   P recent                  list of JSON RecentAlert, newest first, capped
//   P {outbox}                hash, alert id → JSON PendingDelivery
//   P {outbox}:due            sorted set, alert id → notBefore epoch ms
// The hash tags `{…}` keep every key one script or transaction touches in one cluster slot.
import type { Cluster, Redis } from 'ioredis';
import type { ChannelKey, FetchState, PendingDelivery, RecentAlert } from '../domain.js';
import { emptyFetchState, STORE_DEFAULTS, type ClaimOptions, type ClaimResult, type Store } from './store.js';

/** Options of the Redis store. */
export interface RedisStoreOptions {
  /** Prepended to every key (e.g. `wirewatch:`), so several deployments can share one Redis. */
  prefix: string;
  /** How many recent alerts are kept for `/news` (count); `STORE_DEFAULTS.recentAlerts` by default. */
  recentAlerts?: number;
  /** True when the store created the client and must quit it on `close()`; false by default. */
  ownsClient?: boolean;
  /** The clock claims are timed with, in epoch ms; `Date.now` by default (tests pass a fake one). */
  now?: () => number;
}

/** A standalone or cluster ioredis client. */
export type RedisClient = Redis | Cluster;

// KEYS[1] seen set, KEYS[2] seeded marker.
// ARGV[1] now ms, ARGV[2] expiry ms (now + ttl), ARGV[3] ttl ms, ARGV[4] maxKeys, ARGV[5..] distinct item keys.
// Returns { wasSeeded (0|1), 1-based indexes of the fresh item keys... }.
const CLAIM_LUA = `
local seen, seeded = KEYS[1], KEYS[2]
redis.call('ZREMRANGEBYSCORE', seen, '-inf', ARGV[1])
local out = { redis.call('EXISTS', seeded) }
if #ARGV < 5 then return out end
local expiry = ARGV[2]
for i = 5, #ARGV do
  if not redis.call('ZSCORE', seen, ARGV[i]) then out[#out + 1] = i - 4 end
end
local args = {}
for i = 5, #ARGV do
  args[#args + 1] = expiry
  args[#args + 1] = ARGV[i]
  if #args >= 1000 then
    redis.call('ZADD', seen, unpack(args))
    args = {}
  end
end
if #args > 0 then redis.call('ZADD', seen, unpack(args)) end
redis.call('ZREMRANGEBYRANK', seen, 0, -(tonumber(ARGV[4]) + 1))
redis.call('PEXPIRE', seen, ARGV[3])
redis.call('SET', seeded, '1')
return out
`;

// KEYS[1] watch set; ARGV terms. New terms get the next rank, so ZRANGE lists them in the order added.
const WATCH_ADD_LUA = `
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
local rank = 0
if last[2] then rank = tonumber(last[2]) end
local added = {}
for i = 1, #ARGV do
  if not redis.call('ZSCORE', KEYS[1], ARGV[i]) then
    rank = rank + 1
    redis.call('ZADD', KEYS[1], rank, ARGV[i])
    added[#added + 1] = ARGV[i]
  end
end
return added
`;

// KEYS[1] outbox hash, KEYS[2] due set; ARGV[1] alert id, ARGV[2] JSON, ARGV[3] notBefore ms.
// An entry acknowledged meanwhile stays gone: rescheduling never resurrects it.
const RESCHEDULE_LUA = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
return 1
`;

// Namespaced so that a client shared with other code does not clash with its own scripts.
const CLAIM_COMMAND = 'wirewatchClaim';
const WATCH_ADD_COMMAND = 'wirewatchWatchAdd';
const RESCHEDULE_COMMAND = 'wirewatchReschedule';

/** The commands `defineCommand` adds to the client (ioredis cannot type them by itself). */
interface WirewatchScripts {
  [CLAIM_COMMAND](seenKey: string, seededKey: string, ...args: string[]): Promise<number[]>;
  [WATCH_ADD_COMMAND](watchKey: string, ...terms: string[]): Promise<string[]>;
  [RESCHEDULE_COMMAND](outboxKey: string, dueKey: string, id: string, json: string, notBefore: string): Promise<number>;
}

/**
 * Creates the Redis store on a client built by the caller (only `main.ts` builds clients). `claim`
 * is one round trip (EVALSHA of a script registered with `defineCommand`). Redis errors propagate
 * unchanged: the pipeline triages them. `close()` quits the client only when `ownsClient` is true.
 */
export function createRedisStore(redis: RedisClient, options: RedisStoreOptions): Store {
  const { prefix } = options;
  const now = options.now ?? Date.now;
  const recentLimit = options.recentAlerts ?? STORE_DEFAULTS.recentAlerts;
  if (!Number.isInteger(recentLimit) || recentLimit < 0) {
    throw new RangeError(`recentAlerts must be a non-negative integer, got ${recentLimit}`);
  }

  redis.defineCommand(CLAIM_COMMAND, { numberOfKeys: 2, lua: CLAIM_LUA });
  redis.defineCommand(WATCH_ADD_COMMAND, { numberOfKeys: 1, lua: WATCH_ADD_LUA });
  redis.defineCommand(RESCHEDULE_COMMAND, { numberOfKeys: 2, lua: RESCHEDULE_LUA });
  const scripts = redis as unknown as WirewatchScripts;

  const sourceKey = (sourceId: string, suffix: string): string => `${prefix}src:{${sourceId}}:${suffix}`;
  const watchKey = (channel: ChannelKey): string => `${prefix}watch:{${channel}}`;
  const recentKey = `${prefix}recent`;
  const outboxKey = `${prefix}{outbox}`;
  const dueKey = `${prefix}{outbox}:due`;
  let closed = false;

  return {
    async claim(sourceId: string, keys: readonly string[], claimOptions: ClaimOptions): Promise<ClaimResult> {
      validateClaim(sourceId, claimOptions);
      const unique = [...new Set(keys)];
      const nowMs = Math.floor(now());
      const ttlMs = Math.ceil(claimOptions.ttlMs);
      const reply = await scripts[CLAIM_COMMAND](
        sourceKey(sourceId, 'seen'),
        sourceKey(sourceId, 'seeded'),
        String(nowMs),
        String(nowMs + ttlMs),
        String(ttlMs),
        String(claimOptions.maxKeys),
        ...unique,
      );
      const [wasSeeded, ...freshIndexes] = reply;
      const fresh: string[] = [];
      for (const index of freshIndexes) {
        const key = unique[index - 1];
        if (key !== undefined) fresh.push(key);
      }
      return { fresh, firstPoll: Number(wasSeeded) === 0 };
    },

    async getFetchState(sourceId: string): Promise<FetchState> {
      const raw = await redis.get(sourceKey(sourceId, 'state'));
      if (raw === null) return emptyFetchState();
      return { ...emptyFetchState(), ...(JSON.parse(raw) as Partial<FetchState>) };
    },

    async setFetchState(sourceId: string, state: FetchState): Promise<void> {
      await redis.set(sourceKey(sourceId, 'state'), JSON.stringify(state));
    },

    async getWatchTerms(channel: ChannelKey): Promise<string[]> {
      return redis.zrange(watchKey(channel), 0, '-1');
    },

    async addWatchTerms(channel: ChannelKey, terms: readonly string[]): Promise<string[]> {
      if (terms.length === 0) return [];
      return scripts[WATCH_ADD_COMMAND](watchKey(channel), ...terms);
    },

    async removeWatchTerm(channel: ChannelKey, term: string): Promise<boolean> {
      return (await redis.zrem(watchKey(channel), term)) > 0;
    },

    async addRecentAlerts(alerts: readonly RecentAlert[]): Promise<void> {
      // LTRIM 0 -1 would keep everything, so a limit of 0 must not reach Redis.
      if (alerts.length === 0 || recentLimit === 0) return;
      // LPUSH puts the last argument at the head: the last alert of the batch is the newest.
      await exec(
        redis
          .multi()
          .lpush(recentKey, ...alerts.map((alert) => JSON.stringify(alert)))
          .ltrim(recentKey, 0, recentLimit - 1),
      );
    },

    async recentAlerts(limit: number): Promise<RecentAlert[]> {
      if (limit <= 0 || recentLimit === 0) return [];
      const raw = await redis.lrange(recentKey, 0, Math.min(limit, recentLimit) - 1);
      return raw.map((json) => JSON.parse(json) as RecentAlert);
    },

    async enqueueDeliveries(deliveries: readonly PendingDelivery[]): Promise<void> {
      if (deliveries.length === 0) return;
      const tx = redis.multi();
      for (const delivery of deliveries) {
        tx.hsetnx(outboxKey, delivery.alert.id, JSON.stringify(delivery));
        tx.zadd(dueKey, 'NX', delivery.notBefore, delivery.alert.id);
      }
      await exec(tx);
    },

    async dueDeliveries(nowMs: number, limit: number): Promise<PendingDelivery[]> {
      if (limit <= 0) return [];
      const ids = await redis.zrangebyscore(dueKey, '-inf', String(nowMs), 'LIMIT', 0, limit);
      if (ids.length === 0) return [];
      const raw = await redis.hmget(outboxKey, ...ids);
      // An entry acknowledged between the two reads comes back null: it is no longer due.
      return raw.filter((json): json is string => json !== null).map((json) => JSON.parse(json) as PendingDelivery);
    },

    async outboxSize(): Promise<number> {
      return redis.hlen(outboxKey);
    },

    async rescheduleDelivery(delivery: PendingDelivery): Promise<void> {
      await scripts[RESCHEDULE_COMMAND](
        outboxKey,
        dueKey,
        delivery.alert.id,
        JSON.stringify(delivery),
        String(delivery.notBefore),
      );
    },

    async ackDelivery(alertId: string): Promise<void> {
      await exec(redis.multi().hdel(outboxKey, alertId).zrem(dueKey, alertId));
    },

    async ping(): Promise<void> {
      await redis.ping();
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      if (options.ownsClient === true) await redis.quit();
    },
  };
}

/** Runs a MULTI and rethrows the first error of its queued commands (ioredis reports them per command). */
async function exec(tx: { exec(): Promise<[error: Error | null, result: unknown][] | null> }): Promise<void> {
  const results = await tx.exec();
  if (results === null) throw new Error('Redis transaction was aborted');
  for (const [error] of results) {
    if (error) throw error;
  }
}

function validateClaim(sourceId: string, options: ClaimOptions): void {
  // An empty id would make the hash tag `{}`, which Redis Cluster ignores: the keys would split slots.
  if (sourceId === '') throw new RangeError('claim: sourceId must not be empty');
  if (!Number.isFinite(options.ttlMs) || options.ttlMs <= 0) {
    throw new RangeError(`claim: ttlMs must be a positive number of ms, got ${options.ttlMs}`);
  }
  if (!Number.isInteger(options.maxKeys) || options.maxKeys < 1) {
    throw new RangeError(`claim: maxKeys must be a positive integer, got ${options.maxKeys}`);
  }
}
