// The Discord bot: alerts go out over REST (no gateway needed), slash commands come in over the
// gateway. discord.js does the protocol work; this file maps it to our ports.
import {
  Client,
  Events,
  GatewayIntentBits,
  InteractionContextType,
  MessageFlags,
  PermissionFlagsBits,
  REST,
  Routes,
  SlashCommandBuilder,
  type APIMessage,
  type ChatInputCommandInteraction,
  type Interaction,
  type RESTOptions,
  type RESTPostAPIApplicationCommandsJSONBody,
} from 'discord.js';
import type { Alert, ChannelConfig } from '../../domain.js';
import { describeError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { channelKey, type ChatAdapter, type CommandHandler, type CommandRequest, type DeliveryOutcome } from '../chat-adapter.js';
import { DEFAULT_MAX_RATE_LIMIT_WAIT_MS, isSnowflake, outcomeFromError } from './outcome.js';
import { renderDiscordAlert, renderDiscordReply } from './render.js';

export interface DiscordBotOptions {
  /** Bot token (without the `Bot ` prefix). */
  token: string;
  /** Base of the API, e.g. `http://127.0.0.1:PORT/api` (`DISCORD_API_URL`); REST and gateway discovery use it. Default Discord's. */
  apiUrl?: string | undefined;
  logger: Logger;
  /** Runs `/watch` and `/news`. */
  onCommand: CommandHandler;
  /** Extra ms @discordjs/rest waits past a rate-limit reset (its default is 50); 0 in tests. */
  restOffsetMs?: number;
  /** Default true: `start()` logs in to the gateway and registers the slash commands. False: delivery only. */
  listenForCommands?: boolean;
  /** Longest rate-limit wait, in ms, sat out inside one delivery; longer waits return `rate_limited`. */
  maxRateLimitWaitMs?: number;
  /**
   * When a command has not answered after this many ms, the interaction is deferred (ephemeral) and
   * the answer edited in later; Discord drops interactions not acknowledged within 3 s. Default 2000.
   */
  deferAfterMs?: number;
}

/** A Discord bot: an alert adapter plus the gateway connection that receives slash commands. */
export interface DiscordBot {
  /** Delivers alerts; works without `start()`. Its `close()` closes the whole bot. */
  adapter: ChatAdapter;
  /** Logs in to the gateway and registers the commands (a no-op when `listenForCommands` is false). Resolves once ready. */
  start(): Promise<void>;
  /** Destroys the gateway client and aborts REST requests in flight. */
  close(): Promise<void>;
}

/** The slash commands registered globally on `start()`. `/watch` needs Manage Channels by default. */
export const DISCORD_COMMANDS: RESTPostAPIApplicationCommandsJSONBody[] = [
  new SlashCommandBuilder()
    .setName('watch')
    .setDescription('Manage the watch terms of this channel')
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageChannels)
    .setContexts(InteractionContextType.Guild)
    .addSubcommand((sub) =>
      sub
        .setName('add')
        .setDescription('Alert this channel on news matching these terms')
        .addStringOption((opt) =>
          opt.setName('terms').setDescription('Terms; quote phrases: nvidia "stargate project"').setRequired(true).setMaxLength(200),
        ),
    )
    .addSubcommand((sub) =>
      sub
        .setName('remove')
        .setDescription('Stop watching a term')
        .addStringOption((opt) => opt.setName('term').setDescription('The term to remove').setRequired(true).setMaxLength(100)),
    )
    .addSubcommand((sub) => sub.setName('list').setDescription('Show the watch terms of this channel'))
    .toJSON(),
  new SlashCommandBuilder()
    .setName('news')
    .setDescription('Recent alerts, optionally matching a query')
    .addStringOption((opt) => opt.setName('query').setDescription('Words to look for').setMaxLength(100))
    .toJSON(),
];

const ERROR_REPLY = 'wirewatch: something went wrong';

/** `remove` takes one term: a phrase is quoted so the command parser keeps it whole. */
function quoteTerm(term: string): string {
  const t = term.trim();
  if (!/\s/.test(t) || /^".*"$/.test(t)) return t;
  return `"${t.replaceAll('"', '')}"`;
}

/** Joins a chat-input command's subcommand and options into the platform-neutral `args` string. */
export function commandArgs(interaction: ChatInputCommandInteraction): string {
  if (interaction.commandName === 'watch') {
    const sub = interaction.options.getSubcommand(false);
    if (sub === 'add') return `add ${interaction.options.getString('terms', true).trim()}`;
    if (sub === 'remove') return `remove ${quoteTerm(interaction.options.getString('term', true))}`;
    return sub ?? '';
  }
  return interaction.options.getString('query')?.trim() ?? '';
}

