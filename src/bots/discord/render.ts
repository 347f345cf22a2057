// Pure rendering of alerts and command replies into Discord message bodies. Every string that came
// from a feed or a user is escaped (markdown, masked links, mentions) and every message says
// `allowed_mentions: { parse: [] }`, so a hostile title can neither format nor ping.
import { escapeMarkdown, MessageFlags, type APIEmbed, type APIEmbedField } from 'discord.js';
import type { Alert, Topic } from '../../domain.js';
import type { CommandReply, ReplyLine } from '../chat-adapter.js';
import { safeHttpUrl, truncate } from '../text.js';

/** Discord's documented limits, in UTF-16 code units (the conservative reading of "characters"). */
export const DISCORD_LIMITS = {
  embedTitle: 256,
  embedDescription: 4096,
  embedFields: 25,
  embedFieldName: 256,
  embedFieldValue: 1024,
  embedFooter: 2048,
  embedTotal: 6000,
  content: 2000,
} as const;

/** Embed colour per topic, as 0xRRGGBB. */
export const TOPIC_COLOURS = {
  'ai-chips': 0x76b900,
  crypto: 0xf7931a,
  /** Both topics, or none (watch-term matches). */
  neutral: 0x99aab5,
} as const satisfies Record<Topic | 'neutral', number>;

const FOOTER = 'wirewatch';

/** The mention policy sent with every message: nobody is ever pinged. */
export interface NoMentions {
  parse: [];
}

/** Body of `POST /channels/:id/messages` (and of a webhook execute) for one alert. */
export interface DiscordAlertMessage {
  embeds: APIEmbed[];
  allowed_mentions: NoMentions;
}

/** Body of an interaction reply. `flags` is `MessageFlags.Ephemeral` (64) when only the caller should see it. */
export interface DiscordReplyMessage {
  content: string;
  allowed_mentions: NoMentions;
  flags?: number;
}

/** Characters that format inline; each is backslash-escaped outside URLs. */
const INLINE_MARKDOWN = /[\\*_~|`[\]<]/g;
/** A bare URL: Discord autolinks it, so formatting characters inside it are inert and stay as they are. */
const BARE_URL = /https?:\/\/[^\s<]+/g;

function escapeInline(text: string): string {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(BARE_URL)) {
    out += text.slice(last, match.index).replace(INLINE_MARKDOWN, '\\$&') + match[0];
    last = match.index + match[0].length;
  }
  return out + text.slice(last).replace(INLINE_MARKDOWN, '\\$&');
}

/**
 * Escapes untrusted text for any Discord markdown surface. Every inline formatting character
 * (`\ * _ ~ | `` ` `` [ ]`) is backslash-escaped outside bare URLs, so `[x](y)` is never a masked
 * link: discord.js `escapeMarkdown` pairs runs of `*` and `~` and leaves some unescaped (`****a****`),
 * so it is used here only for the line-start rules (headings, lists). Block quotes and `-#` are
 * escaped too, `<` always (no `<@123>`, `<#1>`, `<t:0>`), and `@everyone`/`@here` get a zero-width space.
 */
