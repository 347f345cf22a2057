// Pure rendering of alerts and command replies into Discord message bodies. Every string that came
// from a feed or a user is escaped (markdown, masked links, mentions) and every message says
// `allowed_mentions: { parse: [] }`, so a hostile title can neither format nor ping.
import { escapeMarkdown, MessageFlags, type APIEmbed, type APIEmbedField } from 'discord.js';
import type { Alert, Lang, Topic } from '../../domain.js';
import type { CommandReply, ReplyLine } from '../chat-adapter.js';
import { LABELS, labelsFor, otherOutletCount, otherOutlets, safeHttpUrl, truncate, type Labels } from '../text.js';

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

/** Names of the outlets field in every language, so an update replaces an earlier one. */
const OUTLET_FIELD_NAMES: ReadonlySet<string> = new Set(Object.values(LABELS).map((l) => l.alsoReportedBy));
/** How many outlet names the outlets field lists before it just counts. */
const MAX_OUTLET_NAMES = 10;

/** The outlets field of a story (the other outlets that reported it), or undefined when there are none. */
function outletsField(alert: Alert): APIEmbedField | undefined {
  const others = otherOutlets(alert);
  if (others.length === 0) return undefined;
  const L = labelsFor(alert.lang);
  const count = otherOutletCount(alert, others);
  const shown = others.slice(0, MAX_OUTLET_NAMES).map((name) => fitEscaped(name, 80));
  const rest = count - shown.length;
  const value = `${shown.join(', ')}${rest > 0 ? ` ${L.andMore(rest)}` : ''}`;
  return { name: `${L.alsoReportedBy} (${count})`, value: truncate(value, DISCORD_LIMITS.embedFieldValue), inline: false };
}

/** Whether `field` is an outlets field written by `outletsField` (any language). */
function isOutletsField(field: APIEmbedField): boolean {
  return OUTLET_FIELD_NAMES.has(field.name.replace(/ \(\d+\)$/, ''));
}

/** Characters Discord counts towards an embed's 6000. */
export function embedLength(embed: APIEmbed): number {
  return (
    (embed.title ?? '').length +
    (embed.description ?? '').length +
    (embed.footer?.text ?? '').length +
    (embed.author?.name ?? '').length +
    (embed.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0)
  );
}

/**
 * Renders one alert as a single embed within every Discord embed limit (6000 in all): the title
 * (with the breaking marker) linking to the story, the summary, fields for source, topics, matched
 * terms, highlights and the other outlets, topic colour, footer and timestamp. Labels in `alert.lang`.
 */
