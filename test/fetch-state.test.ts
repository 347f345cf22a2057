import { describe, expect, it } from 'vitest';
import { fetchStateWith, type FetchState } from '../src/domain.js';

const full: FetchState = {
  health: 'failing',
  nextAttemptAt: '2026-11-30T00:05:00.000Z',
  etag: '"v1"',
  lastModified: 'Mon, 30 Nov 2026 00:00:00 GMT',
  bodyHash: 'abc',
  failures: 2,
  lastError: 'HTTP 503',
  lastFetchAt: '2026-11-30T00:00:00.000Z',
  lastNewAt: '2026-11-29T23:00:00.000Z',
};

describe('fetchStateWith', () => {
  it('is the state with the changes applied, a field set to undefined included', () => {
    const next = fetchStateWith(full, { health: 'ok', failures: 0, lastError: undefined, nextAttemptAt: undefined, lastFetchAt: 'now' });
    expect(next).toStrictEqual({ ...full, health: 'ok', failures: 0, lastError: undefined, nextAttemptAt: undefined, lastFetchAt: 'now' });
    expect(fetchStateWith(full, { etag: undefined, bodyHash: 'def', lastModified: 'x', lastNewAt: 'y' })).toStrictEqual({ ...full, etag: undefined, bodyHash: 'def', lastModified: 'x', lastNewAt: 'y' });
  });

  it('copies: the state given is left as it was, and no change is a copy of every field', () => {
    const before = { ...full };
    const copy = fetchStateWith(full, {});
    expect(copy).not.toBe(full);
    expect(copy).toStrictEqual(full);
    expect(Object.keys(copy)).toEqual(Object.keys(full));
    expect(full).toStrictEqual(before);
  });
});
