// Typed errors for the unexpected. Expected outcomes (bad user input, a platform refusing a
// message) are values, not exceptions.

export type ErrorCode =
  | 'config_invalid'
  | 'fetch_refused'
  | 'fetch_failed'
  | 'fetch_too_large'
  | 'fetch_timeout'
  | 'http_status'
  | 'parse_failed'
  | 'store_failed'
  | 'rate_limited'
  | 'delivery_failed';

export class WirewatchError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WirewatchError';
    this.code = code;
  }
}

/** A platform or server said 429; `retryAfterMs` is how long it asked us to wait. */
export class RateLimitedError extends WirewatchError {
  readonly retryAfterMs: number;
  constructor(message: string, retryAfterMs: number, options?: { cause?: unknown }) {
    super('rate_limited', message, options);
    this.name = 'RateLimitedError';
    this.retryAfterMs = retryAfterMs;
  }
}

/** A short, single-line description of any thrown value, safe for logs and chat. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message.split('\n')[0] ?? err.name;
  return String(err);
}
