import { describe, expect, it } from 'vitest';
import { WirewatchError } from '../../../src/errors.js';
import { fetchQuote } from '../../../src/sources/market/quote.js';
import { fakeMarket, NOW, setup, testFetcher } from './helpers.js';

describe('fetchQuote', () => {
  it('summarises Binance klines: last price, 1 h and 24 h change, 24 h range and sparkline', async () => {
    const srv = await fakeMarket();
    const quote = await fetchQuote(testFetcher(), { provider: 'binance', baseUrl: `${srv.origin}/`, symbol: 'xrp', now: NOW });
    expect(quote).toMatchObject({ symbol: 'XRP', quote: 'USDT', provider: 'Binance', chartUrl: 'https://www.binance.com/en/trade/XRP_USDT' });
    expect(quote.price).toBeCloseTo(0.5123, 6);
    expect(quote.change1h).toBeCloseTo(((0.5123 - 0.552) / 0.552) * 100, 6);
    expect(quote.change24h).toBeCloseTo(((0.5123 - 0.568) / 0.568) * 100, 6);
    expect(quote.low24h).toBeCloseTo(0.5096, 6);
    expect(quote.high24h).toBeCloseTo(0.5689, 6);
    expect([...quote.sparkline]).toHaveLength(24);
    expect(quote.sparkline).toMatch(/^[▁▂▃▄▅▆▇█]+$/);
    expect(quote.asOf).toBe(NOW.toISOString());
    expect(srv.requests.map((r) => r.url)).toEqual(['/api/v3/klines?symbol=XRPUSDT&interval=5m&limit=300']);
  });

  it('reads Coinbase candles to the same numbers', async () => {
    const srv = await fakeMarket();
    const quote = await fetchQuote(testFetcher(), { provider: 'coinbase', baseUrl: srv.origin, symbol: 'XRP', now: NOW });
    expect(quote.quote).toBe('USD');
    expect(quote.price).toBeCloseTo(0.5123, 6);
    expect(quote.change1h).toBeCloseTo(((0.5123 - 0.552) / 0.552) * 100, 6);
    expect(srv.requests.map((r) => r.url)).toEqual(['/products/XRP-USD/candles?granularity=300']);
  });

  it('refuses a malformed symbol without fetching, and reports what the provider refused', async () => {
    const srv = await fakeMarket();
    const fetcher = testFetcher();
    await expect(fetchQuote(fetcher, { provider: 'binance', baseUrl: srv.origin, symbol: 'XRP&x=1' })).rejects.toMatchObject({ code: 'config_invalid' });
    expect(srv.requests).toEqual([]);
    await expect(fetchQuote(fetcher, { provider: 'binance', baseUrl: srv.origin, symbol: 'NOPE' })).rejects.toMatchObject({ code: 'http_status', status: 400 });
    const broken = await fetchQuote(fetcher, { provider: 'binance', baseUrl: srv.origin, symbol: 'BROKEN' }).catch((e: unknown) => e);
    expect(broken).toBeInstanceOf(WirewatchError);
    expect(broken).toMatchObject({ code: 'parse_failed', message: 'BROKEN: the response is not JSON' });
  });
});

describe('/price', () => {
  it('answers in the channel with price, changes, sparkline and a chart link', async () => {
    const srv = await fakeMarket();
    const { run } = setup({ market: { provider: 'binance', baseUrl: srv.origin } });
    const r = await run('price', 'XRP', { canManage: false });
    expect(r.ok, r.text).toBe(true);
    expect(r.ephemeral).toBe(false);
    expect(r.text).toBe('XRP/USDT 0.5123 USDT · 1 h \u22127.2 % · 24 h \u22129.8 %');
    expect(r.lines[0]?.text).toMatch(/^24 h [▁▂▃▄▅▆▇█]{24} low 0\.5096 · high 0\.5689$/);
    expect(r.lines[1]).toEqual({ text: 'Chart on Binance', url: 'https://www.binance.com/en/trade/XRP_USDT', meta: 'as of 2024-06-03 10:07 UTC' });
    expect((await run('price', '$xrp/usdt')).ok).toBe(true);
  });

  it('explains an unknown pair, a provider that is down, and a market API it may not reach', async () => {
    const srv = await fakeMarket();
    const { run } = setup({ market: { provider: 'binance', baseUrl: srv.origin } });
    const unknown = await run('price', 'NOPE');
    expect(unknown).toMatchObject({ ok: false, ephemeral: true, text: 'The market source has no price for NOPE.' });
    expect((await run('price', 'DOWN')).text).toBe('No price for DOWN right now: the server answered with an error.');
    expect((await run('price', 'BROKEN')).text).toBe('The market source has no price for BROKEN.');
    const ssrf = setup({ market: { provider: 'binance', baseUrl: srv.origin }, fetcher: testFetcher(true) });
    expect((await ssrf.run('price', 'XRP')).text).toBe('No price for XRP right now: that address is not allowed (private or internal network).');
  });

  it('bad arguments get the usage line and fetch nothing', async () => {
    const srv = await fakeMarket();
    const { run } = setup({ market: { provider: 'binance', baseUrl: srv.origin } });
    for (const args of ['', 'BTC ETH', 'BTC/', 'ab%20cd', 'x'.repeat(21)]) {
      const r = await run('price', args);
      expect(r.ok, args).toBe(false);
      expect(r.ephemeral).toBe(true);
      expect(r.text, args).toMatch(/Usage: \/price <symbol> — e\.g\. BTC, eth, XRP\/USDT$/);
    }
    expect(srv.requests).toEqual([]);
  });
});
