// Coordination of several wirewatch processes on one Redis, with plain Redis leases (SET NX PX)
// rather than a protocol of our own:
// - a node-cron `RunCoordinator`: each scheduled fire of a source (one key per task and slot) runs
//   in exactly one process of the fleet;
// - a renewable lease held by one process at a time (the Discord gateway connection of a bot token).
// Every operation touches one key, so both work unchanged on Redis Cluster.
import type { RunCoordinator } from 'node-cron';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import type { RedisClient } from '../store/redis-store.js';

/** Deletes KEYS[1] only while it still holds ARGV[1] (the owner): a late release never frees someone else's lease. */
const RELEASE_LUA = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** Extends KEYS[1] by ARGV[2] ms only while it still holds ARGV[1]; 0 when the lease was lost. */
const RENEW_LUA = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

/** A name for this process that is unique across the fleet and readable in `redis-cli GET`. */
export function processOwnerId(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

export interface RedisRunCoordinatorOptions {
  /** Prepended to every key (the store's prefix), followed by `run:`. */
  prefix: string;
  /** Written as the value of the keys this process wins (see `processOwnerId`). */
  owner: string;
  /**
   * Delete a fire's key once its run completes (compare-and-delete). Default false: node-cron keys
   * are per slot, so keeping the key until it expires is what stops a process that fires late
   * (event-loop lag, clock skew) from running the same slot again; it costs one small key per fire.
   */
  releaseOnComplete?: boolean;
}

/** A node-cron `RunCoordinator` backed by Redis, plus an explicit `release`. */
export interface RedisRunCoordinator extends RunCoordinator {
  /** Frees `key` if this process holds it (compare-and-delete); answers whether it did. */
  release(key: string): Promise<boolean>;
}

/**
 * node-cron asks `shouldRun(key, ttlMs)` once per fire with `key` = `<task name>:<slot ISO time>`;
 * the first process to `SET key owner NX PX ttlMs` runs it, the others skip the fire
 * ('not-elected'). A Redis error throws, and node-cron skips the fire (fail-closed): a missed
 * poll is caught up by the next tick, a duplicate poll would not be undone.
 */
export function createRedisRunCoordinator(redis: RedisClient, options: RedisRunCoordinatorOptions): RedisRunCoordinator {
  const keyOf = (key: string): string => `${options.prefix}run:${key}`;
  const release = async (key: string): Promise<boolean> => (await redis.eval(RELEASE_LUA, 1, keyOf(key), options.owner)) === 1;
  return {
    async shouldRun(key, ttlMs) {
      const won = await redis.set(keyOf(key), options.owner, 'PX', Math.max(1, Math.round(ttlMs)), 'NX');
      return won === 'OK';
    },
    async onComplete(key) {
      if (options.releaseOnComplete) await release(key);
    },
    release,
  };
}

/** A lease one process of the fleet holds at a time, kept alive by renewing it. */
export interface Lease {
  /** Takes the lease if nobody holds it; true when this process holds it now. */
  acquire(): Promise<boolean>;
  /** Extends the lease if this process still holds it; false when it was lost (expired, taken). */
  renew(): Promise<boolean>;
  /** Frees the lease if this process holds it, so another process can take it at once. */
  release(): Promise<void>;
}

export interface RedisLeaseOptions {
  /** The full Redis key (prefix included). */
  key: string;
  owner: string;
  /** How long the lease lasts without renewal, in ms: how long a dead holder blocks the others. */
  ttlMs: number;
}

/** A lease on one Redis key: `SET NX PX` to take it, compare-and-PEXPIRE to renew, compare-and-DEL to free it. */
export function createRedisLease(redis: RedisClient, options: RedisLeaseOptions): Lease {
  const { key, owner, ttlMs } = options;
  return {
    async acquire() {
      if ((await redis.set(key, owner, 'PX', ttlMs, 'NX')) === 'OK') return true;
      // Still ours (a renewal that failed on the network but reached Redis): keep it.
      return (await redis.eval(RENEW_LUA, 1, key, owner, String(ttlMs))) === 1;
    },
    async renew() {
      return (await redis.eval(RENEW_LUA, 1, key, owner, String(ttlMs))) === 1;
    },
    async release() {
      await redis.eval(RELEASE_LUA, 1, key, owner);
    },
  };
}

export interface LeaseKeeperOptions {
  lease: Lease;
  /** The lease's ttl, in ms: without a successful renewal for this long, the holder lets go. */
  ttlMs: number;
  /** How often the holder renews and the others try to take it, in ms; a third of `ttlMs` by default. */
  intervalMs?: number;
  /** Called once the lease is taken: start the work only one process may do (resolves when started). */
  onAcquired: () => Promise<void>;
  /** Called when the lease is lost or given back: stop that work. */
  onLost: () => Promise<void>;
  logger: Logger;
  /** For the logs: what the lease guards. */
  what: string;
}

/** Runs the lease loop: take, renew, and let go when it cannot be renewed in time. */
export interface LeaseKeeper {
  /** True while this process holds the lease and its work started. */
  holding(): boolean;
  /** Starts the loop (first attempt at once; resolves after it). */
  start(): Promise<void>;
  /** Stops the loop, stops the work, and frees the lease for the others. */
  stop(): Promise<void>;
}

/**
 * Keeps a lease: the holder renews it every `intervalMs`; the others retry taking it at the same
 * pace, so a dead holder is replaced within `ttlMs + intervalMs`. A holder that cannot reach Redis
 * stops its work once `ttlMs` has passed since its last renewal, before anyone else can take over,
 * so two holders never overlap (given clocks that run at the same speed).
 */
export function createLeaseKeeper(options: LeaseKeeperOptions): LeaseKeeper {
  const { lease, ttlMs, logger, what } = options;
  const intervalMs = options.intervalMs ?? Math.max(100, Math.floor(ttlMs / 3));
  let held = false;
  /** Epoch ms until which the lease is surely ours: the start of the last successful take or renewal + ttl. */
  let validUntil = 0;
  let timer: NodeJS.Timeout | undefined;
  /** Fires when the lease runs out unrenewed: the work stops even while a Redis call hangs. */
  let deadline: NodeJS.Timeout | undefined;
  let stopped = false;
  let step: Promise<void> = Promise.resolve();

  const letGo = async (why: string): Promise<void> => {
    if (!held) return;
    held = false;
    clearTimeout(deadline);
    logger.warn({ lease: what, why }, 'lease lost: stopping the work it guards');
    await options.onLost().catch((err: unknown) => logger.error({ lease: what, err: describeError(err) }, 'stopping after a lost lease failed'));
  };

  const renewed = (at: number): void => {
    validUntil = at + ttlMs;
    clearTimeout(deadline);
    deadline = setTimeout(() => void letGo('not renewed within its ttl'), Math.max(0, validUntil - Date.now()));
    deadline.unref();
  };

  async function tick(): Promise<void> {
    if (stopped) return;
    const startedAt = Date.now();
    try {
      if (held) {
        if (await lease.renew()) renewed(startedAt);
        else await letGo('taken or expired');
        return;
      }
      if (!(await lease.acquire())) return;
      held = true;
      renewed(startedAt);
      logger.info({ lease: what }, 'lease taken: this process does the work');
      try {
        await options.onAcquired();
      } catch (err) {
        // Could not start (login refused, network): give the lease back so another process may try.
        held = false;
        clearTimeout(deadline);
        logger.error({ lease: what, err: describeError(err) }, 'could not start the work of a taken lease; giving it back');
        await lease.release().catch(() => undefined);
      }
    } catch (err) {
      logger.warn({ lease: what, err: describeError(err) }, 'lease check failed');
    }
  }

  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      step = tick().finally(schedule);
    }, intervalMs);
    timer.unref();
  };

  return {
    holding: () => held,
    async start() {
      step = tick();
      await step;
      schedule();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      await step.catch(() => undefined);
      clearTimeout(deadline);
      if (held) {
        held = false;
        await options.onLost().catch((err: unknown) => logger.error({ lease: what, err: describeError(err) }, 'stopping the leased work failed'));
        await lease.release().catch((err: unknown) => logger.warn({ lease: what, err: describeError(err) }, 'lease release failed; it expires by itself'));
      }
    },
  };
}
