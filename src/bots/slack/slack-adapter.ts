// The Slack bot: a real Bolt app over HTTP (signed requests verified by Bolt) that answers the
// slash commands, and a ChatAdapter that posts alerts with Bolt's WebClient. Platform refusals are
// DeliveryOutcome values; nothing thrown here ever reaches Slack or the pipeline.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, LogLevel } from '@slack/bolt';
import type { AppOptions, Logger as BoltLogger, RespondArguments } from '@slack/bolt';
import { WirewatchError, describeError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { Alert, ChannelConfig } from '../../domain.js';
import {
  channelKey,
  COMMAND_NAMES,
  type ChatAdapter,
  type CommandHandler,
  type CommandReply,
  type CommandRequest,
  type DeliveryOutcome,
} from '../chat-adapter.js';
import {
  OPEN_ACTION_ID,
  renderSlackAlert,
  renderSlackDigest,
  renderSlackReply,
  renderSlackStoryReply,
  withOutlets,
  type KnownBlock,
} from './render.js';

/** WebClient retry policy for one API call (p-retry options), times in ms. */
export interface SlackRetryOptions {
  /** Retries after the first attempt (429 with Retry-After, 5xx, network errors). */
  retries: number;
  minTimeoutMs: number;
  maxTimeoutMs: number;
}

export interface SlackBotOptions {
  /** Bot token (`xoxb-…`). */
  token: string;
  /** Signing secret Bolt checks every request against. */
  signingSecret: string;
  /** HTTP port for slash commands (SLACK_PORT); 0 picks a free one (tests). */
  port: number;
  /** Interface to listen on; default `0.0.0.0`, tests use `127.0.0.1`. */
  host?: string;
  /** Web API base URL (SLACK_API_URL), e.g. `http://127.0.0.1:PORT/api/`; Slack's own when undefined. */
  apiUrl?: string | undefined;
  logger: Logger;
  /** Runs the slash commands (`/watch`, `/source`, `/news`, `/alerts`, `/price`, `/status`, `/wirewatch`). */
  onCommand: CommandHandler;
  /**
   * Slack user ids (`U…`) allowed to change configuration besides workspace admins and owners
   * (SLACK_ADMIN_USERS). Checked before `users.info`.
   */
  adminUsers?: readonly string[];
  /** How long a `users.info` answer (admin or not) is trusted, in ms. Default 10 minutes. */
  roleCacheMs?: number;
  /** Answer Slack only once the listener finished (deterministic tests, FaaS). Default false. */
  processBeforeResponse?: boolean;
  /** WebClient retries; default a few with backoff. */
  retry?: SlackRetryOptions;
  /**
   * How long a command may run before it is acknowledged empty and its reply sent through the
   * `response_url` instead, in ms. Slack gives up after 3000 ms. Default 2500.
   */
  ackDeadlineMs?: number;
}

export interface SlackBot {
  /** Delivers alerts with the bot token (`kind: 'slack'`). Usable before `start()`. */
  adapter: ChatAdapter;
  /** Checks the token (auth.test) and listens for slash commands; resolves with the port listened on. */
  start(): Promise<{ port: number }>;
  /** Stops listening. Idempotent. */
  close(): Promise<void>;
}

/** The reply shown when a command failed unexpectedly: no detail, no stack trace. */
const FAILURE_TEXT = 'wirewatch: something went wrong, try again';

const DEFAULTS = {
  host: '0.0.0.0',
  processBeforeResponse: false,
  retry: { retries: 3, minTimeoutMs: 500, maxTimeoutMs: 10_000 },
  ackDeadlineMs: 2500,
  roleCacheMs: 10 * 60_000,
} as const satisfies Required<Pick<SlackBotOptions, 'host' | 'processBeforeResponse' | 'retry' | 'ackDeadlineMs' | 'roleCacheMs'>>;

/** How long a failed `users.info` is remembered (so a broken scope is not asked on every command), in ms. */
const ROLE_FAILURE_CACHE_MS = 30_000;
/** Users whose role is remembered at most; expired entries are dropped past this. */
const ROLE_CACHE_MAX = 1000;
/** Alerts whose blocks are remembered for story updates without reading the channel history. */
const POSTED_CACHE_MAX = 500;

/** Shown when a non-admin runs a configuration command. */
export const SLACK_MANAGE_HINT = 'changing the configuration needs a Slack workspace admin or owner, or a user listed in SLACK_ADMIN_USERS';
/** Shown when the role could not be checked. */
export const SLACK_ROLE_UNKNOWN_HINT = 'your Slack role could not be checked right now (try again later, or ask to be listed in SLACK_ADMIN_USERS)';

/** conversations.history refusals that mean "cannot read", not "the message is gone": the update is skipped, the thread reply still posted. */
const CANNOT_READ_HISTORY = new Set(['missing_scope', 'no_permission', 'access_denied', 'not_in_channel']);

/** Web API request timeout, in ms (WebClient's default is none). */
const API_TIMEOUT_MS = 15_000;

/** Used when Slack said 429 but gave no usable Retry-After, in ms. */
const DEFAULT_RETRY_AFTER_MS = 1000;

/** Platform errors that may go away on their own. */
const TRANSIENT_PLATFORM_ERRORS = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'team_added_to_org']);


