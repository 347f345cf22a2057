import { describe, expect, it } from 'vitest';
import { changeOver, computeMoves, moveKey, type MoveRule } from '../../../src/sources/market/moves.js';
import { BAR_MS, series } from './candles-helper.js';

// Bars of 5 min from 08:55 to the one opened at 10:00, still open at 10:02. The last bar that
// ended by 09:02 (now − 1 h) is the first one, 08:55–09:00.
const START = new Date('2024-06-03T08:55:00Z');
const NOW = new Date('2024-06-03T10:02:00Z');
const HOUR: MoveRule = { window: '1h', threshold: 5 };

/** 14 closes from 08:55 to 10:00: `from` first, `to` last, a wiggle in between. */
function hourSeries(from: number, to: number): ReturnType<typeof series> {
  const closes = Array.from({ length: 14 }, (_, i) => from + ((to - from) * i) / 13 + (i % 3 === 1 ? from * 0.02 : 0));
  closes[0] = from;
  closes[13] = to;
  return series(closes, START);
}

describe('computeMoves', () => {
  it('reports a rise past the threshold, signed and measured from the bar ended by now − window', () => {
    const moves = computeMoves(hourSeries(100, 106), [HOUR], NOW);
    expect(moves).toHaveLength(1);
    const [move] = moves;
    expect(move?.changePct).toBeCloseTo(6, 10);
    expect(move).toMatchObject({
      window: '1h',
      threshold: 5,
      fromPrice: 100,
      fromTime: Date.parse('2024-06-03T09:00:00Z'),
      price: 106,
      // The last bar is still open at 10:02: the price is as of now.
      asOf: NOW.getTime(),
    });
  });

  it('reports a fall as a negative change', () => {
    const [move] = computeMoves(hourSeries(0.552, 0.5123), [HOUR], NOW);
    expect(move?.changePct).toBeCloseTo(-7.192, 3);
  });

  it('stays quiet below the threshold, in both directions', () => {
    expect(computeMoves(hourSeries(100, 104.9), [HOUR], NOW)).toEqual([]);
    expect(computeMoves(hourSeries(100, 95.1), [HOUR], NOW)).toEqual([]);
  });

  it('counts a move of exactly the threshold, even when the division rounds below it', () => {
    expect(computeMoves(hourSeries(100, 95), [HOUR], NOW)).toHaveLength(1);
    expect(computeMoves(hourSeries(100, 105), [HOUR], NOW)).toHaveLength(1);
    // (0.665 − 0.7) / 0.7 × 100 is −4.999999999999989 in floating point.
    expect(computeMoves(hourSeries(0.7, 0.665), [HOUR], NOW)).toHaveLength(1);
  });

  it('yields no move for a window the history does not cover', () => {
    // 30 min of bars: nothing had ended by now − 1 h, let alone now − 24 h.
    const short = series([100, 100, 100, 90, 80, 70], new Date('2024-06-03T09:35:00Z'));
    expect(computeMoves(short, [HOUR, { window: '24h', threshold: 1 }], NOW)).toEqual([]);
    expect(changeOver(short, 60 * 60_000, NOW.getTime())).toBeUndefined();
    // ...but the 15 min window is covered and moved.
    expect(computeMoves(short, [{ window: '15m', threshold: 10 }], NOW)).toMatchObject([{ window: '15m', fromPrice: 100, price: 70 }]);
    expect(computeMoves([], [HOUR], NOW)).toEqual([]);
  });

  it('checks every rule on its own window, in rule order', () => {
    // Flat at 100 for a day, then 100 → 94 in the last hour: −6 % over 1 h and 24 h.
    const day = Array.from({ length: 24 * 12 + 14 }, () => 100);
    const closes = [...day, 94];
    const firstOpen = new Date(Date.parse('2024-06-03T10:00:00Z') - (closes.length - 1) * BAR_MS);
    const moves = computeMoves(
      series(closes, firstOpen),
      [
        { window: '24h', threshold: 10 },
        { window: '1h', threshold: 5 },
        { window: '24h', threshold: 5 },
      ],
      NOW,
    );
    expect(moves.map((m) => `${m.window}/${m.threshold}`)).toEqual(['1h/5', '24h/5']);
  });

  it('ignores bars that open after now (a clock behind the exchange)', () => {
    const bars = hourSeries(100, 100);
    const future = series([150], new Date('2024-06-03T10:05:00Z'));
    expect(computeMoves([...bars, ...future], [HOUR], NOW)).toEqual([]);
  });

  it('dates a closed last bar by its end, not by now', () => {
    const later = new Date('2024-06-03T10:20:00Z');
    const change = changeOver(hourSeries(100, 106), 60 * 60_000, later.getTime());
    expect(change?.asOf).toBe(Date.parse('2024-06-03T10:05:00Z'));
  });
});

describe('moveKey', () => {
  it('is the same for the same move within one window bucket', () => {
    const at = (iso: string) => moveKey('XRP', HOUR, new Date(iso));
    expect(at('2024-06-03T10:02:00Z')).toBe('XRP:1h:5:477058');
    expect(at('2024-06-03T10:59:59.999Z')).toBe(at('2024-06-03T10:02:00Z'));
  });

  it('changes with the next window, the rule and the symbol', () => {
    const now = new Date('2024-06-03T10:02:00Z');
    expect(moveKey('XRP', HOUR, new Date('2024-06-03T11:00:00Z'))).not.toBe(moveKey('XRP', HOUR, now));
    expect(moveKey('XRP', { window: '1h', threshold: 10 }, now)).not.toBe(moveKey('XRP', HOUR, now));
    expect(moveKey('BTC', HOUR, now)).not.toBe(moveKey('XRP', HOUR, now));
    // A 24 h rule buckets by UTC day.
    expect(moveKey('XRP', { window: '24h', threshold: 10 }, now)).toBe(moveKey('XRP', { window: '24h', threshold: 10 }, new Date('2024-06-03T23:59:00Z')));
  });
});
