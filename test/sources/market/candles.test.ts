import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WirewatchError } from '../../../src/errors.js';
import { parseBinanceKlines, parseCoinbaseCandles } from '../../../src/sources/market/candles.js';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../fixtures/market/${name}`, import.meta.url), 'utf8'));

/** The error `fn` throws, for assertions on its code and message. */
function thrown(fn: () => unknown): WirewatchError {
  try {
    fn();
  } catch (err) {
    if (err instanceof WirewatchError) return err;
    throw err;
  }
  throw new Error('expected a WirewatchError');
}

describe('parseBinanceKlines', () => {
  it('reads real klines: times as given, string prices as numbers', () => {
    const candles = parseBinanceKlines(fixture('binance-klines-real-sample.json'), 'BTC');
    expect(candles).toHaveLength(4);
    expect(candles[0]).toEqual({ openTime: 1606709220000, closeTime: 1606709279999, open: 18496.11, high: 18511.13, low: 18492, close: 18506.07 });
    expect(candles[3]).toMatchObject({ openTime: 1606709400000, close: 18524.95 });
  });

  it('reads a 300-bar series oldest first', () => {
    const candles = parseBinanceKlines(fixture('binance-klines-xrpusdt-5m.json'), 'XRP');
    expect(candles).toHaveLength(300);
    expect(candles[0]).toMatchObject({ openTime: Date.parse('2024-06-02T09:10:00Z'), close: 0.56 });
    expect(candles.at(-1)).toMatchObject({ openTime: Date.parse('2024-06-03T10:05:00Z'), closeTime: Date.parse('2024-06-03T10:10:00Z') - 1, close: 0.5123 });
  });

  it('sorts rows and keeps one bar per open time', () => {
    const row = (t: number, close: string) => [t, '1.0', '2.0', '0.5', close, '10', t + 59_999, '0', 1, '0', '0', '0'];
    const candles = parseBinanceKlines([row(120_000, '3.0'), row(0, '1.0'), row(60_000, '2.0'), row(60_000, '2.5')], 'X');
    expect(candles.map((c) => [c.openTime, c.close])).toEqual([[0, 1], [60_000, 2.5], [120_000, 3]]);
  });

  it("turns Binance's error body into parse_failed naming the symbol", () => {
    const err = thrown(() => parseBinanceKlines(fixture('binance-error-invalid-symbol.json'), 'NOPE'));
    expect(err.code).toBe('parse_failed');
    expect(err.message).toBe('NOPE: Binance refused the request (-1121 Invalid symbol.)');
  });

  it('refuses any other shape with parse_failed and where it broke', () => {
    const good = [1606709220000, '18496.11', '18511.13', '18492.00', '18506.07', '218.110', 1606709279999];
    const cases: [unknown, RegExp][] = [
      [{ data: [] }, /^XRP: unexpected Binance klines shape at body: /],
      [[good, [1606709280000, 18506.07, '1', '1', '1', '1', 1606709339999]], /^XRP: unexpected Binance klines shape at \[1\]\[1\]: /],
      [[good.slice(0, 5)], /^XRP: unexpected Binance klines shape at \[0\]/],
      [[[...good.slice(0, 4), 'NaN', ...good.slice(5)]], /^XRP: unexpected Binance klines shape at \[0\]\[4\]: /],
      [[[...good.slice(0, 4), '-1', ...good.slice(5)]], /^XRP: unexpected Binance klines shape at \[0\]\[4\]: /],
      [null, /^XRP: unexpected Binance klines shape/],
    ];
    for (const [body, message] of cases) {
      const err = thrown(() => parseBinanceKlines(body, 'XRP'));
      expect(err.code).toBe('parse_failed');
      expect(err.message).toMatch(message);
    }
  });

  it('accepts an empty list (a pair with no history yet)', () => {
    expect(parseBinanceKlines([], 'NEW')).toEqual([]);
  });

  it('quotes a hostile error message on one short line', () => {
    const err = thrown(() => parseBinanceKlines({ code: -1, msg: `bad\n<@everyone>${'x'.repeat(500)}` }, 'XRP'));
    expect(err.message).not.toContain('\n');
    expect(err.message.length).toBeLessThan(260);
  });
});

describe('parseCoinbaseCandles', () => {
  it('reads a real candle: seconds to ms, [time, low, high, open, close, volume] order', () => {
    expect(parseCoinbaseCandles(fixture('coinbase-candles-real-sample.json'), 'BTC', 3_600_000)).toEqual([
      { openTime: 1710327600000, closeTime: 1710331199999, open: 73243.33, high: 73402.47, low: 73241.5, close: 73370.65 },
    ]);
  });

  it('puts the newest-first series oldest first, equal to the Binance one it mirrors', () => {
    const coinbase = parseCoinbaseCandles(fixture('coinbase-candles-xrp-usd-300.json'), 'XRP', 300_000);
    expect(coinbase).toHaveLength(300);
    expect(coinbase).toEqual(parseBinanceKlines(fixture('binance-klines-xrpusdt-5m.json'), 'XRP'));
  });

  it("turns Coinbase's error body into parse_failed naming the symbol", () => {
    const err = thrown(() => parseCoinbaseCandles(fixture('coinbase-error-not-found.json'), 'NOPE', 300_000));
    expect(err.code).toBe('parse_failed');
    expect(err.message).toBe('NOPE: Coinbase refused the request (NotFound)');
  });

  it('refuses string prices and short rows', () => {
    expect(thrown(() => parseCoinbaseCandles([[1710327600, '73241.5', 1, 1, 1, 1]], 'BTC', 300_000)).message).toMatch(
      /^BTC: unexpected Coinbase candles shape at \[0\]\[1\]: /,
    );
    expect(thrown(() => parseCoinbaseCandles([[1710327600, 1, 1, 1]], 'BTC', 300_000)).code).toBe('parse_failed');
  });
});
