import { afterEach, describe, expect, it } from 'vitest';
import { WirewatchError } from '../../../src/errors.js';
import { gdeltKind } from '../../../src/sources/gdelt/gdelt-kind.js';
import { googleNewsEdition, googleNewsKind } from '../../../src/sources/google-news/google-news-kind.js';
import { hackerNewsKind } from '../../../src/sources/hackernews/hackernews-kind.js';
import type { AnySourceKind } from '../../../src/sources/registry.js';
import { secEdgarKind } from '../../../src/sources/sec-edgar/sec-edgar-kind.js';
import type { FeedPoll } from '../../../src/sources/source-kind.js';
import { startServer, type LocalServer } from '../local-server.js';
import { fixture, firstPollContext, loopbackFetcher, sourceConfig } from './support.js';

/** The lead wires these into the registry: they must fit its common shape. */
const ALL: AnySourceKind[] = [hackerNewsKind, googleNewsKind, gdeltKind, secEdgarKind];

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The query parameters of `url`, as a plain object (decoded). */
function params(url: string | undefined): Record<string, string> {
  return Object.fromEntries(new URL(url ?? 'invalid:').searchParams);
}

describe('options and defaultUrl', () => {
  it('every kind names itself and rejects unknown keys', () => {
    expect(ALL.map((k) => k.kind)).toEqual(['hackernews', 'google-news', 'gdelt', 'sec-edgar']);
    for (const kind of ALL) expect(kind.options.safeParse({ query: 'x', lang: 'en', cik: '1', surprise: true }).success).toBe(false);
  });

  it('hackernews: Algolia search_by_date, query encoded, story tag and 50 hits by default', () => {
    const options = hackerNewsKind.options.parse({ query: 'nvidia "h200" & co' });
    expect(options).toEqual({ query: 'nvidia "h200" & co', tags: 'story' });
    const url = hackerNewsKind.defaultUrl(options);
    expect(url.startsWith('https://hn.algolia.com/api/v1/search_by_date?')).toBe(true);
    expect(params(url)).toEqual({ query: 'nvidia "h200" & co', tags: 'story', hitsPerPage: '50' });
    expect(params(hackerNewsKind.defaultUrl(hackerNewsKind.options.parse({ query: 'tsmc', tags: 'show_hn', minPoints: 20 })))).toMatchObject({
      tags: 'show_hn',
      numericFilters: 'points>=20',
    });
    expect(hackerNewsKind.options.safeParse({ query: '  ' }).success).toBe(false);
    expect(hackerNewsKind.options.safeParse({ query: 'x', minPoints: -1 }).success).toBe(false);
  });

  it('google-news: hl, gl and ceid from lang and region', () => {
    expect(googleNewsEdition('en')).toEqual({ hl: 'en-US', gl: 'US', ceid: 'US:en' });
    expect(googleNewsEdition('fr')).toEqual({ hl: 'fr', gl: 'FR', ceid: 'FR:fr' });
    expect(googleNewsEdition('en', 'GB')).toEqual({ hl: 'en-GB', gl: 'GB', ceid: 'GB:en' });
    expect(googleNewsEdition('fr', 'CA')).toEqual({ hl: 'fr', gl: 'CA', ceid: 'CA:fr' });
    expect(googleNewsEdition('ja')).toEqual({ hl: 'ja', gl: 'JP', ceid: 'JP:ja' });

    const url = googleNewsKind.defaultUrl(googleNewsKind.options.parse({ query: 'Nvidia OR "puces IA" +TSMC', lang: 'FR' }));
    expect(url.startsWith('https://news.google.com/rss/search?')).toBe(true);
    expect(params(url)).toEqual({ q: 'Nvidia OR "puces IA" +TSMC', hl: 'fr', gl: 'FR', ceid: 'FR:fr' });
    expect(url).toContain('%2BTSMC');
    expect(params(googleNewsKind.defaultUrl(googleNewsKind.options.parse({ query: 'x', lang: 'en', region: 'gb' })))).toMatchObject({
      hl: 'en-GB',
      gl: 'GB',
      ceid: 'GB:en',
    });
    expect(googleNewsKind.options.safeParse({ query: 'x' }).success).toBe(false);
    expect(googleNewsKind.options.safeParse({ query: 'x', lang: 'english' }).success).toBe(false);
  });

  it('gdelt: artlist JSON sorted by date, 75 records and 24h by default, sourcelang in the query', () => {
    const options = gdeltKind.options.parse({ query: '(nvidia OR tsmc) "ai chips"' });
    expect(options).toEqual({ query: '(nvidia OR tsmc) "ai chips"', maxRecords: 75, timespan: '24h' });
    const url = gdeltKind.defaultUrl(options);
    expect(url.startsWith('https://api.gdeltproject.org/api/v2/doc/doc?')).toBe(true);
    expect(params(url)).toEqual({
      query: '(nvidia OR tsmc) "ai chips"',
      mode: 'artlist',
      format: 'json',
      maxrecords: '75',
      sort: 'datedesc',
      timespan: '24h',
    });
    const french = gdeltKind.defaultUrl(gdeltKind.options.parse({ query: 'nvidia', maxRecords: 250, timespan: '15min', sourceLang: 'French' }));
    expect(params(french)).toMatchObject({ query: 'nvidia sourcelang:french', maxrecords: '250', timespan: '15min' });
    expect(gdeltKind.options.safeParse({ query: 'x', maxRecords: 251 }).success).toBe(false);
    expect(gdeltKind.options.safeParse({ query: 'x', timespan: 'yesterday' }).success).toBe(false);
  });

  it('sec-edgar: CIK zero-padded to 10, one type for one form, all types filtered for several', () => {
    const options = secEdgarKind.options.parse({ cik: '1045810' });
    expect(options).toEqual({ cik: '1045810', forms: ['8-K', '6-K'] });
    const url = secEdgarKind.defaultUrl(options);
    expect(url.startsWith('https://www.sec.gov/cgi-bin/browse-edgar?')).toBe(true);
    expect(params(url)).toEqual({ action: 'getcompany', CIK: '0001045810', type: '', dateb: '', owner: 'exclude', count: '40', output: 'atom' });
    expect(params(secEdgarKind.defaultUrl(secEdgarKind.options.parse({ cik: '0001045810', forms: ['8-K'] })))).toMatchObject({
      CIK: '0001045810',
      type: '8-K',
    });
    expect(params(secEdgarKind.defaultUrl(secEdgarKind.options.parse({ cik: '1045810', forms: ['8-K', '4'] })))).toMatchObject({ owner: 'include' });
    expect(secEdgarKind.options.safeParse({ cik: 'NVDA' }).success).toBe(false);
    expect(secEdgarKind.options.safeParse({ cik: '12345678901' }).success).toBe(false);
    expect(secEdgarKind.options.safeParse({ cik: '1', forms: [] }).success).toBe(false);
  });
});

