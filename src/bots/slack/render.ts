// Alerts and command replies as Slack Block Kit. Pure: no I/O. Every piece of feed or user text is
// escaped (`&`, `<`, `>`) so that a title such as `<!channel>` shows as text and pings nobody, and
// every field is cut to Slack's limits on a grapheme boundary.
import type { types as SlackTypes } from '@slack/bolt';
import type { Alert, Lang } from '../../domain.js';
import type { CommandReply, ReplyLine } from '../chat-adapter.js';
import { formatUtc, LABELS, labelsFor, otherOutletCount, otherOutlets, safeHttpUrl, truncate, truncateMapped, type Labels } from '../text.js';

/** A Block Kit block (from @slack/types, through Bolt so only declared dependencies are named). */
export type KnownBlock = SlackTypes.KnownBlock;

/** Slack's limits, in UTF-16 code units (characters as Slack counts them) and blocks. */
export const SLACK_LIMITS = {
  headerText: 150,
  sectionText: 3000,
  contextText: 3000,
  buttonUrl: 3000,
  fallbackText: 3000,
  blocks: 50,
} as const;

/** The action id of the "Open" link button; the bot acknowledges its clicks. */
export const OPEN_ACTION_ID = 'wirewatch_open';

/** Escapes the three characters Slack's mrkdwn treats as control characters (`&` first). */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Escapes `text` and keeps it within `max` characters, never cutting an escape or a grapheme.
 * Escaping is character by character, so the text escaped whole is the same as escaped grapheme
 * by grapheme: when it fits, it is the answer, and only a text that must be cut is walked by
 * grapheme (that walk cost ~1 ms for a summary, 40 % of a delivery's CPU in `npm run bench`).
 */
function escapeWithin(text: string, max: number): string {
  const escaped = escapeMrkdwn(text);
  return escaped.length <= max ? escaped : truncateMapped(text, max, escapeMrkdwn);
}


/** A URL as it may appear inside `<url|label>`: escaped, and without a `|` or `>` that would end it early. */
function linkTarget(href: string): string {
  return escapeMrkdwn(href.replace(/\|/g, '%7C').replace(/</g, '%3C').replace(/>/g, '%3E'));
}

/**
 * A mrkdwn link `<url|label>` for an http(s) URL, with the label escaped; for any other URL (or none)
 * just the escaped label, so a `javascript:` link never becomes clickable.
 */
export function slackLink(url: string | undefined, label: string): string {
  const href = safeHttpUrl(url);
  const text = escapeMrkdwn(label);
  if (href === undefined) return text;
  return text ? `<${linkTarget(href)}|${text}>` : `<${linkTarget(href)}>`;
}

/** Block ids of the parts a story update rewrites. */
export const BLOCK_IDS = { meta: 'wirewatch_meta', outlets: 'wirewatch_outlets', actions: 'wirewatch_actions' } as const;

/** How many outlet names a story line lists before it just counts. */
const MAX_OUTLET_NAMES = 10;

/** The escaped context line of the other outlets of a story, or undefined when there are none. */
function outletsText(alert: Alert, lang: Lang | undefined): string | undefined {
  const others = otherOutlets(alert);
  if (others.length === 0) return undefined;
  const L = labelsFor(lang);
  const count = otherOutletCount(alert, others);
  const shown = others.slice(0, MAX_OUTLET_NAMES).map((name) => escapeWithin(name, 100));
  const rest = count - shown.length;
  const names = rest > 0 ? `${shown.join(', ')} ${L.andMore(rest)}` : shown.join(', ');
  return truncate(L.reportedByLine(count, names), SLACK_LIMITS.contextText);
}

function outletsBlock(text: string): KnownBlock {
  return { type: 'context', block_id: BLOCK_IDS.outlets, elements: [{ type: 'mrkdwn', text }] };
}

/**
 * The Slack message for one alert: `text` is the notification/fallback text, `blocks` the layout —
 * a plain-text header (with the breaking marker), the summary, a context line (source · time ·
 * topics · matched terms · highlights), the other outlets when known, and an "Open" button.
 * Labels are in `alert.lang`.
 */
export function renderSlackAlert(alert: Alert): { text: string; blocks: KnownBlock[] } {
  const L = labelsFor(alert.lang);
  const title = alert.title.trim() || L.untitled;
  const marker = alert.breaking ? `${L.breaking} · ` : '';
  const blocks: KnownBlock[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: marker + escapeWithin(title, SLACK_LIMITS.headerText - marker.length), emoji: true },
    },
  ];
  const summary = alert.summary.trim();
  if (summary) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: escapeWithin(summary, SLACK_LIMITS.sectionText) } });
  }
  const meta = [alert.source || alert.sourceId];
  if (alert.published) meta.push(formatUtc(alert.published));
  if (alert.topics.length > 0) meta.push(alert.topics.join(', '));
  if (alert.matched.length > 0) meta.push(`${L.matched.toLowerCase()}${L.colon}${alert.matched.join(', ')}`);
  const highlights = alert.highlights?.filter((h) => h.trim()) ?? [];
  if (highlights.length > 0) meta.push(`${L.highlights.toLowerCase()}${L.colon}${highlights.join(', ')}`);
  blocks.push({
    type: 'context',
    block_id: BLOCK_IDS.meta,
    elements: [{ type: 'mrkdwn', text: escapeWithin(meta.join(' · '), SLACK_LIMITS.contextText) }],
  });
  const outlets = outletsText(alert, alert.lang);
  if (outlets) blocks.push(outletsBlock(outlets));
  const href = safeHttpUrl(alert.url);
  if (href !== undefined && href.length <= SLACK_LIMITS.buttonUrl) {
    blocks.push({
      type: 'actions',
      block_id: BLOCK_IDS.actions,
      elements: [{ type: 'button', action_id: OPEN_ACTION_ID, text: { type: 'plain_text', text: L.open, emoji: false }, url: href }],
    });
  }
  return { text: marker + escapeWithin(title, SLACK_LIMITS.fallbackText - marker.length), blocks };
}

