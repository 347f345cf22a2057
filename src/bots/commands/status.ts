// `/status`: how every source is doing (most problematic first) and the delivery backlog.
import type { FetchState } from '../../domain.js';
import type { ReplyLine } from '../chat-adapter.js';
import { privateReply, quoteBack, usageReply, type Command } from './command.js';
import { formatAgo } from './format.js';
import { allSources, healthLabel, type ListedSource } from './source.js';

const USAGE = 'status.usage' as const;
/** Source lines shown; the rest (the healthiest) are summed up in one line, so a reply stays within ~25 lines. */
const SOURCE_LINES = 22;

/** Higher is worse: disabled, then failing (more failures first), then sources switched off, then healthy ones. */
function severity(source: ListedSource, state: FetchState): number {
  if (!source.enabled) return 1;
  if (state.health === 'disabled') return 3_000_000;
  if (state.health === 'failing') return 2_000_000 + Math.min(state.failures, 999_999);
  return 0;
}

export default {
  name: 'status',
  usage: USAGE,
  example: 'status.example',
  async run(ctx) {
    if (ctx.args) return usageReply(ctx, USAGE);
    const { store } = ctx.options;
    const sources = await allSources(ctx);
    const [outbox, held, route] = await Promise.all([
      store.outboxSize(),
      store.heldCount(ctx.request.channel),
      // Set by the deliverer when the platform refused this channel for good (see src/pipeline/deliver.ts).
      store.getMessage(`route:${ctx.request.channel}`),
    ]);
    const unsorted = await Promise.all(
      sources.map(async (source, index) => {
        const state = await store.getFetchState(source.id);
        return { source, state, index, severity: severity(source, state) };
      }),
    );
    const rows = unsorted.sort((a, b) => b.severity - a.severity || a.index - b.index);
    const failing = rows.filter((r) => r.source.enabled && r.state.health === 'failing').length;
    const disabled = rows.filter((r) => r.source.enabled && r.state.health === 'disabled').length;
    const lines: ReplyLine[] = rows.slice(0, SOURCE_LINES).map(({ source, state }) => {
      const meta = [
        healthLabel(ctx, state.health, source.enabled),
        ctx.t('status.lastFetch', { when: formatAgo(ctx, state.lastFetchAt) }),
        ctx.t('status.lastNew', { when: formatAgo(ctx, state.lastNewAt) }),
      ];
      if (state.failures > 0) meta.push(ctx.t('status.failures', { n: state.failures }));
      if (state.health !== 'ok' && state.lastError) meta.push(quoteBack(state.lastError, 100));
      return { text: source.id, meta: meta.join(' · ') };
    });
    if (rows.length > SOURCE_LINES) lines.push({ text: ctx.t('common.more', { n: rows.length - SOURCE_LINES }) });
    const head = [
      sources.length === 0 ? ctx.t('status.noSources') : ctx.t('status.sources', { n: sources.length, failing, disabled }),
      ctx.t('status.backlog', { n: outbox }),
      ctx.t('status.held', { n: held }),
      ...(route ? [ctx.t('status.routePaused', { why: quoteBack(route, 150) })] : []),
    ].join(' ');
    return privateReply(true, head, lines);
  },
} satisfies Command;
