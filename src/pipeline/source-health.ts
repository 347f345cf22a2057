// What a failed poll does to a source: backoff, FAILING, and after repeated failures DISABLED.
import { fetchStateWith, type FetchState } from '../domain.js';
import { WirewatchError, describeError } from '../errors.js';
import { HttpStatusError, retryAfterOf } from '../sources/http/http-errors.js';

export const HEALTH_POLICY = {
  /** First backoff after a failure, in ms; doubles with each consecutive failure. */
  baseBackoffMs: 60_000,
  /** Longest backoff, in ms. */
  maxBackoffMs: 3_600_000,
  /** Consecutive failures before a source is disabled when the error may pass (timeouts, 5xx). */
  disableAfterTransient: 10,
  /** Consecutive failures before a source is disabled when the error will not pass by itself (refused address, not a feed, 404). */
  disableAfterPermanent: 3,
} as const satisfies Record<string, number>;

/** Errors that retrying will not fix: the URL or the feed itself must change. */
export function isPermanent(err: unknown): boolean {
  if (!(err instanceof WirewatchError)) return false;
  if (err.code === 'fetch_refused' || err.code === 'parse_failed' || err.code === 'config_invalid') return true;
  return err instanceof HttpStatusError && [401, 403, 404, 410].includes(err.status);
}

/** The state after one more failure, and whether this failure disables the source. */
export function afterFailure(prior: FetchState, err: unknown, now: Date): { state: FetchState; disabled: boolean } {
  const failures = prior.failures + 1;
  const limit = isPermanent(err) ? HEALTH_POLICY.disableAfterPermanent : HEALTH_POLICY.disableAfterTransient;
  const disabled = failures >= limit;
  const backoff = Math.min(HEALTH_POLICY.maxBackoffMs, HEALTH_POLICY.baseBackoffMs * 2 ** (failures - 1));
  const wait = Math.max(backoff, retryAfterOf(err) ?? 0);
  return {
    disabled,
    state: fetchStateWith(prior, {
      failures,
      health: disabled ? 'disabled' : 'failing',
      lastError: describeError(err),
      lastFetchAt: now.toISOString(),
      nextAttemptAt: disabled ? undefined : new Date(now.getTime() + wait).toISOString(),
    }),
  };
}

/** The state after a successful poll: `state` itself when it already says so (most polls: nothing to copy). */
export function afterSuccess(state: FetchState): FetchState {
  if (state.health === 'ok' && state.failures === 0 && state.lastError === undefined && state.nextAttemptAt === undefined) return state;
  return fetchStateWith(state, { health: 'ok', failures: 0, lastError: undefined, nextAttemptAt: undefined });
}