/**
 * The blocks of an alert already posted, with its "also reported by …" line set from `alert`
 * (a later report of the same story): an earlier outlets line is replaced, a new one goes just
 * before the "Open" button. Other blocks are kept as they are. Pure.
 */
export function withOutlets(blocks: readonly KnownBlock[], alert: Alert): KnownBlock[] {
  const kept = blocks.filter((b) => b.block_id !== BLOCK_IDS.outlets);
  const text = outletsText(alert, alert.lang);
  if (!text) return kept;
  const at = kept.findIndex((b) => b.type === 'actions');
  const out = [...kept];
  out.splice(at === -1 ? out.length : at, 0, outletsBlock(text));
  return out.slice(0, SLACK_LIMITS.blocks);
}

/** The thread reply under a story's first message: `Also reported by <outlet>: <title link>`. */
export function renderSlackStoryReply(alert: Alert): { text: string } {
  const L = labelsFor(alert.lang);
  const outlet = `*${escapeWithin(alert.source || alert.sourceId, 200)}*`;
  const title = truncate(alert.title.trim() || L.untitled, 500);
  return { text: L.alsoReportedByOne(outlet, slackLink(alert.url, title)) };
}

/** Longest title shown in a digest line, in characters. */
const DIGEST_TITLE_MAX = 200;
/** Longest linked title in a digest line (URL included), in characters. */
const DIGEST_LINE_MAX = 1500;

/** One digest line: `• <url|title> — source · topics`, escaped, breaking stories marked. */
function digestLine(alert: Alert, L: Labels): string {
  const title = truncate(alert.title.trim() || L.untitled, DIGEST_TITLE_MAX);
  const meta = [alert.source || alert.sourceId, ...(alert.topics.length > 0 ? [alert.topics.join(', ')] : [])].join(' · ');
  const marker = alert.breaking ? '🔴 ' : '';
  const linked = slackLink(alert.url, title);
  // A very long URL would crowd out other lines: such a story is listed without its link.
  const head = linked.length <= DIGEST_LINE_MAX ? linked : escapeMrkdwn(title);
  return `• ${marker}${head} — ${escapeWithin(meta, 300)}`;
}

