// Market moves from a public candle API (Binance market data or Coinbase Exchange): one request
// per symbol per poll, an item only when a rule's threshold is crossed. One bad symbol never
// hides the others: the poll fails only when every symbol failed.
import { z } from 'zod';
import type { NewsItem } from '../../domain.js';
import { WirewatchError } from '../../errors.js';
import { HttpStatusError, retryAfterOf } from '../http/http-errors.js';
import type { SafeFetcher } from '../http/safe-fetch.js';
import type { FeedPoll, PollContext, SourceKind } from '../source-kind.js';
import { parseBinanceKlines, parseCoinbaseCandles, type Candle } from './candles.js';
import { toMarketItem } from './market-item.js';
import { computeMoves, MARKET_WINDOWS, type MoveRule } from './moves.js';

/** The APIs a market source can read. */
export type MarketProvider = 'binance' | 'coinbase';

/** A market source's settings, as validated (defaults applied, symbols upper-cased). */
export type MarketOptions = {
  provider: MarketProvider;
  /** Base assets, e.g. `['BTC', 'ETH', 'XRP']`. */
  symbols: string[];
  /** Quote currency of every pair: `USDT` on Binance, `USD` on Coinbase unless given. */
  quote: string;
  rules: MoveRule[];
};

/** Bar length asked of both APIs, in ms: fine enough that a 15 min window is measured within 5 min. */
const BAR_MS = 5 * 60_000;
/** Bars asked for: 300 × 5 min = 25 h, the whole 24 h window plus a margin (Coinbase's maximum per call). */
const BAR_COUNT = 300;

/** Alert on ±5 % within an hour or ±10 % within a day. */
const DEFAULT_RULES: readonly MoveRule[] = [
  { window: '1h', threshold: 5 },
  { window: '24h', threshold: 10 },
];

/** One market-data API: where its candles are and how to read them. */
export interface MarketProviderSpec {
  /** Display name, the items' publisher. */
  name: string;
  /** The API's base URL (a config `url` replaces it: proxies, tests). */
  baseUrl: string;
  defaultQuote: string;
  /** The public page listing the provider's markets. */
  home: string;
  /** Path and query of the candle request for one pair. */
  candlesPath(symbol: string, quote: string): string;
  parse(json: unknown, symbol: string): Candle[];
  /** A public chart page for the pair. */
  chartUrl(symbol: string, quote: string): string;
}

/** The providers the market kind and `/price` read (one request per pair: 300 five-minute bars). */
export const PROVIDERS = {
  binance: {
    name: 'Binance',
    baseUrl: 'https://data-api.binance.vision',
    defaultQuote: 'USDT',
    home: 'https://www.binance.com/en/markets',
    candlesPath: (symbol, quote) => `/api/v3/klines?symbol=${symbol}${quote}&interval=5m&limit=${BAR_COUNT}`,
    parse: (json, symbol) => parseBinanceKlines(json, symbol),
    chartUrl: (symbol, quote) => `https://www.binance.com/en/trade/${symbol}_${quote}`,
  },
  coinbase: {
    name: 'Coinbase',
    baseUrl: 'https://api.exchange.coinbase.com',
    defaultQuote: 'USD',
    home: 'https://www.coinbase.com/explore',
    // Without start and end, Coinbase answers the BAR_COUNT bars ending now.
    candlesPath: (symbol, quote) => `/products/${symbol}-${quote}/candles?granularity=${BAR_MS / 1000}`,
    parse: (json, symbol) => parseCoinbaseCandles(json, symbol, BAR_MS),
    chartUrl: (symbol) => `https://www.coinbase.com/price/${symbol.toLowerCase()}`,
  },
} as const satisfies Record<MarketProvider, MarketProviderSpec>;

/** An asset or currency code: letters and digits only (it goes into a URL path), upper-cased. */
const assetCode = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9]{1,20}$/, 'letters and digits only, at most 20')
  .transform((code) => code.toUpperCase());

const ruleSchema = z
  .object({
    window: z.enum(MARKET_WINDOWS),
    threshold: z.number().positive().max(1000),
  })
  .strict();