/** Creates the bot. Nothing connects until `deliver` or `start` is called. */
export function createDiscordBot(options: DiscordBotOptions): DiscordBot {
  const log = options.logger.child({ adapter: 'discord' });
  const maxWaitMs = options.maxRateLimitWaitMs ?? DEFAULT_MAX_RATE_LIMIT_WAIT_MS;
  const deferAfterMs = options.deferAfterMs ?? 2_000;
  const restOptions: Partial<RESTOptions> = {
    ...(options.apiUrl ? { api: options.apiUrl } : {}),
    ...(options.restOffsetMs !== undefined ? { offset: options.restOffsetMs } : {}),
  };
  const rest = new REST({ ...restOptions, rejectOnRateLimit: (data) => data.retryAfter > maxWaitMs }).setToken(options.token);
  const aborter = new AbortController();
  let client: Client | undefined;
  let closed = false;

  async function deliver(channel: ChannelConfig, alert: Alert): Promise<DeliveryOutcome> {
    if (closed) return { ok: false, reason: 'unavailable', retryable: true, message: 'discord: adapter closed' };
    if (!isSnowflake(channel.id)) {
      return { ok: false, reason: 'rejected', retryable: false, message: 'discord: channel id is not a snowflake' };
    }
    try {
      const message = (await rest.post(Routes.channelMessages(channel.id), {
        body: renderDiscordAlert(alert),
        signal: aborter.signal,
      })) as APIMessage;
      return { ok: true, ref: message.id };
    } catch (err) {
      const outcome = outcomeFromError(err);
      log.warn({ channel: channel.id, alert: alert.id, outcome }, 'discord delivery failed');
      return outcome;
    }
  }

  async function answerError(interaction: ChatInputCommandInteraction, deferral: Promise<unknown> | undefined): Promise<void> {
    await deferral?.catch(() => undefined);
    const body = { content: ERROR_REPLY, allowedMentions: { parse: [] } };
    if (interaction.replied) await interaction.followUp({ ...body, flags: MessageFlags.Ephemeral });
    else if (interaction.deferred) await interaction.editReply(body);
    else await interaction.reply({ ...body, flags: MessageFlags.Ephemeral });
  }

  async function onInteraction(interaction: Interaction): Promise<void> {
    if (!interaction.isChatInputCommand()) return;
    const name = interaction.commandName;
    const clog = log.child({ command: name, user: interaction.user.id, channel: interaction.channelId });
    let deferral: Promise<unknown> | undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      if ((name !== 'watch' && name !== 'news') || !interaction.channelId) {
        await interaction.reply({ content: 'wirewatch: unknown command', flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
        return;
      }
      const request: CommandRequest = {
        name,
        args: commandArgs(interaction),
        channel: channelKey('discord', interaction.channelId),
        user: interaction.user.id,
      };
      timer = setTimeout(() => {
        deferral = interaction.deferReply({ flags: MessageFlags.Ephemeral });
        deferral.catch(() => undefined);
      }, deferAfterMs);
      const reply = await options.onCommand(request);
      clearTimeout(timer);
      const body = renderDiscordReply(reply);
      if (deferral) {
        await deferral;
        await interaction.editReply({ content: body.content, allowedMentions: { parse: [] } });
      } else {
        await interaction.reply({
          content: body.content,
          allowedMentions: { parse: [] },
          ...(body.flags !== undefined ? { flags: MessageFlags.Ephemeral } : {}),
        });
      }
    } catch (err) {
      clearTimeout(timer);
      clog.error({ error: describeError(err) }, 'discord command failed');
      await answerError(interaction, deferral).catch((replyErr: unknown) =>
        clog.warn({ error: describeError(replyErr) }, 'discord error reply failed'),
      );
    }
  }

  async function start(): Promise<void> {
    if (options.listenForCommands === false || client || closed) return;
    const c = new Client({ intents: [GatewayIntentBits.Guilds], rest: restOptions, allowedMentions: { parse: [] } });
    client = c;
    c.on(Events.Error, (err) => log.error({ error: describeError(err) }, 'discord client error'));
    c.on(Events.ShardError, (err) => log.warn({ error: describeError(err) }, 'discord gateway error'));
    c.on(Events.InteractionCreate, (interaction) => void onInteraction(interaction));
    const ready = new Promise<Client<true>>((resolve) => c.once(Events.ClientReady, resolve));
    let readyClient: Client<true>;
    try {
      await c.login(options.token);
      readyClient = await ready;
    } catch (err) {
      // login() already destroyed the client; forget it so a later start() can try again.
      client = undefined;
      log.error({ error: describeError(err) }, 'discord login failed');
      throw err;
    }
    const appId = readyClient.application.id;
    try {
      await rest.put(Routes.applicationCommands(appId), { body: DISCORD_COMMANDS, signal: aborter.signal });
      log.info({ commands: DISCORD_COMMANDS.map((cmd) => cmd.name) }, 'discord commands registered');
    } catch (err) {
      // Global commands persist on Discord's side; a failed refresh must not stop alerts.
      log.error({ error: describeError(err) }, 'discord command registration failed');
    }
    log.info({ user: readyClient.user.tag }, 'discord gateway ready');
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    aborter.abort();
    rest.clearHashSweeper();
    rest.clearHandlerSweeper();
    await client?.destroy();
  }

  return { adapter: { kind: 'discord', deliver, close }, start, close };
}
