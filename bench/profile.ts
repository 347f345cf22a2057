// CPU per poll of one path of the pipeline, with a V8 CPU profile of the main thread: where to
// look before optimising (bench/README.md). Not a benchmark of record: `npm run bench` is.
//
//   npx tsx bench/profile.ts allnew     every poll finds a page of 20 items never seen
//   npx tsx bench/profile.ts advance    each round a tenth of the feeds gain 1–3 items (the bench's cycle)
//   npx tsx bench/profile.ts same       every poll is answered 304
//
// Env: FEEDS (default 200), FETCH_PARSE_ONLY=1 (fetch and parse alone instead of the pipeline),
// PER_THREAD=1 (CPU and sleeps of each thread, from /proc), PARSE_WORKERS (default 0: parse on the
// main thread, so the profile shows it; the bot runs defaultParseWorkers(): 1 on two cores), NOPROF=1 (no profiler: figures closer to the bench's),
// PROFILE_DIR (default the system temp dir), ALLOC=1 (a sampled allocation profile instead),
// ALLOC_SURVIVORS=1 (with ALLOC: only what outlived a scavenge, i.e. what was promoted),
// CONCURRENCY (polls in flight, default 64), PAUSE_MS (idle before each measured round, as in the
// bench, where the pipeline waits while the naive bot polls; the CPU of the pauses is not counted
// in the totals). The profile opens in Chrome DevTools or speedscope.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SourceConfig } from '../src/domain.js';
import { createLogger } from '../src/log.js';
import { createPipeline } from '../src/pipeline/poll-source.js';
import { createParsePool } from '../src/sources/feed/parse-pool.js';
import { createSafeFetcher, DEFAULT_FETCH_POLICY } from '../src/sources/http/safe-fetch.js';
import { createRedisStore } from '../src/store/redis-store.js';
import { startBenchRedis } from './bench-redis.js';
import { CHANNELS } from './channels.js';
import { createFloorPoller } from './fetch-parse-floor.js';
import { startFeedFarm } from './feed-farm.js';
import { inParallel } from './in-parallel.js';

/**
 * A yes/no setting from the environment: unset, '', '0', 'false', 'no' or 'off' is no; '1', 'true',
 * 'yes' or 'on' is yes; anything else stops the run. `Boolean(process.env.X)` read X=0 as yes, and
 * a comparison set up as "FETCH_PARSE_ONLY=0 against FETCH_PARSE_ONLY=1" ran the floor twice.
 */
function envFlag(name: string): boolean {
  const value = (process.env[name] ?? '').trim().toLowerCase();
  if (['', '0', 'false', 'no', 'off'].includes(value)) return false;
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  throw new Error(`${name}=${process.env[name] ?? ''}: expected 1 or 0 (true/false, yes/no, on/off)`);
}

const mode = process.argv[2] ?? 'allnew';
if (!['allnew', 'advance', 'same'].includes(mode)) throw new Error(`mode: allnew, advance or same (not ${mode})`);
const FEEDS = Number(process.env.FEEDS ?? 200);
// Read before anything starts, so that a mistyped value stops the run at once.
// FETCH_PARSE_ONLY=1: the bench's "fetch and parse alone" (fetch-parse-floor.ts) in place of the
// pipeline, so the two can be set side by side, thread by thread.
const FETCH_PARSE_ONLY = envFlag('FETCH_PARSE_ONLY');
const PROFILING = !envFlag('NOPROF');
const ALLOCATIONS = envFlag('ALLOC');
const SURVIVORS_ONLY = envFlag('ALLOC_SURVIVORS');
const MARK = envFlag('MARK');
const PER_THREAD = envFlag('PER_THREAD');
const ROUNDS = mode === 'allnew' ? 5 : 20;


