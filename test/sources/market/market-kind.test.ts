import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { FetchState, SourceConfig } from '../../../src/domain.js';
import { RateLimitedError, WirewatchError } from '../../../src/errors.js';
import { HttpStatusError, retryAfterOf } from '../../../src/sources/http/http-errors.js';
import { createSafeFetcher, DEFAULT_FETCH_POLICY, type SafeFetcher } from '../../../src/sources/http/safe-fetch.js';
import { marketKind, marketOptionsSchema, type MarketOptions } from '../../../src/sources/market/market-kind.js';
import type { AnySourceKind } from '../../../src/sources/registry.js';
import type { FeedPoll } from '../../../src/sources/source-kind.js';
import { startServer, type Handler, type LocalServer } from '../local-server.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/market/${name}`, import.meta.url));
const BINANCE_XRP = fixture('binance-klines-xrpusdt-5m.json');
const COINBASE_XRP = fixture('coinbase-candles-xrp-usd-300.json');
const BINANCE_INVALID = fixture('binance-error-invalid-symbol.json');
const COINBASE_NOT_FOUND = fixture('coinbase-error-not-found.json');
/** The instant the fixtures were shaped for: XRP −7.2 % over 1 h, −9.8 % over 24 h. */
const NOW = new Date('2024-06-03T10:07:30Z');
const HOUR_BUCKET = Math.floor(NOW.getTime() / 3_600_000);

/** A calm BTC: the fixture's bars with every price set to 67,000. */
const BINANCE_FLAT = JSON.stringify(
  (JSON.parse(BINANCE_XRP.toString('utf8')) as unknown[][]).map((row) => row.map((v, i) => (i >= 1 && i <= 4 ? '67000.00000000' : v))),
);

const PREVIOUS: FetchState = {
  health: 'failing',
  nextAttemptAt: undefined,
  etag: undefined,
  lastModified: undefined,
  bodyHash: undefined,
  failures: 1,
  lastError: 'earlier failure',
  lastFetchAt: '2024-06-03T10:02:30.000Z',
  lastNewAt: '2024-06-01T00:00:00.000Z',
};

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A fake provider on 127.0.0.1 and a fetcher allowed to reach it (no spacing between requests). */
async function fake(handler: Handler): Promise<{ srv: LocalServer; fetcher: SafeFetcher }> {
  const srv = await startServer(handler);
  const fetcher = createSafeFetcher({ ...DEFAULT_FETCH_POLICY, allowCidrs: ['127.0.0.1/32'], perHostSpacingMs: 0 });
  cleanups.push(() => srv.close(), () => fetcher.close());
  return { srv, fetcher };
}

function json(status: number, body: string | Buffer): Handler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8' });
    res.end(body);
  };
}

/** Routes Binance kline requests by their `symbol` parameter. */
function binance(bySymbol: Record<string, Handler>): Handler {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const route = url.pathname === '/api/v3/klines' ? bySymbol[url.searchParams.get('symbol') ?? ''] : undefined;
    (route ?? json(400, BINANCE_INVALID))(req, res);
  };
}

function poll(srv: LocalServer, fetcher: SafeFetcher, raw: Record<string, unknown>, url = `${srv.origin}/`): Promise<FeedPoll> {
  const options: MarketOptions = marketOptionsSchema.parse(raw);
  const source: SourceConfig = { id: 'market', kind: 'market', name: undefined, url, options, every: '5m', cron: undefined, enabled: true };
  return marketKind.poll({ fetcher, source, previous: PREVIOUS, now: () => NOW }, options);
}

/** The rejection of `promise`, which must be a WirewatchError. */
async function rejection(promise: Promise<unknown>): Promise<WirewatchError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof WirewatchError)) throw new Error(`expected a WirewatchError, got ${String(err)}`);
  return err;
}

