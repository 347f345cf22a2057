import { describe, expect, it } from 'vitest';
import { formatPercent, formatPrice, summary24h, toMarketItem } from '../../../src/sources/market/market-item.js';
import { computeMoves } from '../../../src/sources/market/moves.js';
import { BAR_MS, series } from './candles-helper.js';

describe('formatPercent', () => {
  it('signs with + and the real minus sign, one decimal, a space before %', () => {
    expect(formatPercent(-7.192)).toBe('\u22127.2 %');
    expect(formatPercent(5.04)).toBe('+5.0 %');
    expect(formatPercent(12.35)).toBe('+12.4 %');
    expect(formatPercent(-0.04)).toBe('0.0 %');
    expect(formatPercent(Number.NaN)).toBe('0.0 %');
  });
});

describe('formatPrice', () => {
  it('keeps the digits a trader reads, never an exponent', () => {
    expect(formatPrice(67123.456)).toBe('67,123.46');
    expect(formatPrice(3456.7)).toBe('3,456.70');
    expect(formatPrice(145.23)).toBe('145.2300');
    expect(formatPrice(0.5123)).toBe('0.5123');
    expect(formatPrice(0.51)).toBe('0.5100');
    expect(formatPrice(0.00001234)).toBe('0.00001234');
    expect(formatPrice(0.0000001234)).toBe('0.0000001234');
  });
});

describe('toMarketItem', () => {
  // A crafted day of XRP: flat at 0.5680 for 23 h, drifting to 0.5520, then 0.5123 in the last hour.
  const now = new Date('2024-06-03T10:07:30Z');
  const closes = [...Array.from<number>({ length: 276 }).fill(0.568), ...Array.from<number>({ length: 12 }).fill(0.552), 0.53, 0.52, 0.5123];
  const firstOpen = new Date(Date.parse('2024-06-03T10:05:00Z') - (closes.length - 1) * BAR_MS);
  const candles = series(closes, firstOpen);
  const context = { sourceId: 'market', symbol: 'XRP', quote: 'USDT', publisher: 'Binance', chartUrl: 'https://www.binance.com/en/trade/XRP_USDT', candles, now };

  it('titles a fall as "XRP −7.2 % in 1 h — price" and keys it by symbol, rule and hour', () => {
    const [move] = computeMoves(candles, [{ window: '1h', threshold: 5 }], now);
    expect(move).toBeDefined();
    if (move === undefined) return;
    const item = toMarketItem(move, context);
    expect(item).toEqual({
      sourceId: 'market',
      key: `XRP:1h:5:${Math.floor(now.getTime() / 3_600_000)}`,
      title: 'XRP −7.2 % in 1 h — 0.5123 USDT',
      url: 'https://www.binance.com/en/trade/XRP_USDT',
      // 289 bars in the last 24 h, 24 buckets of about 12: the 23rd mixes 10 × 0.568 with 2 × 0.552
      // (level 6), the last averages the fall (level 0), every earlier one is flat at the top.
      summary: '24 h ██████████████████████▇▁ low 0.5123 · high 0.5680 · −9.8 %',
      published: '2024-06-03T10:07:30.000Z',
      publisher: 'Binance',
      fixedTopics: ['crypto'],
    });
  });

  it('reads a 15 min rise as "+… % in 15 min"', () => {
    const rise = series([...Array.from<number>({ length: 5 }).fill(100), 103, 108], new Date('2024-06-03T09:35:00Z'));
    const [move] = computeMoves(rise, [{ window: '15m', threshold: 5 }], now);
    if (move === undefined) throw new Error('expected a move');
    expect(toMarketItem(move, { ...context, candles: rise }).title).toBe('XRP +8.0 % in 15 min — 108.0000 USDT');
  });

  it('leaves the 24 h change out of the summary when the history is shorter than a day', () => {
    const short = series([1, 2, 3, 4], new Date('2024-06-03T09:50:00Z'));
    expect(summary24h(short, now)).toBe('24 h ▁▃▆█ low 1.0000 · high 4.0000');
    expect(summary24h([], now)).toBe('');
  });
});
