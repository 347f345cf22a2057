import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommandReply, CommandRequest } from '../../../src/bots/chat-adapter.js';
import { createSlackBot, SLACK_MANAGE_HINT, type SlackBot, type SlackBotOptions } from '../../../src/bots/slack/slack-adapter.js';
import type { Alert, ChannelConfig } from '../../../src/domain.js';
import { WirewatchError } from '../../../src/errors.js';
import { createLogger } from '../../../src/log.js';
import { postSlashCommand, startFakeSlack, type FakeSlack } from '../../support/fake-slack.js';

const SECRET = 'test-signing-secret';
const TOKEN = 'xoxb-test-token';

const channel: ChannelConfig = { id: 'C123', adapter: 'slack', webhookUrl: undefined, topics: ['ai-chips'], watch: [] };

const alert: Alert = {
  id: 'a1',
  channel: 'slack:C123',
  title: '<!channel> Nvidia & AMD',
  url: 'https://example.com/story',
  source: 'Example',
  sourceId: 'example',
  published: '2024-05-01T14:03:00Z',
  topics: ['ai-chips'],
  matched: ['nvidia'],
  summary: 'Summary.',
};

const okReply: CommandReply = { ok: true, text: 'Now watching *nvidia*', lines: [{ text: 'a <b>', url: 'https://example.com/x' }], ephemeral: true };

let fake: FakeSlack;
let bot: SlackBot | undefined;
let logLines: string[];

function makeBot(overrides: Partial<SlackBotOptions> = {}): SlackBot {
  bot = createSlackBot({
    token: TOKEN,
    signingSecret: SECRET,
    port: 0,
    host: '127.0.0.1',
    apiUrl: fake.apiUrl,
    logger: createLogger({ level: 'debug', destination: { write: (line: string) => void logLines.push(line) } }),
    onCommand: async () => okReply,
    retry: { retries: 2, minTimeoutMs: 0, maxTimeoutMs: 1 },
    ...overrides,
  });
  return bot;
}

beforeEach(async () => {
  fake = await startFakeSlack();
  logLines = [];
});

afterEach(async () => {
  await bot?.close();
  bot = undefined;
  await fake.close();
});