describe('market options', () => {
  it('applies defaults per provider and upper-cases codes', () => {
    expect(marketOptionsSchema.parse({ symbols: ['btc', 'ETH', 'xrp'] })).toEqual({
      provider: 'binance',
      symbols: ['BTC', 'ETH', 'XRP'],
      quote: 'USDT',
      rules: [
        { window: '1h', threshold: 5 },
        { window: '24h', threshold: 10 },
      ],
    });
    expect(marketOptionsSchema.parse({ provider: 'coinbase', symbols: ['XRP'] })).toMatchObject({ quote: 'USD' });
    expect(marketOptionsSchema.parse({ provider: 'coinbase', symbols: ['XRP'], quote: 'eur' })).toMatchObject({ quote: 'EUR' });
  });

  it('drops duplicate symbols and rules, which would share item keys', () => {
    const parsed = marketOptionsSchema.parse({
      symbols: ['XRP', 'xrp'],
      rules: [
        { window: '4h', threshold: 3 },
        { window: '4h', threshold: 3 },
      ],
    });
    expect(parsed.symbols).toEqual(['XRP']);
    expect(parsed.rules).toEqual([{ window: '4h', threshold: 3 }]);
  });

  it('gives back its own output when parsed again', () => {
    const once = marketOptionsSchema.parse({ provider: 'coinbase', symbols: ['xrp'], rules: [{ window: '15m', threshold: 2.5 }] });
    expect(marketOptionsSchema.parse(once)).toEqual(once);
  });

  it('refuses unknown keys, codes that are not letters and digits, and thresholds that are not positive', () => {
    for (const bad of [
      { symbols: ['XRP'], interval: '1h' },
      { symbols: [] },
      { symbols: ['XRP/USDT'] },
      { symbols: ['XRP?x=1'] },
      { symbols: ['XRP'], quote: 'US D' },
      { symbols: ['XRP'], provider: 'kraken' },
      { symbols: ['XRP'], rules: [{ window: '1h', threshold: 0 }] },
      { symbols: ['XRP'], rules: [{ window: '2h', threshold: 5 }] },
      { symbols: ['XRP'], rules: [{ window: '1h', threshold: 5, direction: 'down' }] },
    ]) {
      expect(marketOptionsSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('names the provider base URL as the default url, and fits the registry shape', () => {
    expect(marketKind.defaultUrl(marketOptionsSchema.parse({ symbols: ['XRP'] }))).toBe('https://data-api.binance.vision');
    expect(marketKind.defaultUrl(marketOptionsSchema.parse({ provider: 'coinbase', symbols: ['XRP'] }))).toBe('https://api.exchange.coinbase.com');
    const registered: AnySourceKind = marketKind;
    expect(registered.kind).toBe('market');
  });
});

describe('marketKind.poll (Binance)', () => {
  it('alerts on the symbol that moved, skips the calm one and the invalid one', async () => {
    const { srv, fetcher } = await fake(
      binance({ XRPUSDT: json(200, BINANCE_XRP), BTCUSDT: json(200, BINANCE_FLAT) }),
    );
    const result = await poll(srv, fetcher, { symbols: ['BTC', 'NOPE', 'XRP'] });

    expect(srv.requests.map((r) => r.url)).toEqual([
      '/api/v3/klines?symbol=BTCUSDT&interval=5m&limit=300',
      '/api/v3/klines?symbol=NOPEUSDT&interval=5m&limit=300',
      '/api/v3/klines?symbol=XRPUSDT&interval=5m&limit=300',
    ]);
    expect(result.kind).toBe('parsed');
    if (result.kind !== 'parsed') return;
    expect(result.state).toEqual({ ...PREVIOUS, lastFetchAt: '2024-06-03T10:07:30.000Z' });
    // The symbol that failed is not silent: the pipeline logs the poll's warnings.
    expect(result.warnings).toEqual([expect.stringMatching(/^NOPE: HTTP 400 from /)]);
    expect(result.feed.title).toBe('Market moves (Binance)');
    expect(result.feed.link).toBe('https://www.binance.com/en/markets');
    // −7.2 % in 1 h passes the 5 % rule; −9.8 % in 24 h stays under the 10 % rule.
    expect(result.feed.items).toEqual([
      {
        sourceId: 'market',
        key: `XRP:1h:5:${HOUR_BUCKET}`,
        title: 'XRP −7.2 % in 1 h — 0.5123 USDT',
        url: 'https://www.binance.com/en/trade/XRP_USDT',
        summary: expect.stringMatching(/^24 h [▁▂▃▄▅▆▇█]{24} low 0\.5096 · high 0\.5689 · −9\.8 %$/),
        published: '2024-06-03T10:07:30.000Z',
        publisher: 'Binance',
        fixedTopics: ['crypto'],
      },
    ]);
  });

  it('gives one item per rule crossed, each with its own key', async () => {
    const { srv, fetcher } = await fake(binance({ XRPUSDT: json(200, BINANCE_XRP) }));
    const result = await poll(srv, fetcher, {
      symbols: ['XRP'],
      rules: [
        { window: '1h', threshold: 5 },
        { window: '4h', threshold: 5 },
        { window: '24h', threshold: 9.8 },
      ],
    });
    if (result.kind !== 'parsed') throw new Error(result.kind);
    expect(result.feed.items.map((i) => [i.key, i.title])).toEqual([
      [`XRP:1h:5:${HOUR_BUCKET}`, 'XRP −7.2 % in 1 h — 0.5123 USDT'],
      [`XRP:4h:5:${Math.floor(NOW.getTime() / (4 * 3_600_000))}`, 'XRP −7.7 % in 4 h — 0.5123 USDT'],
      [`XRP:24h:9.8:${Math.floor(NOW.getTime() / 86_400_000)}`, 'XRP −9.8 % in 24 h — 0.5123 USDT'],
    ]);
  });

  it('returns no items when nothing moved enough', async () => {
    const { srv, fetcher } = await fake(binance({ BTCUSDT: json(200, BINANCE_FLAT) }));
    const result = await poll(srv, fetcher, { symbols: ['BTC'] });
    expect(result).toMatchObject({ kind: 'parsed', feed: { items: [] } });
  });

  it('builds request URLs under a base URL with a path (a proxy)', async () => {
    const { srv, fetcher } = await fake((req, res) => {
      const inner = req.url?.startsWith('/binance/') === true ? json(200, BINANCE_XRP) : json(404, '{}');
      inner(req, res);
    });
    const result = await poll(srv, fetcher, { symbols: ['XRP'] }, `${srv.origin}/binance`);
    expect(srv.requests.map((r) => r.url)).toEqual(['/binance/api/v3/klines?symbol=XRPUSDT&interval=5m&limit=300']);
    expect(result).toMatchObject({ kind: 'parsed', feed: { items: [{ title: 'XRP −7.2 % in 1 h — 0.5123 USDT' }] } });
  });

  it('fails naming every symbol when all of them failed', async () => {
    const { srv, fetcher } = await fake(binance({}));
    const err = await rejection(poll(srv, fetcher, { symbols: ['NOPE', 'ZZZ'] }));
    expect(err).toBeInstanceOf(HttpStatusError);
    expect((err as HttpStatusError).status).toBe(400);
    expect(err.message).toMatch(/^every symbol failed: NOPE: HTTP 400 from .*; ZZZ: HTTP 400 from /);
  });

  it('reports an error body sent with 200, and a body that is not JSON, as parse_failed naming the symbol', async () => {
    const { srv, fetcher } = await fake(binance({ NOPEUSDT: json(200, BINANCE_INVALID), HTMLUSDT: json(200, '<html>maintenance</html>') }));
    const err = await rejection(poll(srv, fetcher, { symbols: ['NOPE', 'HTML'] }));
    expect(err.code).toBe('parse_failed');
    expect(err.message).toBe('every symbol failed: NOPE: Binance refused the request (-1121 Invalid symbol.); HTML: the response is not JSON');
  });

  it('stops at a 429 and lets the pipeline back off', async () => {
    const { srv, fetcher } = await fake((_req, res) => {
      res.writeHead(429, { 'retry-after': '30' });
      res.end();
    });
    const err = await rejection(poll(srv, fetcher, { symbols: ['BTC', 'ETH', 'XRP'] }));
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterMs).toBe(30_000);
    expect(srv.requests).toHaveLength(1);
  });

  it('stops at a 503 that says when to come back', async () => {
    const { srv, fetcher } = await fake((_req, res) => {
      res.writeHead(503, { 'retry-after': '120' });
      res.end();
    });
    const err = await rejection(poll(srv, fetcher, { symbols: ['BTC', 'ETH'] }));
    expect(err).toBeInstanceOf(HttpStatusError);
    expect(retryAfterOf(err)).toBe(120_000);
    expect(srv.requests).toHaveLength(1);
  });
});

describe('marketKind.poll (Coinbase)', () => {
  it('reads Coinbase Exchange candles for the same move', async () => {
    const { srv, fetcher } = await fake((req, res) => {
      const route = req.url === '/products/XRP-USD/candles?granularity=300' ? json(200, COINBASE_XRP) : json(404, COINBASE_NOT_FOUND);
      route(req, res);
    });
    const result = await poll(srv, fetcher, { provider: 'coinbase', symbols: ['xrp', 'nope'] });
    expect(srv.requests.map((r) => r.url)).toEqual(['/products/XRP-USD/candles?granularity=300', '/products/NOPE-USD/candles?granularity=300']);
    if (result.kind !== 'parsed') throw new Error(result.kind);
    expect(result.feed).toMatchObject({ title: 'Market moves (Coinbase)', link: 'https://www.coinbase.com/explore' });
    expect(result.feed.items).toEqual([
      expect.objectContaining({
        key: `XRP:1h:5:${HOUR_BUCKET}`,
        title: 'XRP −7.2 % in 1 h — 0.5123 USD',
        url: 'https://www.coinbase.com/price/xrp',
        publisher: 'Coinbase',
        fixedTopics: ['crypto'],
      }),
    ]);
  });

  it("reports Coinbase's NotFound body (sent with 200) as parse_failed naming the product's symbol", async () => {
    const { srv, fetcher } = await fake(json(200, COINBASE_NOT_FOUND));
    const err = await rejection(poll(srv, fetcher, { provider: 'coinbase', symbols: ['NOPE'] }));
    expect(err.code).toBe('parse_failed');
    expect(err.message).toBe('every symbol failed: NOPE: Coinbase refused the request (NotFound)');
  });
});
