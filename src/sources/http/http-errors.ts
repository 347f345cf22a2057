// HTTP answers that are failures, and the server's "come back later" (Retry-After) in a form the
// pipeline can read from any error without knowing which class carried it.
import { WirewatchError } from '../../errors.js';

/**
 * A non-2xx answer (other than 304 and 429). `status` lets callers tell "gone" (404, 410) from
 * "down" (5xx); `retryAfterMs` is set when a 503 said how long to wait.
 */
export class HttpStatusError extends WirewatchError {
  /** The HTTP status code. */
  readonly status: number;
  /** From the Retry-After header of a 503, in ms (already capped by the fetcher); undefined otherwise. */
  readonly retryAfterMs: number | undefined;
  constructor(status: number, message: string, retryAfterMs?: number, options?: { cause?: unknown }) {
    super('http_status', message, options);
    this.name = 'HttpStatusError';
    this.status = status;
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * Parses a Retry-After header (delta-seconds or HTTP-date) into ms from `nowMs`; a date in the
 * past gives 0. Undefined when the header is absent or unreadable.
 */
export function parseRetryAfter(header: string | null | undefined, nowMs: number): number | undefined {
  if (header === null || header === undefined) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // Every HTTP-date form (IMF-fixdate, RFC 850, asctime) starts with a day name; this keeps
  // Date.parse from reading "-5" as the year -5.
  if (!/^[A-Za-z]{3}/.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  return Number.isFinite(date) ? Math.max(0, date - nowMs) : undefined;
}

/**
 * How long, in ms, the server behind `err` asked us to wait before trying again; undefined when it
 * did not say. Reads `retryAfterMs` from any error that carries it (RateLimitedError,
 * HttpStatusError for a 503, or an error wrapping one of them as its `cause`).
 */
export function retryAfterOf(err: unknown): number | undefined {
  let current = err;
  for (let depth = 0; depth < 8 && typeof current === 'object' && current !== null; depth++) {
    if ('retryAfterMs' in current) {
      const value = current.retryAfterMs;
      if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
    }
    current = 'cause' in current ? current.cause : undefined;
  }
  return undefined;
}
