// Composition root: config → logger → redis → store → fetcher → adapters → commands → pipeline →
// scheduler. The only place that constructs clients. Imported only by the entry points (cli, demo).
import { Redis } from 'ioredis';
import type { AdapterKind, Alert, ChannelConfig, SourceConfig } from './domain.js';
import type { Config } from './config.js';
import { describeError } from './errors.js';
import type { Logger } from './log.js';
import { redactUrl } from './log.js';
import type { ChatAdapter, CommandHandler } from './bots/chat-adapter.js';
import { createCommandHandler } from './bots/commands/command-core.js';
import { createConsoleAdapter, type ConsoleAdapterOptions } from './bots/console-adapter.js';
import { createDiscordBot, type DiscordBot } from './bots/discord/discord-adapter.js';
import { createDiscordWebhookAdapter } from './bots/discord/discord-webhook-adapter.js';
import { createSlackBot, type SlackBot } from './bots/slack/slack-adapter.js';
import { createSlackWebhookAdapter } from './bots/slack/slack-webhook-adapter.js';
import { createDeliverer, type Deliverer, type DrainReport } from './pipeline/deliver.js';
import { createPipeline, type Pipeline, type PollReport } from './pipeline/poll-source.js';
import { createScheduler, type Scheduler } from './pipeline/scheduler.js';
import { createSafeFetcher, DEFAULT_FETCH_POLICY } from './sources/http/safe-fetch.js';
import { SOURCE_KINDS } from './sources/registry.js';
import { createMemoryStore } from './store/memory-store.js';
import { createRedisStore } from './store/redis-store.js';
import type { Store } from './store/store.js';

export interface AppOptions {
  logger: Logger;
  /** How the console adapter prints (poll --json makes it silent and prints JSON itself). */
  console?: ConsoleAdapterOptions;
  /** Called for every alert enqueued. */
  onAlert?: (alert: Alert, channel: ChannelConfig) => void;
  /** Start the chat listeners (Slack HTTP receiver, Discord gateway). `poll --once` does not. */
  listen?: boolean;
  /** Use this store instead of the one the config names (the demo, tests). */
  store?: Store;
  /** Run the per-source schedule on start (default true); tests drive polls with pollOnce(). */
  schedule?: boolean;
  /** Options of the Slack receiver that tests set (deterministic answers). */
  slack?: { processBeforeResponse?: boolean; host?: string };
  /** Poll every source right away when the scheduler starts. */
  pollOnStart?: boolean;
  /** Interval of the outbox retry loop, in ms. */
  deliveryIntervalMs?: number;
}

export interface App {
  store: Store;
  /** The command core every platform calls (the demo calls it directly). */
  commands: CommandHandler;
  pipeline: Pipeline;
  deliverer: Deliverer;
  /** The Slack HTTP port once listening. */
  slackPort: number | undefined;
  /** Polls every enabled source once, then delivers what is due. */
  pollOnce(): Promise<{ polls: PollReport[]; delivery: DrainReport }>;
  /** Starts listeners, the per-source schedule and the delivery loop. */
  start(): Promise<void>;
  /** Stops everything and closes what was opened; safe to call twice. */
  stop(): Promise<void>;
}

