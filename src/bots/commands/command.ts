// What one command file exports, and what it is handed when it runs. Each command is
// `export default { name, usage, run } satisfies Command` in its own file; registry.ts lists them.
import type { ChannelConfig, Lang, SourceConfig } from '../../domain.js';
import type { Logger } from '../../log.js';
import type { SafeFetcher } from '../../sources/http/safe-fetch.js';
import type { MarketProvider } from '../../sources/market/market-kind.js';
import type { Store } from '../../store/store.js';
import type { CommandName, CommandReply, CommandRequest, ReplyLine } from '../chat-adapter.js';
import type { MessageArgs, MessageKey } from '../i18n.js';

/** Everything the command core needs, handed over by the composition root (src/main.ts). */
export interface CommandCoreOptions {
  store: Store;
  logger: Logger;
  /** Channels from the config file: their file-defined topics and terms are shown by `/watch list`. */
  channels: readonly ChannelConfig[];
  /** Sources from the config file: listed by `/source list` and `/status`, never removable from chat. */
  sources: readonly SourceConfig[];
  /** The SSRF-safe fetcher `/source add` and `/source test` fetch with; `/price` reads the market API through it too. */
  fetcher: SafeFetcher;
  /** The shortest polling interval a chat-added source may ask for, in ms (WIREWATCH_MIN_INTERVAL). */
  minIntervalMs: number;
  /** Where `/price` reads candles: the provider and its API base URL (a proxy or a local fake in tests). */
  market: { provider: MarketProvider; baseUrl: string };
  /** The clock; `new Date()` by default. */
  now?: () => Date;
}

/** What a command's `run` receives: the request, its cleaned arguments, and the channel's language. */
export interface CommandContext {
  request: CommandRequest;
  /** The argument text with control characters replaced and outer whitespace trimmed (≤ 2000 characters). */
  args: string;
  /** The channel's language (`/alerts lang`), read at the start of the command. */
  lang: Lang;
  options: CommandCoreOptions;
  /** Logger bound to this command run. */
  log: Logger;
  now(): Date;
  /** Every command, in help order (for `/wirewatch help`). */
  commands: readonly Command[];
  /** A reply string in the channel's language. */
  t<K extends MessageKey>(key: K, ...args: MessageArgs<K>): string;
}

/** The message key of a usage line (a string without placeholders). */
export type UsageKey = `${string}.usage` & MessageKey;
/** The message key of an example command line (the same text in every language). */
export type ExampleKey = `${string}.example` & MessageKey;

/** One slash command. */
export interface Command {
  name: CommandName;
  /** The message key of the usage line shown for bad arguments and in `/wirewatch help`. */
  usage: UsageKey;
  /** The message key of one example invocation, for `/wirewatch help`. */
  example: ExampleKey;
  /** Answers the request; may throw (the core turns any error into a short reply). */
  run(context: CommandContext): Promise<CommandReply>;
}

/** A reply shown only to the person who ran the command (configuration replies, errors). */
export function privateReply(ok: boolean, text: string, lines: ReplyLine[] = []): CommandReply {
  return { ok, text, lines, ephemeral: true };
}

/** A reply shown in the channel (successful `/news` and `/price`). */
export function publicReply(text: string, lines: ReplyLine[] = []): CommandReply {
  return { ok: true, text, lines, ephemeral: false };
}

/** A failure with the command's usage line appended. */
export function usageReply(context: CommandContext, usage: UsageKey, problem?: string): CommandReply {
  const line = context.t(usage);
  return privateReply(false, problem ? `${problem} ${line}` : line);
}

/** The refusal for a configuration change by someone who may not make it, saying why. */
export function refusal(context: CommandContext): CommandReply {
  const hint = context.request.manageHint?.trim();
  return privateReply(false, hint ? context.t('perm.refusedWhy', { hint }) : context.t('perm.refused'));
}

/** The first word of `args` (lower-cased) and the text after it. */
export function splitSubcommand(args: string): { sub: string; rest: string } {
  const match = /^(\S+)\s*([\s\S]*)$/.exec(args);
  if (!match) return { sub: '', rest: '' };
  return { sub: (match[1] ?? '').toLowerCase(), rest: (match[2] ?? '').trim() };
}

/** `text` cut to `max` characters with `…`, for quoting user input back. */
export function quoteBack(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
