// A move as a NewsItem: `XRP −7.2 % in 1 h — 0.5123 USDT`, with the last 24 h as a sparkline.
// Pure: the clock is a parameter. Plain text only, so every renderer shows it as written.
import type { NewsItem } from '../../domain.js';
import type { Candle } from './candles.js';
import { changeOver, moveKey, WINDOW_MS, type MarketWindow, type Move } from './moves.js';
import { sparkline } from './sparkline.js';

/** How a window reads in a title. */
const WINDOW_LABEL = { '15m': '15 min', '1h': '1 h', '4h': '4 h', '24h': '24 h' } as const satisfies Record<MarketWindow, string>;
/** Characters in the 24 h sparkline (one an hour). */
const SPARKLINE_WIDTH = 24;
/** U+2212, the typographic minus: a hyphen reads as a dash next to a number. */
const MINUS = '\u2212';

/** A signed percentage with one decimal: `+5.3 %`, `−7.2 %`, `0.0 %`. */
export function formatPercent(pct: number): string {
  const magnitude = (Math.round(Math.abs(pct) * 10) / 10).toFixed(1);
  if (magnitude === '0.0' || !Number.isFinite(pct)) return '0.0 %';
  return `${pct < 0 ? MINUS : '+'}${magnitude} %`;
}

/**
 * A price with the precision traders read it at: two decimals and thousands separators from
 * 1000 (`67,123.45`), four decimals from 1 (`3.4567`), four significant digits below (`0.5123`,
 * `0.00001234`), never in exponent notation.
 */
export function formatPrice(price: number): string {
  if (price >= 1000) return price.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  if (price >= 1) return price.toFixed(4);
  return price.toLocaleString('en-US', { minimumSignificantDigits: 4, maximumSignificantDigits: 4, useGrouping: false });
}

/** What a provider lends an item: its name and where a reader can see the chart. */
export interface MarketItemContext {
  sourceId: string;
  /** Base asset, e.g. `XRP`. */
  symbol: string;
  /** Quote currency, e.g. `USDT`. */
  quote: string;
  /** Shown as the item's publisher, e.g. `Binance`. */
  publisher: string;
  /** A public chart page for the pair. */
  chartUrl: string;
  /** The series the move was computed on, oldest first. */
  candles: readonly Candle[];
  now: Date;
}

/** `24 h ▁▂▃▅▇▇▆▅▃▂▁ low 0.5010 · high 0.5634 · −9.8 %`, or '' when no bar is that recent. */
export function summary24h(candles: readonly Candle[], now: Date): string {
  const nowMs = now.getTime();
  const day = candles.filter((c) => c.openTime <= nowMs && c.closeTime >= nowMs - WINDOW_MS['24h']);
  if (day.length === 0) return '';
  const low = Math.min(...day.map((c) => c.low));
  const high = Math.max(...day.map((c) => c.high));
  const change = changeOver(candles, WINDOW_MS['24h'], nowMs);
  const head = `24 h ${sparkline(day.map((c) => c.close), SPARKLINE_WIDTH)} low ${formatPrice(low)} · high ${formatPrice(high)}`;
  return change === undefined ? head : `${head} · ${formatPercent(change.changePct)}`;
}

/** One alert-worthy move as an item: `crypto` by construction, keyed once per symbol, rule and window. */
export function toMarketItem(move: Move, context: MarketItemContext): NewsItem {
  const { symbol, quote } = context;
  return {
    sourceId: context.sourceId,
    key: moveKey(symbol, move, context.now),
    title: `${symbol} ${formatPercent(move.changePct)} in ${WINDOW_LABEL[move.window]} — ${formatPrice(move.price)} ${quote}`,
    url: context.chartUrl,
    summary: summary24h(context.candles, context.now),
    published: new Date(move.asOf).toISOString(),
    publisher: context.publisher,
    fixedTopics: ['crypto'],
  };
}
