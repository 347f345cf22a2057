// `/source add <url> [every] | remove <id> | list | test <url>`: feeds added from chat. `add`
// fetches the URL through the SSRF-safe fetcher and refuses what does not parse; the pipeline
// polls chat sources like configured ones, and their first poll only remembers the backlog.
import type { ChatSource, SourceConfig, SourceHealth } from '../../domain.js';
import { describeError } from '../../errors.js';
import { classify } from '../../relevance/topics.js';
import { everyToCron, formatDuration, parseDuration } from '../../schedule-spec.js';
import { inspectFeed, type FeedInspection } from '../../sources/feed/inspect-feed.js';
import { fetchErrorCode } from '../../sources/http/error-code.js';
import { safeHttpUrl } from '../text.js';
import type { ReplyLine } from '../chat-adapter.js';
import { privateReply, quoteBack, refusal, splitSubcommand, usageReply, type Command, type CommandContext } from './command.js';
import { formatAgo, formatUtc } from './format.js';

const USAGE = 'source.usage' as const;
/** The polling interval of a chat-added source when none is given. */
export const DEFAULT_CHAT_EVERY = '15m';
/** Items `/source test` previews. */
const PREVIEW_ITEMS = 3;
/** Lines `/source list` shows before "and N more". */
const LIST_LINES = 25;
/** Longest id made from a feed title, in characters. */
const MAX_SLUG = 40;

/**
 * The URL in an argument: Slack may send links as `<https://…>` or `<https://…|label>`.
 * Undefined unless it is an absolute http(s) URL.
 */
function urlArgument(text: string): string | undefined {
  const unwrapped = /^<([^|>]+)(\|[^>]*)?>$/.exec(text)?.[1] ?? text;
  return safeHttpUrl(unwrapped);
}

/** A source id from a feed title or host: lower-case ASCII letters, digits and `-`. */
export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_SLUG)
    .replace(/-+$/g, '');
}

/** A slug of the feed title (else the host) not used by any config or chat source. */
function pickId(inspection: FeedInspection, url: string, taken: ReadonlySet<string>): string {
  const host = new URL(url).hostname.replace(/^www\./, '');
  const base = slugify(inspection.title ?? '') || slugify(host) || 'source';
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base}-${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}

/** The reason a fetch or parse failed, for people; the detail is withheld for SSRF refusals (it names internal addresses). */
function fetchProblem(ctx: CommandContext, err: unknown): string {
  const code = fetchErrorCode(err);
  const reason = ctx.t(`fetch.${code}`);
  return code === 'ssrf_blocked' ? reason : `${reason} (${quoteBack(describeError(err), 160)})`;
}

async function add(ctx: CommandContext, rest: string) {
  const [rawUrl = '', rawEvery, ...extra] = rest.split(/\s+/).filter(Boolean);
  if (!rawUrl || extra.length > 0) return usageReply(ctx, USAGE);
  const url = urlArgument(rawUrl);
  if (url === undefined) return usageReply(ctx, USAGE, ctx.t('source.badUrl', { url: quoteBack(rawUrl) }));
  const every = (rawEvery ?? DEFAULT_CHAT_EVERY).toLowerCase();
  const cron = everyToCron(every);
  const everyMs = parseDuration(every);
  if (!cron.ok || everyMs === undefined) return usageReply(ctx, USAGE, ctx.t('source.badEvery', { every: quoteBack(every, 20) }));
  const { minIntervalMs, store, fetcher } = ctx.options;
  if (everyMs < minIntervalMs) return privateReply(false, ctx.t('source.tooOften', { every, min: formatDuration(minIntervalMs) }));

  const chat = await store.listChatSources();
  const same = [...ctx.options.sources, ...chat].find((s) => safeHttpUrl(s.url) === url);
  if (same) return privateReply(false, ctx.t('source.duplicateUrl', { id: same.id }));

  let inspection: FeedInspection;
  try {
    inspection = await inspectFeed(fetcher, url);
  } catch (err) {
    ctx.log.info({ err: describeError(err), code: fetchErrorCode(err) }, 'source add refused');
    return privateReply(false, ctx.t('source.refused', { url: quoteBack(url, 120), reason: fetchProblem(ctx, err) }));
  }
  const taken = new Set([...ctx.options.sources.map((s) => s.id), ...chat.map((s) => s.id)]);
  for (let attempt = 0; attempt < 3; attempt++) {
    const id = pickId(inspection, url, taken);
    const source: ChatSource = { id, url, every, addedIn: ctx.request.channel, addedBy: ctx.request.user, addedAt: ctx.now().toISOString() };
    if (await store.addChatSource(source)) {
      const title = inspection.title ?? id;
      return privateReply(true, ctx.t('source.added', { id, title, items: inspection.items.length, every }));
    }
    // Someone else took the id between the list and the add.
    taken.add(id);
  }
  return privateReply(false, ctx.t('source.idRace'));
}

