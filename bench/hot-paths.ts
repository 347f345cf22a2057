// Three steps of a changed poll, each alone in a loop: what they cost when nothing else runs, to
// set beside what they cost inside the pipeline (bench/profile.ts). Not a benchmark of record.
//
//   npx tsc -p tsconfig.bench.json && node --max-semi-space-size=8 .bench-build/bench/hot-paths.js
//
// - judge: analyzeItem + the bench's three channels' watch terms + highlights, per item, over
//   2,000 synthetic items (bench/synthetic.ts);
// - incremental parse: a feed of 20 items that gained 2, with the memo of its previous parse, on
//   this thread, over 1,000 distinct feeds;
// - claim: `claimAndCommit` on a private redis-server with 20 keys, 2 of them new, 4 outbox entries,
//   2 recent alerts and 2 stories, one call at a time: the client's CPU per call (a PING for scale).
// Each figure is the CPU of this process (`process.cpuUsage`) per operation, the median of 5 rounds
// after 3 rounds of warm-up. The tool imports ioredis, as the bot does: with ioredis 6 (its
// `class VerbatimString extends String` leaves String.prototype in dictionary mode) judging cost
// twice as much here, which is why wirewatch pins 5.11.1 (docs/decisions.md).
import type { NewsItem, PendingDelivery, RecentAlert } from '../src/domain.js';
import { extractItemHighlights } from '../src/relevance/amounts.js';
import { analyzeItem } from '../src/relevance/topics.js';
import { compileChannelRules, type ChannelRule } from '../src/relevance/watchlist.js';
import { runParseJob } from '../src/sources/feed/parse-job.js';
import { createRedisStore } from '../src/store/redis-store.js';
import type { PollCommit, StoryRecord } from '../src/store/store.js';
import { startBenchRedis } from './bench-redis.js';
import { CHANNELS } from './channels.js';
import { createRandom, renderRss, syntheticItem } from './synthetic.js';

/** CPU µs per operation of `round` (which runs `ops` operations): median of 5 rounds after 3. */
async function measure(ops: number, round: () => Promise<void> | void): Promise<number> {
  const rounds: number[] = [];
  for (let r = 0; r < 8; r++) {
    const c0 = process.cpuUsage();
    await round();
    const c = process.cpuUsage(c0);
    if (r >= 3) rounds.push((c.user + c.system) / ops);
  }
  return rounds.sort((a, b) => a - b)[2] ?? Number.NaN;
}

const rnd = createRandom(11);
const now = Date.now();

// Judge.
const items: NewsItem[] = Array.from({ length: 2000 }, (_, i) => {
  const s = syntheticItem(rnd, `k${i}`, new Date(now - i * 60_000));
  return { sourceId: 'f0', key: s.id, title: s.title, url: undefined, summary: s.summary, published: s.published.toISOString() };
});
const rules = compileChannelRules(new Map<string, ChannelRule>(CHANNELS.map((c) => [`${c.adapter}:${c.id}`, { topics: c.topics, terms: c.watch }])));
const judgeUs = await measure(items.length, () => {
  for (const item of items) {
    const analyzed = analyzeItem(item);
    if (!analyzed) continue;
    rules.decideAllParts(analyzed.title, analyzed.summary, analyzed.judgement);
    extractItemHighlights(item.title, item.summary, analyzed);
  }
});

// Incremental parse.
const feeds = Array.from({ length: 1000 }, (_, f) => {
  const page = Array.from({ length: 22 }, (_, i) => syntheticItem(rnd, `f${f}-${i}`, new Date(now - i * 60_000)));
  const job = { contentType: 'application/rss+xml', url: `http://127.0.0.1/f/${f}.xml`, sourceId: `f${f}` };
  const before = runParseJob({ ...job, body: new TextEncoder().encode(renderRss(`f${f}`, page.slice(2))), memo: null });
  return { ...job, body: new TextEncoder().encode(renderRss(`f${f}`, page.slice(0, 20))), memo: before.memo ?? null };
});
const parseUs = await measure(feeds.length, () => {
  for (const job of feeds) runParseJob(job);
});

// Claim.
const redis = await startBenchRedis();
const client = redis.client();
try {
  const store = createRedisStore(client, { prefix: 'hot:' });
  const summary = items[0]?.summary ?? '';
  let n = 0;
  const commitFor = (source: number): PollCommit => {
    n += 1;
    const keys = Array.from({ length: 20 }, (_, k) => `https://f${source}.example/news/${n}-${k}.html`);
    const at = new Date().toISOString();
    const title = 'Nvidia pulls out of a $100 billion OpenAI deal';
    const deliveries: PendingDelivery[] = [0, 1].flatMap((k) =>
      ['slack:CMARKETS', 'slack:CDESK'].map((channel) => ({
        attempts: 0,
        notBefore: Date.now(),
        alert: { id: `a${n}-${k}-${channel}`, channel, title, url: keys[k], source: 'Wire', sourceId: `f${source}`, published: at, topics: ['ai-chips'], matched: ['nvidia'], summary, highlights: ['$100 billion'], storyId: `s${n}-${k}` },
      })),
    );
    const recent: RecentAlert[] = [0, 1].map((k) => ({ title, url: keys[k], source: 'Wire', sourceId: `f${source}`, published: at, topics: ['ai-chips'], alertedAt: at, channels: ['slack:CMARKETS', 'slack:CDESK'], storyId: `s${n}-${k}` }));
    const stories: StoryRecord[] = [0, 1].map((k) => ({ id: `s${n}-${k}`, signature: { entities: ['nvidia', 'openai'], figures: ['100 billion'] }, firstAt: Date.now(), reports: [{ outlet: 'Wire', seq: 8, at: Date.now() }] }));
    return {
      keys,
      expected: keys.slice(0, 2),
      options: { ttlMs: 30 * 86_400_000, maxKeys: 2000 },
      rulesVersion: 0,
      state: { health: 'ok', nextAttemptAt: undefined, etag: '"e"', lastModified: undefined, bodyHash: 'f'.repeat(64), failures: 0, lastError: undefined, lastFetchAt: at, lastNewAt: at },
      deliveries,
      recent,
      stories,
      storyTtlMs: 86_400_000,
    };
  };
  for (let s = 0; s < 200; s++) await store.claim(`f${s}`, ['seed'], { ttlMs: 30 * 86_400_000, maxKeys: 2000 });
  const claimUs = await measure(1000, async () => {
    for (let j = 0; j < 1000; j++) await store.claimAndCommit(`f${j % 200}`, commitFor(j % 200));
  });
  const pingUs = await measure(5000, async () => {
    for (let j = 0; j < 5000; j++) await client.ping();
  });
  console.log(`node ${process.version}; CPU µs per operation, median of 5 rounds`);
  console.log(`judge (topics, watch terms, highlights), per item   ${judgeUs.toFixed(1)}`);
  console.log(`incremental parse, 2 new items of 20, per feed      ${parseUs.toFixed(1)}`);
  console.log(`claimAndCommit, one at a time, client side          ${claimUs.toFixed(1)}`);
  console.log(`PING, one at a time, client side                    ${pingUs.toFixed(1)}`);
} finally {
  client.disconnect();
  await redis.stop();
}
