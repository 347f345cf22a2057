// One word per kind of fetch failure, for people: shown in `wirewatch feed test`, in a source's
// status and in logs, instead of our internal error codes.
import { WirewatchError } from '../../errors.js';

/** What went wrong with a fetch, as a user reads it. */
export type FetchErrorCode = 'ssrf_blocked' | 'too_large' | 'timeout' | 'http_status' | 'rate_limited' | 'not_a_feed' | 'fetch_failed';

/**
 * Maps any thrown value to a `FetchErrorCode`: fetch_refused → ssrf_blocked, fetch_too_large →
 * too_large, fetch_timeout → timeout, http_status, rate_limited, parse_failed → not_a_feed;
 * anything else (DNS, connection reset, a bug) → fetch_failed.
 */
export function fetchErrorCode(err: unknown): FetchErrorCode {
  if (!(err instanceof WirewatchError)) return 'fetch_failed';
  switch (err.code) {
    case 'fetch_refused':
      return 'ssrf_blocked';
    case 'fetch_too_large':
      return 'too_large';
    case 'fetch_timeout':
      return 'timeout';
    case 'http_status':
      return 'http_status';
    case 'rate_limited':
      return 'rate_limited';
    case 'parse_failed':
      return 'not_a_feed';
    default:
      return 'fetch_failed';
  }
}
