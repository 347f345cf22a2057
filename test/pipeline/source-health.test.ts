import { describe, expect, it } from 'vitest';
import type { FetchState } from '../../src/domain.js';
import { afterSuccess } from '../../src/pipeline/source-health.js';
import { emptyFetchState } from '../../src/store/store.js';

describe('afterSuccess', () => {
  it('hands back a healthy state as it is: a 304 poll copies nothing', () => {
    const healthy: FetchState = { ...emptyFetchState(), etag: '"v1"', lastFetchAt: '2026-11-30T12:00:00.000Z' };
    expect(afterSuccess(healthy)).toBe(healthy);
  });

  it('clears the failures, the error and the backoff of a failing source, and keeps the rest', () => {
    const failing: FetchState = {
      ...emptyFetchState(),
      health: 'failing',
      failures: 3,
      lastError: 'HTTP 503 from http://feeds.test/rss',
      nextAttemptAt: '2026-11-30T12:05:00.000Z',
      etag: '"v2"',
      lastModified: 'Mon, 30 Nov 2026 11:00:00 GMT',
      bodyHash: 'abc',
      lastFetchAt: '2026-11-30T12:00:00.000Z',
      lastNewAt: '2026-11-30T11:00:00.000Z',
    };
    const after = afterSuccess(failing);
    expect(after).toEqual({ ...failing, health: 'ok', failures: 0, lastError: undefined, nextAttemptAt: undefined });
    expect(failing.health).toBe('failing');
  });

  it.each([
    ['a count of failures', { failures: 1 }],
    ['an error', { lastError: 'timed out' }],
    ['a backoff', { nextAttemptAt: '2026-11-30T12:05:00.000Z' }],
  ])('copies an "ok" state that still carries %s', (_what, rest) => {
    const state: FetchState = { ...emptyFetchState(), ...rest };
    const after = afterSuccess(state);
    expect(after).not.toBe(state);
    expect(after).toMatchObject({ health: 'ok', failures: 0, lastError: undefined, nextAttemptAt: undefined });
  });
});
