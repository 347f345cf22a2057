// SIGKILL in the middle of deliveries, 10 times: a feed keeps publishing, the fake Slack accepts a
// message on arrival and answers 300 ms later, and each kill lands while a post is in that window —
// accepted by the platform, not yet recorded by the bot: the worst moment. After the last restart
// every alert has reached Slack, and the duplicates stay within the bound the design gives: at
// most one per kill (the deliverer has one platform call in flight at a time, and records
// `sent:<alertId>` right after the platform accepts). The measured figures go to docs/reliability.md.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundle, eventually, startBot, type BotProcess } from '../support/bot-process.js';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { testPrefix, testRedisUrl } from '../support/redis.js';
import { postsPerTitle, startFaultFeeds, tally, TERM, type FaultFeeds } from './support.js';

const KILLS = 10;
const CHANNELS = ['C1', 'C2', 'C3'];

describe.skipIf(!testRedisUrl())('faults: SIGKILL mid-delivery', () => {
  let feeds: FaultFeeds;
  let slack: FakeSlack;
  let entry: string;
  const bots: BotProcess[] = [];

  beforeAll(async () => {
    [feeds, slack, entry] = await Promise.all([startFaultFeeds(), startFakeSlack(), bundle()]);
  }, 30_000);
  afterAll(async () => {
    for (const b of bots) if (b.running()) b.signal('SIGKILL');
    await Promise.all([feeds?.close(), slack?.close()]);
  });

  it(`${KILLS} kill -9 and restarts: every alert delivered, at most one duplicate per kill`, { timeout: 120_000 }, async () => {
    feeds.publish('/wire.xml', 3);
    const config = `sources:
  - { id: wire, url: "${feeds.origin}/wire.xml", every: 1s }
channels:
${CHANNELS.map((c) => `  - { id: ${c}, adapter: slack, topics: [], watch: [${TERM}] }`).join('\n')}
`;
    const env = {
      REDIS_URL: testRedisUrl(),
      WIREWATCH_REDIS_PREFIX: testPrefix('faults-sigkill'),
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: 'secret',
      SLACK_API_URL: slack.apiUrl,
      LOG_LEVEL: 'warn',
      // A killed process's leased entries come back after this (default 60 s): keeps the run short.
      WIREWATCH_DELIVERY_LEASE: '5s',
    };
    const start = async () => {
      const bot = await startBot({ config, env: { ...env, LOG_LEVEL: bots.length === 0 ? 'info' : 'warn' }, entry });
      bots.push(bot);
      return bot;
    };
    const postCalls = () => slack.calls.filter((c) => c.method === 'chat.postMessage').length;

    const started = Date.now();
    let bot = await start();
    await bot.waitForLog('first poll: backlog remembered, nothing alerted');
    slack.setDelay(300);
    const titles: string[] = [];
    let killedInFlight = 0;
    for (let kill = 0; kill < KILLS; kill++) {
      titles.push(...feeds.publish('/wire.xml', 2));
      const before = postCalls();
      // A post has arrived (accepted on arrival) and its answer is still held back: kill now.
      const inFlight = await eventually(() => postCalls() > before, 30_000, 10);
      bot.signal('SIGKILL');
      const exit = await bot.exited;
      expect(exit.signal).toBe('SIGKILL');
      if (inFlight) killedInFlight += 1;
      expect(bot.otherOutput.filter((l) => /unhandled|TypeError|ReferenceError/i.test(l))).toEqual([]);
      bot = await start();
    }
    expect(killedInFlight).toBe(KILLS);

    // The last process finishes: leases taken by the killed ones run out and come back.
    slack.setDelay(0);
    const complete = () => [...postsPerTitle(slack, titles).values()].every((n) => n >= CHANNELS.length);
    const allDelivered = await eventually(complete, 60_000, 250);
    const counts = postsPerTitle(slack, titles);
    const exit = await bot.stop();
    expect(exit.code).toBe(0);

    const perChannel = new Map<string, number>([...counts].map(([t, n]) => [t, n - CHANNELS.length]));
    const duplicates = [...perChannel.values()].reduce((sum, extra) => sum + Math.max(0, extra), 0);
    const figures = { seconds: Math.round((Date.now() - started) / 1000), kills: KILLS, killedWithPostInFlight: killedInFlight, alerts: titles.length * CHANNELS.length, posts: slack.posts.length, duplicates };
    console.info(`[faults:sigkill] ${JSON.stringify(figures)}`);
    expect(allDelivered, JSON.stringify([...counts])).toBe(true);
    expect(tally(counts).missing).toEqual([]);
    expect(duplicates).toBeLessThanOrEqual(KILLS);
  });
});
