// Alerts to a Discord incoming webhook. discord.js `WebhookClient({ url })` accepts only discord.com
// URLs, so the id and token are parsed here and the client gets `{ id, token }` plus `rest.api`.
import { WebhookClient, type APIEmbed, type RESTOptions } from 'discord.js';
import type { Alert, ChannelConfig } from '../../domain.js';
import type { Logger } from '../../log.js';
import type { ChatAdapter, DeliveryOutcome } from '../chat-adapter.js';
import { DEFAULT_MAX_RATE_LIMIT_WAIT_MS, isSnowflake, outcomeFromError } from './outcome.js';
import { renderDiscordAlert, renderDiscordDigest, withOutletsEmbed } from './render.js';

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

  /** The webhook client of a channel, or the refusal when it has no usable webhook. */
  function clientFor(channel: ChannelConfig): { client: WebhookClient; id: string } | { refused: DeliveryOutcome } {
    if (closed) return { refused: { ok: false, reason: 'unavailable', retryable: true, message: 'discord-webhook: adapter closed' } };
    const parsed = channel.webhookUrl ? parseDiscordWebhookUrl(channel.webhookUrl) : undefined;
    if (!parsed) {
      return { refused: { ok: false, reason: 'rejected', retryable: false, message: 'discord-webhook: webhookUrl is missing or not a Discord webhook URL' } };
    }
    const key = `${parsed.id}/${parsed.token}`;
    let client = clients.get(key);
    if (!client) {
      client = new WebhookClient(parsed, { rest, allowedMentions: { parse: [] } });
      clients.set(key, client);
    }
    return { client, id: parsed.id };
  }

  /** Executes the webhook (discord.js sends `wait=true`, so the message id comes back as `ref`). */
  async function send(channel: ChannelConfig, embeds: APIEmbed[], what: Record<string, unknown>): Promise<DeliveryOutcome> {
    const target = clientFor(channel);
    if ('refused' in target) return target.refused;
    try {
      const message = await target.client.send({ embeds, allowedMentions: { parse: [] } });
      return { ok: true, ref: message.id };
    } catch (err) {
      const outcome = outcomeFromError(err);
      // Never log the URL or the error object: both carry the webhook token.
      log.warn({ channel: channel.id, webhook: target.id, ...what, outcome }, 'discord webhook delivery failed');
      return outcome;
    }
  }

  /**
   * Story update: a webhook may edit the messages it sent, and `deliver` answered the message id
   * as `ref` (the execute used `wait=true`), so the first message is read back and its embed gets
   * the outlets field. Nothing new is posted.
   */
  async function updateStory(channel: ChannelConfig, ref: string, alert: Alert): Promise<DeliveryOutcome> {
    const target = clientFor(channel);
    if ('refused' in target) return target.refused;
    if (!isSnowflake(ref)) return { ok: false, reason: 'rejected', retryable: false, message: 'discord-webhook: message id is not a snowflake' };
    try {
      const message = await target.client.fetchMessage(ref);
      const [first, ...others] = message.embeds;
      if (!first) return { ok: false, reason: 'rejected', retryable: false, message: 'discord-webhook: the first message has no embed to update' };
      await target.client.editMessage(ref, { embeds: [withOutletsEmbed(first, alert), ...others], allowedMentions: { parse: [] } });
      return { ok: true, ref };
    } catch (err) {
      const outcome = outcomeFromError(err);
      log.warn({ channel: channel.id, webhook: target.id, ref, alert: alert.id, outcome }, 'discord webhook story update failed');
      return outcome;
    }
  }

  async function close(): Promise<void> {
    closed = true;
    for (const client of clients.values()) client.destroy();
    clients.clear();
  }

  return {
    kind: 'discord-webhook',
    deliver: (channel, alert) => send(channel, renderDiscordAlert(alert).embeds, { alert: alert.id }),
    updateStory,
    deliverDigest: (channel, alerts, lang, note) => send(channel, renderDiscordDigest(alerts, lang, note).embeds, { digest: alerts.length }),
    close,
  };
}
