// Every slash command through the real Bolt app (signed HTTP requests) against the fake Slack Web
// API: the handler gets the right name, args and canManage, and its reply comes back in the ack.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommandReply, CommandRequest } from '../../../src/bots/chat-adapter.js';
import {
  createSlackBot,
  SLACK_MANAGE_HINT,
  SLACK_ROLE_UNKNOWN_HINT,
  type SlackBot,
  type SlackBotOptions,
} from '../../../src/bots/slack/slack-adapter.js';
import { createLogger } from '../../../src/log.js';
import { postSlashCommand, startFakeSlack, type FakeSlack } from '../../support/fake-slack.js';

const SECRET = 'test-signing-secret';

let fake: FakeSlack;
let bot: SlackBot | undefined;
let requests: CommandRequest[];
let port: number;

/** A handler that refuses configuration to non-managers, as the core does, and echoes otherwise. */
async function handler(request: CommandRequest): Promise<CommandReply> {
  requests.push(request);
  if (!request.canManage && request.args.startsWith('add')) {
    return { ok: false, text: `Not allowed: ${request.manageHint ?? 'no reason'}`, lines: [], ephemeral: true };
  }
  return { ok: true, text: `ran /${request.name} ${request.args}`, lines: [], ephemeral: true };
}

async function startBot(overrides: Partial<SlackBotOptions> = {}): Promise<void> {
  bot = createSlackBot({
    token: 'xoxb-test',
    signingSecret: SECRET,
    port: 0,
    host: '127.0.0.1',
    apiUrl: fake.apiUrl,
    logger: createLogger({ level: 'silent' }),
    onCommand: handler,
    processBeforeResponse: true,
    retry: { retries: 0, minTimeoutMs: 0, maxTimeoutMs: 1 },
    ...overrides,
  });
  ({ port } = await bot.start());
}

const usersInfoCalls = (): number => fake.calls.filter((c) => c.method === 'users.info').length;

beforeEach(async () => {
  fake = await startFakeSlack();
  requests = [];
});

afterEach(async () => {
  await bot?.close();
  bot = undefined;
  await fake.close();
});

describe('Slack: every command reaches the handler', () => {
  const cases: Array<[string, string, CommandRequest['name']]> = [
    ['/watch', 'add nvidia "stargate project" -gaming', 'watch'],
    ['/watch', 'remove "stargate project"', 'watch'],
    ['/watch', 'list', 'watch'],
    ['/watch', 'clear', 'watch'],
    ['/source', 'add https://example.com/feed.xml 15m', 'source'],
    ['/source', 'remove chat-example-com', 'source'],
    ['/source', 'list', 'source'],
    ['/source', 'test https://example.com/feed.xml', 'source'],
    ['/news', 'nvidia since:24h', 'news'],
    ['/news', '', 'news'],
    ['/alerts', '', 'alerts'],
    ['/alerts', 'pause', 'alerts'],
    ['/alerts', 'resume', 'alerts'],
    ['/alerts', 'digest 1h', 'alerts'],
    ['/alerts', 'quiet 22:00-07:00 Europe/Paris', 'alerts'],
    ['/alerts', 'cap 5/h', 'alerts'],
    ['/alerts', 'lang fr', 'alerts'],
    ['/alerts', 'breaking on', 'alerts'],
    ['/price', 'BTC', 'price'],
    ['/status', '', 'status'],
    ['/wirewatch', 'help', 'wirewatch'],
  ];

  it.each(cases)('%s %s', async (command, text, name) => {
    fake.setRole('UADMIN', 'admin');
    await startBot();
    const res = await postSlashCommand(port, SECRET, { command, text: `  ${text} `, user_id: 'UADMIN', channel_id: 'C777' });
    expect(res.status).toBe(200);
    expect(requests).toEqual([{ name, args: text, channel: 'slack:C777', user: 'UADMIN', canManage: true }]);
    expect(res.json).toMatchObject({ response_type: 'ephemeral', text: `ran /${name} ${text}`.trim() });
  });
});

describe('Slack: who may change configuration', () => {
  it('a workspace owner may', async () => {
    fake.setRole('UOWNER', 'owner');
    await startBot();
    await postSlashCommand(port, SECRET, { command: '/watch', text: 'add nvidia', user_id: 'UOWNER' });
    expect(requests[0]).toMatchObject({ user: 'UOWNER', canManage: true });
    expect(requests[0]?.manageHint).toBeUndefined();
  });

  it('a member is refused: the handler gets canManage false with the hint and its refusal is shown', async () => {
    await startBot();
    const res = await postSlashCommand(port, SECRET, { command: '/watch', text: 'add nvidia', user_id: 'UMEMBER' });
    expect(requests).toEqual([
      { name: 'watch', args: 'add nvidia', channel: 'slack:C123', user: 'UMEMBER', canManage: false, manageHint: SLACK_MANAGE_HINT },
    ]);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ response_type: 'ephemeral', text: `Not allowed: ${SLACK_MANAGE_HINT}` });
    expect(fake.posts).toHaveLength(0); // never as a DM or a channel message
  });

  it('a user on the allow-list may, without asking users.info', async () => {
    await startBot({ adminUsers: ['ULISTED'] });
    await postSlashCommand(port, SECRET, { command: '/alerts', text: 'pause', user_id: 'ULISTED' });
    expect(requests[0]).toMatchObject({ canManage: true });
    expect(usersInfoCalls()).toBe(0);
  });

  it('remembers the users.info answer per user', async () => {
    fake.setRole('UADMIN', 'admin');
    await startBot();
    await postSlashCommand(port, SECRET, { command: '/watch', text: 'add a', user_id: 'UADMIN' });
    await postSlashCommand(port, SECRET, { command: '/watch', text: 'add b', user_id: 'UADMIN' });
    await postSlashCommand(port, SECRET, { command: '/watch', text: 'add c', user_id: 'UOTHER' });
    expect(requests.map((r) => r.canManage)).toEqual([true, true, false]);
    expect(fake.calls.filter((c) => c.method === 'users.info').map((c) => c.body['user'])).toEqual(['UADMIN', 'UOTHER']);
  });

  it('asks again once the cached answer is older than roleCacheMs', async () => {
    await startBot({ roleCacheMs: 0 });
    await postSlashCommand(port, SECRET, { command: '/watch', text: 'add a', user_id: 'UX' });
    fake.setRole('UX', 'admin');
    await postSlashCommand(port, SECRET, { command: '/watch', text: 'add b', user_id: 'UX' });
    expect(requests.map((r) => r.canManage)).toEqual([false, true]);
    expect(usersInfoCalls()).toBe(2);
  });

  it.each([
    ['a Slack error (missing_scope)', { kind: 'error', error: 'missing_scope' } as const],
    ['a 500', { kind: 'status', status: 500 } as const],
  ])('a failing users.info (%s) means canManage false with a hint, never a crash', async (_label, failure) => {
    fake.setRole('UADMIN', 'admin');
    fake.failNext(failure, 1, 'users.info');
    await startBot();
    const res = await postSlashCommand(port, SECRET, { command: '/watch', text: 'add nvidia', user_id: 'UADMIN' });
    expect(res.status).toBe(200);
    expect(requests[0]).toMatchObject({ canManage: false, manageHint: SLACK_ROLE_UNKNOWN_HINT });
    expect(res.json).toMatchObject({ text: `Not allowed: ${SLACK_ROLE_UNKNOWN_HINT}` });
  });
});
