// Maps what @discordjs/rest throws to a DeliveryOutcome, shared by the bot and webhook adapters.
import { DiscordAPIError, HTTPError, RateLimitError, RESTJSONErrorCodes } from 'discord.js';
import { describeError } from '../../errors.js';
import type { DeliveryOutcome } from '../chat-adapter.js';

/**
 * Longest rate-limit wait, in ms, that @discordjs/rest may sit out inside one `deliver` call.
 * Longer waits reject with `RateLimitError`, which becomes `rate_limited` for the delivery queue.
 */
export const DEFAULT_MAX_RATE_LIMIT_WAIT_MS = 10_000;

/** Discord error codes that no retry can fix: the channel or webhook is gone or closed to us. */
const PERMANENT_CODES = new Set<number | string>([
  RESTJSONErrorCodes.UnknownChannel, // 10003
  RESTJSONErrorCodes.UnknownMessage, // 10008 (a story update whose first message was deleted)
  RESTJSONErrorCodes.UnknownWebhook, // 10015
  RESTJSONErrorCodes.MissingAccess, // 50001
  RESTJSONErrorCodes.CannotSendMessagesToThisUser, // 50007
  RESTJSONErrorCodes.MissingPermissions, // 50013
  RESTJSONErrorCodes.InvalidFormBodyOrContentType, // 50035
]);

/** A Discord snowflake (channel, webhook, application id); anything else must never reach a route. */
export function isSnowflake(id: string): boolean {
  return /^\d{1,20}$/.test(id);
}

/**
 * Turns a thrown REST error into an outcome. Only the error's message and code are kept: the
 * error objects also carry the request URL, which holds the token of a webhook.
 */
export function outcomeFromError(err: unknown): DeliveryOutcome {
  if (err instanceof RateLimitError) {
    const retryAfterMs = Math.max(0, Math.ceil(Math.max(err.retryAfter, err.timeToReset)));
    return { ok: false, reason: 'rate_limited', retryAfterMs, message: `discord: rate limited (${err.scope}) for ${retryAfterMs} ms` };
  }
  if (err instanceof DiscordAPIError) {
    const message = `discord: ${err.status} ${String(err.code)} ${err.message}`;
    if (PERMANENT_CODES.has(err.code) || [400, 401, 403, 404].includes(err.status)) {
      return { ok: false, reason: 'rejected', retryable: false, message };
    }
    return { ok: false, reason: 'rejected', retryable: err.status === 408 || err.status >= 500, message };
  }
  if (err instanceof HTTPError) {
    return { ok: false, reason: 'unavailable', retryable: true, message: `discord: HTTP ${err.status} ${err.message}` };
  }
  return { ok: false, reason: 'unavailable', retryable: true, message: `discord: ${describeError(err)}` };
}
