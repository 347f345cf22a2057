// Candle responses of the public market-data APIs to one shape. Pure: no I/O, no clock.
//   Binance  GET /api/v3/klines         → [[openTime ms, "open", "high", "low", "close", "volume", closeTime ms, …], …] oldest first
//   Coinbase GET /products/:id/candles  → [[time s, low, high, open, close, volume], …] newest first, numbers
// Error bodies (Binance `{"code":-1121,"msg":"Invalid symbol."}`, Coinbase `{"message":"NotFound"}`)
// and any other shape become `parse_failed` naming the symbol.
import { z } from 'zod';
import { WirewatchError } from '../../errors.js';

/** One OHLC bar, prices in the quote currency. */
export interface Candle {
  /** Start of the bar, epoch ms. */
  openTime: number;
  /** Last millisecond of the bar, epoch ms (Binance's convention: openTime + interval − 1). */
  closeTime: number;
  open: number;
  high: number;
  low: number;
  /** The last trade of the bar; for the bar still open, the latest price. */
  close: number;
}

/** Most rows accepted from one response (both APIs send at most 1000). */
const MAX_ROWS = 1000;
/** Longest provider error message quoted, in characters. */
const MAX_MESSAGE_CHARS = 200;

const binancePrice = z
  .string()
  .regex(/^[0-9]+(\.[0-9]+)?$/, 'a decimal string')
  .transform(Number)
  .pipe(z.number().nonnegative().finite());
const binanceRow = z.tuple(
  [z.number().int().nonnegative(), binancePrice, binancePrice, binancePrice, binancePrice, z.string(), z.number().int().nonnegative()],
  z.unknown(),
);
const binanceError = z.object({ code: z.number(), msg: z.string() });

const coinbasePrice = z.number().nonnegative().finite();
const coinbaseRow = z.tuple([z.number().int().nonnegative(), coinbasePrice, coinbasePrice, coinbasePrice, coinbasePrice, z.number()], z.unknown());
const coinbaseError = z.object({ message: z.string() });

/** A provider's message, made safe to quote in a log line or a chat message. */
function quote(text: string): string {
  // Control characters are exactly what this removes.
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001F\u007F]+/g, ' ').trim();
  return clean.length > MAX_MESSAGE_CHARS ? `${clean.slice(0, MAX_MESSAGE_CHARS - 1)}…` : clean;
}

/** The first problem zod found, as `[3][4]: expected …`. */
function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid';
  const path = issue.path.map((p) => `[${String(p)}]`).join('');
  return `${path === '' ? 'body' : path}: ${issue.message}`;
}

/** Oldest first, one bar per open time (the later row wins). */
function ordered(candles: Candle[]): Candle[] {
  const byOpen = new Map<number, Candle>();
  for (const c of candles) byOpen.set(c.openTime, c);
  return [...byOpen.values()].sort((a, b) => a.openTime - b.openTime);
}

/**
 * Parses a Binance `/api/v3/klines` body (already JSON-decoded). `symbol` names the request in
 * errors. Throws `WirewatchError('parse_failed')` on an error body or any other shape.
 */
export function parseBinanceKlines(json: unknown, symbol: string): Candle[] {
  const refused = binanceError.safeParse(json);
  if (refused.success) {
    throw new WirewatchError('parse_failed', `${symbol}: Binance refused the request (${refused.data.code} ${quote(refused.data.msg)})`);
  }
  const rows = z.array(binanceRow).max(MAX_ROWS).safeParse(json);
  if (!rows.success) throw new WirewatchError('parse_failed', `${symbol}: unexpected Binance klines shape at ${firstIssue(rows.error)}`);
  return ordered(rows.data.map(([openTime, open, high, low, close, , closeTime]) => ({ openTime, closeTime, open, high, low, close })));
}

/**
 * Parses a Coinbase Exchange `/products/:id/candles` body (already JSON-decoded); `granularityMs`
 * is the bar length asked for, since the rows carry only their start. Throws
 * `WirewatchError('parse_failed')` on an error body or any other shape.
 */
export function parseCoinbaseCandles(json: unknown, symbol: string, granularityMs: number): Candle[] {
  const refused = coinbaseError.safeParse(json);
  if (refused.success) {
    throw new WirewatchError('parse_failed', `${symbol}: Coinbase refused the request (${quote(refused.data.message)})`);
  }
  const rows = z.array(coinbaseRow).max(MAX_ROWS).safeParse(json);
  if (!rows.success) throw new WirewatchError('parse_failed', `${symbol}: unexpected Coinbase candles shape at ${firstIssue(rows.error)}`);
  return ordered(
    rows.data.map(([time, low, high, open, close]) => ({ openTime: time * 1000, closeTime: time * 1000 + granularityMs - 1, open, high, low, close })),
  );
}
