// Error codes for people, and reading "retry after" from whatever error carries it.
import { describe, expect, it } from 'vitest';
import { RateLimitedError, WirewatchError, type ErrorCode } from '../../../src/errors.js';
import { fetchErrorCode } from '../../../src/sources/http/error-code.js';
import { HttpStatusError, parseRetryAfter, retryAfterOf } from '../../../src/sources/http/http-errors.js';

describe('fetchErrorCode', () => {
  it.each([
    ['fetch_refused', 'ssrf_blocked'],
    ['fetch_too_large', 'too_large'],
    ['fetch_timeout', 'timeout'],
    ['http_status', 'http_status'],
    ['rate_limited', 'rate_limited'],
    ['parse_failed', 'not_a_feed'],
    ['fetch_failed', 'fetch_failed'],
    ['store_failed', 'fetch_failed'],
    ['config_invalid', 'fetch_failed'],
  ] as [ErrorCode, string][])('maps %s to %s', (code, expected) => {
    expect(fetchErrorCode(new WirewatchError(code, 'x'))).toBe(expected);
  });

  it('maps the subclasses and anything that is not ours', () => {
    expect(fetchErrorCode(new RateLimitedError('x', 1000))).toBe('rate_limited');
    expect(fetchErrorCode(new HttpStatusError(503, 'x', 1000))).toBe('http_status');
    expect(fetchErrorCode(new TypeError('fetch failed'))).toBe('fetch_failed');
    expect(fetchErrorCode('a string')).toBe('fetch_failed');
    expect(fetchErrorCode(undefined)).toBe('fetch_failed');
  });
});

describe('retryAfterOf', () => {
  it('reads retryAfterMs from RateLimitedError, HttpStatusError and a wrapping cause', () => {
    expect(retryAfterOf(new RateLimitedError('x', 7000))).toBe(7000);
    expect(retryAfterOf(new HttpStatusError(503, 'x', 2000))).toBe(2000);
    expect(retryAfterOf(new WirewatchError('fetch_failed', 'wrapped', { cause: new RateLimitedError('x', 0) }))).toBe(0);
  });

  it('is undefined when nobody said how long', () => {
    expect(retryAfterOf(new HttpStatusError(503, 'x'))).toBeUndefined();
    expect(retryAfterOf(new Error('x'))).toBeUndefined();
    expect(retryAfterOf({ retryAfterMs: Number.NaN })).toBeUndefined();
    expect(retryAfterOf({ retryAfterMs: -5 })).toBeUndefined();
    expect(retryAfterOf(null)).toBeUndefined();
    expect(retryAfterOf(42)).toBeUndefined();
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2024-05-01T00:00:00Z');
  it('reads delta-seconds and HTTP-dates', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Wed, 01 May 2024 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Tue, 30 Apr 2024 00:00:00 GMT', now)).toBe(0);
  });

  it('is undefined for a missing or unreadable header', () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
    expect(parseRetryAfter('1.5', now)).toBeUndefined();
  });
});