describe('Slack adapter deliver', () => {
  it('posts the rendered alert with unfurling off and returns the ts', async () => {
    const outcome = await makeBot().adapter.deliver(channel, alert);
    expect(outcome).toEqual({ ok: true, ref: expect.stringMatching(/^\d+\.\d+$/) });
    expect(fake.posts).toHaveLength(1);
    const post = fake.posts[0];
    expect(post).toMatchObject({ channel: 'C123', text: '&lt;!channel&gt; Nvidia &amp; AMD', unfurl_links: false, unfurl_media: false });
    expect(post?.blocks).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'header' })]));
    expect(JSON.stringify(post)).not.toContain('<!');
    const call = fake.calls.find((c) => c.method === 'chat.postMessage');
    expect(call?.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('waits out a 429 with Retry-After and succeeds', async () => {
    fake.failNext({ kind: 'rate_limited', retryAfterSec: 0 });
    const outcome = await makeBot().adapter.deliver(channel, alert);
    expect(outcome.ok).toBe(true);
    expect(fake.calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(2);
    expect(fake.posts).toHaveLength(1);
  });

  it('reports rate_limited when the retries run out', async () => {
    fake.failNext({ kind: 'rate_limited', retryAfterSec: 0 }, 5);
    const outcome = await makeBot().adapter.deliver(channel, alert);
    expect(outcome).toMatchObject({ ok: false, reason: 'rate_limited', retryAfterMs: 0 });
    expect(fake.posts).toHaveLength(0);
  });

  it('reports rate_limited for a 429 without Retry-After', async () => {
    fake.failNext({ kind: 'rate_limited', retryAfterSec: null });
    const outcome = await makeBot().adapter.deliver(channel, alert);
    expect(outcome).toMatchObject({ ok: false, reason: 'rate_limited' });
    if (!outcome.ok && outcome.reason === 'rate_limited') expect(outcome.retryAfterMs).toBeGreaterThan(0);
  });

  it.each(['channel_not_found', 'not_in_channel', 'invalid_auth'])('maps %s to a rejection that is not retried', async (error) => {
    fake.failNext({ kind: 'error', error });
    const outcome = await makeBot().adapter.deliver(channel, alert);
    expect(outcome).toEqual({ ok: false, reason: 'rejected', retryable: false, message: error });
    expect(fake.calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(1);
  });

  it('maps persistent 5xx to unavailable (retryable)', async () => {
    fake.failNext({ kind: 'status', status: 503 }, 3);
    const outcome = await makeBot().adapter.deliver(channel, alert);
    expect(outcome).toMatchObject({ ok: false, reason: 'unavailable', retryable: true });
    expect(fake.calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(3);
  });

  it('maps a network failure to unavailable (retryable) without throwing', async () => {
    const url = fake.apiUrl;
    await fake.close();
    const outcome = await makeBot({ apiUrl: url }).adapter.deliver(channel, alert);
    expect(outcome).toMatchObject({ ok: false, reason: 'unavailable', retryable: true });
    fake = await startFakeSlack();
  });
});

describe('Slack slash commands through real Bolt', () => {
  it('runs auth.test on start, not in the constructor', async () => {
    const b = makeBot();
    expect(fake.calls.filter((c) => c.method === 'auth.test')).toHaveLength(0);
    await b.start();
    expect(fake.calls.filter((c) => c.method === 'auth.test')).toHaveLength(1);
  });

  it('rejects start() with a typed error when the token is refused', async () => {
    fake.failNext({ kind: 'error', error: 'invalid_auth' }, 1, 'auth.test');
    const err = await makeBot().start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WirewatchError);
    expect((err as WirewatchError).code).toBe('config_invalid');
  });

  it('passes a signed /watch to onCommand and answers with the reply', async () => {
    const requests: CommandRequest[] = [];
    const b = makeBot({ onCommand: async (r) => (requests.push(r), okReply) });
    const { port } = await b.start();
    const res = await postSlashCommand(port, SECRET, { command: '/watch', text: 'add nvidia', response_url: fake.url('/respond/1') });
    expect(res.status).toBe(200);
    expect(requests).toEqual([{ name: 'watch', args: 'add nvidia', channel: 'slack:C123', user: 'U123', canManage: false, manageHint: SLACK_MANAGE_HINT }]);
    expect(res.json).toMatchObject({ response_type: 'ephemeral', text: 'Now watching *nvidia*' });
    expect(JSON.stringify(res.json)).toContain('<https://example.com/x|a &lt;b&gt;>');
    expect(fake.responses).toHaveLength(0);
  });

  it('routes /news with its query and an in-channel reply', async () => {
    const requests: CommandRequest[] = [];
    const b = makeBot({ onCommand: async (r) => (requests.push(r), { ...okReply, ephemeral: false }) });
    const { port } = await b.start();
    const res = await postSlashCommand(port, SECRET, { command: '/news', text: 'stargate', channel_id: 'C999' });
    expect(requests).toEqual([{ name: 'news', args: 'stargate', channel: 'slack:C999', user: 'U123', canManage: false, manageHint: SLACK_MANAGE_HINT }]);
    expect(res.json).toMatchObject({ response_type: 'in_channel' });
  });

  it.each([
    ['unsigned', { unsigned: true }],
    ['badly signed', { badSignature: true }],
    ['stale (more than 5 minutes old)', { ts: Math.floor(Date.now() / 1000) - 6 * 60 }],
  ])('refuses an %s request with 401 and never runs the command', async (_label, opts) => {
    const requests: CommandRequest[] = [];
    const b = makeBot({ onCommand: async (r) => (requests.push(r), okReply) });
    const { port } = await b.start();
    const res = await postSlashCommand(port, SECRET, { command: '/watch', text: 'add nvidia' }, opts);
    expect(res.status).toBe(401);
    expect(requests).toHaveLength(0);
  });

  it('answers a short failure, without any detail or stack, when onCommand throws', async () => {
    const b = makeBot({
      onCommand: async () => {
        throw new Error('boom: secret detail');
      },
    });
    const { port } = await b.start();
    const res = await postSlashCommand(port, SECRET, { command: '/watch', text: 'add nvidia' });
    expect(res.status).toBe(200);
    expect(res.body).toContain('wirewatch: something went wrong, try again');
    expect(res.body).not.toContain('boom');
    expect(res.body).not.toMatch(/\bat .*\(|\.ts:\d+/);
    expect(logLines.some((line) => line.includes('boom: secret detail'))).toBe(true);
  });

  it('acks a slow command at once and sends the reply to the response_url', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const b = makeBot({
      ackDeadlineMs: 0,
      onCommand: async () => {
        await gate;
        return { ...okReply, ephemeral: false };
      },
    });
    const { port } = await b.start();
    const res = await postSlashCommand(port, SECRET, { command: '/watch', text: 'list', response_url: fake.url('/respond/42') });
    expect(res.status).toBe(200);
    expect(res.body).toBe('');
    expect(fake.responses).toHaveLength(0);
    release();
    await expect.poll(() => fake.responses.length).toBe(1);
    expect(fake.responses[0]).toMatchObject({ id: '42', body: { response_type: 'in_channel', text: 'Now watching *nvidia*' } });
  });

  it('routes Bolt logs into the pino logger', async () => {
    await makeBot().start();
    expect(logLines.some((line) => line.includes('"component":"bolt"'))).toBe(true);
  });
});
