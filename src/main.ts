// Composition root: config → logger → redis → store → fetcher → adapters → commands → pipeline →
// scheduler. The only place that constructs clients. Imported only by the entry points (cli, demo).
import { createHash } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
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
import { createMetrics } from './ops/metrics.js';
import { healthFromProbes, startOpsServer, type OpsServer } from './ops/http-server.js';
import { createDeliverer, type Deliverer, type DrainReport } from './pipeline/deliver.js';
import { createPipeline, type Pipeline, type PollReport } from './pipeline/poll-source.js';
import { createLeaseKeeper, createRedisLease, createRedisRunCoordinator, processOwnerId, type LeaseKeeper, type RedisRunCoordinator } from './pipeline/run-coordinator.js';
import { createScheduler, type Scheduler } from './pipeline/scheduler.js';
import { createParsePool } from './sources/feed/parse-pool.js';
import { createSafeFetcher, DEFAULT_FETCH_POLICY } from './sources/http/safe-fetch.js';
import { SOURCE_KINDS } from './sources/registry.js';
import { createMemoryStore } from './store/memory-store.js';
import { createRedisStore, type RedisClient } from './store/redis-store.js';
import type { Store } from './store/store.js';

/**
 * How long the Discord gateway lease lasts without renewal, in ms: when its holder dies, another
 * process logs in within this time plus one renewal interval (a third of it).
 */
export const DISCORD_GATEWAY_LEASE_MS = 15_000;

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
  /** The port of /healthz and /metrics once listening (HTTP_PORT). */
  opsPort: number | undefined;
  /** Polls every enabled source once, then delivers what is due. */
  pollOnce(): Promise<{ polls: PollReport[]; delivery: DrainReport }>;
  /** Starts listeners, the per-source schedule and the delivery loop. */
  start(): Promise<void>;
  /** Stops everything and closes what was opened; safe to call twice. */
  stop(): Promise<void>;
}

