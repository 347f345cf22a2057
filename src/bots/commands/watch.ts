// `/watch add <terms> | remove <term> | list | clear`: a channel's watch terms, including topic
// filters (`topic:crypto`, `-topic:ai-chips`, `topic:crypto:tether`), which parseWatchInput reads.
import { formatWatchTerm, parseWatchInput } from '../../relevance/watchlist.js';
import { channelKey, type ReplyLine } from '../chat-adapter.js';
import { privateReply, refusal, splitSubcommand, usageReply, type Command, type CommandContext } from './command.js';

const USAGE = 'watch.usage' as const;

async function add(ctx: CommandContext, rest: string) {
  if (!rest) return usageReply(ctx, USAGE, ctx.t('watch.nothingToAdd'));
  const parsed = parseWatchInput(rest);
  if (parsed.errors.length > 0) return usageReply(ctx, USAGE, ctx.t('watch.badTerms', { problems: parsed.errors.join('; ') }));
  const forms = parsed.terms.map(formatWatchTerm);
  const added = await ctx.options.store.addWatchTerms(ctx.request.channel, forms);
  const already = forms.filter((f) => !added.includes(f));
  const parts: string[] = [];
  if (added.length > 0) parts.push(ctx.t('watch.added', { terms: added.join(', ') }));
  if (already.length > 0) parts.push(ctx.t('watch.already', { terms: already.join(', ') }));
  return privateReply(true, parts.join(' '));
}

async function remove(ctx: CommandContext, rest: string) {
  if (!rest) return usageReply(ctx, USAGE, ctx.t('watch.whichTerm'));
  const parsed = parseWatchInput(rest);
  const [term, ...others] = parsed.terms;
  if (parsed.errors.length > 0 || term === undefined || others.length > 0) return usageReply(ctx, USAGE, ctx.t('watch.oneTerm'));
  const form = formatWatchTerm(term);
  const removed = await ctx.options.store.removeWatchTerm(ctx.request.channel, form);
  return removed ? privateReply(true, ctx.t('watch.removed', { term: form })) : privateReply(false, ctx.t('watch.notWatched', { term: form }));
}

async function list(ctx: CommandContext) {
  const chat = await ctx.options.store.getWatchTerms(ctx.request.channel);
  const file = ctx.options.channels.find((c) => channelKey(c.adapter, c.id) === ctx.request.channel);
  const lines: ReplyLine[] = [];
  if (file && file.topics.length > 0) lines.push({ text: ctx.t('watch.topics', { topics: file.topics.join(', ') }), meta: ctx.t('watch.fromConfig') });
  if (file && file.watch.length > 0) lines.push({ text: ctx.t('watch.terms', { terms: file.watch.join(', ') }), meta: ctx.t('watch.fromConfig') });
  if (chat.length > 0) lines.push({ text: ctx.t('watch.terms', { terms: chat.join(', ') }), meta: ctx.t('watch.fromChat') });
  if (lines.length === 0) return privateReply(true, `${ctx.t('watch.empty')} ${ctx.t(USAGE)}`);
  return privateReply(true, ctx.t('watch.listHead'), lines);
}

async function clear(ctx: CommandContext, rest: string) {
  if (rest) return usageReply(ctx, USAGE);
  const count = await ctx.options.store.clearWatchTerms(ctx.request.channel);
  return privateReply(true, count === 0 ? ctx.t('watch.clearedNone') : ctx.t('watch.cleared', { n: count }));
}

export default {
  name: 'watch',
  usage: USAGE,
  example: 'watch.example',
  async run(ctx) {
    const { sub, rest } = splitSubcommand(ctx.args);
    switch (sub) {
      case 'list':
        return list(ctx);
      case 'add':
      case 'remove':
      case 'clear':
        if (!ctx.request.canManage) return refusal(ctx);
        return sub === 'add' ? add(ctx, rest) : sub === 'remove' ? remove(ctx, rest) : clear(ctx, rest);
      default:
        return usageReply(ctx, USAGE, sub ? ctx.t('common.unknownSub', { sub: sub.slice(0, 30) }) : undefined);
    }
  },
} satisfies Command;