export function escapeDiscordText(text: string): string {
  const inline = escapeInline(text);
  const lines = escapeMarkdown(inline, {
    codeBlock: false,
    inlineCode: false,
    bold: false,
    italic: false,
    underline: false,
    strikethrough: false,
    spoiler: false,
    escape: false,
    heading: true,
    bulletedList: true,
    numberedList: true,
  });
  return lines.replace(/^(\s*)(>|-#)/gm, '$1\\$2').replace(/@(everyone|here)/gi, '@\u200b$1');
}

/**
 * Escapes `raw` and keeps the result within `max` UTF-16 code units. The text is cut before it is
 * escaped (never an escape sequence in half), on a grapheme boundary, with `…` when shortened.
 */
export function fitEscaped(raw: string, max: number): string {
  const whole = escapeDiscordText(raw);
  if (whole.length <= max) return whole;
  // Escaping only grows text, so the best cut of the raw text lies in [0, max]; the common case
  // (little to escape) fits at once, else binary search it.
  const plain = escapeDiscordText(truncate(raw, max));
  if (plain.length <= max) return plain;
  let lo = 0;
  let best = '';
  let hi = Math.min(raw.length, max);
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const candidate = escapeDiscordText(truncate(raw, mid));
    if (candidate.length <= max) {
      best = candidate;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return best;
}


function colourFor(topics: readonly Topic[]): number {
  const chips = topics.includes('ai-chips');
  const crypto = topics.includes('crypto');
  if (chips && !crypto) return TOPIC_COLOURS['ai-chips'];
  if (crypto && !chips) return TOPIC_COLOURS.crypto;
  return TOPIC_COLOURS.neutral;
}

function isoTimestamp(published: string | undefined): string | undefined {
  if (!published) return undefined;
  const ms = Date.parse(published);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** Renders one alert as a single embed within every Discord embed limit (6000 in all). */
export function renderDiscordAlert(alert: Alert): DiscordAlertMessage {
  const title = fitEscaped(alert.title.trim() || '(untitled)', DISCORD_LIMITS.embedTitle);
  const fields: APIEmbedField[] = [];
  const addField = (name: string, raw: string): void => {
    if (!raw.trim() || fields.length >= DISCORD_LIMITS.embedFields) return;
    fields.push({ name, value: fitEscaped(raw, DISCORD_LIMITS.embedFieldValue), inline: true });
  };
  addField('Source', alert.source || alert.sourceId);
  addField('Topics', alert.topics.join(', '));
  addField('Matched', alert.matched.join(', '));

  const used = title.length + FOOTER.length + fields.reduce((n, f) => n + f.name.length + f.value.length, 0);
  const descriptionMax = Math.min(DISCORD_LIMITS.embedDescription, DISCORD_LIMITS.embedTotal - used);
  const description = alert.summary.trim() ? fitEscaped(alert.summary, Math.max(0, descriptionMax)) : '';

  const embed: APIEmbed = { title, color: colourFor(alert.topics), footer: { text: FOOTER } };
  const url = safeHttpUrl(alert.url);
  if (url) embed.url = url;
  if (description) embed.description = description;
  if (fields.length > 0) embed.fields = fields;
  const timestamp = isoTimestamp(alert.published);
  if (timestamp) embed.timestamp = timestamp;
  return { embeds: [embed], allowed_mentions: { parse: [] } };
}

/** A URL safe inside `[text](<url>)`: parentheses and angle brackets percent-encoded. */
function linkTarget(url: string): string {
  return url.replace(/[()<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** One reply line; each part is capped so a single line cannot eat the whole message. */
function renderLine(line: ReplyLine): string {
  const text = fitEscaped(line.text || '(untitled)', 300);
  const url = safeHttpUrl(line.url);
  const head = url ? `[${text}](<${linkTarget(url)}>)` : text;
  const meta = line.meta?.trim() ? ` _${fitEscaped(line.meta.trim(), 200)}_` : '';
  return `- ${head}${meta}`;
}

/** Renders a command reply as message content within 2000 characters; extra lines are summarised. */
export function renderDiscordReply(reply: CommandReply): DiscordReplyMessage {
  const max = DISCORD_LIMITS.content;
  const lines = reply.lines.map(renderLine);
  let content = fitEscaped(reply.text, max);
  let shown = 0;
  for (const line of lines) {
    const sep = content ? '\n' : '';
    // Keep room for the "…and N more" note in case a later line does not fit.
    const rest = lines.length - shown - 1;
    const reserve = rest > 0 ? `\n…and ${rest} more`.length : 0;
    if (content.length + sep.length + line.length + reserve > max) break;
    content += sep + line;
    shown += 1;
  }
  if (shown < lines.length) {
    const note = `${content ? '\n' : ''}…and ${lines.length - shown} more`;
    if (content.length + note.length <= max) content += note;
  }
  const message: DiscordReplyMessage = { content: content || '\u200b', allowed_mentions: { parse: [] } };
  if (reply.ephemeral) message.flags = MessageFlags.Ephemeral;
  return message;
}
