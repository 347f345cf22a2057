// `/news [query] [since:24h]`: recent alerts matching every query word, newest first; without a
// query, the latest alerts this channel received.
import type { RecentAlert } from '../../domain.js';
import { tokens } from '../../relevance/fold.js';
import type { ReplyLine } from '../chat-adapter.js';
import { privateReply, publicReply, quoteBack, usageReply, type Command, type CommandContext } from './command.js';
import { formatUtc, parseWindow } from './format.js';

const USAGE = 'news.usage' as const;
/** Most results shown. */
const NEWS_LIMIT = 10;
/** How many remembered alerts are searched (the store keeps about this many). */
const NEWS_SCAN = 500;
/** The longest `since:` accepted, and the window when none is given, in ms (7 days). */
const MAX_WINDOW_MS = 7 * 86_400_000;

/** How many outlets reported the alert's story: `reportedBy` when the record carries it, else 1. */
function outletCount(alert: RecentAlert): number {
  // RecentAlert may gain `reportedBy` (the outlets of the story); read it when present.
  const record: object = alert;
  if ('reportedBy' in record && Array.isArray(record.reportedBy) && record.reportedBy.length > 0) return record.reportedBy.length;
  return 1;
}

function matchesAll(alert: RecentAlert, query: readonly string[]): boolean {
  const hay = ` ${tokens(`${alert.title} ${alert.source} ${alert.topics.join(' ')}`).join(' ')} `;
  return query.every((q) => hay.includes(` ${q} `));
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
    const hits = (await ctx.options.store.recentAlerts(NEWS_SCAN))
      .filter((a) => Date.parse(a.alertedAt) >= cutoff)
      .filter((a) => (query.length === 0 ? a.channels.includes(ctx.request.channel) : matchesAll(a, query)))
      .sort((a, b) => b.alertedAt.localeCompare(a.alertedAt))
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