export async function createApp(config: Config, options: AppOptions): Promise<App> {
  const logger = options.logger;
  let redis: Redis | undefined;
  let store = options.store;
  if (!store) {
    if (config.redis.url) {
      redis = new Redis(config.redis.url, { maxRetriesPerRequest: 3, enableOfflineQueue: true, lazyConnect: false });
      redis.on('error', (err: Error) => logger.warn({ err: err.message }, 'redis connection problem'));
      store = createRedisStore(redis, { prefix: config.redis.prefix, ownsClient: true });
      logger.info({ redis: redactUrl(config.redis.url), prefix: config.redis.prefix }, 'store: redis');
    } else {
      store = createMemoryStore();
      logger.info('store: in-process (set REDIS_URL to remember across restarts)');
    }
  }
  const theStore = store;

  const fetcher = createSafeFetcher({
    ...DEFAULT_FETCH_POLICY,
    allowCidrs: config.fetch.allowCidrs,
    timeoutMs: config.fetch.timeoutMs,
    maxBytes: config.fetch.maxBytes,
    contact: config.fetch.contact,
    perHostSpacingMs: config.fetch.hostSpacingMs,
  });

  // /price reads the same provider as the market source, when one is configured.
  const marketSource = config.sources.find((s) => s.kind === 'market');
  const market = {
    provider: (marketSource?.options.provider === 'coinbase' ? 'coinbase' : 'binance') as 'binance' | 'coinbase',
    baseUrl: marketSource?.url ?? SOURCE_KINDS.market.defaultUrl(SOURCE_KINDS.market.options.parse({ symbols: ['BTC'] })) ?? '',
  };
  const onCommand = createCommandHandler({
    store: theStore,
    logger: logger.child({ part: 'commands' }),
    channels: config.channels,
    sources: config.sources,
    fetcher,
    minIntervalMs: config.minIntervalMs,
    market,
  });
  const adapters = new Map<AdapterKind, ChatAdapter>();
  adapters.set('console', createConsoleAdapter(options.console));
  adapters.set('slack-webhook', createSlackWebhookAdapter({ logger: logger.child({ adapter: 'slack-webhook' }) }));
  adapters.set('discord-webhook', createDiscordWebhookAdapter({ logger: logger.child({ adapter: 'discord-webhook' }), apiUrl: config.discord?.apiUrl }));
  let slack: SlackBot | undefined;
  let discord: DiscordBot | undefined;
  if (config.slack) {
    slack = createSlackBot({
      token: config.slack.token,
      signingSecret: config.slack.signingSecret,
      port: config.slack.port,
      apiUrl: config.slack.apiUrl,
      adminUsers: config.slack.adminUsers,
      logger: logger.child({ adapter: 'slack' }),
      onCommand,
      ...(options.slack?.processBeforeResponse !== undefined ? { processBeforeResponse: options.slack.processBeforeResponse } : {}),
      ...(options.slack?.host !== undefined ? { host: options.slack.host } : {}),
    });
    adapters.set('slack', slack.adapter);
  }
  if (config.discord) {
    discord = createDiscordBot({
      token: config.discord.token,
      apiUrl: config.discord.apiUrl,
      logger: logger.child({ adapter: 'discord' }),
      onCommand,
      listenForCommands: options.listen ?? false,
    });
    adapters.set('discord', discord.adapter);
  }

  // Channels that exist only because someone used a command there (Slack, Discord).
  const chatPlatforms = (['slack', 'discord'] as const).filter((p) => adapters.has(p));
  const chatChannels = async (): Promise<ChannelConfig[]> => {
    if (chatPlatforms.length === 0) return [];
    const keys = await theStore.knownChannels();
    return keys.flatMap((key) => {
      const at = key.indexOf(':');
      const adapter = key.slice(0, at);
      return chatPlatforms.some((p) => p === adapter) ? [{ id: key.slice(at + 1), adapter: adapter as AdapterKind, webhookUrl: undefined, topics: [], watch: [] }] : [];
    });
  };
  const chatSources = async (): Promise<SourceConfig[]> =>
    (await theStore.listChatSources()).map((c) => ({ id: c.id, kind: 'feed', name: undefined, url: c.url, options: {}, every: c.every, cron: undefined, enabled: true }));
  const allSources = async (): Promise<SourceConfig[]> => {
    const own = new Set(config.sources.map((s) => s.id));
    return [...config.sources.filter((s) => s.enabled), ...(await chatSources()).filter((s) => !own.has(s.id))];
  };

  const pipeline = createPipeline({
    store: theStore,
    chatChannels,
    fetcher,
    logger,
    channels: config.channels,
    seenTtlMs: config.seenTtlMs,
    ...(options.onAlert ? { onAlert: options.onAlert } : {}),
  });
  const deliverer = createDeliverer({ store: theStore, adapters, channels: config.channels, logger: logger.child({ part: 'delivery' }) });

  const drain = async (): Promise<void> => {
    try {
      const r = await deliverer.drain();
      if (r.delivered + r.retried + r.dropped > 0) logger.info(r, 'delivery');
    } catch (err) {
      logger.error({ err: describeError(err) }, 'delivery loop failed; will retry');
    }
  };

  let scheduler: Scheduler | undefined;
  const timers: NodeJS.Timeout[] = [];
  let stopped = false;
  const app: App = {
    store: theStore,
    commands: onCommand,
    pipeline,
    deliverer,
    slackPort: undefined,
    async pollOnce() {
      const polls = await Promise.all((await allSources()).map((s) => pipeline.pollSource(s)));
      const delivery = await deliverer.drain();
      await deliverer.flushDigests();
      return { polls, delivery };
    },
    async start() {
      if (slack) {
        const { port } = await slack.start();
        app.slackPort = port;
        logger.info({ port }, 'slack: listening for slash commands at /slack/events');
      }
      if (discord && options.listen) await discord.start();
      if (options.schedule === false) return;
      const sources = await allSources();
      scheduler = createScheduler({
        sources,
        logger,
        run: async (source) => {
          const report = await pipeline.pollSource(source);
          if (report.alerts > 0) await drain();
        },
      });
      await scheduler.start({ runNow: options.pollOnStart ?? true });
      const every = (ms: number, job: () => Promise<unknown>, what: string) => {
        const t = setInterval(() => {
          job().catch((err: unknown) => logger.error({ err: describeError(err) }, `${what} failed; will retry`));
        }, ms);
        t.unref();
        timers.push(t);
      };
      every(options.deliveryIntervalMs ?? 5000, drain, 'delivery');
      every(30_000, () => deliverer.flushDigests(), 'digests');
      every(30_000, async () => scheduler?.sync(await allSources()), 'source sync');
      logger.info({ sources: sources.length, channels: config.channels.length }, 'wirewatch started');
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const t of timers) clearInterval(t);
      await scheduler?.stop();
      await Promise.allSettled([slack?.close(), discord?.close(), ...[...adapters.values()].map((a) => a.close())]);
      await fetcher.close();
      if (!options.store) await theStore.close();
    },
  };
  return app;
}
