// Load: 1,000 channels (900 Slack, 100 Discord) and a burst of 5,000 alerts through the real
// deliverer, the real Bolt WebClient and the real discord.js REST against the local fakes. All are
// delivered, per-channel spacing and Discord's global limit hold, so the fakes would have had no
// reason to answer 429. The time it took is printed (and quoted in the README).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert, PendingDelivery } from '../../src/domain.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { createApp, type App } from '../../src/main.js';
import { startFakeDiscord, type FakeDiscord } from '../support/fake-discord.js';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { testPrefix, testRedisUrl } from '../support/redis.js';

const SLACK_CHANNELS = 900;
const DISCORD_CHANNELS = 100;
const PER_CHANNEL = 5;
const slackId = (i: number) => `C${String(i).padStart(8, '0')}`;
const discordId = (i: number) => `9${String(i).padStart(17, '0')}`;

/** The largest number of timestamps inside any window of `ms`. */
function maxInWindow(times: number[], ms: number): number {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < t.length; hi++) {
    while ((t[hi] ?? 0) - (t[lo] ?? 0) >= ms) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

describe.skipIf(!testRedisUrl())('load: 1,000 channels, a burst of 5,000 alerts', () => {
  let slack: FakeSlack;
  let discord: FakeDiscord;
  let app: App;

  beforeAll(async () => {
    [slack, discord] = await Promise.all([startFakeSlack(), startFakeDiscord()]);
    const dir = mkdtempSync(join(tmpdir(), 'wirewatch-load-'));
    const channels = [
      ...Array.from({ length: SLACK_CHANNELS }, (_, i) => `  - { id: ${slackId(i)}, adapter: slack, topics: [crypto] }`),
      ...Array.from({ length: DISCORD_CHANNELS }, (_, i) => `  - { id: "${discordId(i)}", adapter: discord, topics: [crypto] }`),
    ];
    writeFileSync(join(dir, 'wirewatch.yaml'), `catalog: false\nchannels:\n${channels.join('\n')}\n`);
    const config = loadConfig(
      {
        WIREWATCH_CONFIG: join(dir, 'wirewatch.yaml'),
        REDIS_URL: testRedisUrl(),
        WIREWATCH_REDIS_PREFIX: testPrefix('load'),
        SLACK_BOT_TOKEN: 'xoxb-load',
        SLACK_SIGNING_SECRET: 'secret',
        SLACK_API_URL: slack.apiUrl,
        DISCORD_TOKEN: 'discord-load',
        DISCORD_API_URL: discord.apiUrl,
      },
      { cwd: dir },
    );
    app = await createApp(config, { logger: createLogger({ level: 'silent' }), listen: false, schedule: false });
  });

  afterAll(async () => {
    await app?.stop();
    await Promise.all([slack?.close(), discord?.close()]);
  });

  it('delivers every alert once, inside the platforms’ limits', { timeout: 240_000 }, async () => {
    const now = Date.now();
    const burst: PendingDelivery[] = [];
    const keys = [...Array.from({ length: SLACK_CHANNELS }, (_, i) => `slack:${slackId(i)}`), ...Array.from({ length: DISCORD_CHANNELS }, (_, i) => `discord:${discordId(i)}`)];
    for (let n = 0; n < PER_CHANNEL; n++) {
      keys.forEach((channel, c) => {
        const alert: Alert = {
          id: `load-${c}-${n}`,
          channel,
          title: `Bitcoin update ${n} for channel ${c}`,
          url: `https://example.org/${c}/${n}`,
          source: 'Load wire',
          sourceId: 'load',
          published: new Date(now).toISOString(),
          topics: ['crypto'],
          matched: ['Bitcoin'],
          summary: '',
        };
        burst.push({ alert, attempts: 0, notBefore: now - 10_000 + burst.length });
      });
    }
    await app.store.enqueueDeliveries(burst);
    const started = Date.now();
    for (let round = 0; round < 200 && (await app.store.outboxSize()) > 0; round++) await app.deliverer.drain();
    const seconds = (Date.now() - started) / 1000;
    console.log(`[load] ${burst.length} alerts to ${keys.length} channels delivered in ${seconds.toFixed(1)} s`);

    expect(await app.store.outboxSize()).toBe(0);
    const slackPosts = slack.calls.filter((c) => c.method === 'chat.postMessage');
    expect(slack.posts).toHaveLength(SLACK_CHANNELS * PER_CHANNEL);
    expect(discord.messages).toHaveLength(DISCORD_CHANNELS * PER_CHANNEL);
    // Exactly once: every alert title appears once on its platform.
    expect(new Set(slack.posts.map((p) => `${String(p.channel)}|${String(p.text)}`)).size).toBe(SLACK_CHANNELS * PER_CHANNEL);
    expect(new Set(discord.messages.map((m) => `${m.channelId}|${JSON.stringify(m.body.embeds)}`)).size).toBe(DISCORD_CHANNELS * PER_CHANNEL);

    // Slack: about one message per second per channel — no two posts to a channel closer than 1 s.
    const byChannel = new Map<string, number[]>();
    for (const c of slackPosts) byChannel.set(String(c.body.channel), [...(byChannel.get(String(c.body.channel)) ?? []), c.at]);
    for (const times of byChannel.values()) expect(maxInWindow(times, 1000)).toBe(1);
    // Discord: at most 5 per 5 s per channel, and 50 requests per second in all.
    const byDiscord = new Map<string, number[]>();
    for (const m of discord.messages) byDiscord.set(m.channelId, [...(byDiscord.get(m.channelId) ?? []), m.at]);
    for (const times of byDiscord.values()) expect(maxInWindow(times, 5000)).toBeLessThanOrEqual(5);
    expect(maxInWindow(discord.messages.map((m) => m.at), 1000)).toBeLessThanOrEqual(50);
  });
});
