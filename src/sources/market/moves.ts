// Price moves over a window, from a candle series. Pure: the clock is a parameter.
import type { Candle } from './candles.js';

/** The windows a rule can watch. */
export type MarketWindow = '15m' | '1h' | '4h' | '24h';
export const MARKET_WINDOWS = ['15m', '1h', '4h', '24h'] as const satisfies readonly MarketWindow[];

/** Length of each window, in ms. */
export const WINDOW_MS = {
  '15m': 15 * 60_000,
  '1h': 60 * 60_000,
  '4h': 4 * 60 * 60_000,
  '24h': 24 * 60 * 60_000,
} as const satisfies Record<MarketWindow, number>;

/** Alert when the price moved by at least `threshold` percent (up or down) over `window`. */
export interface MoveRule {
  window: MarketWindow;
  /** Absolute move in percent, e.g. 5 for ±5 %. */
  threshold: number;
}

/** The price change over one window, measured on closes. */
export interface Change {
  /** (price − fromPrice) / fromPrice × 100, signed. */
  changePct: number;
  /** The close of the last bar that ended at or before now − window. */
  fromPrice: number;
  /** When that bar ended, epoch ms. */
  fromTime: number;
  /** The close of the latest bar (the current price while the bar is open). */
  price: number;
  /** When `price` was current: the end of the latest bar, or now while it is still open; epoch ms. */
  asOf: number;
}

/** A rule whose threshold the change reached. */
export interface Move extends Change {
  window: MarketWindow;
  threshold: number;
}

/**
 * Absorbs floating-point noise in the percentage, so a move of exactly the threshold (100 → 95
 * for 5 %) counts however the division rounds; in percentage points.
 */
const THRESHOLD_EPSILON = 1e-9;

/** The bars that had opened by `nowMs` (a clock behind the exchange's must not see the future). */
function opened(candles: readonly Candle[], nowMs: number): Candle[] {
  return candles.filter((c) => c.openTime <= nowMs);
}

/**
 * The change between the close at `nowMs − windowMs` (the last bar ended by then) and the latest
 * close. Undefined when the series does not reach back that far or the old price is not positive.
 * `candles` must be oldest first.
 */
export function changeOver(candles: readonly Candle[], windowMs: number, nowMs: number): Change | undefined {
  const bars = opened(candles, nowMs);
  const last = bars.at(-1);
  if (last === undefined) return undefined;
  const target = nowMs - windowMs;
  const from = bars.findLast((c) => c.closeTime <= target);
  if (from === undefined || !(from.close > 0)) return undefined;
  return {
    changePct: ((last.close - from.close) / from.close) * 100,
    fromPrice: from.close,
    fromTime: from.closeTime + 1,
    price: last.close,
    asOf: Math.min(last.closeTime + 1, nowMs),
  };
}

/**
 * The rules whose threshold the change over their window reached (|change| ≥ threshold), in rule
 * order. A window the series does not cover yields nothing. `candles` must be oldest first.
 */
export function computeMoves(candles: readonly Candle[], rules: readonly MoveRule[], now: Date): Move[] {
  const nowMs = now.getTime();
  const moves: Move[] = [];
  for (const rule of rules) {
    const change = changeOver(candles, WINDOW_MS[rule.window], nowMs);
    if (change === undefined) continue;
    if (Math.abs(change.changePct) >= rule.threshold - THRESHOLD_EPSILON) {
      moves.push({ ...change, window: rule.window, threshold: rule.threshold });
    }
  }
  return moves;
}

/**
 * The item key of a move: `${symbol}:${window}:${threshold}:${bucket}`, bucket = floor(now /
 * window length). The pipeline claims keys once, so a symbol alerts at most once per rule and per
 * calendar window (e.g. once per clock hour for a 1 h rule), however many polls see the move.
 */
export function moveKey(symbol: string, rule: MoveRule, now: Date): string {
  const bucket = Math.floor(now.getTime() / WINDOW_MS[rule.window]);
  return `${symbol}:${rule.window}:${rule.threshold}:${bucket}`;
}
