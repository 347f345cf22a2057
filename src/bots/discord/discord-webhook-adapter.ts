// Alerts to a Discord incoming webhook. discord.js `WebhookClient({ url })` accepts only discord.com
// URLs, so the id and token are parsed here and the client gets `{ id, token }` plus `rest.api`.
import { WebhookClient, type RESTOptions } from 'discord.js';
import type { Alert, ChannelConfig } from '../../domain.js';
import type { Logger } from '../../log.js';
import type { ChatAdapter, DeliveryOutcome } from '../chat-adapter.js';
import { DEFAULT_MAX_RATE_LIMIT_WAIT_MS, isSnowflake, outcomeFromError } from './outcome.js';
import { renderDiscordAlert } from './render.js';

export interface DiscordWebhookAdapterOptions {
  logger: Logger;
  /** Base of the API, e.g. `http://127.0.0.1:PORT/api`; default Discord's. The host of `webhookUrl` is not used. */
  apiUrl?: string | undefined;
  /** Extra ms @discordjs/rest waits past a rate-limit reset; 0 in tests. */
  restOffsetMs?: number;
  /** Longest rate-limit wait, in ms, sat out inside one delivery; longer waits return `rate_limited`. */
  maxRateLimitWaitMs?: number;
}

/** Id and token of a webhook URL (`…/api[/vN]/webhooks/:id/:token`), or undefined when it is not one. */
export function parseDiscordWebhookUrl(raw: string): { id: string; token: string } | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  const match = /\/api(?:\/v\d+)?\/webhooks\/(\d+)\/([\w-]+)\/?$/.exec(url.pathname);
  if (!match?.[1] || !match[2] || !isSnowflake(match[1])) return undefined;
  return { id: match[1], token: match[2] };
}

/** Creates the adapter; one WebhookClient per webhook, kept so its rate-limit state survives between alerts. */
export function createDiscordWebhookAdapter(options: DiscordWebhookAdapterOptions): ChatAdapter {
  const log = options.logger.child({ adapter: 'discord-webhook' });
  const maxWaitMs = options.maxRateLimitWaitMs ?? DEFAULT_MAX_RATE_LIMIT_WAIT_MS;
  const rest: Partial<RESTOptions> = {
    ...(options.apiUrl ? { api: options.apiUrl } : {}),
    ...(options.restOffsetMs !== undefined ? { offset: options.restOffsetMs } : {}),
    rejectOnRateLimit: (data) => data.retryAfter > maxWaitMs,
  };
  const clients = new Map<string, WebhookClient>();
  let closed = false;

  async function deliver(channel: ChannelConfig, alert: Alert): Promise<DeliveryOutcome> {
    if (closed) return { ok: false, reason: 'unavailable', retryable: true, message: 'discord-webhook: adapter closed' };
    const parsed = channel.webhookUrl ? parseDiscordWebhookUrl(channel.webhookUrl) : undefined;
    if (!parsed) {
      return { ok: false, reason: 'rejected', retryable: false, message: 'discord-webhook: webhookUrl is missing or not a Discord webhook URL' };
    }
    const key = `${parsed.id}/${parsed.token}`;
    let client = clients.get(key);
    if (!client) {
      client = new WebhookClient(parsed, { rest, allowedMentions: { parse: [] } });
      clients.set(key, client);
    }
    try {
      const { embeds } = renderDiscordAlert(alert);
      const message = await client.send({ embeds, allowedMentions: { parse: [] } });
      return { ok: true, ref: message.id };
    } catch (err) {
      const outcome = outcomeFromError(err);
      // Never log the URL or the error object: both carry the webhook token.
      log.warn({ channel: channel.id, webhook: parsed.id, alert: alert.id, outcome }, 'discord webhook delivery failed');
      return outcome;
    }
  }

  async function close(): Promise<void> {
    closed = true;
    for (const client of clients.values()) client.destroy();
    clients.clear();
  }

  return { kind: 'discord-webhook', deliver, close };
}