export async function createApp(config: Config, options: AppOptions): Promise<App> {
  const metrics = createMetrics();
  const logger = options.logger;
  let redis: RedisClient | undefined;
  let store = options.store;
  if (!store) {
    const clusterNodes = config.redis.clusterNodes;
    if (clusterNodes && clusterNodes.length > 0) {
      redis = new Cluster(clusterNodes, { redisOptions: { maxRetriesPerRequest: 3 }, enableOfflineQueue: true, lazyConnect: false });
      logger.info({ redisCluster: clusterNodes.map((n) => `${n.host}:${n.port}`), prefix: config.redis.prefix }, 'store: redis cluster');
    } else if (config.redis.url) {
      redis = new Redis(config.redis.url, { maxRetriesPerRequest: 3, enableOfflineQueue: true, lazyConnect: false });
      logger.info({ redis: redactUrl(config.redis.url), prefix: config.redis.prefix }, 'store: redis');
    }
    if (redis) {
      redis.on('error', (err: Error) => {
        metrics.observeFailure('redis_connection');
        logger.warn({ err: err.message }, 'redis connection problem');
      });
      store = createRedisStore(redis, { prefix: config.redis.prefix, ownsClient: true });
    } else {
      store = createMemoryStore();
      logger.info('store: in-process (set REDIS_URL to remember across restarts)');
    }
  }
  const theStore = store;
  // Several processes on one Redis: each scheduled poll runs in one of them, one holds the gateway.
  const owner = processOwnerId();
  const coordinator: RedisRunCoordinator | undefined = redis ? createRedisRunCoordinator(redis, { prefix: config.redis.prefix, owner }) : undefined;

  const fetcher = createSafeFetcher({
    ...DEFAULT_FETCH_POLICY,
    allowCidrs: config.fetch.allowCidrs,
    timeoutMs: config.fetch.timeoutMs,
    maxBytes: config.fetch.maxBytes,
    contact: config.fetch.contact,
    perHostSpacingMs: config.fetch.hostSpacingMs,
  });
  // Feeds are parsed on worker threads: a hostile feed stalls or exhausts only its own parse.
  const parsePool = createParsePool({ ...(config.parse.workers === undefined ? {} : { size: config.parse.workers }), maxHeapMb: config.parse.maxHeapMb });

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

  metrics.setOutboxDepth(() => theStore.outboxSize());

  const pipeline = createPipeline({
    store: theStore,
    chatChannels,
    fetcher,
    logger,
    channels: config.channels,
    seenTtlMs: config.seenTtlMs,
    parsePool,
    onAlert: (alert, channel) => {
      metrics.observeAlert(channel.adapter);
      options.onAlert?.(alert, channel);
    },
  });
  /** One poll, timed and counted. */
  const pollSource = async (source: SourceConfig) => {
    const started = performance.now();
    const report = await pipeline.pollSource(source);
    metrics.observePoll(report, (performance.now() - started) / 1000);
    return report;
  };
  const deliverer = createDeliverer({
    onDelivery: (adapter, outcome, seconds) => metrics.observeDelivery(adapter, outcome, seconds),
    store: theStore,
    adapters,
    channels: config.channels,
    logger: logger.child({ part: 'delivery' }),
    ...(config.deliveryLeaseMs !== undefined ? { leaseMs: config.deliveryLeaseMs } : {}),
  });

  /** Drains in progress: `stop()` lets them finish, so nothing stays leased by a process that left. */
  const drains = new Set<Promise<void>>();
  // Concurrent callers share one drain: its report is logged once.
  const logged = new WeakSet<DrainReport>();
  const drain = (): Promise<void> => {
    const p = (async () => {
      try {
        const r = await deliverer.drain();
        if (!logged.has(r) && r.delivered + r.updated + r.held + r.retried + r.dropped > 0) logger.info(r, 'delivery');
        logged.add(r);
      } catch (err) {
        metrics.observeFailure('delivery_loop');
        logger.error({ err: describeError(err) }, 'delivery loop failed; will retry');
      }
    })();
    drains.add(p);
    void p.finally(() => drains.delete(p));
    return p;
  };

  let scheduler: Scheduler | undefined;
  let ops: OpsServer | undefined;
  let gatewayLease: LeaseKeeper | undefined;
  const timers: NodeJS.Timeout[] = [];
  let stopped = false;
  const app: App = {
    store: theStore,
    commands: onCommand,
    pipeline,
    deliverer,
    slackPort: undefined,
    opsPort: undefined,
    async pollOnce() {
      const polls = await Promise.all((await allSources()).map((s) => pollSource(s)));
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
      if (discord && options.listen) {
        const bot = discord;
        if (redis) {
          // One gateway connection per bot token across the fleet; the others deliver over REST.
          const tokenId = createHash('sha256').update(config.discord?.token ?? '').digest('hex').slice(0, 16);
          gatewayLease = createLeaseKeeper({
            lease: createRedisLease(redis, { key: `${config.redis.prefix}lease:discord-gateway:${tokenId}`, owner, ttlMs: DISCORD_GATEWAY_LEASE_MS }),
            ttlMs: DISCORD_GATEWAY_LEASE_MS,
            onAcquired: () => bot.start(),
            onLost: () => bot.stopListening(),
            logger: logger.child({ part: 'discord-gateway' }),
            what: 'discord gateway',
          });
          await gatewayLease.start();
          if (!gatewayLease.holding()) logger.info('discord: another process holds the gateway; this one delivers over REST');
        } else {
          await discord.start();
        }
      }
      if (config.ops) {
        ops = await startOpsServer({
          port: config.ops.port,
          host: config.ops.host,
          metrics,
          health: healthFromProbes({
            store: () => theStore.ping(),
            ...(slack ? { slack: async () => (app.slackPort !== undefined ? `listening on ${app.slackPort}` : undefined) } : {}),
          }),
        });
        app.opsPort = ops.port;
        logger.info({ port: ops.port, host: config.ops.host }, 'serving /healthz and /metrics');
      }
      if (options.schedule === false) return;
      const sources = await allSources();
      scheduler = createScheduler({
        sources,
        logger,
        ...(coordinator ? { coordinator } : {}),
        run: async (source) => {
          const report = await pollSource(source);
          // Not awaited: a drain can wait for paced entries for a while, and a run still in
          // progress makes node-cron skip this source's next ticks (noOverlap) in this process.
          if (report.alerts > 0) void drain();
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
      // A drain can wait for paced entries for up to 30 s: it stops at its next step instead, and
      // what it did not send stays in the outbox for the next process.
      deliverer.stop();
      await scheduler?.stop();
      await Promise.allSettled([...drains]);
      // Fetch times of unchanged feeds are written in batches: write the last batch before leaving.
      await pipeline.flush().catch((err: unknown) => logger.warn({ err: describeError(err) }, 'could not write the last fetch times'));
      await gatewayLease?.stop();
      await ops?.close();
      await Promise.allSettled([slack?.close(), discord?.close(), ...[...adapters.values()].map((a) => a.close())]);
      await fetcher.close();
      await parsePool.close();
      if (!options.store) await theStore.close();
    },
  };
  return app;
}