interface Served {
  body: Buffer;
  contentType: string;
}

/**
 * A server answering `served` with an etag, honouring If-None-Match only while `honour304()`;
 * polls the kind three times: 200 (parsed), 304 (not-modified), identical 200 (unchanged).
 */
async function pollThreeTimes(
  kind: AnySourceKind,
  rawOptions: Record<string, unknown>,
  served: Served,
): Promise<{ polls: FeedPoll[]; srv: LocalServer }> {
  let honour304 = true;
  const srv = await startServer((req, res) => {
    if (honour304 && req.headers['if-none-match'] === '"v1"') {
      res.writeHead(304);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': served.contentType, etag: '"v1"' });
    res.end(served.body);
  });
  const fetcher = loopbackFetcher();
  cleanups.push(() => srv.close(), () => fetcher.close());
  const options = kind.options.parse(rawOptions);
  // The config sets url to `url ?? defaultUrl(options)`: here the override points at the local server.
  const source = sourceConfig(kind.kind, `${srv.origin}/api?x=1`, options);
  const first = await kind.poll(firstPollContext(fetcher, source, '2026-01-29T11:00:00.000Z'), options);
  const second = await kind.poll({ ...firstPollContext(fetcher, source, '2026-01-29T11:05:00.000Z'), previous: first.state }, options);
  honour304 = false;
  const third = await kind.poll({ ...firstPollContext(fetcher, source, '2026-01-29T11:10:00.000Z'), previous: second.state }, options);
  return { polls: [first, second, third], srv };
}

describe('poll end to end against a local server', () => {
  it.each([
    ['hackernews', hackerNewsKind, { query: 'nvidia' }, 'hackernews', 'search-by-date.json', 'application/json; charset=utf-8', 4],
    ['google-news', googleNewsKind, { query: 'Nvidia OR TSMC', lang: 'en' }, 'google-news', 'search-en.xml', 'application/xml; charset=utf-8', 4],
    ['gdelt', gdeltKind, { query: 'nvidia' }, 'gdelt', 'artlist.json', 'application/json; charset=utf-8', 4],
    ['sec-edgar', secEdgarKind, { cik: '1418091' }, 'sec-edgar', 'company-twitter-mixed.xml', 'application/atom+xml', 2],
  ] as const)('%s: parses a 200, honours a 304, skips an identical body', async (_, kind, rawOptions, dir, file, contentType, count) => {
    const { polls, srv } = await pollThreeTimes(kind, rawOptions, { body: fixture(dir, file), contentType });
    const [first, second, third] = polls;
    expect(first?.kind).toBe('parsed');
    if (first?.kind !== 'parsed') return;
    expect(first.feed.items).toHaveLength(count);
    expect(first.feed.items.every((i) => i.sourceId === `${kind.kind}-test`)).toBe(true);
    expect(first.state).toMatchObject({ etag: '"v1"', bodyHash: expect.stringMatching(/^[0-9a-f]{64}$/), lastFetchAt: '2026-01-29T11:00:00.000Z' });
    expect(second).toEqual({ kind: 'not-modified', state: { ...first.state, lastFetchAt: '2026-01-29T11:05:00.000Z' } });
    expect(third).toEqual({ kind: 'unchanged', state: { ...first.state, lastFetchAt: '2026-01-29T11:10:00.000Z' } });
    expect(srv.requests.map((r) => r.url)).toEqual(['/api?x=1', '/api?x=1', '/api?x=1']);
    expect(srv.requests[1]?.headers['if-none-match']).toBe('"v1"');
  });

  it('sec-edgar: decodes the ISO-8859-1 body EDGAR sends', async () => {
    const { polls } = await pollThreeTimes(secEdgarKind, { cik: '1046179' }, {
      body: fixture('sec-edgar', 'company-tsmc-6k.xml'),
      contentType: 'application/atom+xml',
    });
    const first = polls[0];
    expect(first?.kind === 'parsed' && first.feed.items[0]?.summary).toContain('Q4 2025 résultats');
  });

  it('gdelt: a 200 text/html refusal is parse_failed with GDELT\'s message', async () => {
    const srv = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(fixture('gdelt', 'error-or-terms.txt'));
    });
    const fetcher = loopbackFetcher();
    cleanups.push(() => srv.close(), () => fetcher.close());
    const options = gdeltKind.options.parse({ query: 'nvidia OR tsmc' });
    const context = firstPollContext(fetcher, sourceConfig('gdelt', `${srv.origin}/api/v2/doc/doc`, options));
    const err = await gdeltKind.poll(context, options).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WirewatchError);
    expect(err).toMatchObject({ code: 'parse_failed', message: "GDELT refused the query: Queries containing OR'd terms must be surrounded by ()." });
  });

  it('sec-edgar: refuses to poll without a declared contact, before any request', async () => {
    const srv = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/atom+xml' });
      res.end(fixture('sec-edgar', 'company-twitter-mixed.xml'));
    });
    const fetcher = loopbackFetcher({ withContact: false });
    cleanups.push(() => srv.close(), () => fetcher.close());
    const options = secEdgarKind.options.parse({ cik: '1418091' });
    const err = await secEdgarKind.poll(firstPollContext(fetcher, sourceConfig('sec-edgar', `${srv.origin}/edgar`, options)), options).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WirewatchError);
    expect(err).toMatchObject({
      code: 'config_invalid',
      message: 'sec-edgar needs WIREWATCH_CONTACT (SEC asks every client to declare a contact)',
    });
    expect(srv.requests).toHaveLength(0);
  });

  it('lets fetch errors through unchanged (HTTP 503 from the API)', async () => {
    const srv = await startServer((_req, res) => {
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end('busy');
    });
    const fetcher = loopbackFetcher();
    cleanups.push(() => srv.close(), () => fetcher.close());
    const options = hackerNewsKind.options.parse({ query: 'nvidia' });
    const err = await hackerNewsKind.poll(firstPollContext(fetcher, sourceConfig('hackernews', `${srv.origin}/hn`, options)), options).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'http_status' });
  });
});
