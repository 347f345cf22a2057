// The platform-neutral command core: Slack and Discord hand it the same request and render the
// same reply. It never throws: an unexpected error becomes a short `ok: false` reply and a log line.
import type { ChannelConfig, ChannelKey, RecentAlert } from '../../domain.js';
import { describeError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { tokens } from '../../relevance/fold.js';
import { formatWatchTerm, parseWatchInput } from '../../relevance/watchlist.js';
import type { Store } from '../../store/store.js';
import { channelKey, type CommandHandler, type CommandReply, type CommandRequest, type ReplyLine } from '../chat-adapter.js';

export interface CommandCoreOptions {
  store: Store;
  logger: Logger;
  /** Channels from the config file: their file-defined topics and terms are shown by `/watch list`. */
  channels: readonly ChannelConfig[];
  now?: () => Date;
}

/** Longest argument text accepted, in characters. */
const MAX_ARGS = 2000;
/** Most results `/news` shows. */
const NEWS_LIMIT = 10;
/** How many remembered alerts `/news` searches. */
const NEWS_SCAN = 500;

export const USAGE = {
  watch: 'Usage: /watch add <terms> | /watch remove <term> | /watch list — e.g. /watch add nvidia "stargate project" -gaming',
  news: 'Usage: /news <query> — e.g. /news nvidia openai',
} as const satisfies Record<CommandRequest['name'], string>;

const reply = (ok: boolean, text: string, lines: ReplyLine[] = [], ephemeral = true): CommandReply => ({ ok, text, lines, ephemeral });

/** Builds the handler every platform calls. */
export function createCommandHandler(options: CommandCoreOptions): CommandHandler {
  const { store, logger } = options;
  const fileChannels = new Map<ChannelKey, ChannelConfig>(options.channels.map((c) => [channelKey(c.adapter, c.id), c]));

  async function watch(req: CommandRequest, args: string): Promise<CommandReply> {
    const [sub = '', ...restWords] = args.split(/\s+/);
    const rest = args.slice(sub.length).trim();
    switch (sub.toLowerCase()) {
      case 'add': {
        if (!rest) return reply(false, `Nothing to add. ${USAGE.watch}`);
        const parsed = parseWatchInput(rest);
        if (parsed.errors.length > 0) return reply(false, `${parsed.errors.join('; ')}. ${USAGE.watch}`);
        const forms = parsed.terms.map(formatWatchTerm);
        const added = await store.addWatchTerms(req.channel, forms);
        const already = forms.filter((f) => !added.includes(f));
        const parts: string[] = [];
        if (added.length > 0) parts.push(`Now watching: ${added.join(', ')}`);
        if (already.length > 0) parts.push(`already watched: ${already.join(', ')}`);
        const note = fileChannels.has(req.channel) ? '' : ' (this channel receives alerts once it is listed in the wirewatch config)';
        return reply(true, `${parts.join('; ')}.${note}`);
      }
      case 'remove': {
        if (!rest || restWords.length === 0) return reply(false, `Which term? ${USAGE.watch}`);
        const parsed = parseWatchInput(rest);
        if (parsed.errors.length > 0 || parsed.terms.length !== 1) {
          return reply(false, `Give exactly one term to remove. ${USAGE.watch}`);
        }
        const [term] = parsed.terms;
        const form = term ? formatWatchTerm(term) : rest;
        const removed = await store.removeWatchTerm(req.channel, form);
        return removed ? reply(true, `Stopped watching ${form}.`) : reply(false, `${form} is not on this channel's watchlist (see /watch list).`);
      }
      case 'list': {
        const chat = await store.getWatchTerms(req.channel);
        const file = fileChannels.get(req.channel);
        const lines: ReplyLine[] = [];
        if (file && file.topics.length > 0) lines.push({ text: `Topics: ${file.topics.join(', ')}`, meta: 'from the config file' });
        if (file && file.watch.length > 0) lines.push({ text: `Terms: ${file.watch.join(', ')}`, meta: 'from the config file' });
        if (chat.length > 0) lines.push({ text: `Terms: ${chat.join(', ')}`, meta: 'added in chat' });
        if (lines.length === 0) return reply(true, `This channel watches nothing yet. ${USAGE.watch}`);
        return reply(true, 'This channel receives an alert when an item has one of its topics or matches a term, and matches no -exclusion:', lines);
      }
      default:
        return reply(false, sub ? `Unknown subcommand "${sub.slice(0, 30)}". ${USAGE.watch}` : USAGE.watch);
    }
  }

  async function news(_req: CommandRequest, args: string): Promise<CommandReply> {
    const query = tokens(args);
    if (query.length === 0) return reply(false, USAGE.news);
    const recent = await store.recentAlerts(NEWS_SCAN);
    const hits = recent.filter((a) => matchesAll(a, query)).slice(0, NEWS_LIMIT);
    if (hits.length === 0) return reply(true, `No recent alert matches "${args.trim().slice(0, 100)}".`, [], true);
    return reply(
      true,
      `${hits.length} recent alert${hits.length === 1 ? '' : 's'} matching "${args.trim().slice(0, 100)}", newest first:`,
      hits.map((a) => ({ text: a.title, ...(a.url ? { url: a.url } : {}), meta: describeRecent(a) })),
      true,
    );
  }

  return async function handle(req: CommandRequest): Promise<CommandReply> {
    const log = logger.child({ command: req.name, channel: req.channel, user: req.user });
    const args = req.args.replace(/\p{Cc}/gu, ' ').trim();
    if (args.length > MAX_ARGS) return reply(false, `That is ${args.length} characters; the limit is ${MAX_ARGS}. ${USAGE[req.name]}`);
    try {
      const answer = req.name === 'watch' ? await watch(req, args) : await news(req, args);
      log.info({ ok: answer.ok }, 'command answered');
      return answer;
    } catch (err) {
      log.error({ err }, 'command failed');
      return reply(false, `wirewatch could not do that right now (${describeError(err).slice(0, 120)}). Try again in a moment.`);
    }
  };
}

function matchesAll(alert: RecentAlert, query: readonly string[]): boolean {
  const hay = ` ${tokens(`${alert.title} ${alert.source} ${alert.topics.join(' ')}`).join(' ')} `;
  return query.every((q) => hay.includes(` ${q} `));
}

function describeRecent(a: RecentAlert): string {
  const when = a.published ?? a.alertedAt;
  return [a.source, when.slice(0, 16).replace('T', ' ') + ' UTC', a.topics.join(', ')].filter(Boolean).join(' · ');
}
