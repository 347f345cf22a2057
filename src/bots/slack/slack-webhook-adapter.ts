// Alerts to Slack incoming webhooks (one URL per channel, from the config file). IncomingWebhook
// never retries a 429 and drops its Retry-After, so the response headers are read through its
// `fetch` option and a 429 becomes `rate_limited`: the pipeline's outbox retries it later.
import { IncomingWebhook } from '@slack/webhook';
import { describeError } from '../../errors.js';
import { redactUrl, type Logger } from '../../log.js';
import type { ChannelConfig } from '../../domain.js';
import type { ChatAdapter, DeliveryOutcome } from '../chat-adapter.js';
import { safeHttpUrl } from '../text.js';
import { renderSlackAlert, renderSlackDigest, type KnownBlock } from './render.js';

export interface SlackWebhookAdapterOptions {
  logger: Logger;
  /** Per-request timeout, in ms. Default 15000. */
  timeoutMs?: number;
}

/** Used when a 429 carries no usable Retry-After, in ms. */
const DEFAULT_RETRY_AFTER_MS = 1000;
const DEFAULT_TIMEOUT_MS = 15_000;

/** Retry-After as ms: delta-seconds or an HTTP date; undefined when absent or junk. */
function parseRetryAfter(value: string | null): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

interface WebhookError {
  code?: unknown;
  statusCode?: unknown;
  body?: unknown;
}

/** Creates the `slack-webhook` adapter. It holds no connections of its own. */
export function createSlackWebhookAdapter(options: SlackWebhookAdapterOptions): ChatAdapter {
  const log = options.logger.child({ adapter: 'slack-webhook' });
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  /** Posts one payload to the channel's webhook. `what` names it in the log. */
  async function send(channel: ChannelConfig, render: () => { text: string; blocks: KnownBlock[] }, what: string): Promise<DeliveryOutcome> {
    const url = safeHttpUrl(channel.webhookUrl);
    if (url === undefined) {
      return { ok: false, reason: 'rejected', retryable: false, message: `channel ${channel.id} has no valid webhookUrl` };
    }
    let retryAfterHeader: string | null = null;
    const recordingFetch: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      retryAfterHeader = response.headers.get('retry-after');
      return response;
    };
    const webhook = new IncomingWebhook(url, { fetch: recordingFetch, timeout: timeoutMs });
    try {
      const { text, blocks } = render();
      await webhook.send({ text, blocks, unfurl_links: false, unfurl_media: false });
      return { ok: true };
    } catch (err) {
      const outcome = classify(err, retryAfterHeader);
      log.warn({ channel: channel.id, url: redactUrl(url), what, reason: outcome.reason, error: outcome.message }, 'Slack webhook delivery failed');
      return outcome;
    }
  }

  return {
    kind: 'slack-webhook',
    deliver: (channel, alert) => send(channel, () => renderSlackAlert(alert), `alert ${alert.id}`),
    /**
     * Incoming webhooks can neither edit a message nor answer in a thread: a later report of a
     * story posts nothing (one message per story) and is accepted as delivered.
     */
    async updateStory(): Promise<DeliveryOutcome> {
      return { ok: true };
    },
    deliverDigest: (channel, alerts, lang, note) => send(channel, () => renderSlackDigest(alerts, lang, note), `digest of ${alerts.length}`),
    close: async () => undefined,
  };
}

function classify(err: unknown, retryAfterHeader: string | null): Exclude<DeliveryOutcome, { ok: true }> {
  const e = (typeof err === 'object' && err !== null ? err : {}) as WebhookError;
  if (e.code === 'slack_webhook_http_error' && typeof e.statusCode === 'number') {
    const status = e.statusCode;
    // Slack answers webhook errors with a short code as the body: no_service, channel_not_found, invalid_payload …
    const detail = typeof e.body === 'string' && e.body.length <= 100 ? e.body.trim() : '';
    const message = detail ? `HTTP ${status}: ${detail}` : `HTTP ${status}`;
    if (status === 429) {
      return { ok: false, reason: 'rate_limited', retryAfterMs: parseRetryAfter(retryAfterHeader) ?? DEFAULT_RETRY_AFTER_MS, message };
    }
    if (status >= 500 || status === 408) return { ok: false, reason: 'unavailable', retryable: true, message };
    return { ok: false, reason: 'rejected', retryable: false, message };
  }
  // Network errors, timeouts, redirects (IncomingWebhook refuses to follow them).
  return { ok: false, reason: 'unavailable', retryable: true, message: describeError(err) };
}
