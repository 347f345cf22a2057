// The Discord bot: alerts go out over REST (no gateway needed), slash commands come in over the
// gateway. discord.js does the protocol work; this file maps it to our ports.
import {
  Client,
  Events,
  GatewayIntentBits,
  MessageFlags,
  REST,
  Routes,
  type APIEmbed,
  type APIMessage,
  type ChatInputCommandInteraction,
  type Interaction,
  type RESTOptions,
} from 'discord.js';
import type { Alert, ChannelConfig, Lang } from '../../domain.js';
import { describeError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { channelKey, type ChatAdapter, type CommandHandler, type CommandRequest, type DeliveryOutcome } from '../chat-adapter.js';
import { commandArgs, commandSpec, DISCORD_COMMANDS, manageRights } from './commands.js';
import { DEFAULT_MAX_RATE_LIMIT_WAIT_MS, isSnowflake, outcomeFromError } from './outcome.js';
import { renderDiscordAlert, renderDiscordDigest, renderDiscordReply, withOutletsEmbed } from './render.js';

export interface DiscordBotOptions {
  /** Bot token (without the `Bot ` prefix). */
  token: string;
  /** Base of the API, e.g. `http://127.0.0.1:PORT/api` (`DISCORD_API_URL`); REST and gateway discovery use it. Default Discord's. */
  apiUrl?: string | undefined;
  logger: Logger;
  /** Runs the slash commands (`/watch`, `/source`, `/news`, `/alerts`, `/price`, `/status`, `/wirewatch`). */
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
  /**
   * Leaves the gateway but keeps delivering over REST; `start()` may log in again later. Used when
   * several processes share one token: only the holder of the gateway lease stays connected.
   */
  stopListening(): Promise<void>;
  /** Destroys the gateway client and aborts REST requests in flight. */
  close(): Promise<void>;
}

const ERROR_REPLY = 'wirewatch: something went wrong';

/** Alerts whose embeds are remembered for story updates without reading the message back. */
const POSTED_CACHE_MAX = 500;

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

  /**
   * Runs one REST call with a signal of its own, aborted by `close()`. @discordjs/rest adds an
   * abort listener to the signal it is given and never removes it: one signal shared by every
   * call would keep a listener for each message sent, for the life of the bot.
   */
  async function abortable<T>(call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const request = new AbortController();
    const abort = () => request.abort(aborter.signal.reason);
    if (aborter.signal.aborted) abort();
    else aborter.signal.addEventListener('abort', abort, { once: true });
    try {
      return await call(request.signal);
    } finally {
      aborter.signal.removeEventListener('abort', abort);
    }
  }
  let client: Client | undefined;
  let closed = false;

  /** Embeds of recently posted alerts, by `channel:message`, so a story update need not read the message back. */
  const posted = new Map<string, APIEmbed[]>();
  const remember = (key: string, embeds: APIEmbed[]): void => {
    posted.delete(key);
    posted.set(key, embeds);
    for (const oldest of posted.keys()) {
      if (posted.size <= POSTED_CACHE_MAX) break;
      posted.delete(oldest);
    }
  };

  /** Refuses what must never reach a route; undefined when the channel can be used. */
  function unusable(channel: ChannelConfig): DeliveryOutcome | undefined {
    if (closed) return { ok: false, reason: 'unavailable', retryable: true, message: 'discord: adapter closed' };
    if (!isSnowflake(channel.id)) {
      return { ok: false, reason: 'rejected', retryable: false, message: 'discord: channel id is not a snowflake' };
    }
    return undefined;
  }

  async function post(channel: ChannelConfig, body: ReturnType<typeof renderDiscordAlert>, what: Record<string, unknown>): Promise<DeliveryOutcome> {
    const refused = unusable(channel);
    if (refused) return refused;
    try {
      const message = (await abortable((signal) => rest.post(Routes.channelMessages(channel.id), { body, signal }))) as APIMessage;
      return { ok: true, ref: message.id };
    } catch (err) {
      const outcome = outcomeFromError(err);
      log.warn({ channel: channel.id, ...what, outcome }, 'discord delivery failed');
      return outcome;
    }
  }

  async function deliver(channel: ChannelConfig, alert: Alert): Promise<DeliveryOutcome> {
    const body = renderDiscordAlert(alert);
    const outcome = await post(channel, body, { alert: alert.id });
    if (outcome.ok && outcome.ref) remember(`${channel.id}:${outcome.ref}`, body.embeds);
    return outcome;
  }

  /**
   * Story update: the first message (`ref`, posted by this bot) is edited so its embed carries the
   * outlets field. No reply is posted: on Discord a reply is a new channel message, and a story gets
   * one message per channel. The embed is read back (GET) unless it was posted by this process.
   */
  async function updateStory(channel: ChannelConfig, ref: string, alert: Alert): Promise<DeliveryOutcome> {
    const refused = unusable(channel);
    if (refused) return refused;
    if (!isSnowflake(ref)) return { ok: false, reason: 'rejected', retryable: false, message: 'discord: message id is not a snowflake' };
    const key = `${channel.id}:${ref}`;
    try {
      let embeds = posted.get(key);
      if (!embeds) {
        const message = (await abortable((signal) => rest.get(Routes.channelMessage(channel.id, ref), { signal }))) as APIMessage;
        embeds = message.embeds;
      }
      const [first, ...others] = embeds;
      if (!first) return { ok: false, reason: 'rejected', retryable: false, message: 'discord: the first message has no embed to update' };
      const next = [withOutletsEmbed(first, alert), ...others];
      await abortable((signal) => rest.patch(Routes.channelMessage(channel.id, ref), { body: { embeds: next, allowed_mentions: { parse: [] } }, signal }));
      remember(key, next);
      return { ok: true, ref };
    } catch (err) {
      const outcome = outcomeFromError(err);
      log.warn({ channel: channel.id, ref, alert: alert.id, outcome }, 'discord story update failed');
      return outcome;
    }
  }

  function deliverDigest(channel: ChannelConfig, alerts: readonly Alert[], lang: Lang, note?: string): Promise<DeliveryOutcome> {
    return post(channel, renderDiscordDigest(alerts, lang, note), { digest: alerts.length });
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
      const spec = commandSpec(name);
      if (!spec || !interaction.channelId) {
        await interaction.reply({ content: 'wirewatch: unknown command', flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
        return;
      }
      const request: CommandRequest = {
        name: spec.name,
        args: commandArgs(interaction),
        channel: channelKey('discord', interaction.channelId),
        user: interaction.user.id,
        ...manageRights(interaction),
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
      await abortable((signal) => rest.put(Routes.applicationCommands(appId), { body: DISCORD_COMMANDS, signal }));
      log.info({ commands: DISCORD_COMMANDS.map((cmd) => cmd.name) }, 'discord commands registered');
    } catch (err) {
      // Global commands persist on Discord's side; a failed refresh must not stop alerts.
      log.error({ error: describeError(err) }, 'discord command registration failed');
    }
    log.info({ user: readyClient.user.tag }, 'discord gateway ready');
  }

  async function stopListening(): Promise<void> {
    const c = client;
    client = undefined;
    if (c) {
      await c.destroy();
      log.info('discord gateway left');
    }
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    aborter.abort();
    rest.clearHashSweeper();
    rest.clearHandlerSweeper();
    await client?.destroy();
  }

  return { adapter: { kind: 'discord', deliver, updateStory, deliverDigest, close }, start, stopListening, close };
}
