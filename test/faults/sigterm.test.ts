// SIGTERM with a poll and a delivery in flight: the real bot (child process) exits 0 — the CLI
// forces exit 1 after 10 s, so 0 means it stopped cleanly within 10 s — and nothing is left
// leased-but-lost: the next process delivers every pending alert, each once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundle, eventually, startBot, type BotProcess } from '../support/bot-process.js';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { testPrefix, testRedisUrl } from '../support/redis.js';
import { postsPerTitle, startFaultFeeds, tally, TERM, type FaultFeeds } from './support.js';

describe.skipIf(!testRedisUrl())('faults: SIGTERM', () => {
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

  it('exits 0 with a poll and a delivery in flight; after a restart every pending alert is delivered once', { timeout: 90_000 }, async () => {
    feeds.publish('/fast.xml', 3);
    feeds.publish('/slow.xml', 3);
    const config = `sources:
  - { id: fast, url: "${feeds.origin}/fast.xml", every: 2s }
  - { id: slow, url: "${feeds.origin}/slow.xml", every: 2s }
channels:
  - { id: C1, adapter: slack, topics: [], watch: [${TERM}] }
  - { id: C2, adapter: slack, topics: [], watch: [${TERM}] }
`;
    const env = {
      REDIS_URL: testRedisUrl(),
      WIREWATCH_REDIS_PREFIX: testPrefix('faults-sigterm'),
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: 'secret',
      SLACK_API_URL: slack.apiUrl,
    };
    const start = async () => {
      const bot = await startBot({ config, env, entry });
      bots.push(bot);
      return bot;
    };

    const first = await start();
    await first.waitForLog((l) => l.msg === 'first poll: backlog remembered, nothing alerted' && l.source === 'slow');
    await first.waitForLog((l) => l.msg === 'first poll: backlog remembered, nothing alerted' && l.source === 'fast');

    // New items on both sources; Slack answers slowly and the slow feed hangs for 4 s.
    const titles = [...feeds.publish('/fast.xml', 4), ...feeds.publish('/slow.xml', 4)];
    slack.setDelay(400);
    const postsBefore = slack.calls.filter((c) => c.method === 'chat.postMessage').length;
    expect(await eventually(() => slack.calls.filter((c) => c.method === 'chat.postMessage').length > postsBefore, 20_000)).toBe(true);
    feeds.setDelay('/slow.xml', 4000);
    expect(await eventually(() => feeds.inFlight('/slow.xml') > 0, 10_000)).toBe(true);

    // Work is pending at the signal: not every alert has reached Slack yet.
    expect(tally(postsPerTitle(slack, titles)).missing.length).toBeGreaterThan(0);
    const signalledAt = Date.now();
    first.signal('SIGTERM');
    const exit = await first.exited;
    // On a failure, what the bot did after the signal (times relative to it) and how long it took.
    const after = first.logs.filter((l) => typeof l.time === 'number' && l.time >= signalledAt - 50).map((l) => `${Number(l.time) - signalledAt} ms ${String(l.msg)}`);
    expect(exit, `exited after ${Date.now() - signalledAt} ms; logs after SIGTERM: ${after.join(' | ')}; other output: ${first.otherOutput.slice(-10).join(' | ')}`).toEqual({ code: 0, signal: null });
    expect(first.logs.some((l) => l.msg === 'stopping' && l.signal === 'SIGTERM')).toBe(true);
    expect(first.otherOutput.filter((l) => /unhandled|Error/i.test(l))).toEqual([]);

    // A second process finishes the work: every alert once (two channels: two posts per title).
    slack.setDelay(0);
    feeds.setDelay('/slow.xml', 0);
    const second = await start();
    const done = () => [...postsPerTitle(slack, titles).values()].every((n) => n >= 2);
    const allDelivered = await eventually(done, 45_000, 200);
    const counts = postsPerTitle(slack, titles);
    await second.stop();
    expect(allDelivered, JSON.stringify([...counts])).toBe(true);
    // Two channels: exactly two posts per title, no duplicate.
    expect([...counts.values()].every((n) => n === 2), JSON.stringify([...counts])).toBe(true);
    expect(tally(counts).missing).toEqual([]);
  });
});
