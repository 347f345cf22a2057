// The real discord.js (REST, Client, gateway) against the local fake Discord.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDiscordBot, type DiscordBot, type DiscordBotOptions } from '../../../src/bots/discord/discord-adapter.js';
import { DISCORD_COMMANDS } from '../../../src/bots/discord/commands.js';
import { renderDiscordAlert, renderDiscordReply } from '../../../src/bots/discord/render.js';
import type { CommandReply, CommandRequest } from '../../../src/bots/chat-adapter.js';
import type { ChannelConfig } from '../../../src/domain.js';
import { startFakeDiscord, type FakeDiscord } from '../../support/fake-discord.js';
import { captureLogger, makeAlert } from './helpers.js';

const TOKEN = 'fake-bot-token';

function channel(id: string): ChannelConfig {
  return { id, adapter: 'discord', webhookUrl: undefined, topics: ['ai-chips'], watch: [] };
}

describe('Discord bot against the fake', () => {
  let fake: FakeDiscord;
  let bot: DiscordBot | undefined;
  let logs: ReturnType<typeof captureLogger>;
  const requests: CommandRequest[] = [];

  function makeBot(overrides: Partial<DiscordBotOptions> = {}): DiscordBot {
    bot = createDiscordBot({
      token: TOKEN,
      apiUrl: fake.apiUrl,
      logger: logs.logger,
      restOffsetMs: 0,
      onCommand: async (request) => {
        requests.push(request);
        return { ok: true, text: `Watching ${request.args}`, lines: [], ephemeral: true };
      },
      ...overrides,
    });
    return bot;
  }

  beforeEach(async () => {
    fake = await startFakeDiscord();
    logs = captureLogger();
    requests.length = 0;
  });

  afterEach(async () => {
    await bot?.close();
    bot = undefined;
    await fake.close();
  });

  describe('deliver', () => {
    it('posts the rendered embed with allowed_mentions parse [] and returns the message id', async () => {
      const { adapter } = makeBot({ listenForCommands: false });
      expect(adapter.kind).toBe('discord');
      const alert = makeAlert({ title: '@everyone Nvidia <@123>' });
      const outcome = await adapter.deliver(channel(fake.channelId), alert);
      expect(outcome).toMatchObject({ ok: true, ref: expect.stringMatching(/^\d+$/) });
      expect(fake.messages).toHaveLength(1);
      const [posted] = fake.messages;
      expect(posted?.channelId).toBe(fake.channelId);
      expect(posted?.body).toEqual(renderDiscordAlert(alert));
      expect(posted?.body['allowed_mentions']).toEqual({ parse: [] });
      const auth = fake.requests.find((r) => r.path === `/channels/${fake.channelId}/messages`)?.authorization;
      expect(auth).toBe(`Bot ${TOKEN}`);
    });

    it('leaves no abort listener behind per message (the REST client never removes the ones it adds)', async () => {
      const warnings: Error[] = [];
      const onWarning = (w: Error) => void warnings.push(w);
      process.on('warning', onWarning);
      try {
        const { adapter } = makeBot({ listenForCommands: false });
        for (let i = 0; i < 15; i++) expect(await adapter.deliver(channel(fake.channelId), makeAlert({ id: `a${i}` }))).toMatchObject({ ok: true });
        // Warnings are emitted on a later tick.
        await new Promise((r) => setImmediate(r));
      } finally {
        process.off('warning', onWarning);
      }
      expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map((w) => w.message)).toEqual([]);
      expect(fake.messages).toHaveLength(15);
    });

    it('waits out a 429 with Retry-After and then succeeds', async () => {
      const { adapter } = makeBot({ listenForCommands: false });
      fake.failNext(2, { kind: 'rate_limit', retryAfterSec: 0.05 });
      const outcome = await adapter.deliver(channel(fake.channelId), makeAlert());
      expect(outcome.ok).toBe(true);
      expect(fake.messages).toHaveLength(1);
      expect(fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/messages'))).toHaveLength(3);
    });

    it('returns rate_limited with the wait when Discord asks for longer than it will sit out', async () => {
      const { adapter } = makeBot({ listenForCommands: false, maxRateLimitWaitMs: 1_000 });
      fake.failNext(1, { kind: 'rate_limit', retryAfterSec: 30 });
      const outcome = await adapter.deliver(channel(fake.channelId), makeAlert());
      expect(outcome).toMatchObject({ ok: false, reason: 'rate_limited', retryAfterMs: 30_000 });
      expect(fake.messages).toHaveLength(0);
    });

    it('maps 10003 Unknown Channel and 50001 Missing Access to rejected, not retryable', async () => {
      const { adapter } = makeBot({ listenForCommands: false });
      fake.failNext(1, { kind: 'unknown_channel' });
      fake.failNext(1, { kind: 'missing_access' });
      const first = await adapter.deliver(channel(fake.channelId), makeAlert());
      const second = await adapter.deliver(channel(fake.channelId), makeAlert());
      expect(first).toMatchObject({ ok: false, reason: 'rejected', retryable: false, message: expect.stringContaining('10003') });
      expect(second).toMatchObject({ ok: false, reason: 'rejected', retryable: false, message: expect.stringContaining('50001') });
      expect(logs.text()).not.toContain(TOKEN);
    });

    it('maps persistent 5xx and an unreachable API to unavailable, retryable', async () => {
      const { adapter } = makeBot({ listenForCommands: false });
      fake.failNext(10, { kind: 'server_error' });
      const outcome = await adapter.deliver(channel(fake.channelId), makeAlert());
      expect(outcome).toMatchObject({ ok: false, reason: 'unavailable', retryable: true });

      const unreachable = createDiscordBot({
        token: TOKEN,
        apiUrl: 'http://127.0.0.1:1/api',
        logger: logs.logger,
        restOffsetMs: 0,
        listenForCommands: false,
        onCommand: async () => ({ ok: true, text: '', lines: [], ephemeral: true }),
      });
      try {
        expect(await unreachable.adapter.deliver(channel(fake.channelId), makeAlert())).toMatchObject({
          ok: false,
          reason: 'unavailable',
          retryable: true,
        });
      } finally {
        await unreachable.close();
      }
    });

    it('refuses a channel id that is not a snowflake without calling Discord', async () => {
      const { adapter } = makeBot({ listenForCommands: false });
      const outcome = await adapter.deliver(channel('../../users/@me'), makeAlert());
      expect(outcome).toMatchObject({ ok: false, reason: 'rejected', retryable: false });
      expect(fake.requests).toHaveLength(0);
    });
  });

  describe('commands', () => {
    it('start() logs in through the fake gateway and registers every command globally', async () => {
      const started = makeBot();
      await started.start();
      expect(fake.identifies).toHaveLength(1);
      expect(fake.identifies[0]).toMatchObject({ token: TOKEN, intents: 1 });
      expect(fake.commands).toHaveLength(1);
      const [put] = fake.commands;
      expect(put?.appId).toBe(fake.appId);
      expect(put?.guildId).toBeUndefined();
      expect(put?.body).toEqual(DISCORD_COMMANDS);
      expect(put?.body.map((c) => c['name']).sort()).toEqual(['alerts', 'news', 'price', 'source', 'status', 'watch', 'wirewatch']);
    });

    it('routes /watch add terms:nvidia to onCommand and replies with the rendered, ephemeral reply', async () => {
      const started = makeBot();
      await started.start();
      const payload = fake.chatInput({ name: 'watch', subcommand: 'add', options: { terms: 'nvidia' } });
      fake.dispatchInteraction(payload);
      await fake.waitFor(() => fake.callbacks.length > 0);

      expect(requests).toEqual([{ name: 'watch', args: 'add nvidia', channel: `discord:${fake.channelId}`, user: expect.any(String), canManage: true }]);
      const [callback] = fake.callbacks;
      expect(callback?.interactionId).toBe(payload['id']);
      expect(callback?.body.type).toBe(4);
      const expected: CommandReply = { ok: true, text: 'Watching add nvidia', lines: [], ephemeral: true };
      expect(callback?.body.data).toMatchObject({
        content: renderDiscordReply(expected).content,
        flags: 64,
        allowed_mentions: { parse: [] },
      });
    });

    it('joins subcommands and options into args: remove quotes a phrase, list, /news query', async () => {
      const started = makeBot();
      await started.start();
      fake.dispatchInteraction(fake.chatInput({ name: 'watch', subcommand: 'remove', options: { term: 'stargate project' } }));
      fake.dispatchInteraction(fake.chatInput({ name: 'watch', subcommand: 'list' }));
      fake.dispatchInteraction(fake.chatInput({ name: 'news', options: { query: ' bitcoin etf ' } }));
      fake.dispatchInteraction(fake.chatInput({ name: 'news' }));
      await fake.waitFor(() => fake.callbacks.length === 4);
      expect(requests.map((r) => `${r.name}|${r.args}`).sort()).toEqual(
        ['news|', 'news|bitcoin etf', 'watch|list', 'watch|remove "stargate project"'].sort(),
      );
    });

    it('answers a public reply without the ephemeral flag, links escaped', async () => {
      const started = makeBot({
        onCommand: async () => ({
          ok: true,
          text: 'Recent news',
          lines: [{ text: '**Nvidia** @everyone', url: 'https://example.com/n', meta: 'Example' }],
          ephemeral: false,
        }),
      });
      await started.start();
      fake.dispatchInteraction(fake.chatInput({ name: 'news', options: { query: 'nvidia' } }));
      await fake.waitFor(() => fake.callbacks.length > 0);
      const data = fake.callbacks[0]?.body.data ?? {};
      expect(data['flags'] ?? 0).toBe(0);
      expect(data['content']).toBe('Recent news\n- [\\*\\*Nvidia\\*\\* @\u200beveryone](<https://example.com/n>) _Example_');
    });

    it('defers a slow command and edits the answer in', async () => {
      const started = makeBot({
        deferAfterMs: 0,
        onCommand: async (request) => {
          // Answer only once the deferral reached Discord, so the edit path is taken.
          await fake.waitFor(() => fake.callbacks.length > 0);
          return { ok: true, text: `late ${request.args}`, lines: [], ephemeral: true };
        },
      });
      await started.start();
      fake.dispatchInteraction(fake.chatInput({ name: 'watch', subcommand: 'list' }));
      await fake.waitFor(() => fake.webhookPosts.length > 0);
      expect(fake.callbacks[0]?.body).toMatchObject({ type: 5, data: { flags: 64 } });
      const [edit] = fake.webhookPosts;
      expect(edit).toMatchObject({ method: 'PATCH', webhookId: fake.appId, rest: '/messages/@original' });
      expect(edit?.body).toMatchObject({ content: 'late list', allowed_mentions: { parse: [] } });
    });

    it('turns a throwing handler into a short ephemeral error reply, without a stack trace', async () => {
      const started = makeBot({
        onCommand: async () => {
          throw new Error('redis exploded\n    at secret (/srv/app.js:1:1)');
        },
      });
      await started.start();
      fake.dispatchInteraction(fake.chatInput({ name: 'watch', subcommand: 'list' }));
      await fake.waitFor(() => fake.callbacks.length > 0);
      const data = fake.callbacks[0]?.body.data ?? {};
      expect(data).toMatchObject({ content: 'wirewatch: something went wrong', flags: 64 });
      expect(String(data['content'])).not.toMatch(/redis|at secret/);
      const line = logs.lines.find((l) => l['msg'] === 'discord command failed');
      expect(line).toMatchObject({ command: 'watch', error: 'redis exploded' });
      expect(logs.text()).not.toContain('at secret');
    });
  });
});