export function renderDiscordAlert(alert: Alert): DiscordAlertMessage {
  const L = labelsFor(alert.lang);
  const marker = alert.breaking ? `${L.breaking} · ` : '';
  const title = marker + fitEscaped(alert.title.trim() || L.untitled, DISCORD_LIMITS.embedTitle - marker.length);
  const fields: APIEmbedField[] = [];
  const addField = (name: string, raw: string): void => {
    if (!raw.trim() || fields.length >= DISCORD_LIMITS.embedFields) return;
    fields.push({ name, value: fitEscaped(raw, DISCORD_LIMITS.embedFieldValue), inline: true });
  };
  addField(L.source, alert.source || alert.sourceId);
  addField(L.topics, alert.topics.join(', '));
  addField(L.matched, alert.matched.join(', '));
  addField(L.highlights, (alert.highlights ?? []).filter((h) => h.trim()).join(', '));
  const outlets = outletsField(alert);
  if (outlets) fields.push(outlets);

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

/**
 * The embed of an alert already posted (as Discord returns it), with its outlets field set from
 * `alert`, a later report of the same story: an earlier outlets field is replaced, the rest kept.
 * Only the properties a bot may send back are copied; the total stays within 6000 (the
 * description gives way). Pure.
 */
export function withOutletsEmbed(embed: APIEmbed, alert: Alert): APIEmbed {
  const out: APIEmbed = {};
  if (embed.title !== undefined) out.title = embed.title;
  if (embed.description !== undefined) out.description = embed.description;
  if (embed.url !== undefined) out.url = embed.url;
  if (embed.color !== undefined) out.color = embed.color;
  if (embed.timestamp !== undefined) out.timestamp = embed.timestamp;
  if (embed.footer !== undefined) out.footer = { text: embed.footer.text, ...(embed.footer.icon_url ? { icon_url: embed.footer.icon_url } : {}) };
  if (embed.author !== undefined) out.author = { name: embed.author.name, ...(embed.author.url ? { url: embed.author.url } : {}) };
  if (embed.thumbnail?.url) out.thumbnail = { url: embed.thumbnail.url };
  if (embed.image?.url) out.image = { url: embed.image.url };
  const fields = (embed.fields ?? []).filter((f) => !isOutletsField(f)).map((f) => ({ name: f.name, value: f.value, ...(f.inline !== undefined ? { inline: f.inline } : {}) }));
  const outlets = outletsField(alert);
  if (outlets && fields.length < DISCORD_LIMITS.embedFields) fields.push(outlets);
  if (fields.length > 0) out.fields = fields;
  const over = embedLength(out) - DISCORD_LIMITS.embedTotal;
  if (over > 0 && out.description) out.description = truncate(out.description, Math.max(0, out.description.length - over));
  return out;
}

/** Longest title shown in a digest line, in characters before escaping. */
const DIGEST_TITLE_MAX = 200;
/** Longest URL linked from a digest line; longer ones are left out. */
const DIGEST_URL_MAX = 500;
/** Embeds per message. */
const MAX_EMBEDS = 10;

/** One digest line: `- [title](url) — source · topics`, escaped, breaking stories marked. */
function digestLine(alert: Alert, L: Labels): string {
  const title = fitEscaped(alert.title.trim() || L.untitled, DIGEST_TITLE_MAX);
  const url = safeHttpUrl(alert.url);
  const head = url && url.length <= DIGEST_URL_MAX ? `[${title}](${linkTarget(url)})` : title;
  const meta = fitEscaped([alert.source || alert.sourceId, ...(alert.topics.length > 0 ? [alert.topics.join(', ')] : [])].join(' · '), 200);
  return `- ${alert.breaking ? '🔴 ' : ''}${head} — ${meta}`;
}

/**
 * Many alerts as one message: a titled embed whose description lists the stories compactly,
 * continued in up to 10 embeds while the message stays within 6000 characters in all; what does not
 * fit is counted ("…and N more"). `note` (why the digest was sent) is the footer. Labels in `lang`.
 */
export function renderDiscordDigest(alerts: readonly Alert[], lang: Lang, note?: string): DiscordAlertMessage {
  const L = labelsFor(lang);
  const title = truncate(L.digestTitle(alerts.length), DISCORD_LIMITS.embedTitle);
  const footer = note?.trim() ? fitEscaped(note.trim(), DISCORD_LIMITS.embedFooter) : FOOTER;
  const lines = alerts.map((a) => digestLine(a, L));
  const moreMax = `\n${L.andMore(lines.length)}`.length;
  const budget = DISCORD_LIMITS.embedTotal - title.length - footer.length;
  const descriptions: string[] = [''];
  let total = 0;
  let shown = 0;
  for (const [i, line] of lines.entries()) {
    const reserve = i === lines.length - 1 ? 0 : moreMax;
    let current = descriptions[descriptions.length - 1] ?? '';
    let sep = current ? 1 : 0;
    if (total + sep + line.length + reserve > budget) break;
    if (current.length + sep + line.length + reserve > DISCORD_LIMITS.embedDescription) {
      if (descriptions.length >= MAX_EMBEDS) break;
      descriptions.push('');
      current = '';
      sep = 0;
    }
    descriptions[descriptions.length - 1] = current + (sep ? '\n' : '') + line;
    total += sep + line.length;
    shown += 1;
  }
  const hidden = lines.length - shown;
  if (hidden > 0) {
    const last = descriptions.length - 1;
    const current = descriptions[last] ?? '';
    descriptions[last] = current ? `${current}\n${L.andMore(hidden)}` : L.andMore(hidden);
  }
  const embeds: APIEmbed[] = descriptions.map((description) => ({ color: TOPIC_COLOURS.neutral, ...(description ? { description } : {}) }));
  const first = embeds[0];
  if (first) first.title = title;
  const lastEmbed = embeds[embeds.length - 1];
  if (lastEmbed) lastEmbed.footer = { text: footer };
  return { embeds, allowed_mentions: { parse: [] } };
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
