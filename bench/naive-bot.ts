// The naive baseline the issue asks for: what a first feed bot does. rss-parser downloads and
// parses every feed in full (no conditional GET), each item costs one Redis GET and one SET (the
// SET remembers a new item and keeps a known one remembered while it is still in the feed, as the
// pipeline's claim does), and judging is one case-insensitive RegExp per watch term (topics are
// watch terms too).
import type { Redis } from 'ioredis';
import Parser from 'rss-parser';
import type { ChannelConfig } from '../src/domain.js';

/** What the naive bot sends to a channel: a formatted line per alert. */
export interface NaiveAlert {
  channel: string;
  text: string;
}

/** Words a naive bot would use for the two topics (one RegExp each, like any other term). */
const TOPIC_WORDS: Record<string, string[]> = {
  'ai-chips': ['nvidia', 'amd', 'tsmc', 'intel', 'broadcom', 'coreweave', 'cerebras', 'groq', 'micron', 'hynix', 'gpu', 'gpus', 'chip', 'chips', 'puces', 'accelerators', 'hbm4', 'data center', 'semiconductor'],
  crypto: ['bitcoin', 'ether', 'ethereum', 'solana', 'xrp', 'tether', 'dogecoin', 'cardano', 'stablecoins', 'coinbase', 'binance', 'kraken', 'crypto', 'etf'],
};

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export interface NaiveBot {
  /** One poll; with `seed`, new items are only remembered (the first run), as the real pipeline does. */
  poll(sourceId: string, url: string, seed?: boolean): Promise<{ items: number; fresh: number; alerts: number }>;
}

export function createNaiveBot(options: { redis: Redis; prefix: string; channels: readonly ChannelConfig[]; ttlSeconds: number; sent: NaiveAlert[] }): NaiveBot {
  const parser = new Parser({ timeout: 15_000 });
  const { redis, prefix } = options;
  // One RegExp per watch term (exclusions and quotes stripped: the naive bot has no query language).
  const rules = options.channels.map((c) => ({
    channel: `${c.adapter}:${c.id}`,
    res: [...c.watch, ...c.topics.flatMap((t) => TOPIC_WORDS[t] ?? [])]
      .filter((t) => !t.startsWith('-'))
      .map((t) => new RegExp(`\\b${escapeRe(t.replace(/"/g, ''))}\\b`, 'i')),
  }));
  return {
    async poll(sourceId, url, seed = false) {
      const feed = await parser.parseURL(url);
      let fresh = 0;
      let alerts = 0;
      for (const item of feed.items) {
        const key = `${prefix}${sourceId}:${item.guid ?? item.link ?? item.title ?? ''}`;
        const known = await redis.get(key);
        // Remembered, or its expiry pushed back: an item still in the feed is never alerted twice.
        await redis.set(key, '1', 'EX', options.ttlSeconds);
        if (known) continue;
        fresh += 1;
        if (seed) continue;
        const text = `${item.title ?? ''} ${item.contentSnippet ?? ''}`;
        for (const rule of rules) {
          if (!rule.res.some((re) => re.test(text))) continue;
          options.sent.push({ channel: rule.channel, text: `*${item.title ?? ''}*\n${(item.contentSnippet ?? '').slice(0, 200)}\n<${item.link ?? ''}>` });
          alerts += 1;
        }
      }
      return { items: feed.items.length, fresh, alerts };
    },
  };
}
