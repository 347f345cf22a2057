// Alerts and command replies as Slack Block Kit. Pure: no I/O. Every piece of feed or user text is
// escaped (`&`, `<`, `>`) so that a title such as `<!channel>` shows as text and pings nobody, and
// every field is cut to Slack's limits on a grapheme boundary.
import type { types as SlackTypes } from '@slack/bolt';
import type { Alert } from '../../domain.js';
import type { CommandReply, ReplyLine } from '../chat-adapter.js';
import { safeHttpUrl, truncateMapped } from '../text.js';

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

/** Escapes `text` and keeps it within `max` characters, never cutting an escape or a grapheme. */
function escapeWithin(text: string, max: number): string {
  return truncateMapped(text, max, escapeMrkdwn);
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

/** `2024-05-01 14:03 UTC` from an ISO time; the raw value when it does not parse. */
function formatPublished(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The Slack message for one alert: `text` is the notification/fallback text, `blocks` the layout. */
export function renderSlackAlert(alert: Alert): { text: string; blocks: KnownBlock[] } {
  const title = alert.title.trim() || '(untitled)';
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: escapeWithin(title, SLACK_LIMITS.headerText), emoji: true } },
  ];
  const summary = alert.summary.trim();
  if (summary) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: escapeWithin(summary, SLACK_LIMITS.sectionText) } });
  }
  const meta = [alert.source || alert.sourceId];
  if (alert.published) meta.push(formatPublished(alert.published));
  if (alert.topics.length > 0) meta.push(alert.topics.join(', '));
  if (alert.matched.length > 0) meta.push(`matched: ${alert.matched.join(', ')}`);
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: escapeWithin(meta.join(' · '), SLACK_LIMITS.contextText) }] });
  const href = safeHttpUrl(alert.url);
  if (href !== undefined && href.length <= SLACK_LIMITS.buttonUrl) {
    blocks.push({
      type: 'actions',
      elements: [{ type: 'button', action_id: OPEN_ACTION_ID, text: { type: 'plain_text', text: 'Open', emoji: false }, url: href }],
    });
  }
  return { text: escapeWithin(title, SLACK_LIMITS.fallbackText), blocks };
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
  const rendered = reply.lines.map(renderLine);
  // Room for the lines, keeping one block free for the "and N more" note.
  const maxLineBlocks = SLACK_LIMITS.blocks - blocks.length - 1;
  let current = '';
  let used = 0;
  let shown = 0;
  for (const line of rendered) {
    if (current && current.length + 1 + line.length > SLACK_LIMITS.sectionText) {
      if (used + 1 >= maxLineBlocks) break;
      blocks.push({ type: 'section', text: { type: 'mrkdwn', text: current } });
      used += 1;
      current = '';
    }
    current = current ? `${current}\n${line}` : line;
    shown += 1;
  }
  if (current) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: current } });
  const hidden = rendered.length - shown;
  if (hidden > 0) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `…and ${hidden} more` }] });
  const fallback = text || (reply.lines.length > 0 ? `${reply.lines.length} result(s)` : '');
  return {
    text: escapeWithin(fallback, SLACK_LIMITS.fallbackText),
    blocks,
    response_type: reply.ephemeral ? 'ephemeral' : 'in_channel',
  };
}
