// Builds candle series for the market tests: consecutive bars of `barMs`, one per close.
import type { Candle } from '../../../src/sources/market/candles.js';

/** 5 minutes, the bar length the market kind asks for, in ms. */
export const BAR_MS = 5 * 60_000;

/** Bars with the given closes, the first opening at `firstOpen`; each opens at the previous close. */
export function series(closes: readonly number[], firstOpen: Date, barMs = BAR_MS): Candle[] {
  return closes.map((close, i) => {
    const open = i === 0 ? close : (closes[i - 1] ?? close);
    const openTime = firstOpen.getTime() + i * barMs;
    return { openTime, closeTime: openTime + barMs - 1, open, high: Math.max(open, close), low: Math.min(open, close), close };
  });
}
