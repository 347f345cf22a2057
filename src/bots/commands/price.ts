// `/price <symbol>`: the last price of a pair, its 1 h and 24 h change and a 24 h sparkline, read
// from the market source's provider (`market` option).
import { describeError } from '../../errors.js';
import { fetchErrorCode } from '../../sources/http/error-code.js';
import { HttpStatusError } from '../../sources/http/http-errors.js';
import { formatPercent, formatPrice } from '../../sources/market/market-item.js';
import { fetchQuote } from '../../sources/market/quote.js';
import type { ReplyLine } from '../chat-adapter.js';
import { privateReply, publicReply, quoteBack, usageReply, type Command } from './command.js';
import { formatUtc } from './format.js';

const USAGE = 'price.usage' as const;

/** `BTC`, `btc`, `BTC/USDT`, `ETH-USD`, `$XRP` → base and optional quote; undefined when it is not one of those. */
export function parsePair(text: string): { symbol: string; quote?: string } | undefined {
  const match = /^\$?([A-Za-z0-9]{1,20})(?:[/\-:]([A-Za-z0-9]{1,20}))?$/.exec(text);
  if (!match) return undefined;
  const symbol = (match[1] ?? '').toUpperCase();
  return match[2] === undefined ? { symbol } : { symbol, quote: match[2].toUpperCase() };
}

export default {
  name: 'price',
  usage: USAGE,
  example: 'price.example',
  async run(ctx) {
    const words = ctx.args.split(/\s+/).filter(Boolean);
    const [word] = words;
    if (word === undefined || words.length > 1) return usageReply(ctx, USAGE);
    const pair = parsePair(word);
    if (pair === undefined) return usageReply(ctx, USAGE, ctx.t('price.badSymbol', { symbol: quoteBack(word, 30) }));
    const { provider, baseUrl } = ctx.options.market;
    let quote;
    try {
      quote = await fetchQuote(ctx.options.fetcher, { provider, baseUrl, ...pair, now: ctx.now() });
    } catch (err) {
      const label = `${pair.symbol}${pair.quote ? `/${pair.quote}` : ''}`;
      ctx.log.info({ err: describeError(err) }, 'price lookup failed');
      const code = fetchErrorCode(err);
      // Binance answers an unknown pair with a 400, Coinbase with a 404.
      if (code === 'not_a_feed' || (err instanceof HttpStatusError && (err.status === 400 || err.status === 404))) {
        return privateReply(false, ctx.t('price.unknown', { pair: label }));
      }
      return privateReply(false, ctx.t('price.failed', { pair: label, reason: ctx.t(`fetch.${code}`) }));
    }
    const changes = [
      ctx.t('price.change1h', { change: quote.change1h === undefined ? '–' : formatPercent(quote.change1h) }),
      ctx.t('price.change24h', { change: quote.change24h === undefined ? '–' : formatPercent(quote.change24h) }),
    ].join(' · ');
    const lines: ReplyLine[] = [];
    if (quote.sparkline) {
      const { low24h: low, high24h: high } = quote;
      const range = low !== undefined && high !== undefined ? ` ${ctx.t('price.range', { low: formatPrice(low), high: formatPrice(high) })}` : '';
      lines.push({ text: `24 h ${quote.sparkline}${range}` });
    }
    lines.push({ text: ctx.t('price.chart', { provider: quote.provider }), url: quote.chartUrl, meta: ctx.t('price.asOf', { when: formatUtc(quote.asOf) }) });
    return publicReply(`${quote.symbol}/${quote.quote} ${formatPrice(quote.price)} ${quote.quote} · ${changes}`, lines);
  },
} satisfies Command;
