// Redis stopped and restarted in the middle of poll cycles, 10 times, under the real bot (child
// process). The Redis is this test's own (AOF on, fsync always) so what the bot remembered
// survives each restart, as it would in production. The bot must not crash, must reconnect, must
// not blame the feeds (no backoff, no disabling), and over the whole run every new item must be
// alerted: exactly once, except that an outage landing between Slack accepting a message and the
// deliverer recording it repeats that one message (measured and bounded below).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundle, eventually, privateRedis, startBot, type BotProcess, type PrivateRedis } from '../support/bot-process.js';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { postsPerTitle, startFaultFeeds, tally, TERM, type FaultFeeds } from './support.js';

const RESTARTS = 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('faults: Redis restarts', () => {
  let feeds: FaultFeeds;
  let slack: FakeSlack;
  let redis: PrivateRedis;
  let entry: string;
  let bot: BotProcess | undefined;

  beforeAll(async () => {
    [feeds, slack, redis, entry] = await Promise.all([startFaultFeeds(), startFakeSlack(), privateRedis(), bundle()]);
    await redis.start();
  }, 30_000);
  afterAll(async () => {
    if (bot?.running()) bot.signal('SIGKILL');
    await redis?.stop();
    await Promise.all([feeds?.close(), slack?.close()]);
  });

  it(`${RESTARTS} Redis restarts during poll cycles: no crash, reconnects, nothing lost, duplicates bounded`, { timeout: 120_000 }, async () => {
    feeds.publish('/a.xml', 3);
    feeds.publish('/b.xml', 3);
    const config = `sources:
  - { id: wire-a, url: "${feeds.origin}/a.xml", every: 1s }
  - { id: wire-b, url: "${feeds.origin}/b.xml", every: 1s }
channels:
  - { id: C1, adapter: slack, topics: [], watch: [${TERM}] }
`;
    const started = Date.now();
    bot = await startBot({
      config,
      entry,
      env: { REDIS_URL: redis.url, WIREWATCH_REDIS_PREFIX: 'faults:', SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: 'secret', SLACK_API_URL: slack.apiUrl, WIREWATCH_DELIVERY_LEASE: '5s' },
    });
    await bot.waitForLog((l) => l.msg === 'first poll: backlog remembered, nothing alerted' && l.source === 'wire-a');
    await bot.waitForLog((l) => l.msg === 'first poll: backlog remembered, nothing alerted' && l.source === 'wire-b');

    const titles: string[] = [];
    let pollsFailedWhileDown = 0;
    let lastRestartAt = 0;
    for (let i = 0; i < RESTARTS; i++) {
      titles.push(...feeds.publish(i % 2 === 0 ? '/a.xml' : '/b.xml', 1));
      // Stop at a different point of the 1 s poll cycle each time.
      await sleep(300 + ((i * 170) % 900));
      const failedBefore = bot.logs.filter((l) => l.msg === 'poll failed').length;
      await redis.stop();
      titles.push(...feeds.publish(i % 2 === 0 ? '/b.xml' : '/a.xml', 1));
      await sleep(1200 + ((i * 130) % 600));
      pollsFailedWhileDown += bot.logs.filter((l) => l.msg === 'poll failed').length - failedBefore;
      await redis.start();
      lastRestartAt = Date.now();
      expect(bot.running(), `bot died after Redis restart ${i + 1}: ${bot.otherOutput.slice(-5).join(' | ')}`).toBe(true);
    }

    const complete = () => [...postsPerTitle(slack, titles).values()].every((n) => n >= 1);
    const allDelivered = await eventually(complete, 40_000, 250);
    // A little more time for a late duplicate to show up, if there were one.
    await sleep(2500);
    const counts = postsPerTitle(slack, titles);
    expect(bot.running()).toBe(true);
    const exit = await bot.stop();
    const { missing, duplicates } = tally(counts);
    console.info(`[faults:redis] ${JSON.stringify({ seconds: Math.round((Date.now() - started) / 1000), restarts: RESTARTS, items: titles.length, posts: slack.posts.length, missing: missing.length, duplicates, pollsFailedWhileDown })}`);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(bot.otherOutput.filter((l) => /unhandled|TypeError|ReferenceError/i.test(l))).toEqual([]);
    // It saw every outage coming (connection errors logged) and polled again after the last one.
    expect(bot.logs.filter((l) => l.msg === 'redis connection problem').length).toBeGreaterThanOrEqual(RESTARTS);
    expect(bot.logs.some((l) => l.msg === 'polled' && typeof l.time === 'number' && l.time > lastRestartAt)).toBe(true);
    // A store outage is not the feed's fault: no source was put in backoff or disabled for it.
    expect(bot.logs.filter((l) => l.msg === 'source disabled' || (l.msg === 'poll failed' && typeof l.failures === 'number'))).toEqual([]);
    expect(allDelivered, JSON.stringify(missing)).toBe(true);
    expect(missing).toEqual([]);
    // Nothing lost. A duplicate needs the outage to fall between Slack accepting a message and the
    // deliverer recording it (\`sent:<id>\` cannot be written while Redis is down): at most one per
    // outage, since one platform call is in flight at a time.
    expect(duplicates).toBeLessThanOrEqual(RESTARTS);
  });
});
