// One pair's current price for `/price`: last price, 1 h and 24 h change and a 24 h sparkline,
// from the same candle APIs and pieces as the market source kind (candles.ts, moves.ts,
// sparkline.ts). One request per quote.
import { WirewatchError } from '../../errors.js';
import { retryAfterOf } from '../http/http-errors.js';
import type { SafeFetcher } from '../http/safe-fetch.js';
import type { Candle } from './candles.js';
import { PROVIDERS, type MarketProvider, type MarketProviderSpec } from './market-kind.js';
import { changeOver, WINDOW_MS } from './moves.js';
import { sparkline } from './sparkline.js';

/** What `fetchQuote` asks for. */
export interface QuoteRequest {
  provider: MarketProvider;
  /** The API's base URL, e.g. `https://data-api.binance.vision` (a proxy or a local fake in tests). */
  baseUrl: string;
  /** Base asset, e.g. `BTC`; letters and digits, case-insensitive. */
  symbol: string;
  /** Quote currency; `USDT` on Binance and `USD` on Coinbase when absent. */
  quote?: string;
  /** The clock the changes are measured at; `new Date()` by default. */
  now?: Date;
}

/** A pair's price now and how it moved. */
export interface Quote {
  /** Base asset, upper-cased. */
  symbol: string;
  /** Quote currency, upper-cased. */
  quote: string;
  /** The latest close, in the quote currency. */
  price: number;
  /** Change over the last hour in percent, signed; undefined when the series does not reach back that far. */
  change1h: number | undefined;
  /** Change over the last 24 hours in percent, signed; undefined when the series does not reach back that far. */
  change24h: number | undefined;
  /** Lowest and highest trade of the last 24 h, in the quote currency (undefined without bars in that window). */
  low24h: number | undefined;
  high24h: number | undefined;
  /** The last 24 h of closes as 24 block characters (one an hour), see sparkline.ts. */
  sparkline: string;
  /** When `price` was current, ISO 8601. */
  asOf: string;
  /** The provider's display name, e.g. `Binance`. */
  provider: string;
  /** A public chart page for the pair. */
  chartUrl: string;
}

/** Characters in the sparkline (one an hour). */
const SPARKLINE_WIDTH = 24;

/** An asset or currency code goes into a URL: letters and digits only. */
const CODE = /^[A-Za-z0-9]{1,20}$/;

/**
 * Fetches the last 25 h of 5-minute bars for one pair and summarises them. Throws
 * `WirewatchError` `config_invalid` for a malformed symbol or quote (nothing is fetched),
 * `parse_failed` when the provider refuses the pair or answers something else, and the fetcher's
 * errors (SSRF refusal, HTTP status, rate limit, timeout) as they are.
 */
export async function fetchQuote(fetcher: SafeFetcher, request: QuoteRequest): Promise<Quote> {
  const provider: MarketProviderSpec = PROVIDERS[request.provider];
  const symbol = request.symbol.trim().toUpperCase();
  const quote = (request.quote ?? provider.defaultQuote).trim().toUpperCase();
  if (!CODE.test(symbol) || !CODE.test(quote)) {
    throw new WirewatchError('config_invalid', `not a symbol: ${JSON.stringify(`${symbol}/${quote}`.slice(0, 45))}`);
  }
  const nowMs = (request.now ?? new Date()).getTime();
  const url = `${request.baseUrl.replace(/\/+$/, '')}${provider.candlesPath(symbol, quote)}`;
  let candles: Candle[];
  try {
    const response = await fetcher.fetch(url);
    if (response.status !== 'ok') throw new WirewatchError('parse_failed', `${symbol}: HTTP 304 to an unconditional request`);
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(response.body)) as unknown;
    } catch {
      throw new WirewatchError('parse_failed', `${symbol}: the response is not JSON`);
    }
    candles = provider.parse(json, symbol);
  } catch (err) {
    if (err instanceof WirewatchError || retryAfterOf(err) !== undefined) throw err;
    throw new WirewatchError('fetch_failed', `${symbol}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const bars = candles.filter((c) => c.openTime <= nowMs);
  const last = bars.at(-1);
  if (last === undefined) throw new WirewatchError('parse_failed', `${symbol}: ${provider.name} returned no bars`);
  const day = bars.filter((c) => c.closeTime >= nowMs - WINDOW_MS['24h']);
  return {
    symbol,
    quote,
    price: last.close,
    change1h: changeOver(bars, WINDOW_MS['1h'], nowMs)?.changePct,
    change24h: changeOver(bars, WINDOW_MS['24h'], nowMs)?.changePct,
    low24h: day.length > 0 ? Math.min(...day.map((c) => c.low)) : undefined,
    high24h: day.length > 0 ? Math.max(...day.map((c) => c.high)) : undefined,
    sparkline: sparkline(
      day.map((c) => c.close),
      SPARKLINE_WIDTH,
    ),
    asOf: new Date(Math.min(last.closeTime + 1, nowMs)).toISOString(),
    provider: provider.name,
    chartUrl: provider.chartUrl(symbol, quote),
  };
}
