// The Redis run coordinator and lease on the private test Redis: one winner per fire, releases
// that never free someone else's key, a lease that moves to another process when its holder stops
// or loses Redis, and three schedulers on the real node-cron that poll each fire once between them.
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceConfig } from '../../src/domain.js';
import { createLogger } from '../../src/log.js';
import { createLeaseKeeper, createRedisLease, createRedisRunCoordinator, processOwnerId, type Lease } from '../../src/pipeline/run-coordinator.js';
import { createScheduler } from '../../src/pipeline/scheduler.js';
import { testPrefix, testRedis, testRedisUrl } from '../support/redis.js';

const logger = createLogger({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, predicate: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe.skipIf(!testRedisUrl())('run coordination on Redis', () => {
  let redis: Redis;
  const prefix = testPrefix('coord');
  beforeAll(() => {
    redis = testRedis();
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('one of several processes wins a fire; the key stays until it expires; release is compare-and-delete', async () => {
    const fleet = [0, 1, 2].map(() => createRedisRunCoordinator(redis, { prefix, owner: processOwnerId() }));
    const key = 'source:wire:2026-11-29T09:00:00.000Z';
    const answers = await Promise.all(fleet.map((c) => c.shouldRun(key, 60_000)));
    expect(answers.filter(Boolean)).toHaveLength(1);
    const winner = fleet[answers.indexOf(true)];
    const loser = fleet[answers.indexOf(false)];
    // Completing a run keeps the key: a process that fires late does not run the slot again.
    await winner?.onComplete?.(key);
    expect(await loser?.shouldRun(key, 60_000)).toBe(false);
    expect(await loser?.release(key)).toBe(false);
    expect(await redis.exists(`${prefix}run:${key}`)).toBe(1);
    expect(await winner?.release(key)).toBe(true);
    expect(await loser?.shouldRun(key, 60_000)).toBe(true);
    expect(await redis.pttl(`${prefix}run:${key}`)).toBeGreaterThan(0);
  });

  it('a lease has one holder; it moves on when the holder stops, and when the holder loses Redis', async () => {
    const key = `${prefix}lease:test`;
    const ttlMs = 600;
    const events: string[] = [];
    let cut = false;
    // The first process's view of Redis can be cut, as a network partition would.
    const partitioned = (lease: Lease): Lease => ({
      acquire: () => (cut ? Promise.reject(new Error('connection lost')) : lease.acquire()),
      renew: () => (cut ? Promise.reject(new Error('connection lost')) : lease.renew()),
      release: () => (cut ? Promise.reject(new Error('connection lost')) : lease.release()),
    });
    const holding = new Set<string>();
    let overlap = 0;
    const keeper = (name: string, lease: Lease) =>
      createLeaseKeeper({
        lease,
        ttlMs,
        intervalMs: 100,
        logger,
        what: 'test',
        onAcquired: async () => {
          holding.add(name);
          if (holding.size > 1) overlap += 1;
          events.push(`${name}+`);
        },
        onLost: async () => {
          holding.delete(name);
          events.push(`${name}-`);
        },
      });
    const a = keeper('a', partitioned(createRedisLease(redis, { key, owner: 'a', ttlMs })));
    const b = keeper('b', createRedisLease(redis, { key, owner: 'b', ttlMs }));
    const c = keeper('c', createRedisLease(redis, { key, owner: 'c', ttlMs }));
    await a.start();
    await Promise.all([b.start(), c.start()]);
    expect([a.holding(), b.holding(), c.holding()]).toEqual([true, false, false]);
    await sleep(ttlMs * 2); // renewals keep it
    expect([a.holding(), b.holding(), c.holding()]).toEqual([true, false, false]);

    cut = true; // a can no longer renew: it lets go when its ttl runs out, then b or c takes over
    await until('another holder', () => b.holding() || c.holding(), ttlMs * 4);
    expect(a.holding()).toBe(false);
    const next = b.holding() ? b : c;
    await next.stop(); // a graceful stop frees the lease at once for the third
    const last = next === b ? c : b;
    await until('the third holder', () => last.holding(), ttlMs * 2);
    await Promise.all([a.stop(), b.stop(), c.stop()]);
    expect(overlap).toBe(0);
    expect(events.filter((e) => e.endsWith('+'))).toHaveLength(3);
    expect(await redis.exists(key)).toBe(0);
  });

  it('three schedulers with the coordinator poll each fire once between them, and once at start', async () => {
    const source: SourceConfig = { id: 'wire', kind: 'feed', options: {}, name: undefined, url: 'http://127.0.0.1/', every: undefined, cron: '* * * * * *', enabled: true };
    const runs: Array<{ who: number; at: number }> = [];
    const schedulers = [0, 1, 2].map((who) =>
      createScheduler({
        sources: [source],
        logger,
        maxJitterMs: 0,
        coordinator: createRedisRunCoordinator(redis, { prefix: `${prefix}sched:`, owner: `p${who}` }),
        run: async () => {
          runs.push({ who, at: Date.now() });
        },
      }),
    );
    // Start just after a second begins, so the immediate runs fall in that second and the fires
    // (one a second) each in the next ones.
    await sleep(1000 - (Date.now() % 1000) + 50);
    const firstFire = Math.ceil(Date.now() / 1000) * 1000;
    await Promise.all(schedulers.map((s) => s.start({ runNow: true })));
    await sleep(3300);
    await Promise.all(schedulers.map((s) => s.stop()));
    const atStart = runs.filter((r) => r.at < firstFire);
    const bySecond = new Map<number, number>();
    for (const r of runs) if (r.at >= firstFire) bySecond.set(Math.floor(r.at / 1000), (bySecond.get(Math.floor(r.at / 1000)) ?? 0) + 1);
    expect(atStart, JSON.stringify(runs)).toHaveLength(1);
    expect([...bySecond.values()].every((n) => n === 1), JSON.stringify(runs)).toBe(true);
    expect(bySecond.size).toBeGreaterThanOrEqual(2);
  });
});
