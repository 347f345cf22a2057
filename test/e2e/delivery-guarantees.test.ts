// Delivery with the real libraries: a story reported by two outlets is one message per channel
// (Slack parent updated + thread reply, Discord embed edited); 429 storms and 500s end with every
// alert posted once; a bot restarted with a pending outbox posts each alert once.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { startFeedServer, type FeedServer } from '../../src/demo/feed-server.js';
import { createApp, type App } from '../../src/main.js';
import { startFakeDiscord, type FakeDiscord } from '../support/fake-discord.js';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { testPrefix, testRedisUrl } from '../support/redis.js';

type Item = { id: string; title: string; summary?: string };
const rss = (title: string, items: Item[]) => {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>${title}</title><link>https://${title.toLowerCase().replace(/\W/g, '')}.example/</link>
${items.map((i) => `<item><guid>${i.id}</guid><title>${esc(i.title)}</title><link>https://${title.toLowerCase().replace(/\W/g, '')}.example/${i.id}</link><description>${esc(i.summary ?? '')}</description><pubDate>Sun, 29 Nov 2026 09:00:00 GMT</pubDate></item>`).join('')}
</channel></rss>`;
};

describe.skipIf(!testRedisUrl())('delivery guarantees with real Bolt and discord.js', () => {
  let feeds: FeedServer;
  let slack: FakeSlack;
  let discord: FakeDiscord;
  let config: Config;
  const apps: App[] = [];
  const logger = createLogger({ level: 'silent' });
  const feedA: Item[] = [{ id: 'a0', title: 'Seed A' }];
  const feedB: Item[] = [{ id: 'b0', title: 'Seed B' }];
  const publish = () => {
    feeds.set('/a.xml', rss('Wire A', feedA));
    feeds.set('/b.xml', rss('Wire B', feedB));
  };
  const newApp = async () => {
    const app = await createApp(config, { logger, listen: false, schedule: false });
    apps.push(app);
    return app;
  };

  beforeAll(async () => {
    [feeds, slack, discord] = await Promise.all([startFeedServer(), startFakeSlack(), startFakeDiscord()]);
    publish();
    const dir = mkdtempSync(join(tmpdir(), 'wirewatch-delivery-'));
    writeFileSync(
      join(dir, 'wirewatch.yaml'),
      `sources:
  - { id: wire-a, url: "${feeds.origin}/a.xml" }
  - { id: wire-b, url: "${feeds.origin}/b.xml" }
channels:
  - { id: C1, adapter: slack, topics: [ai-chips, crypto] }
  - { id: "${discord.channelId}", adapter: discord, topics: [ai-chips, crypto] }
`,
    );
    config = loadConfig(
      {
        WIREWATCH_CONFIG: join(dir, 'wirewatch.yaml'),
        REDIS_URL: testRedisUrl(),
        WIREWATCH_REDIS_PREFIX: testPrefix('delivery'),
        WIREWATCH_FETCH_ALLOW: '127.0.0.1/32',
        WIREWATCH_HOST_SPACING: '0',
        SLACK_BOT_TOKEN: 'xoxb-test',
        SLACK_SIGNING_SECRET: 'secret',
        SLACK_API_URL: slack.apiUrl,
        DISCORD_TOKEN: 'discord-token',
        DISCORD_API_URL: discord.apiUrl,
      },
      { cwd: dir },
    );
    const app = await newApp();
    await app.pollOnce(); // seeds both sources
  });

  afterAll(async () => {
    for (const app of apps) await app.stop();
    await Promise.all([feeds?.close(), slack?.close(), discord?.close()]);
  });

  it('two outlets, one story: one message per channel, then updated in place', async () => {
    const app = apps[0] as App;
    feedA.unshift({ id: 'a1', title: 'Nvidia pulls out of $100 billion OpenAI investment', summary: 'The chipmaker doubts the 10-gigawatt data center plan.' });
    publish();
    await app.pollOnce();
    expect(slack.posts.filter((p) => p.channel === 'C1' && !p.thread_ts)).toHaveLength(1);
    expect(discord.messages).toHaveLength(1);

    feedB.unshift({ id: 'b1', title: 'Nvidia renonce à investir 100 milliards de dollars dans OpenAI', summary: 'Le géant des puces doute du projet de centres de données de dix gigawatts.' });
    publish();
    const { delivery } = await app.pollOnce();
    expect(delivery, JSON.stringify(delivery)).toMatchObject({ delivered: 0, updated: 2 });
    // Slack: the parent is updated and a thread reply says who else reported it; no new top-level message.
    const parent = slack.posts.find((p) => p.channel === 'C1' && !p.thread_ts);
    expect(slack.posts.filter((p) => p.channel === 'C1' && !p.thread_ts)).toHaveLength(1);
    expect(slack.updates).toHaveLength(1);
    expect(JSON.stringify(slack.updates[0]?.body)).toMatch(/Wire B/);
    const replies = slack.posts.filter((p) => p.thread_ts);
    expect(replies).toHaveLength(1);
    expect(replies[0]?.thread_ts).toBe(slack.message('C1', String(slack.updates[0]?.ts))?.ts);
    expect(parent).toBeDefined();
    // Discord: the first message's embed is edited with the added outlet; nothing new is posted.
    expect(discord.messages).toHaveLength(1);
    expect(discord.edits).toHaveLength(1);
    expect(JSON.stringify(discord.edits[0]?.body)).toMatch(/Wire B/);
  });

  it('a 429 storm and 500s from both platforms end with every alert posted once', async () => {
    const app = apps[0] as App;
    slack.failNext({ kind: 'rate_limited', retryAfterSec: 0 }, 3);
    slack.failNext({ kind: 'status', status: 500 }, 2);
    discord.failNext(3, { kind: 'rate_limit', retryAfterSec: 0.05 });
    discord.failNext(2, { kind: 'server_error' });
    const before = { slack: slack.posts.length, discord: discord.messages.length };
    feedA.unshift({ id: 'a2', title: 'XRP plunges 12% as exchanges halt withdrawals' }, { id: 'a3', title: 'TSMC starts 2nm production for Nvidia Rubin' });
    publish();
    let round = 0;
    await app.pollOnce();
    // Transient failures are rescheduled with backoff: drain until the outbox is empty.
    while ((await app.store.outboxSize()) > 0 && round++ < 20) {
      await new Promise((r) => setTimeout(r, 250));
      const due = await app.store.dueDeliveries(Date.now() + 60_000, 50);
      for (const d of due) await app.store.rescheduleDelivery({ ...d, notBefore: Date.now() });
      await app.deliverer.drain();
    }
    expect(await app.store.outboxSize()).toBe(0);
    const newSlack = slack.posts.slice(before.slack).filter((p) => !p.thread_ts);
    const newDiscord = discord.messages.slice(before.discord);
    for (const title of ['XRP plunges', 'TSMC starts 2nm']) {
      expect(newSlack.filter((p) => JSON.stringify(p).includes(title))).toHaveLength(1);
      expect(newDiscord.filter((m) => JSON.stringify(m.body).includes(title))).toHaveLength(1);
    }
  });

  it('a bot restarted with a pending outbox posts each pending alert once', async () => {
    const first = apps[0] as App;
    feedB.unshift({ id: 'b2', title: 'Bitcoin ETF outflows hit a record' }, { id: 'b3', title: 'CoreWeave signs $14 billion Meta compute deal' });
    publish();
    // The first bot polls (alerts enter the outbox) and dies before delivering anything.
    const poll = await first.pipeline.pollSource(config.sources[1] as NonNullable<(typeof config.sources)[1]>);
    expect(poll.alerts).toBe(4);
    await first.stop();
    const before = { slack: slack.posts.length, discord: discord.messages.length };
    const second = await newApp();
    const r = await second.deliverer.drain();
    expect(r.delivered).toBe(4);
    const again = await second.deliverer.drain();
    expect(again.delivered).toBe(0);
    expect(slack.posts.slice(before.slack).filter((p) => !p.thread_ts)).toHaveLength(2);
    expect(discord.messages.slice(before.discord)).toHaveLength(2);
    expect(await second.store.outboxSize()).toBe(0);
  });
});