const redis = await startBenchRedis();
const farm = await startFeedFarm({ feeds: FEEDS, itemsPerFeed: 20, hosts: 32 });
const client = redis.client();
const fetcher = createSafeFetcher({ ...DEFAULT_FETCH_POLICY, allowCidrs: ['127.0.0.0/8'], perHostSpacingMs: 0, timeoutMs: 30_000 });
const parsePool = createParsePool({ size: Number(process.env.PARSE_WORKERS ?? 0) });
const stages: Record<string, number> = {};
const pipeline = createPipeline({
  store: createRedisStore(client, { prefix: 'ww:' }),
  fetcher,
  parsePool,
  logger: createLogger({ level: 'silent' }),
  channels: CHANNELS,
  seenTtlMs: 30 * 86_400_000,
  onStage: (stage, ms) => (stages[stage] = (stages[stage] ?? 0) + ms),
});
const sources: SourceConfig[] = Array.from({ length: FEEDS }, (_, i) => ({ id: `f${i}`, kind: 'feed', name: undefined, url: farm.url(i), options: {}, every: '1m', cron: undefined, enabled: true }));

/**
 * CPU ticks (1/100 s: USER_HZ) of each thread of this process by thread id, from /proc (Linux;
 * empty elsewhere): which share is the main thread, the parse threads, V8's GC and compiler threads.
 */
function threadCpu(): Map<string, { name: string; ticks: number; sleeps: number }> {
  const out = new Map<string, { name: string; ticks: number; sleeps: number }>();
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const name = stat.slice(stat.indexOf('(') + 1, close);
      const fields = stat.slice(close + 2).split(' ');
      // Voluntary context switches: the times the thread went to sleep (and was woken again).
      const sleeps = Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(readFileSync(`/proc/self/task/${tid}/status`, 'utf8'))?.[1] ?? 0);
      out.set(tid, { name: tid === String(process.pid) ? 'main' : name, ticks: Number(fields[11]) + Number(fields[12]), sleeps });
    }
  } catch {
    // Not Linux: no per-thread figures.
  }
  return out;
}

async function cycle(): Promise<number> {
  let fresh = 0;
  await inParallel(sources, Number(process.env.CONCURRENCY ?? 64), async (s) => {
    if (FETCH_PARSE_ONLY) {
      // Not `fresh += await …`: that reads `fresh` before the await, and concurrent polls would overwrite each other's counts.
      const parsed = await fetchAndParse(s);
      fresh += parsed;
      return;
    }
    const report = await pipeline.pollSource(s);
    if (report.outcome === 'failed') throw new Error(`${s.id}: ${report.error ?? ''}`);
    fresh += report.fresh;
  });
  return fresh;
}

const floorPoll = createFloorPoller(fetcher, (job) => parsePool.parse(job), true);

async function fetchAndParse(s: SourceConfig): Promise<number> {
  const poll = await floorPoll(s);
  return poll.kind === 'parsed' ? poll.feed.items.length : 0;
}

