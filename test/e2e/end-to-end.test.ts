// The whole path with the real libraries: a local feed server → the pipeline (real Redis) → the
// real Bolt app against a fake Slack Web API and real discord.js against a fake Discord API.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { startFeedServer, type FeedServer } from '../../src/demo/feed-server.js';
import { createApp, type App } from '../../src/main.js';
import { startFakeDiscord, type FakeDiscord } from '../support/fake-discord.js';
import { postSlashCommand, startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { testPrefix, testRedisUrl } from '../support/redis.js';

const SECRET = 'e2e-signing-secret';

const rss = (items: Array<{ id: string; title: string; summary?: string }>) => {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>E2E Wire</title><link>https://wire.example/</link>
${items.map((i) => `<item><guid>${i.id}</guid><title>${esc(i.title)}</title><link>https://wire.example/a/${i.id}</link><description>${esc(i.summary ?? '')}</description><pubDate>Sun, 29 Nov 2026 09:00:00 GMT</pubDate></item>`).join('\n')}
</channel></rss>`;
};

describe.skipIf(!testRedisUrl())('end to end: feeds → Redis → Slack (Bolt) and Discord (discord.js)', () => {
  let feeds: FeedServer;
  let slack: FakeSlack;
  let discord: FakeDiscord;
  let app: App;
  const items: Array<{ id: string; title: string; summary?: string }> = [{ id: 'seed-1', title: 'TSMC expands CoWoS capacity' }];
  const publish = () => feeds.set('/wire.xml', rss(items));
  const slackPostsTo = (channel: string) => slack.posts.filter((p) => p.channel === channel);

  beforeAll(async () => {
    [feeds, slack, discord] = await Promise.all([startFeedServer(), startFakeSlack(), startFakeDiscord()]);
    publish();
    const dir = mkdtempSync(join(tmpdir(), 'wirewatch-e2e-'));
    writeFileSync(
      join(dir, 'wirewatch.yaml'),
      `sources:
  - id: wire
    url: ${feeds.origin}/wire.xml
    every: 5m
channels:
  - id: C123
    adapter: slack
  - id: C999
    adapter: slack
    topics: [ai-chips]
  - id: "${discord.channelId}"
    adapter: discord
    topics: [ai-chips, crypto]
`,
    );
    const config = loadConfig(
      {
        WIREWATCH_CONFIG: join(dir, 'wirewatch.yaml'),
        REDIS_URL: testRedisUrl(),
        WIREWATCH_REDIS_PREFIX: testPrefix('e2e'),
        WIREWATCH_FETCH_ALLOW: '127.0.0.1/32',
        WIREWATCH_HOST_SPACING: '0',
        HTTP_PORT: '0',
        SLACK_BOT_TOKEN: 'xoxb-test',
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_ADMIN_USERS: 'U123',
        SLACK_PORT: '0',
        SLACK_API_URL: slack.apiUrl,
        DISCORD_TOKEN: 'discord-test-token',
        DISCORD_API_URL: discord.apiUrl,
      },
      { cwd: dir },
    );
    app = await createApp(config, { logger: createLogger({ level: 'silent' }), listen: true, schedule: false, slack: { processBeforeResponse: true, host: '127.0.0.1' } });
    await app.start();
  });

  afterAll(async () => {
    await app?.stop();
    await Promise.all([feeds?.close(), slack?.close(), discord?.close()]);
  });

  it('the first poll remembers the backlog and posts nothing', async () => {
    const { polls } = await app.pollOnce();
    expect(polls.map((p) => p.outcome)).toEqual(['seeded']);
    expect(slack.posts).toHaveLength(0);
    expect(discord.messages).toHaveLength(0);
  });

  it('new items reach the channels that want them, escaped so they ping nobody', async () => {
    items.unshift(
      { id: 'n-1', title: '<!channel> @everyone Nvidia & AMD **race** for <HBM>', summary: 'Supply of <@U123> H200 parts [click](https://evil.example) is tight.' },
      { id: 'n-2', title: 'Bitcoin slides 5% as XRP follows', summary: 'Liquidations pile up.' },
      { id: 'n-3', title: 'Local bakery wins award' },
    );
    publish();
    const { polls, delivery } = await app.pollOnce();
    expect(polls[0]).toMatchObject({ outcome: 'polled', fresh: 3 });
    expect(delivery).toMatchObject({ delivered: 3, retried: 0, dropped: 0, held: 0 });

    expect(slackPostsTo('C123')).toHaveLength(0);
    const [slackPost] = slackPostsTo('C999');
    expect(slackPostsTo('C999')).toHaveLength(1);
    const slackJson = JSON.stringify(slackPost);
    expect(slackJson).toContain('&lt;!channel&gt;');
    expect(slackJson).toContain('Nvidia &amp; AMD');
    expect(slackJson).not.toMatch(/<!channel>|<!everyone>|<@U123>/);
    expect(slackPost?.blocks).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'header' })]));

    const toDiscord = discord.messages.filter((m) => m.channelId === discord.channelId);
    expect(toDiscord).toHaveLength(2);
    for (const m of toDiscord) expect(m.body.allowed_mentions).toEqual({ parse: [] });
    const nvidia = toDiscord.find((m) => JSON.stringify(m.body).includes('Nvidia'));
    const embed = (nvidia?.body.embeds as Array<{ title: string; description: string; url: string }>)[0];
    expect(embed?.url).toBe('https://wire.example/a/n-1');
    expect(embed?.description).not.toContain('[click](https://evil.example)');
    expect(embed?.description).toContain('\\[click\\]');
  });

  it('a re-poll of unchanged feeds delivers nothing', async () => {
    const before = { slack: slack.posts.length, discord: discord.messages.length };
    const { polls, delivery } = await app.pollOnce();
    expect(polls[0]?.outcome).toBe('not-modified');
    expect(delivery.delivered).toBe(0);
    expect(slack.posts.length).toBe(before.slack);
    expect(discord.messages.length).toBe(before.discord);
  });

  it('unsigned or stale /watch requests get 401 and change nothing', async () => {
    const port = app.slackPort ?? 0;
    const fields = { command: '/watch', text: 'add nvidia', channel_id: 'C123' };
    expect((await postSlashCommand(port, SECRET, fields, { unsigned: true })).status).toBe(401);
    expect((await postSlashCommand(port, SECRET, fields, { badSignature: true })).status).toBe(401);
    const stale = Math.floor(Date.now() / 1000) - 6 * 60;
    expect((await postSlashCommand(port, SECRET, fields, { ts: stale })).status).toBe(401);
    expect(await app.store.getWatchTerms('slack:C123')).toEqual([]);
  });

  it('a signed /watch add nvidia changes what the next poll alerts', async () => {
    const answer = await postSlashCommand(app.slackPort ?? 0, SECRET, { command: '/watch', text: 'add nvidia', channel_id: 'C123' });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatch(/Now watching: nvidia/);
    expect(await app.store.getWatchTerms('slack:C123')).toEqual(['nvidia']);

    items.unshift({ id: 'n-4', title: 'Nvidia confirms it is still talking to OpenAI' }, { id: 'n-5', title: 'Weather: sunny' });
    publish();
    await app.pollOnce();
    const toC123 = slackPostsTo('C123');
    expect(toC123).toHaveLength(1);
    expect(JSON.stringify(toC123[0])).toContain('Nvidia confirms it is still talking to OpenAI');
    expect(JSON.stringify(toC123[0])).toContain('nvidia');
  });

  it('/news finds the alerts just sent, with links', async () => {
    const answer = await postSlashCommand(app.slackPort ?? 0, SECRET, { command: '/news', text: 'nvidia', channel_id: 'C123' });
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('Nvidia confirms it is still talking to OpenAI');
    expect(answer.body).toContain('https://wire.example/a/n-4');
  });

  it('a 429 from Slack is waited out: the alert is delivered once, after the platform accepted it', async () => {
    slack.failNext({ kind: 'rate_limited', retryAfterSec: 0 }, 1);
    items.unshift({ id: 'n-6', title: 'AMD wins MI300X order from Oracle' });
    publish();
    const { delivery } = await app.pollOnce();
    expect(delivery.dropped).toBe(0);
    const posts = slackPostsTo('C999').filter((p) => JSON.stringify(p).includes('MI300X'));
    expect(posts).toHaveLength(1);
    expect(await app.store.outboxSize()).toBe(0);
  });

  it('serves /healthz and /metrics for the operator', async () => {
    const base = `http://127.0.0.1:${app.opsPort ?? 0}`;
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { ok: boolean }).ok).toBe(true);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/wirewatch_polls_total\{[^}]*source="wire"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/wirewatch_deliveries_total\{[^}]*adapter="slack"[^}]*outcome="ok"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/wirewatch_outbox_depth 0/);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });
});
