// Every slash command through the real discord.js Client (fake gateway INTERACTION_CREATE), the
// registration bodies, and `registerDiscordCommands` over the real REST client.
import { PermissionFlagsBits } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommandReply, CommandRequest } from '../../../src/bots/chat-adapter.js';
import {
  closedByDefault,
  COMMAND_SPECS,
  DISCORD_COMMANDS,
  DISCORD_DM_HINT,
  DISCORD_MANAGE_HINT,
  registerDiscordCommands,
} from '../../../src/bots/discord/commands.js';
import { createDiscordBot, type DiscordBot } from '../../../src/bots/discord/discord-adapter.js';
import { WirewatchError } from '../../../src/errors.js';
import { startFakeDiscord, type ChatInputSpec, type FakeDiscord } from '../../support/fake-discord.js';
import { captureLogger } from './helpers.js';

const TOKEN = 'fake-bot-token';

interface OptionJson {
  name: string;
  type: number;
  required?: boolean;
  choices?: Array<{ value: string }>;
  options?: OptionJson[];
}
interface CommandJson {
  name: string;
  options?: OptionJson[];
  default_member_permissions?: string | null;
  contexts?: number[];
}

const commandJson = (name: string): CommandJson => DISCORD_COMMANDS.find((c) => c.name === name) as unknown as CommandJson;

describe('Discord command registration bodies', () => {
  it('declares the seven commands with their subcommands and typed options', () => {
    const shape = DISCORD_COMMANDS.map((c) => {
      const json = c as unknown as CommandJson;
      return [json.name, (json.options ?? []).map((o) => (o.type === 1 ? `${o.name}(${(o.options ?? []).map((x) => `${x.name}:${x.type}`).join(',')})` : `${o.name}:${o.type}`))];
    });
    expect(shape).toEqual([
      ['watch', ['add(terms:3)', 'remove(term:3)', 'list()', 'clear()']],
      ['source', ['add(url:3,every:3)', 'remove(id:3)', 'list()', 'test(url:3)']],
      ['news', ['query:3', 'since:3']],
      ['alerts', ['show()', 'pause()', 'resume()', 'digest(interval:3)', 'quiet(hours:3,tz:3)', 'cap(per_hour:4)', 'lang(lang:3)', 'breaking(mode:3)']],
      ['price', ['symbol:3']],
      ['status', []],
      ['wirewatch', ['help()']],
    ]);
    const alerts = commandJson('alerts').options ?? [];
    expect(alerts.find((o) => o.name === 'digest')?.options?.[0]?.choices?.map((c) => c.value)).toEqual(['15m', '1h', 'daily', 'off']);
    expect(alerts.find((o) => o.name === 'lang')?.options?.[0]?.choices?.map((c) => c.value)).toEqual(['en', 'fr']);
  });

  it('leaves every command open by default: each mixes lookups with changes, so the check is server-side', () => {
    for (const c of DISCORD_COMMANDS) expect((c as unknown as CommandJson).default_member_permissions ?? null).toBeNull();
    // The rule itself: a command whose subcommands all change configuration would be closed.
    const watch = COMMAND_SPECS.find((c) => c.name === 'watch');
    if (!watch?.subcommands) throw new Error('no /watch');
    expect(closedByDefault(watch)).toBe(false);
    expect(closedByDefault({ ...watch, subcommands: watch.subcommands.filter((s) => s.manages) })).toBe(true);
  });

  it('keeps configuration commands to servers and lets lookups run in a DM', () => {
    expect(commandJson('watch').contexts).toEqual([0]);
    expect(commandJson('alerts').contexts).toEqual([0]);
    expect(commandJson('news').contexts).toEqual([0, 1]);
    expect(commandJson('wirewatch').contexts).toEqual([0, 1]);
  });
});

