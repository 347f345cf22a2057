// `npx tsx bench/fetch.ts`: CPU spent by the safe fetcher per request, against the benchmark feed
// server (its own process, so serving does not count). Two figures, each after a warm-up round:
//   304   every feed polled with the validators of its last answer (the common case of a bot)
//   200   every feed polled without validators: a full ~30 KB RSS body read and capped
//
//   npx tsx bench/fetch.ts                       1,000 feeds, 10 rounds of each
//   npx tsx bench/fetch.ts --feeds 500 --rounds 5
//
// Requests run 64 at a time (bench/in-parallel.ts); the figure is
// process.cpuUsage (user + system) divided by the number of requests.

import { createSafeFetcher, DEFAULT_FETCH_POLICY, type ConditionalHeaders } from '../src/sources/http/safe-fetch.js';
import { startFeedFarm } from './feed-farm.js';
import { inParallel } from './in-parallel.js';

const argv = process.argv.slice(2);
const numberArg = (name: string, fallback: number): number => {
  const i = argv.indexOf(name);
  const v = i >= 0 ? Number(argv[i + 1]) : Number.NaN;
  return Number.isFinite(v) && v > 0 ? Math.floor(v) : fallback;
};
const FEEDS = numberArg('--feeds', 1000);
const ROUNDS = numberArg('--rounds', 10);
const CONCURRENCY = 64;

const farm = await startFeedFarm({ feeds: FEEDS, itemsPerFeed: 20, hosts: 32 });
const fetcher = createSafeFetcher({ ...DEFAULT_FETCH_POLICY, allowCidrs: ['127.0.0.0/8'], perHostSpacingMs: 0 });
const validators: ConditionalHeaders[] = Array.from({ length: FEEDS }, () => ({}));
let bodyBytes = 0;

/** One round over every feed; `conditional` sends the validators remembered from the last 200. */
async function round(conditional: boolean): Promise<{ ok: number; notModified: number }> {
  const counts = { ok: 0, notModified: 0 };
  await inParallel(validators.map((known, i) => ({ known, i })), CONCURRENCY, async ({ known, i }) => {
    const res = await fetcher.fetch(farm.url(i), conditional ? known : {});
    if (res.status === 'not-modified') {
      counts.notModified++;
      return;
    }
    counts.ok++;
    bodyBytes += res.body.byteLength;
    validators[i] = { etag: res.etag, lastModified: res.lastModified };
  });
  return counts;
}

/** CPU µs per request over `ROUNDS` rounds, checking every answer was of the expected kind. */
async function measure(conditional: boolean): Promise<number> {
  await round(conditional);
  const start = process.cpuUsage();
  for (let r = 0; r < ROUNDS; r++) {
    const counts = await round(conditional);
    const expected = conditional ? counts.notModified : counts.ok;
    if (expected !== FEEDS) throw new Error(`expected ${FEEDS} ${conditional ? '304' : '200'} answers, got ${JSON.stringify(counts)}`);
  }
  const used = process.cpuUsage(start);
  return (used.user + used.system) / (ROUNDS * FEEDS);
}

try {
  const full = await measure(false);
  const averageBody = bodyBytes / ((ROUNDS + 1) * FEEDS);
  const notModified = await measure(true);
  console.log(`feeds ${FEEDS}, rounds ${ROUNDS}, concurrency ${CONCURRENCY}, body ~${(averageBody / 1024).toFixed(1)} KB`);
  console.log(`304: ${notModified.toFixed(1)} µs CPU per request`);
  console.log(`200: ${full.toFixed(1)} µs CPU per request`);
} finally {
  await fetcher.close();
  await farm.close();
}
