// `wirewatch demo`: the whole pipeline offline. Local feeds are published step by step and polled
// by the real pipeline (real HTTP fetch, parser, claims, judging) into console channels.
import type { ChannelConfig, SourceConfig } from '../domain.js';
import type { Config } from '../config.js';
import { createLogger, type Logger } from '../log.js';
import { createMemoryStore } from '../store/memory-store.js';
import { createApp } from '../main.js';
import { DEMO_FEEDS, renderDemoFeed, type DemoItem } from './demo-feeds.js';
import { startFeedServer } from './feed-server.js';

export interface DemoOptions {
  out: (line: string) => void;
  /** Pause between steps, in ms, so a person can read along. */
  pauseMs: number;
  logger?: Logger;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runDemo(options: DemoOptions): Promise<void> {
  const { out } = options;
  const started = Date.now();
  const server = await startFeedServer();
  const published = new Map<string, DemoItem[]>(DEMO_FEEDS.map((f) => [f.path, [...f.backlog]]));
  const publish = () => {
    for (const feed of DEMO_FEEDS) server.set(feed.path, renderDemoFeed(feed, published.get(feed.path) ?? [], server.origin, started));
  };
  publish();

  const sources: SourceConfig[] = DEMO_FEEDS.map((f) => ({ id: f.path.slice(1).replace(/\W.*$/, ''), kind: 'feed', options: {}, name: f.title, url: `${server.origin}${f.path}`, every: '1m', cron: undefined, enabled: true }));
  const channels: ChannelConfig[] = [
    { id: 'markets', adapter: 'console', webhookUrl: undefined, topics: ['ai-chips', 'crypto'], watch: [] },
    { id: 'infra-desk', adapter: 'console', webhookUrl: undefined, topics: [], watch: ['"data center"', '-gaming'] },
  ];
  const config: Config = {
    configPath: undefined,
    sources,
    channels,
    redis: { url: undefined, prefix: 'wirewatch:' },
    fetch: { allowCidrs: ['127.0.0.1/32'], timeoutMs: 5000, maxBytes: 1024 * 1024, contact: undefined, hostSpacingMs: 0 },
    parse: { workers: undefined, maxHeapMb: 128 },
    minIntervalMs: 1000,
    slack: undefined,
    discord: undefined,
    ops: undefined,
    logLevel: 'warn',
    logFormat: undefined,
    seenTtlMs: 86_400_000,
  };
  const logger = options.logger ?? createLogger({ level: 'warn' });
  const store = createMemoryStore();
  const app = await createApp(config, {
    logger,
    store,
    listen: false,
    console: { format: 'text', write: (text) => out(text.replace(/^/gm, '    ')) },
    onAlert: () => undefined,
  });
  const poll = async (label: string) => {
    out(`\n── ${label}`);
    const { polls, delivery } = await app.pollOnce();
    for (const p of polls) {
      const what =
        p.outcome === 'seeded' ? `${p.items} item${p.items === 1 ? "" : "s"} remembered as backlog, nothing alerted`
        : p.outcome === 'polled' ? `${p.fresh} new item(s), ${p.alerts} alert(s)`
        : p.outcome === 'not-modified' ? 'HTTP 304 Not Modified: nothing parsed'
        : p.outcome === 'unchanged' ? 'body unchanged: nothing parsed'
        : `failed: ${p.error ?? ''}`;
      out(`   ${p.sourceId.padEnd(10)} ${what}`);
    }
    out(`   delivered ${delivery.delivered} alert(s)${delivery.updated > 0 ? `, ${delivery.updated} story update(s) instead of new messages` : ''}`);
  };

  try {
    out('wirewatch demo — offline: three local feeds (RSS 2.0 in English, Atom in French, RDF mixed), the in-process store, two console channels:');
    out('   #markets    topics ai-chips, crypto');
    out('   #infra-desk watch "data center", exclude -gaming (no topics)');
    await poll('Step 1 — first poll of each source: the backlog is remembered, not alerted (a new source never floods a channel)');
    await sleep(options.pauseMs);

    for (const feed of DEMO_FEEDS) published.get(feed.path)?.push(...(feed.steps[0] ?? []));
    publish();
    out('\n── Step 2 — the publishers post 9 stories: Nvidia and OpenAI (EN + FR), China clears H200 imports, Bitcoin and XRP slide —');
    out('   and noise: potato chips, ETH Zurich, Lagarde at Davos, an AI-jobs opinion.');
    await poll('Polling: each story is judged; only AI-chip and crypto stories reach #markets, data-center stories reach #infra-desk; the French report of the Nvidia/OpenAI story updates the English alert instead of posting again (↳)');
    await sleep(options.pauseMs);

    out('\n── Step 3 — someone types `/watch add coreweave` in #infra-desk');
    const reply = await app.commands({ name: 'watch', args: 'add coreweave', channel: 'console:infra-desk', user: 'demo', canManage: true });
    out(`   wirewatch: ${reply.text}`);
    for (const feed of DEMO_FEEDS) published.get(feed.path)?.push(...(feed.steps[1] ?? []));
    publish();
    await sleep(options.pauseMs);
    await poll('Step 4 — Chip Wire posts a CoreWeave story: #markets gets it by topic, #infra-desk by its new watch term');
    await sleep(options.pauseMs);

    await poll('Step 5 — poll again with nothing new: every feed answers 304, nothing is alerted twice');
    out(`\nDone in ${((Date.now() - started) / 1000).toFixed(1)} s. Next: \`npm start\` for the live catalog, README.md for Slack and Discord.`);
  } finally {
    await app.stop();
    await store.close();
    await server.close();
  }
}
