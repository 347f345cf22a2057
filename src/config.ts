// The only file that reads process.env. Everything is validated once, at start, and every problem is
// reported together with where it is.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { ADAPTER_KINDS, SOURCE_KIND_NAMES, TOPICS, type ChannelConfig, type SourceConfig } from './domain.js';
import { WirewatchError } from './errors.js';
import { checkCron, cronMinGapMs, everyToCron, formatDuration, parseDuration } from './schedule-spec.js';
import { DEFAULT_CHANNELS, DEFAULT_SOURCES, NEEDS_CONTACT } from './sources/catalog.js';
import { parseCidrList } from './sources/http/safe-fetch.js';
import { SOURCE_KINDS } from './sources/registry.js';

export interface Config {
  /** The YAML file read, or undefined when the built-in catalog is used. */
  configPath: string | undefined;
  sources: SourceConfig[];
  channels: ChannelConfig[];
  /**
   * `url`: one Redis server; `clusterNodes`: seed nodes of a Redis Cluster (REDIS_CLUSTER_NODES),
   * used with ioredis' Cluster client. At most one of the two is set; neither: the in-process store.
   */
  redis: { url: string | undefined; clusterNodes?: Array<{ host: string; port: number }> | undefined; prefix: string };
  fetch: {
    allowCidrs: string[];
    timeoutMs: number;
    maxBytes: number;
    /** Email or URL in the User-Agent. */
    contact: string | undefined;
    /** Least time between the starts of two requests to one host, in ms. */
    hostSpacingMs: number;
  };
  /**
   * Feed parsing off the main thread (src/sources/feed/parse-pool.ts): worker threads
   * (WIREWATCH_PARSE_WORKERS; 0 parses on the main thread; undefined: cores − 1, between 1 and 2), and the heap
   * each worker may use (WIREWATCH_PARSE_HEAP_MB).
   */
  parse: { workers: number | undefined; maxHeapMb: number };
  /** The shortest polling interval a source may have, in ms (WIREWATCH_MIN_INTERVAL). */
  minIntervalMs: number;
  slack: { token: string; signingSecret: string; port: number; apiUrl: string | undefined; /** User ids allowed to change configuration besides workspace admins/owners. */ adminUsers: string[] } | undefined;
  discord: { token: string; apiUrl: string | undefined; /** Register commands in this server only (instant) instead of globally. */ guildId: string | undefined } | undefined;
  /** `/healthz` and `/metrics` (HTTP_PORT, HTTP_HOST); undefined: not served. */
  ops: { port: number; host: string } | undefined;
  logLevel: string;
  /** `json` lines or `pretty`; undefined: pretty on a terminal, JSON otherwise. */
  logFormat: 'json' | 'pretty' | undefined;
  /** How long an item key is remembered after it was last seen in its feed, in ms. */
  seenTtlMs: number;
  /**
   * How long a delivery taken from the outbox stays hidden from the other processes, in ms
   * (WIREWATCH_DELIVERY_LEASE): a process that dies mid-delivery leaves its entries for this long.
   * Undefined: the deliverer's default (60 s).
   */
  deliveryLeaseMs?: number | undefined;
}

const DEFAULTS = {
  configPath: './wirewatch.yaml',
  redisPrefix: 'wirewatch:',
  slackPort: 3000,
  fetchTimeoutMs: 15_000,
  fetchMaxBytes: 5 * 1024 * 1024,
  parseHeapMb: 128,
  seenTtlMs: 30 * 86_400_000,
  every: '5m',
  minIntervalMs: 60_000,
  hostSpacingMs: 1000,
  logLevel: 'info',
} as const;

const optionalText = z
  .string()
  .transform((s) => s.trim())
  .optional()
  .transform((s) => (s ? s : undefined));