try {
  // Seed, then warm up (JIT, connections, the story index) before measuring.
  await cycle();
  for (let k = 0; k < Number(process.env.WARMUP ?? 3); k++) {
    if (mode === 'allnew') await farm.renew(FEEDS);
    else if (mode === 'advance') await farm.advance(k + 100, 0.1);
    await cycle();
  }
  for (const k of Object.keys(stages)) stages[k] = 0;
  const session = new Session();
  if (ALLOCATIONS) {
    // Where the measured rounds allocate (sampled), instead of where they spend CPU.
    session.connect();
    await session.post('HeapProfiler.enable');
    await session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: !SURVIVORS_ONLY });
  } else if (PROFILING) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    await session.post('Profiler.start');
  }
  let items = 0;
  const pauseMs = Number(process.env.PAUSE_MS ?? 0);
  const idle = { user: 0, system: 0 };
  // Ticks each thread spent during the pauses, taken off its figure below.
  const idleTicks = new Map<string, number>();
  if (MARK) console.log('--- measuring from here');
  const threads0 = threadCpu();
  const r0 = process.resourceUsage();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let k = 0; k < ROUNDS; k++) {
    if (mode === 'allnew') await farm.renew(FEEDS);
    else if (mode === 'advance') await farm.advance(k + 1, 0.1);
    // PAUSE_MS: idle before each round, as the bench's pipeline is while the naive bot polls.
    if (pauseMs > 0) {
      const before = threadCpu();
      const start = process.cpuUsage();
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
      const spent = process.cpuUsage(start);
      idle.user += spent.user;
      idle.system += spent.system;
      for (const [tid, t] of threadCpu()) idleTicks.set(tid, (idleTicks.get(tid) ?? 0) + t.ticks - (before.get(tid)?.ticks ?? 0));
    }
    items += await cycle();
  }
  const wallMs = performance.now() - t0 - ROUNDS * pauseMs;
  const total = process.cpuUsage(c0);
  const cpu = { user: total.user - idle.user, system: total.system - idle.system };
  const cpuUs = cpu.user + cpu.system;
  if (pauseMs > 0) console.log(`idle between rounds: ${((idle.user + idle.system) / ROUNDS / 1000).toFixed(1)} ms of CPU a pause (not counted)`);
  const polls = ROUNDS * FEEDS;
  console.log(`user ${(cpu.user / polls).toFixed(0)} sys ${(cpu.system / polls).toFixed(0)} µs/poll`);
  const r1 = process.resourceUsage();
  const perRound = (n: number) => (n / ROUNDS).toFixed(0);
  console.log(
    `per round: ${perRound(r1.minorPageFault - r0.minorPageFault)} page faults, ${perRound(r1.voluntaryContextSwitches - r0.voluntaryContextSwitches)} voluntary and ${perRound(r1.involuntaryContextSwitches - r0.involuntaryContextSwitches)} involuntary context switches`,
  );
  const threads = threadCpu();
  if (threads.size > 0) {
    const byName = new Map<string, number>();
    for (const [tid, t] of threads) {
      const spent = t.ticks - (threads0.get(tid)?.ticks ?? 0) - (idleTicks.get(tid) ?? 0);
      byName.set(t.name, (byName.get(t.name) ?? 0) + spent);
    }
    const tick = 1e6 / 100;
    if (PER_THREAD) {
      const each = [...threads].map(([tid, t]) => [`${t.name}#${tid}`, t.ticks - (threads0.get(tid)?.ticks ?? 0) - (idleTicks.get(tid) ?? 0)] as const).filter(([, v]) => v > 0);
      console.log(`each thread, µs/poll: ${each.sort((a, b) => b[1] - a[1]).map(([n, v]) => `${n} ${((v * tick) / polls).toFixed(0)}`).join(', ')}`);
      const sleeps = [...threads].map(([tid, t]) => [`${t.name}#${tid}`, t.sleeps - (threads0.get(tid)?.sleeps ?? 0)] as const).filter(([, v]) => v > 0);
      console.log(`each thread, sleeps per round: ${sleeps.sort((a, b) => b[1] - a[1]).map(([n, v]) => `${n} ${perRound(v)}`).join(', ')}`);
    }
    console.log(`per thread, µs/poll: ${[...byName].filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]).map(([n, v]) => `${n} ${((v * tick) / polls).toFixed(0)}`).join(', ')}`);
  }
  console.log(`${mode}: ${polls} polls, ${items} new items; CPU ${(cpuUs / polls).toFixed(0)} µs per poll${items > 0 ? `, ${(cpuUs / items).toFixed(0)} µs per new item` : ''}; ${((items / wallMs) * 1000).toFixed(0)} new items/s`);
  if (items > 0) console.log(`per new item, µs (judge, story, format: CPU; source, store: wall summed over concurrent polls): ${Object.entries(stages).map(([k, v]) => `${k} ${((v * 1000) / items).toFixed(1)}`).join(', ')}`);
  if (ALLOCATIONS) {
    const { profile } = await session.post('HeapProfiler.stopSampling');
    const file = join(process.env.PROFILE_DIR ?? tmpdir(), `wirewatch-${mode}.heapprofile`);
    writeFileSync(file, JSON.stringify(profile));
    console.log(`allocation profile: ${file}`);
  } else if (PROFILING) {
    const { profile } = await session.post('Profiler.stop');
    const file = join(process.env.PROFILE_DIR ?? tmpdir(), `wirewatch-${mode}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    console.log(`profile: ${file}`);
  }
} finally {
  await pipeline.flush();
  await fetcher.close();
  await parsePool.close();
  client.disconnect();
  await farm.close();
  await redis.stop();
}