describe('Discord commands through the real client', () => {
  let fake: FakeDiscord;
  let bot: DiscordBot | undefined;
  let requests: CommandRequest[];

  async function startBot(): Promise<void> {
    bot = createDiscordBot({
      token: TOKEN,
      apiUrl: fake.apiUrl,
      logger: captureLogger().logger,
      restOffsetMs: 0,
      onCommand: async (request): Promise<CommandReply> => {
        requests.push(request);
        if (!request.canManage && request.name === 'watch' && request.args.startsWith('add')) {
          return { ok: false, text: `Not allowed: ${request.manageHint ?? ''}`, lines: [], ephemeral: true };
        }
        return { ok: true, text: `ran /${request.name} ${request.args}`, lines: [], ephemeral: true };
      },
    });
    await bot.start();
  }

  async function run(spec: ChatInputSpec): Promise<{ request: CommandRequest | undefined; content: unknown }> {
    const before = fake.callbacks.length;
    requests.length = 0;
    fake.dispatchInteraction(fake.chatInput(spec));
    await fake.waitFor(() => fake.callbacks.length > before);
    return { request: requests[0], content: fake.callbacks[before]?.body.data?.['content'] };
  }

  beforeEach(async () => {
    fake = await startFakeDiscord();
    requests = [];
  });

  afterEach(async () => {
    await bot?.close();
    bot = undefined;
    await fake.close();
  });

  it('every command and subcommand reaches the handler with its args in the core text form', async () => {
    await startBot();
    const cases: Array<[ChatInputSpec, CommandRequest['name'], string]> = [
      [{ name: 'watch', subcommand: 'add', options: { terms: 'nvidia "stargate project" -gaming' } }, 'watch', 'add nvidia "stargate project" -gaming'],
      [{ name: 'watch', subcommand: 'remove', options: { term: 'stargate project' } }, 'watch', 'remove "stargate project"'],
      [{ name: 'watch', subcommand: 'remove', options: { term: 'nvidia' } }, 'watch', 'remove nvidia'],
      [{ name: 'watch', subcommand: 'list' }, 'watch', 'list'],
      [{ name: 'watch', subcommand: 'clear' }, 'watch', 'clear'],
      [{ name: 'source', subcommand: 'add', options: { url: 'https://example.com/feed.xml', every: '15m' } }, 'source', 'add https://example.com/feed.xml 15m'],
      [{ name: 'source', subcommand: 'add', options: { url: 'https://example.com/feed.xml' } }, 'source', 'add https://example.com/feed.xml'],
      [{ name: 'source', subcommand: 'remove', options: { id: 'chat-example' } }, 'source', 'remove chat-example'],
      [{ name: 'source', subcommand: 'list' }, 'source', 'list'],
      [{ name: 'source', subcommand: 'test', options: { url: 'https://example.com/feed.xml' } }, 'source', 'test https://example.com/feed.xml'],
      [{ name: 'news', options: { query: ' nvidia openai ', since: '24h' } }, 'news', 'nvidia openai since:24h'],
      [{ name: 'news', options: { since: 'since:1h' } }, 'news', 'since:1h'],
      [{ name: 'news' }, 'news', ''],
      [{ name: 'alerts', subcommand: 'show' }, 'alerts', ''],
      [{ name: 'alerts', subcommand: 'pause' }, 'alerts', 'pause'],
      [{ name: 'alerts', subcommand: 'resume' }, 'alerts', 'resume'],
      [{ name: 'alerts', subcommand: 'digest', options: { interval: '1h' } }, 'alerts', 'digest 1h'],
      [{ name: 'alerts', subcommand: 'quiet', options: { hours: '22:00-07:00', tz: 'Europe/Paris' } }, 'alerts', 'quiet 22:00-07:00 Europe/Paris'],
      [{ name: 'alerts', subcommand: 'cap', options: { per_hour: 5 } }, 'alerts', 'cap 5/h'],
      [{ name: 'alerts', subcommand: 'lang', options: { lang: 'fr' } }, 'alerts', 'lang fr'],
      [{ name: 'alerts', subcommand: 'breaking', options: { mode: 'on' } }, 'alerts', 'breaking on'],
      [{ name: 'price', options: { symbol: 'BTC' } }, 'price', 'BTC'],
      [{ name: 'status' }, 'status', ''],
      [{ name: 'wirewatch', subcommand: 'help' }, 'wirewatch', 'help'],
    ];
    const seen: string[] = [];
    for (const [spec, name, args] of cases) {
      const { request, content } = await run(spec);
      expect(request).toEqual({ name, args, channel: `discord:${fake.channelId}`, user: expect.any(String), canManage: true });
      expect(content).toBe(`ran /${name} ${args}`);
      seen.push(name);
    }
    expect(new Set(seen)).toEqual(new Set(COMMAND_SPECS.map((c) => c.name)));
  });

  it('a member without Manage Channels is refused: canManage false with the hint, the refusal shown ephemeral', async () => {
    await startBot();
    const noManage = (BigInt(PermissionFlagsBits.SendMessages) | BigInt(PermissionFlagsBits.ViewChannel)).toString();
    const { request, content } = await run({ name: 'watch', subcommand: 'add', options: { terms: 'nvidia' }, permissions: noManage });
    expect(request).toMatchObject({ name: 'watch', args: 'add nvidia', canManage: false, manageHint: DISCORD_MANAGE_HINT });
    expect(content).toBe(`Not allowed: ${DISCORD_MANAGE_HINT}`);
    expect(fake.callbacks.at(-1)?.body.data?.['flags']).toBe(64);
  });

  it('Manage Channels alone, or Administrator, is enough', async () => {
    await startBot();
    const manage = await run({ name: 'watch', subcommand: 'list', permissions: BigInt(PermissionFlagsBits.ManageChannels).toString() });
    expect(manage.request?.canManage).toBe(true);
    const admin = await run({ name: 'watch', subcommand: 'list', permissions: BigInt(PermissionFlagsBits.Administrator).toString() });
    expect(admin.request?.canManage).toBe(true);
  });

  it('in a DM nobody manages, and the hint says why', async () => {
    await startBot();
    const { request, content } = await run({ name: 'news', options: { query: 'bitcoin' }, dm: true, channelId: '900000000000000001' });
    expect(request).toMatchObject({ name: 'news', args: 'bitcoin', channel: 'discord:900000000000000001', canManage: false, manageHint: DISCORD_DM_HINT });
    expect(content).toBe('ran /news bitcoin');
  });

  it('an unknown command gets a short reply and never reaches the handler', async () => {
    await startBot();
    await run({ name: 'nope' });
    expect(requests).toHaveLength(0);
    expect(fake.callbacks.at(-1)?.body.data?.['content']).toBe('wirewatch: unknown command');
  });
});