const optionalInt = (min: number, max: number) =>
  optionalText.pipe(
    z
      .string()
      .regex(/^\d+$/, 'must be a whole number')
      .transform(Number)
      .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`))
      .optional(),
  );

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

const envSchema = z.object({
  WIREWATCH_CONFIG: optionalText,
  REDIS_URL: optionalText.pipe(z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional()),
  REDIS_CLUSTER_NODES: optionalText.pipe(
    z
      .string()
      .transform((v, ctx) => {
        const nodes: Array<{ host: string; port: number }> = [];
        for (const part of v.split(',').map((p) => p.trim()).filter(Boolean)) {
          const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(part);
          const port = Number(m?.[2]);
          if (!m || port < 1 || port > 65535) ctx.addIssue({ code: 'custom', message: `"${part}" is not host:port` });
          else nodes.push({ host: (m[1] ?? '').replace(/^\[|\]$/g, ''), port });
        }
        if (nodes.length === 0) ctx.addIssue({ code: 'custom', message: 'give at least one host:port' });
        return nodes;
      })
      .optional(),
  ),
  WIREWATCH_REDIS_PREFIX: optionalText,
  WIREWATCH_FETCH_ALLOW: optionalText,
  WIREWATCH_CONTACT: optionalText.pipe(z.string().max(200).regex(/^\S+$/, 'an email address or URL, without spaces').optional()),
  WIREWATCH_HOST_SPACING: optionalText.pipe(
    z
      .string()
      .transform((v, ctx) => {
        const ms = v === '0' ? 0 : parseDuration(v);
        if (ms === undefined) ctx.addIssue({ code: 'custom', message: 'must be 0 or a duration such as 500ms or 1s' });
        return ms ?? 0;
      })
      .optional(),
  ),
  WIREWATCH_MIN_INTERVAL: optionalText.pipe(
    z
      .string()
      .transform((v, ctx) => {
        const ms = parseDuration(v);
        if (ms === undefined) ctx.addIssue({ code: 'custom', message: 'must be a duration such as 30s, 1m or 5m' });
        return ms ?? 0;
      })
      .optional(),
  ),
  WIREWATCH_DELIVERY_LEASE: optionalText.pipe(
    z
      .string()
      .transform((v, ctx) => {
        const ms = parseDuration(v);
        if (ms === undefined || ms < 1000 || ms > 3_600_000) ctx.addIssue({ code: 'custom', message: 'must be a duration from 1s to 1h, such as 60s' });
        return ms ?? 0;
      })
      .optional(),
  ),
  WIREWATCH_FETCH_TIMEOUT_MS: optionalInt(1000, 120_000),
  WIREWATCH_FETCH_MAX_BYTES: optionalInt(1024, 100 * 1024 * 1024),
  WIREWATCH_PARSE_WORKERS: optionalInt(0, 16),
  WIREWATCH_PARSE_HEAP_MB: optionalInt(32, 4096),
  HTTP_PORT: optionalInt(0, 65535),
  HTTP_HOST: optionalText,
  LOG_LEVEL: optionalText.pipe(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional()),
  LOG_FORMAT: optionalText.pipe(z.enum(['json', 'pretty']).optional()),
  SLACK_BOT_TOKEN: optionalText,
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_PORT: optionalInt(0, 65535),
  SLACK_ADMIN_USERS: optionalText,
  SLACK_API_URL: optionalText.pipe(httpUrl.optional()),
  DISCORD_TOKEN: optionalText,
  DISCORD_API_URL: optionalText.pipe(httpUrl.optional()),
  DISCORD_GUILD_ID: optionalText.pipe(z.string().regex(/^\d{5,25}$/, 'a Discord server id (digits)').optional()),
});

const idSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9._:-]+$/, 'use letters, digits, ".", "_", ":" or "-"');

const BASE_SOURCE_KEYS = ['id', 'kind', 'name', 'url', 'every', 'cron', 'enabled'] as const;

/** A source entry: the common keys, then the kind's own keys checked by that kind's schema. */
const sourceSchemaFor = (minIntervalMs: number) =>
  z
    .object({
      id: idSchema,
      kind: z.enum(SOURCE_KIND_NAMES).default('feed'),
      name: z.string().min(1).max(200).optional(),
      // Checked in the transform, so that a bad url does not hide the entry's other problems.
      url: z.string().optional(),
      every: z.string().optional(),
      cron: z.string().optional(),
      enabled: z.boolean().default(true),
    })
    .catchall(z.unknown())
    .transform((s, ctx) => {
      if (s.url !== undefined && !httpUrl.safeParse(s.url).success) {
        ctx.addIssue({ code: 'custom', message: 'must be an http(s) URL', path: ['url'] });
      }
      if (s.every !== undefined && s.cron !== undefined) {
        ctx.addIssue({ code: 'custom', message: 'give either every or cron, not both', path: ['every'] });
      }
      if (s.every !== undefined) {
        const r = everyToCron(s.every);
        if (!r.ok) ctx.addIssue({ code: 'custom', message: r.reason, path: ['every'] });
        else if ((parseDuration(s.every) ?? 0) < minIntervalMs) {
          ctx.addIssue({ code: 'custom', message: `every ${s.every} is more often than WIREWATCH_MIN_INTERVAL (${formatDuration(minIntervalMs)})`, path: ['every'] });
        }
      }
      if (s.cron !== undefined) {
        const reason = checkCron(s.cron);
        if (reason) ctx.addIssue({ code: 'custom', message: `invalid cron expression: ${reason}`, path: ['cron'] });
        else if (cronMinGapMs(s.cron) < minIntervalMs) {
          ctx.addIssue({ code: 'custom', message: `cron "${s.cron}" fires more often than WIREWATCH_MIN_INTERVAL (${formatDuration(minIntervalMs)})`, path: ['cron'] });
        }
      }
      const kind = SOURCE_KINDS[s.kind];
      if (!kind) {
        ctx.addIssue({ code: 'custom', message: `kind ${s.kind} is not available in this version`, path: ['kind'] });
        return z.NEVER;
      }
      const extra = Object.fromEntries(Object.entries(s).filter(([k]) => !(BASE_SOURCE_KEYS as readonly string[]).includes(k)));
      const options = kind.options.safeParse(extra);
      if (!options.success) {
        for (const issue of options.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path.length > 0 ? issue.path : [s.kind] });
        return z.NEVER;
      }
      const url = s.url ?? kind.defaultUrl(options.data);
      if (!url) {
        ctx.addIssue({ code: 'custom', message: `url is required for kind ${s.kind}`, path: ['url'] });
        return z.NEVER;
      }
      const source: SourceConfig = {
        id: s.id,
        kind: s.kind,
        name: s.name,
        url,
        options: options.data,
        every: s.cron === undefined ? (s.every ?? DEFAULTS.every) : undefined,
        cron: s.cron,
        enabled: s.enabled,
      };
      return source;
    });

const channelSchema = z
  .object({
    id: z.string().min(1).max(200),
    adapter: z.enum(ADAPTER_KINDS),
    webhookUrl: httpUrl.optional(),
    topics: z.array(z.enum(TOPICS)).default([]),
    watch: z.array(z.string().min(1).max(200)).max(500).default([]),
  })
  .strict()
  .superRefine((c, ctx) => {
    const needsHook = c.adapter === 'slack-webhook' || c.adapter === 'discord-webhook';
    if (needsHook && !c.webhookUrl) ctx.addIssue({ code: 'custom', message: `adapter ${c.adapter} needs webhookUrl`, path: ['webhookUrl'] });
    if (!needsHook && c.webhookUrl) ctx.addIssue({ code: 'custom', message: `webhookUrl is only for slack-webhook and discord-webhook`, path: ['webhookUrl'] });
  });

const fileSchemaFor = (minIntervalMs: number) =>
  z
  .object({
    sources: z.array(sourceSchemaFor(minIntervalMs)).default([]),
    /** `true`: keep the built-in catalog beside `sources`; `false`: drop it; `{ disable: [ids] }`: keep all but these. */
    catalog: z.union([z.boolean(), z.object({ disable: z.array(z.string()).default([]) }).strict()]).optional(),
    channels: z.array(channelSchema).min(1, 'at least one channel is needed').optional(),
  })
  .strict();

/** A config that cannot be used; `problems` lists every one as `where: why`. */
export class ConfigError extends WirewatchError {
  readonly problems: string[];
  constructor(problems: string[]) {
    super('config_invalid', `invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

function issuesToProblems(where: string, issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((i) => {
    const path = i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
    return `${where}${path}: ${i.message}`;
  });
}

export interface LoadConfigOptions {
  /** Directory relative paths are resolved against. */
  cwd?: string;
}

/** Reads the environment and the YAML config file (if any). Throws a ConfigError naming every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: LoadConfigOptions = {}): Config {
  const problems: string[] = [];
  // Each variable is parsed on its own, so one bad value neither hides the others nor their problems.
  const e = {} as Env;
  for (const [name, schema] of Object.entries(envSchema.shape) as Array<[keyof Env, z.ZodType]>) {
    const parsed = schema.safeParse(env[name]);
    if (parsed.success) (e as Record<string, unknown>)[name] = parsed.data;
    else problems.push(...parsed.error.issues.map((i) => `${name}: ${i.message}`));
  }

  const minIntervalMs = e.WIREWATCH_MIN_INTERVAL ?? DEFAULTS.minIntervalMs;
  const allow = parseCidrList(e.WIREWATCH_FETCH_ALLOW ?? '');
  for (const err of allow.errors) problems.push(`WIREWATCH_FETCH_ALLOW: ${err}`);

  const cwd = options.cwd ?? process.cwd();
  const explicit = e.WIREWATCH_CONFIG !== undefined;
  const configPath = resolve(cwd, e.WIREWATCH_CONFIG ?? DEFAULTS.configPath);
  let sources: SourceConfig[] = DEFAULT_SOURCES.map((s) => ({ ...s }));
  let channels: ChannelConfig[] = DEFAULT_CHANNELS.map((c) => ({ ...c, topics: [...c.topics], watch: [...c.watch] }));
  let usedPath: string | undefined;

  if (existsSync(configPath)) {
    usedPath = configPath;
    const fromFile = readConfigFile(configPath, problems, minIntervalMs);
    if (fromFile) {
      const own = fromFile.sources;
      // Without `catalog:`, a file that lists its own sources replaces the built-in catalog.
      const includeCatalog = fromFile.catalog === undefined ? own.length === 0 : fromFile.catalog !== false;
      const disabled = typeof fromFile.catalog === 'object' ? fromFile.catalog.disable : [];
      const catalog = includeCatalog ? DEFAULT_SOURCES.filter((s) => !disabled.includes(s.id) && !own.some((o) => o.id === s.id)) : [];
      sources = [...own, ...catalog.map((s) => ({ ...s }))];
      if (fromFile.channels) {
        channels = fromFile.channels.map((c) => ({
          id: c.id,
          adapter: c.adapter,
          webhookUrl: c.webhookUrl,
          topics: c.topics,
          watch: c.watch,
        }));
      }
      const seen = new Set<string>();
      sources.forEach((s, i) => {
        if (seen.has(s.id)) problems.push(`${configPath}: sources[${i}].id: duplicate id "${s.id}"`);
        seen.add(s.id);
      });
      const seenChannels = new Set<string>();
      channels.forEach((c, i) => {
        const key = `${c.adapter}:${c.id}`;
        if (seenChannels.has(key)) problems.push(`${configPath}: channels[${i}]: duplicate channel ${key}`);
        seenChannels.add(key);
      });
    }
  } else if (explicit) {
    problems.push(`WIREWATCH_CONFIG: ${configPath} does not exist`);
  }

  // Catalog entries that need a contact are switched off without one; one the user configured is an error.
  if (!e.WIREWATCH_CONTACT) {
    const catalogIds = new Set(DEFAULT_SOURCES.map((d) => d.id));
    sources = sources.map((s) => (NEEDS_CONTACT.includes(s.kind) && catalogIds.has(s.id) && s.url === DEFAULT_SOURCES.find((d) => d.id === s.id)?.url ? { ...s, enabled: false } : s));
    sources.forEach((s, i) => {
      if (s.enabled && NEEDS_CONTACT.includes(s.kind)) problems.push(`sources[${i}] (${s.id}): kind ${s.kind} needs WIREWATCH_CONTACT (an email or URL the publisher can reach you at)`);
    });
  }

  const usesSlack = channels.some((c) => c.adapter === 'slack');
  const usesDiscord = channels.some((c) => c.adapter === 'discord');
  if (usesSlack && !e.SLACK_BOT_TOKEN) problems.push('SLACK_BOT_TOKEN: required because a channel uses adapter slack');
  if (e.SLACK_BOT_TOKEN && !e.SLACK_SIGNING_SECRET) problems.push('SLACK_SIGNING_SECRET: required with SLACK_BOT_TOKEN (slash commands are verified with it)');
  if (usesDiscord && !e.DISCORD_TOKEN) problems.push('DISCORD_TOKEN: required because a channel uses adapter discord');

  if (e.REDIS_URL && e.REDIS_CLUSTER_NODES) problems.push('REDIS_CLUSTER_NODES: give either REDIS_URL (one server) or REDIS_CLUSTER_NODES (a cluster), not both');

  if (problems.length > 0) throw new ConfigError(problems);

  return {
    configPath: usedPath,
    sources,
    channels,
    redis: { url: e.REDIS_URL, clusterNodes: e.REDIS_CLUSTER_NODES, prefix: e.WIREWATCH_REDIS_PREFIX ?? DEFAULTS.redisPrefix },
    fetch: {
      allowCidrs: allow.cidrs,
      timeoutMs: e.WIREWATCH_FETCH_TIMEOUT_MS ?? DEFAULTS.fetchTimeoutMs,
      maxBytes: e.WIREWATCH_FETCH_MAX_BYTES ?? DEFAULTS.fetchMaxBytes,
      contact: e.WIREWATCH_CONTACT,
      hostSpacingMs: e.WIREWATCH_HOST_SPACING ?? DEFAULTS.hostSpacingMs,
    },
    parse: { workers: e.WIREWATCH_PARSE_WORKERS, maxHeapMb: e.WIREWATCH_PARSE_HEAP_MB ?? DEFAULTS.parseHeapMb },
    minIntervalMs,
    slack:
      e.SLACK_BOT_TOKEN && e.SLACK_SIGNING_SECRET
        ? {
            token: e.SLACK_BOT_TOKEN,
            signingSecret: e.SLACK_SIGNING_SECRET,
            port: e.SLACK_PORT ?? DEFAULTS.slackPort,
            apiUrl: e.SLACK_API_URL,
            adminUsers: (e.SLACK_ADMIN_USERS ?? '').split(/[\s,]+/).filter(Boolean),
          }
        : undefined,
    discord: e.DISCORD_TOKEN ? { token: e.DISCORD_TOKEN, apiUrl: e.DISCORD_API_URL, guildId: e.DISCORD_GUILD_ID } : undefined,
    ops: e.HTTP_PORT !== undefined ? { port: e.HTTP_PORT, host: e.HTTP_HOST ?? '127.0.0.1' } : undefined,
    logLevel: e.LOG_LEVEL ?? DEFAULTS.logLevel,
    logFormat: e.LOG_FORMAT,
    seenTtlMs: DEFAULTS.seenTtlMs,
    deliveryLeaseMs: e.WIREWATCH_DELIVERY_LEASE,
  };
}

type FileConfig = z.output<ReturnType<typeof fileSchemaFor>>;
type Env = z.output<typeof envSchema>;

function readConfigFile(path: string, problems: string[], minIntervalMs: number): FileConfig | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    problems.push(`${path}: cannot be read (${(err as Error).message})`);
    return undefined;
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    for (const err of doc.errors) problems.push(`${path}: YAML ${err.message.split('\n')[0] ?? ''}`);
    return undefined;
  }
  const raw: unknown = doc.toJS() ?? {};
  const parsed = fileSchemaFor(minIntervalMs).safeParse(raw);
  if (!parsed.success) {
    problems.push(...issuesToProblems(path, parsed.error.issues).map((p) => p.replace(`${path}.`, `${path}: `)));
    return undefined;
  }
  return parsed.data;
}
