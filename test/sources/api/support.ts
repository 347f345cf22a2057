// Shared by the API source kind tests: fixtures on disk and a poll context against a local server.
import { readFileSync } from 'node:fs';
import type { SourceConfig, SourceKindName } from '../../../src/domain.js';
import { createSafeFetcher, DEFAULT_FETCH_POLICY, type SafeFetcher } from '../../../src/sources/http/safe-fetch.js';
import type { PollContext } from '../../../src/sources/source-kind.js';
import { emptyFetchState } from '../../../src/store/store.js';

/** The bytes of test/fixtures/api/<kind>/<name>. */
export function fixture(kind: string, name: string): Buffer {
  return readFileSync(new URL(`../../fixtures/api/${kind}/${name}`, import.meta.url));
}

/** A fixture decoded as UTF-8 (every fixture but the ISO-8859-1 EDGAR one). */
export function fixtureText(kind: string, name: string): string {
  return fixture(kind, name).toString('utf8');
}

/** A source entry as the config would build it, pointing at `url`. */
export function sourceConfig(kind: SourceKindName, url: string, options: Record<string, unknown>): SourceConfig {
  return { id: `${kind}-test`, kind, name: undefined, url, options, every: '5m', cron: undefined, enabled: true };
}

/** A fetcher allowed to reach 127.0.0.1 only, with no spacing between requests, declaring a contact unless told not to. */
export function loopbackFetcher(options: { withContact: boolean } = { withContact: true }): SafeFetcher {
  const contact = options.withContact ? 'ops@example.com' : undefined;
  return createSafeFetcher({ ...DEFAULT_FETCH_POLICY, allowCidrs: ['127.0.0.1/32'], perHostSpacingMs: 0, contact });
}

/** The context of a first poll (no validators, no body hash) at a fixed time. */
export function firstPollContext(fetcher: SafeFetcher, source: SourceConfig, at = '2026-01-29T11:00:00.000Z'): PollContext {
  return { fetcher, source, previous: emptyFetchState(), now: () => new Date(at) };
}

/** What `fn` throws; fails the test when it returns. */
export function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw, got a return');
}
