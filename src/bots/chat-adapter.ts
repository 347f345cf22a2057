import type { AdapterKind, Alert, ChannelConfig, ChannelKey, Lang } from '../domain.js';

/** What happened to one delivery attempt. Expected outcomes are values, not exceptions. */
export type DeliveryOutcome =
  | { ok: true; /** Platform message id (Slack ts, Discord message id), when there is one. */ ref?: string }
  | { ok: false; reason: 'rate_limited'; /** How long the platform asked us to wait, in ms. */ retryAfterMs: number; message: string }
  | { ok: false; reason: 'rejected' | 'unavailable'; /** Whether trying again later can succeed. */ retryable: boolean; message: string };

/** A chat platform (or the console) that alerts are delivered to. */
export interface ChatAdapter {
  readonly kind: AdapterKind;
  /**
   * Posts one alert to one channel. Resolves with `ok: true` only once the platform accepted it;
   * never throws for a platform refusal (that is a `DeliveryOutcome`).
   */
  deliver(channel: ChannelConfig, alert: Alert): Promise<DeliveryOutcome>;
  /**
   * A later report of a story already alerted: edits the first message (`ref`) to show the outlets
   * now reporting it (`alert.reportedBy`) and, where the platform has threads, posts a short
   * "also reported by …" reply under it. Adapters that cannot edit (console, webhooks) post nothing
   * and answer ok, so a channel gets at most one new message per story.
   */
  updateStory(channel: ChannelConfig, ref: string, alert: Alert): Promise<DeliveryOutcome>;
  /** Posts many alerts as one compact message (digest, quiet hours, overflow), labels in `lang`. */
  deliverDigest(channel: ChannelConfig, alerts: readonly Alert[], lang: Lang, note?: string): Promise<DeliveryOutcome>;
  /** Stops listeners and closes the connections this adapter opened. */
  close(): Promise<void>;
}

/** The slash commands wirewatch answers, on every platform. */
export type CommandName = 'watch' | 'source' | 'news' | 'alerts' | 'price' | 'status' | 'wirewatch';
export const COMMAND_NAMES = ['watch', 'source', 'news', 'alerts', 'price', 'status', 'wirewatch'] as const satisfies readonly CommandName[];

/** A slash command as received, platform-neutral. */
export interface CommandRequest {
  name: CommandName;
  /** Everything after the command, e.g. `add nvidia "stargate project"`. Discord subcommands and options are joined into this form. */
  args: string;
  channel: ChannelKey;
  /** Platform user id, for logs. */
  user: string;
  /**
   * Whether the user may change configuration: on Discord, Manage Channels (re-checked from the
   * interaction's member permissions); on Slack, a workspace admin/owner (users.info) or a user in
   * the allow-list. Lookups do not need it.
   */
  canManage: boolean;
  /** Why `canManage` is false, shown in the refusal (e.g. "needs the Manage Channels permission"). */
  manageHint?: string;
}

/** One line of a command reply; the platform renders the link and escapes the text. */
export interface ReplyLine {
  text: string;
  url?: string;
  /** Secondary text shown after the line (source, time, topics). */
  meta?: string;
}

/** A command answer, platform-neutral: plain text in, each platform escapes and formats. */
export interface CommandReply {
  ok: boolean;
  text: string;
  lines: ReplyLine[];
  /** Shown only to the person who ran the command. */
  ephemeral: boolean;
}

/** Runs a command; never throws (an internal error becomes an `ok: false` reply). */
export type CommandHandler = (request: CommandRequest) => Promise<CommandReply>;

/** `adapter:id`. */
export function channelKey(adapter: AdapterKind, id: string): ChannelKey {
  return `${adapter}:${id}`;
}