/** Validates a market entry; parsing its own output again gives the same value. */
export const marketOptionsSchema = z
  .object({
    provider: z.enum(['binance', 'coinbase']).default('binance'),
    symbols: z.array(assetCode).min(1).max(50),
    quote: assetCode.optional(),
    rules: z.array(ruleSchema).min(1).max(20).default(() => DEFAULT_RULES.map((r) => ({ ...r }))),
  })
  .strict()
  .transform(
    (o): MarketOptions => ({
      provider: o.provider,
      // Duplicates would give two items the same key in one poll.
      symbols: [...new Set(o.symbols)],
      quote: o.quote ?? PROVIDERS[o.provider].defaultQuote,
      rules: [...new Map(o.rules.map((r) => [`${r.window}:${r.threshold}`, r])).values()],
    }),
  );

/** Decodes a JSON body; `parse_failed` naming the symbol when it is not JSON. */
function decodeJson(body: Uint8Array, symbol: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(body)) as unknown;
  } catch {
    throw new WirewatchError('parse_failed', `${symbol}: the response is not JSON`);
  }
}

/** `err` with `message`, keeping its class and what callers read from it (status, Retry-After). */
function restated(err: WirewatchError, message: string): WirewatchError {
  if (err instanceof HttpStatusError) return new HttpStatusError(err.status, message, err.retryAfterMs, { cause: err });
  return new WirewatchError(err.code, message, { cause: err });
}

/** Fetches and parses one pair's bars; every error names the symbol. */
async function fetchCandles(fetcher: SafeFetcher, baseUrl: string, provider: MarketProviderSpec, symbol: string, quote: string): Promise<Candle[]> {
  try {
    const response = await fetcher.fetch(`${baseUrl}${provider.candlesPath(symbol, quote)}`);
    if (response.status !== 'ok') throw new WirewatchError('parse_failed', `${symbol}: HTTP 304 to an unconditional request`);
    return provider.parse(decodeJson(response.body, symbol), symbol);
  } catch (err) {
    // A 429, or a 503 saying when to come back, concerns the whole host: the pipeline waits
    // instead of this poll trying the next symbol.
    if (retryAfterOf(err) !== undefined) throw err;
    if (err instanceof WirewatchError) throw err.message.startsWith(`${symbol}: `) ? err : restated(err, `${symbol}: ${err.message}`);
    throw new WirewatchError('fetch_failed', `${symbol}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

/**
 * One poll: bars for every symbol, moves against every rule, one item per move. Symbols that
 * failed are skipped and named in the poll's `warnings`; when all failed, throws one error naming each, of the first failure's class
 * and code (an `HttpStatusError` keeps its status). A 429, or a 503 with Retry-After, stops the
 * poll with the fetcher's error as is.
 */
export async function pollMarket(context: PollContext, options: MarketOptions): Promise<FeedPoll> {
  const now = context.now();
  const provider: MarketProviderSpec = PROVIDERS[options.provider];
  const baseUrl = context.source.url.replace(/\/+$/, '');
  const items: NewsItem[] = [];
  const failures: WirewatchError[] = [];
  for (const symbol of options.symbols) {
    let candles: Candle[];
    try {
      candles = await fetchCandles(context.fetcher, baseUrl, provider, symbol, options.quote);
    } catch (err) {
      if (err instanceof WirewatchError && retryAfterOf(err) === undefined) {
        failures.push(err);
        continue;
      }
      throw err;
    }
    for (const move of computeMoves(candles, options.rules, now)) {
      items.push(
        toMarketItem(move, {
          sourceId: context.source.id,
          symbol,
          quote: options.quote,
          publisher: provider.name,
          chartUrl: provider.chartUrl(symbol, options.quote),
          candles,
          now,
        }),
      );
    }
  }
  const first = failures[0];
  if (first !== undefined && failures.length === options.symbols.length) {
    throw restated(first, `every symbol failed: ${failures.map((f) => f.message).join('; ')}`);
  }
  return {
    kind: 'parsed',
    feed: { title: `Market moves (${provider.name})`, link: provider.home, items },
    state: { ...context.previous, lastFetchAt: now.toISOString() },
    ...(failures.length > 0 ? { warnings: failures.map((f) => f.message) } : {}),
  };
}

/** Moves of BTC, ETH, XRP … past a threshold, from Binance market data or Coinbase Exchange. */
export const marketKind = {
  kind: 'market',
  options: marketOptionsSchema,
  defaultUrl: (options) => PROVIDERS[options.provider].baseUrl,
  poll: pollMarket,
} as const satisfies SourceKind<MarketOptions>;