describe('registerDiscordCommands', () => {
  let fake: FakeDiscord;
  beforeEach(async () => {
    fake = await startFakeDiscord();
  });
  afterEach(async () => {
    await fake.close();
  });

  it('registers globally, asking the application id from /applications/@me', async () => {
    const logs = captureLogger();
    const result = await registerDiscordCommands({ token: TOKEN, apiUrl: fake.apiUrl, logger: logs.logger, restOffsetMs: 0 });
    expect(result).toEqual({ scope: 'global', count: 7 });
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /applications/@me', `PUT /applications/${fake.appId}/commands`]);
    expect(fake.commands).toEqual([{ appId: fake.appId, body: DISCORD_COMMANDS }]);
    expect(logs.text()).not.toContain(TOKEN);
  });

  it('registers for one guild with a given application id', async () => {
    const result = await registerDiscordCommands({
      token: TOKEN,
      apiUrl: fake.apiUrl,
      applicationId: '123456789012345678',
      guildId: fake.guildId,
      logger: captureLogger().logger,
      restOffsetMs: 0,
    });
    expect(result).toEqual({ scope: 'guild', count: 7 });
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`PUT /applications/123456789012345678/guilds/${fake.guildId}/commands`]);
    expect(fake.commands[0]).toMatchObject({ appId: '123456789012345678', guildId: fake.guildId });
  });

  it('throws a typed error when Discord is unreachable', async () => {
    const err = await registerDiscordCommands({ token: TOKEN, apiUrl: 'http://127.0.0.1:1/api', logger: captureLogger().logger, restOffsetMs: 0 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WirewatchError);
  });
});