async function remove(ctx: CommandContext, rest: string) {
  const [id, ...extra] = rest.split(/\s+/).filter(Boolean);
  if (id === undefined || extra.length > 0) return usageReply(ctx, USAGE);
  if (ctx.options.sources.some((s) => s.id === id)) return privateReply(false, ctx.t('source.isConfig', { id }));
  const removed = await ctx.options.store.removeChatSource(id);
  return removed ? privateReply(true, ctx.t('source.removed', { id })) : privateReply(false, ctx.t('source.unknownId', { id: quoteBack(id, 40) }));
}

/** One source as `/source list` and `/status` see it. */
export interface ListedSource {
  id: string;
  url: string;
  name: string | undefined;
  /** `every 15m`, or the cron expression. */
  schedule: string;
  origin: 'config' | 'chat';
  enabled: boolean;
}

/** Config sources then chat sources, in their own order. */
export async function allSources(ctx: CommandContext): Promise<ListedSource[]> {
  const fromConfig = ctx.options.sources.map((s: SourceConfig): ListedSource => ({
    id: s.id,
    url: s.url,
    name: s.name,
    schedule: s.every ?? s.cron ?? '',
    origin: 'config',
    enabled: s.enabled,
  }));
  const fromChat = (await ctx.options.store.listChatSources()).map(
    (s): ListedSource => ({ id: s.id, url: s.url, name: undefined, schedule: s.every, origin: 'chat', enabled: true }),
  );
  return [...fromConfig, ...fromChat];
}

/** The health word of a source in the channel's language. */
export function healthLabel(ctx: CommandContext, health: SourceHealth, enabled: boolean): string {
  if (!enabled) return ctx.t('health.off');
  return ctx.t(`health.${health}`);
}

async function list(ctx: CommandContext) {
  const sources = await allSources(ctx);
  if (sources.length === 0) return privateReply(true, `${ctx.t('source.none')} ${ctx.t(USAGE)}`);
  const shown = sources.slice(0, LIST_LINES);
  const lines: ReplyLine[] = [];
  for (const s of shown) {
    const state = await ctx.options.store.getFetchState(s.id);
    const meta = [
      ctx.t(s.origin === 'config' ? 'source.fromConfig' : 'source.fromChat'),
      ctx.t('source.every', { every: s.schedule }),
      healthLabel(ctx, state.health, s.enabled),
      ctx.t('source.lastFetch', { when: formatAgo(ctx, state.lastFetchAt) }),
    ];
    lines.push({ text: s.name ? `${s.id} — ${s.name}` : s.id, url: s.url, meta: meta.join(' · ') });
  }
  if (sources.length > shown.length) lines.push({ text: ctx.t('common.more', { n: sources.length - shown.length }) });
  return privateReply(true, ctx.t('source.listHead', { n: sources.length }), lines);
}

async function test(ctx: CommandContext, rest: string) {
  const [rawUrl, ...extra] = rest.split(/\s+/).filter(Boolean);
  if (rawUrl === undefined || extra.length > 0) return usageReply(ctx, USAGE);
  const url = urlArgument(rawUrl);
  if (url === undefined) return usageReply(ctx, USAGE, ctx.t('source.badUrl', { url: quoteBack(rawUrl) }));
  let inspection: FeedInspection;
  try {
    inspection = await inspectFeed(ctx.options.fetcher, url);
  } catch (err) {
    return privateReply(false, ctx.t('source.testFailed', { url: quoteBack(url, 120), reason: fetchProblem(ctx, err) }));
  }
  const items = inspection.items.slice(0, PREVIEW_ITEMS);
  const lines = items.map((item): ReplyLine => {
    const topics = classify({ title: item.title, summary: item.summary }).topics;
    const meta = [
      item.published ? formatUtc(item.published) : ctx.t('source.undated'),
      topics.length > 0 ? ctx.t('source.topics', { topics: topics.join(', ') }) : ctx.t('source.noTopic'),
    ].join(' · ');
    return { text: item.title, ...(item.url ? { url: item.url } : {}), meta };
  });
  const head = ctx.t('source.testHead', {
    title: inspection.title ?? url,
    format: inspection.format,
    items: inspection.items.length,
    shown: items.length,
  });
  return privateReply(true, head, lines);
}

export default {
  name: 'source',
  usage: USAGE,
  example: 'source.example',
  async run(ctx) {
    const { sub, rest } = splitSubcommand(ctx.args);
    switch (sub) {
      case 'list':
        return rest ? usageReply(ctx, USAGE) : list(ctx);
      case 'test':
        return test(ctx, rest);
      case 'add':
      case 'remove':
        if (!ctx.request.canManage) return refusal(ctx);
        return sub === 'add' ? add(ctx, rest) : remove(ctx, rest);
      default:
        return usageReply(ctx, USAGE, sub ? ctx.t('common.unknownSub', { sub: sub.slice(0, 30) }) : undefined);
    }
  },
} satisfies Command;