/** Bolt's and WebClient's logger interface, writing into our pino logger. The pino level rules. */
function createBoltLogger(log: Logger): BoltLogger {
  let name = 'bolt';
  const write = (level: 'debug' | 'info' | 'warn' | 'error', msg: unknown[]): void => {
    if (!log.isLevelEnabled(level)) return;
    const err = msg.find((m): m is Error => m instanceof Error);
    const text = msg
      .filter((m) => m !== err)
      .map((m) => (typeof m === 'string' ? m : safeJson(m)))
      .join(' ');
    log[level](err ? { lib: name, err } : { lib: name }, text || (err ? describeError(err) : ''));
  };
  return {
    debug: (...msg: unknown[]) => write('debug', msg),
    info: (...msg: unknown[]) => write('info', msg),
    warn: (...msg: unknown[]) => write('warn', msg),
    error: (...msg: unknown[]) => write('error', msg),
    // Bolt and WebClient set their default level (info) on the logger they are given; ignoring it
    // keeps the level chosen in our configuration.
    setLevel: () => undefined,
    getLevel: () => {
      const level = log.level;
      if (level === 'debug' || level === 'trace') return LogLevel.DEBUG;
      if (level === 'warn') return LogLevel.WARN;
      if (level === 'error' || level === 'fatal' || level === 'silent') return LogLevel.ERROR;
      return LogLevel.INFO;
    },
    setName: (value: string) => {
      name = value;
    },
  };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

interface CodedError {
  code?: unknown;
  data?: { error?: unknown; response_metadata?: { retryAfter?: unknown } };
  retryAfter?: unknown;
  statusCode?: unknown;
}

/** Sorts a WebClient failure into a DeliveryOutcome (WebAPIPlatformError, HTTP, request, rate-limit errors). */
export function classifySlackError(err: unknown): Exclude<DeliveryOutcome, { ok: true }> {
  const message = describeError(err);
  const e = (typeof err === 'object' && err !== null ? err : {}) as CodedError;
  // WebClient gives up on 429s with untyped errors (wrapped in a request error on the last retry):
  // "A rate limit was exceeded (url: …, retry-after: 3)" once the retries ran out, "Retry header did
  // not contain a valid timeout" when the 429 had no Retry-After.
  const limited = /rate limit was exceeded.*retry-after: (\d+)/i.exec(message);
  if (limited) return { ok: false, reason: 'rate_limited', retryAfterMs: secondsToMs(Number(limited[1])), message };
  if (/retry header did not contain a valid timeout/i.test(message)) {
    return { ok: false, reason: 'rate_limited', retryAfterMs: DEFAULT_RETRY_AFTER_MS, message };
  }
  switch (e.code) {
    case 'slack_webapi_platform_error': {
      const error = typeof e.data?.error === 'string' ? e.data.error : 'unknown_error';
      if (error === 'ratelimited' || error === 'rate_limited') {
        const retryAfter = e.data?.response_metadata?.retryAfter;
        return { ok: false, reason: 'rate_limited', retryAfterMs: secondsToMs(retryAfter), message: error };
      }
      if (TRANSIENT_PLATFORM_ERRORS.has(error)) return { ok: false, reason: 'unavailable', retryable: true, message: error };
      // channel_not_found, not_in_channel, is_archived, invalid_auth, token_revoked, missing_scope, invalid_blocks …
      return { ok: false, reason: 'rejected', retryable: false, message: error };
    }
    case 'slack_webapi_rate_limited_error':
      return { ok: false, reason: 'rate_limited', retryAfterMs: secondsToMs(e.retryAfter), message };
    case 'slack_webapi_http_error': {
      const status = typeof e.statusCode === 'number' ? e.statusCode : 0;
      if (status >= 500 || status === 408 || status === 0) return { ok: false, reason: 'unavailable', retryable: true, message };
      return { ok: false, reason: 'rejected', retryable: false, message };
    }
    default:
      // slack_webapi_request_error (network, timeout) and anything unknown.
      break;
  }
  return { ok: false, reason: 'unavailable', retryable: true, message };
}

function secondsToMs(value: unknown): number {
  if (value === undefined || value === null || value === '') return DEFAULT_RETRY_AFTER_MS;
  const seconds = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.round(seconds * 1000) : DEFAULT_RETRY_AFTER_MS;
}

/** Creates the Slack bot. Nothing is contacted until `start()` or the first delivery. */
export function createSlackBot(options: SlackBotOptions): SlackBot {
  const log = options.logger.child({ adapter: 'slack' });
  const retry = options.retry ?? DEFAULTS.retry;
  const ackDeadlineMs = options.ackDeadlineMs ?? DEFAULTS.ackDeadlineMs;
  const clientOptions: NonNullable<AppOptions['clientOptions']> = {
    retryConfig: { retries: retry.retries, minTimeout: retry.minTimeoutMs, maxTimeout: retry.maxTimeoutMs },
    timeout: API_TIMEOUT_MS,
    ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
  };
  const app = new App({
    token: options.token,
    signingSecret: options.signingSecret,
    logger: createBoltLogger(log.child({ component: 'bolt' })),
    processBeforeResponse: options.processBeforeResponse ?? DEFAULTS.processBeforeResponse,
    clientOptions,
    // Bolt would otherwise call auth.test inside the constructor, where a failure is an unhandled
    // rejection; start() runs it through init() instead, where it can be awaited and reported.
    deferInitialization: true,
  });

  /** Runs the handler; a throw (which the contract forbids) becomes the generic failure reply. */
  async function runCommand(request: CommandRequest): Promise<CommandReply> {
    try {
      return await options.onCommand(request);
    } catch (err) {
      log.error({ err, command: request.name, channel: request.channel }, 'slash command failed');
      return { ok: false, text: FAILURE_TEXT, lines: [], ephemeral: true };
    }
  }

  const adminUsers = new Set(options.adminUsers ?? []);
  const roleCacheMs = options.roleCacheMs ?? DEFAULTS.roleCacheMs;
  const roles = new Map<string, { canManage: boolean; hint?: string; until: number }>();

  /**
   * Whether `user` may change configuration: listed in `adminUsers`, or a workspace admin/owner
   * per `users.info` (remembered for `roleCacheMs`). A failing lookup answers false with a hint.
   */
  async function manageRights(user: string): Promise<Pick<CommandRequest, 'canManage' | 'manageHint'>> {
    if (adminUsers.has(user)) return { canManage: true };
    const now = Date.now();
    let entry = roles.get(user);
    if (!entry || entry.until <= now) {
      try {
        const result = await app.client.users.info({ user });
        const u = result.user;
        const admin = Boolean(u?.is_admin || u?.is_owner || u?.is_primary_owner);
        entry = admin ? { canManage: true, until: now + roleCacheMs } : { canManage: false, hint: SLACK_MANAGE_HINT, until: now + roleCacheMs };
      } catch (err) {
        log.warn({ user, error: classifySlackError(err).message }, 'users.info failed: treating the user as not an admin');
        entry = { canManage: false, hint: SLACK_ROLE_UNKNOWN_HINT, until: now + ROLE_FAILURE_CACHE_MS };
      }
      if (roles.size >= ROLE_CACHE_MAX) {
        for (const [key, value] of roles) if (value.until <= now) roles.delete(key);
      }
      if (roles.size < ROLE_CACHE_MAX) roles.set(user, entry);
    }
    return entry.hint === undefined ? { canManage: entry.canManage } : { canManage: entry.canManage, manageHint: entry.hint };
  }

  for (const name of COMMAND_NAMES) {
    app.command(`/${name}`, async ({ command, ack, respond }) => {
      const base = {
        name,
        args: (command.text ?? '').trim(),
        channel: channelKey('slack', command.channel_id),
        user: command.user_id,
      };
      let acked = false;
      const safeAck = async (body?: RespondArguments): Promise<void> => {
        if (acked) return;
        acked = true;
        try {
          await (body ? ack(body) : ack());
        } catch (err) {
          log.warn({ err, command: name }, 'could not acknowledge a slash command');
        }
      };
      try {
        // The role check counts against the ack deadline like the command itself.
        const work = manageRights(base.user).then((rights) => runCommand({ ...base, ...rights }));
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<undefined>((resolve) => {
          timer = setTimeout(() => resolve(undefined), ackDeadlineMs);
        });
        const early = await Promise.race([work, deadline]);
        clearTimeout(timer);
        if (early) {
          await safeAck(renderSlackReply(early));
          return;
        }
        // Slow: acknowledge now (Slack drops commands not acked within 3 s), answer via response_url.
        await safeAck();
        const reply = await work;
        try {
          await respond(renderSlackReply(reply));
        } catch (err) {
          log.warn({ err, command: name }, 'could not send a slash command reply to the response_url');
        }
      } catch (err) {
        log.error({ err, command: name }, 'slash command listener failed');
        await safeAck({ text: FAILURE_TEXT, response_type: 'ephemeral' });
      }
    });
  }

  // Clicks on the "Open" link button are sent to the app too; acknowledge them so Slack shows no error.
  app.action(OPEN_ACTION_ID, async ({ ack }) => {
    await ack();
  });

  /** The text and blocks of recently posted alerts, by `channel:ts`, so a story update need not read the history. */
  const posted = new Map<string, { text: string; blocks: KnownBlock[] }>();
  const remember = (key: string, message: { text: string; blocks: KnownBlock[] }): void => {
    posted.delete(key);
    posted.set(key, message);
    for (const oldest of posted.keys()) {
      if (posted.size <= POSTED_CACHE_MAX) break;
      posted.delete(oldest);
    }
  };

  /** Posts one message; the outcome carries its ts. `what` names it in the log. */
  async function post(
    channel: ChannelConfig,
    payload: { text: string; blocks?: KnownBlock[]; thread_ts?: string },
    what: { alert?: string; kind: string },
  ): Promise<DeliveryOutcome> {
    try {
      const result = await app.client.chat.postMessage({
        channel: channel.id,
        ...payload,
        unfurl_links: false,
        unfurl_media: false,
      });
      if (!result.ok) {
        return { ok: false, reason: 'rejected', retryable: false, message: result.error ?? 'Slack did not accept the message' };
      }
      return typeof result.ts === 'string' ? { ok: true, ref: result.ts } : { ok: true };
    } catch (err) {
      const outcome = classifySlackError(err);
      log.warn({ channel: channel.id, ...what, reason: outcome.reason, error: outcome.message }, `Slack ${what.kind} failed`);
      return outcome;
    }
  }

  async function deliver(channel: ChannelConfig, alert: Alert): Promise<DeliveryOutcome> {
    let payload: ReturnType<typeof renderSlackAlert>;
    try {
      payload = renderSlackAlert(alert);
    } catch (err) {
      return { ok: false, reason: 'rejected', retryable: false, message: `could not render alert: ${describeError(err)}` };
    }
    const outcome = await post(channel, payload, { alert: alert.id, kind: 'delivery' });
    if (outcome.ok && outcome.ref) remember(`${channel.id}:${outcome.ref}`, payload);
    return outcome;
  }

  /** The text and blocks of message `ts`: remembered, else read back (conversations.history). */
  async function readMessage(
    channel: ChannelConfig,
    ts: string,
  ): Promise<{ found: { text: string; blocks: KnownBlock[] } } | { unreadable: string } | { failed: Exclude<DeliveryOutcome, { ok: true }> }> {
    const known = posted.get(`${channel.id}:${ts}`);
    if (known) return { found: known };
    try {
      const result = await app.client.conversations.history({ channel: channel.id, latest: ts, inclusive: true, limit: 1 });
      // `latest` + `inclusive` answers the newest message at or before ts: a deleted one yields an older one.
      const message = result.messages?.find((m) => m.ts === ts);
      if (!message) return { failed: { ok: false, reason: 'rejected', retryable: false, message: 'message_not_found' } };
      return { found: { text: message.text ?? '', blocks: (message.blocks ?? []) as KnownBlock[] } };
    } catch (err) {
      const outcome = classifySlackError(err);
      if (outcome.reason === 'rejected' && CANNOT_READ_HISTORY.has(outcome.message)) return { unreadable: outcome.message };
      return { failed: outcome };
    }
  }

  /**
   * Story update: the first message (`ref`) gets its "also reported by N outlets" line through
   * chat.update, then a thread reply names the new outlet. The edit comes first because it can be
   * repeated safely when the reply fails and the whole update is retried. Answers `ref` itself.
   */
  async function updateStory(channel: ChannelConfig, ref: string, alert: Alert): Promise<DeliveryOutcome> {
    const ulog = log.child({ channel: channel.id, ref, alert: alert.id });
    const current = await readMessage(channel, ref);
    if ('failed' in current) {
      ulog.warn({ reason: current.failed.reason, error: current.failed.message }, 'Slack story update: could not read the first message');
      return current.failed;
    }
    if ('found' in current) {
      const blocks = withOutlets(current.found.blocks, alert);
      try {
        await app.client.chat.update({ channel: channel.id, ts: ref, text: current.found.text, blocks });
        remember(`${channel.id}:${ref}`, { text: current.found.text, blocks });
      } catch (err) {
        const outcome = classifySlackError(err);
        ulog.warn({ reason: outcome.reason, error: outcome.message }, 'Slack story update: chat.update failed');
        return outcome;
      }
    } else {
      // Without channels:history / groups:history the first message cannot be rebuilt; the thread reply still tells the story.
      ulog.warn({ error: current.unreadable }, 'Slack story update: the first message cannot be read, only the thread reply is posted');
    }
    const reply = await post(channel, { ...renderSlackStoryReply(alert), thread_ts: ref }, { alert: alert.id, kind: 'story reply' });
    return reply.ok ? { ok: true, ref } : reply;
  }

  const adapter: ChatAdapter = {
    kind: 'slack',
    deliver,
    updateStory,
    async deliverDigest(channel, alerts, lang, note) {
      let payload: ReturnType<typeof renderSlackDigest>;
      try {
        payload = renderSlackDigest(alerts, lang, note);
      } catch (err) {
        return { ok: false, reason: 'rejected', retryable: false, message: `could not render digest: ${describeError(err)}` };
      }
      return post(channel, payload, { kind: 'digest' });
    },
    close: () => close(),
  };

  let server: Server | undefined;
  let starting: Promise<{ port: number }> | undefined;

  async function start(): Promise<{ port: number }> {
    try {
      await app.init();
    } catch (err) {
      const outcome = classifySlackError(err);
      const code = outcome.reason === 'rejected' ? 'config_invalid' : 'delivery_failed';
      throw new WirewatchError(code, `Slack auth.test failed: ${outcome.message}`, { cause: err });
    }
    server = await app.start({ port: options.port, host: options.host ?? DEFAULTS.host });
    const { port } = server.address() as AddressInfo;
    log.info({ port }, 'Slack bot listening for slash commands');
    return { port };
  }

  async function close(): Promise<void> {
    if (starting) await starting.catch(() => undefined);
    if (!server) return;
    server = undefined;
    await app.stop();
  }

  return {
    adapter,
    start: () => {
      starting ??= start();
      return starting;
    },
    close,
  };
}