/**
 * Many alerts as one compact message: a header with the count, lines packed into as few sections
 * as fit (≤3000 characters each, ≤50 blocks, "…and N more" for what does not fit) and `note` in a
 * context block at the end. Labels in `lang`.
 */
export function renderSlackDigest(alerts: readonly Alert[], lang: Lang, note?: string): { text: string; blocks: KnownBlock[] } {
  const L = labelsFor(lang);
  const title = L.digestTitle(alerts.length);
  const head: KnownBlock[] = [{ type: 'header', text: { type: 'plain_text', text: truncate(title, SLACK_LIMITS.headerText), emoji: true } }];
  const tail: KnownBlock[] = [];
  const noteText = note?.trim();
  if (noteText) tail.push({ type: 'context', elements: [{ type: 'mrkdwn', text: escapeWithin(noteText, SLACK_LIMITS.contextText) }] });
  const body = packLines(alerts.map((a) => digestLine(a, L)), SLACK_LIMITS.blocks - head.length - tail.length, L);
  return { text: truncate(title, SLACK_LIMITS.fallbackText), blocks: [...head, ...body, ...tail] };
}

/**
 * Packs mrkdwn lines into sections of at most 3000 characters, using at most `maxBlocks` blocks;
 * when lines are left over the last block is a context "…and N more".
 */
function packLines(rendered: readonly string[], maxBlocks: number, L: Labels): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  // Keep one block free for the "and N more" note.
  const maxLineBlocks = maxBlocks - 1;
  let current = '';
  let shown = 0;
  for (const line of rendered) {
    if (current && current.length + 1 + line.length > SLACK_LIMITS.sectionText) {
      if (blocks.length + 1 >= maxLineBlocks) break;
      blocks.push({ type: 'section', text: { type: 'mrkdwn', text: current } });
      current = '';
    }
    current = current ? `${current}\n${line}` : line;
    shown += 1;
  }
  if (current) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: current } });
  const hidden = rendered.length - shown;
  if (hidden > 0) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: L.andMore(hidden) }] });
  return blocks;
}

/** One reply line as mrkdwn: the text (linked when it has an http(s) URL) and the meta in italics. */
function renderLine(line: ReplyLine): string {
  const text = line.text.trim() || line.url || '';
  const main = slackLink(line.url, text);
  const meta = line.meta?.trim() ? ` _${escapeMrkdwn(line.meta.trim())}_` : '';
  const rendered = `• ${main}${meta}`;
  // A line too long for one section loses its link (a cut link would be broken) and is shortened.
  if (rendered.length <= SLACK_LIMITS.sectionText) return rendered;
  return `• ${escapeWithin(`${text}${line.meta ? ` (${line.meta})` : ''}`, SLACK_LIMITS.sectionText - 2)}`;
}

/**
 * A command answer for Slack: the reply text, then the lines packed into as few mrkdwn sections as
 * fit (≤3000 characters each, ≤50 blocks; lines that do not fit are counted in a last context block).
 */
export function renderSlackReply(reply: CommandReply): {
  text: string;
  blocks: KnownBlock[];
  response_type: 'ephemeral' | 'in_channel';
} {
  const blocks: KnownBlock[] = [];
  const text = reply.text.trim();
  if (text) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: escapeWithin(text, SLACK_LIMITS.sectionText) } });
  blocks.push(...packLines(reply.lines.map(renderLine), SLACK_LIMITS.blocks - blocks.length, LABELS.en));
  const fallback = text || (reply.lines.length > 0 ? `${reply.lines.length} result(s)` : '');
  return {
    text: escapeWithin(fallback, SLACK_LIMITS.fallbackText),
    blocks,
    response_type: reply.ephemeral ? 'ephemeral' : 'in_channel',
  };
}
