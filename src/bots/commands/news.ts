// `/news [query] [since:24h]`: recent alerts matching every query word, newest first; without a
// query, the latest alerts this channel received.
import { compareText } from '../../compare.js';
import type { RecentAlert } from '../../domain.js';
import { tokens } from '../../relevance/fold.js';
import { channelTerm } from '../../store/news-index.js';
import type { ReplyLine } from '../chat-adapter.js';
import { privateReply, publicReply, quoteBack, usageReply, type Command, type CommandContext } from './command.js';
import { formatUtc, parseWindow } from './format.js';

const USAGE = 'news.usage' as const;
/** Most results shown. */
const NEWS_LIMIT = 10;
/** How many of the newest matches are read, before the window and duplicates are taken out. */
const NEWS_CANDIDATES = 50;
/** The longest `since:` accepted, and the window when none is given, in ms (7 days). */
const MAX_WINDOW_MS = 7 * 86_400_000;

/** How many outlets reported the alert's story: `reportedBy` when the record carries it, else 1. */
function outletCount(alert: RecentAlert): number {
  // RecentAlert may gain `reportedBy` (the outlets of the story); read it when present.
  const record: object = alert;
  if ('reportedByCount' in record && typeof record.reportedByCount === 'number' && record.reportedByCount > 0) return record.reportedByCount;
  if ('reportedBy' in record && Array.isArray(record.reportedBy) && record.reportedBy.length > 0) return record.reportedBy.length;
  return 1;
}

function describe(ctx: CommandContext, a: RecentAlert): string {
  const count = outletCount(a);
  return [
    a.source,
    formatUtc(a.published ?? a.alertedAt),
    a.topics.join(', '),
    count === 1 ? ctx.t('news.oneSource') : ctx.t('news.sources', { n: count }),
  ]
    .filter(Boolean)
    .join(' · ');
}

export default {
  name: 'news',
  usage: USAGE,
  example: 'news.example',
  async run(ctx) {
    const words: string[] = [];
    let windowMs = MAX_WINDOW_MS;
    for (const word of ctx.args.split(/\s+/).filter(Boolean)) {
      const since = /^since:(.*)$/i.exec(word);
      if (!since) {
        words.push(word);
        continue;
      }
      const ms = parseWindow(since[1] ?? '', MAX_WINDOW_MS);
      if (ms === undefined) return usageReply(ctx, USAGE, ctx.t('news.badSince', { since: quoteBack(word, 30) }));
      windowMs = ms;
    }
    const queryText = words.join(' ');
    const query = tokens(queryText);
    if (words.length > 0 && query.length === 0) return usageReply(ctx, USAGE, ctx.t('news.emptyQuery'));
    const cutoff = ctx.now().getTime() - windowMs;
    const seen = new Set<string>();
    // Every remembered alert is searched through the store's index (news-index.ts): a query word
    // matches a whole folded word of the title, outlet or topics.
    const terms = query.length === 0 ? [channelTerm(ctx.request.channel)] : query;
    const hits = (await ctx.options.store.searchRecentAlerts(terms, NEWS_CANDIDATES))
      .filter((a) => Date.parse(a.alertedAt) >= cutoff)
      .sort((a, b) => compareText(b.alertedAt, a.alertedAt))
      .filter((a) => {
        const key = a.url ?? `${a.sourceId}|${a.title}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      })
      .slice(0, NEWS_LIMIT);
    const quoted = quoteBack(queryText, 100);
    if (hits.length === 0) return privateReply(true, query.length === 0 ? ctx.t('news.noneHere') : ctx.t('news.none', { query: quoted }));
    const lines = hits.map((a): ReplyLine => ({ text: a.title, ...(a.url ? { url: a.url } : {}), meta: describe(ctx, a) }));
    return publicReply(query.length === 0 ? ctx.t('news.latestHere', { n: hits.length }) : ctx.t('news.found', { n: hits.length, query: quoted }), lines);
  },
} satisfies Command;
