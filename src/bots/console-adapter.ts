import type { Alert, Lang } from '../domain.js';
import type { ChatAdapter, DeliveryOutcome } from './chat-adapter.js';
import { labelsFor, otherOutletCount, otherOutlets } from './text.js';

export interface ConsoleAdapterOptions {
  /** Where rendered alerts go; stdout by default. */
  write?: (text: string) => void;
  /** `text` for people, `json` for one JSON object per line, `silent` to print nothing. */
  format?: 'text' | 'json' | 'silent';
}

/** Control characters (terminal escapes included) never reach the terminal from a feed. */
const clean = (s: string): string => s.replace(/[\p{Cc}\p{Cf}]+/gu, ' ').trim();

/** The console rendering of an alert: a headline line, a details line and the summary. */
export function renderConsoleAlert(alert: Alert, channelId?: string): string {
  const L = labelsFor(alert.lang);
  const topics = alert.topics.length > 0 ? `[${alert.topics.join(', ')}] ` : '';
  const when = alert.published ? `${alert.published.slice(0, 16).replace('T', ' ')} UTC` : 'undated';
  const highlights = (alert.highlights ?? []).map(clean).filter(Boolean);
  const details = [
    clean(alert.source),
    when,
    alert.matched.length > 0 ? `${L.matched.toLowerCase()}${L.colon}${alert.matched.map(clean).join(', ')}` : '',
    highlights.length > 0 ? `${L.highlights.toLowerCase()}${L.colon}${highlights.join(', ')}` : '',
  ].filter(Boolean);
  const to = channelId ? `#${clean(channelId)} ` : '';
  const marker = alert.breaking ? `${L.breaking} ` : '';
  const lines = [`▶ ${to}${marker}${topics}${clean(alert.title)}`, `  ${details.join(' · ')}`];
  if (alert.url) lines.push(`  ${clean(alert.url)}`);
  if (alert.summary) lines.push(`  ${clean(alert.summary)}`);
  return lines.join('\n');
}

/** The console line of a story update: `↳ #channel also reported by 2 outlets: A, B — title`. */
export function renderConsoleStoryUpdate(alert: Alert, channelId?: string): string {
  const L = labelsFor(alert.lang);
  const others = otherOutlets(alert).map(clean);
  const names = others.length > 0 ? others : [clean(alert.source)];
  const count = Math.max(names.length, otherOutletCount(alert, others));
  const listed = count > names.length ? `${names.join(', ')} ${L.andMore(count - names.length)}` : names.join(', ');
  const to = channelId ? `#${clean(channelId)} ` : '';
  return `↳ ${to}${L.reportedByLine(count, listed)} — ${clean(alert.title)}`;
}

/** The console rendering of a digest: a title line, one line per story, then the note. */
export function renderConsoleDigest(alerts: readonly Alert[], lang: Lang, note?: string, channelId?: string): string {
  const L = labelsFor(lang);
  const to = channelId ? `#${clean(channelId)} ` : '';
  const lines = [`▶ ${to}${L.digestTitle(alerts.length)}`];
  for (const alert of alerts) {
    const meta = [clean(alert.source), ...(alert.topics.length > 0 ? [alert.topics.join(', ')] : [])].join(' · ');
    lines.push(`  • ${alert.breaking ? '🔴 ' : ''}${clean(alert.title)} — ${meta}${alert.url ? ` ${clean(alert.url)}` : ''}`);
  }
  if (note?.trim()) lines.push(`  (${clean(note)})`);
  return lines.join('\n');
}

/** The JSON line of `poll --json`. */
export function alertToJson(alert: Alert, adapter: string, channelId: string): string {
  return JSON.stringify({
    channel: channelId,
    adapter,
    title: alert.title,
    url: alert.url ?? null,
    source: alert.source,
    published: alert.published ?? null,
    topics: alert.topics,
    matched: alert.matched,
  });
}

/** Prints alerts; the embedded default channel. */
export function createConsoleAdapter(options: ConsoleAdapterOptions = {}): ChatAdapter {
  const write = options.write ?? ((text: string) => process.stdout.write(`${text}\n`));
  const format = options.format ?? 'text';
  return {
    kind: 'console',
    async deliver(channel, alert): Promise<DeliveryOutcome> {
      if (format === 'text') write(renderConsoleAlert(alert, channel.id));
      else if (format === 'json') write(alertToJson(alert, channel.adapter, channel.id));
      // The alert id stands for the console "message", so later reports of its story print as updates.
      return { ok: true, ref: alert.id };
    },
    async updateStory(channel, ref, alert): Promise<DeliveryOutcome> {
      if (format === 'text') write(renderConsoleStoryUpdate(alert, channel.id));
      else if (format === 'json') write(JSON.stringify({ type: 'story_update', channel: channel.id, adapter: channel.adapter, ref, title: alert.title, url: alert.url ?? null, source: alert.source, reportedBy: alert.reportedBy ?? [], ...(alert.reportedByCount === undefined ? {} : { reportedByCount: alert.reportedByCount }) }));
      return { ok: true, ref };
    },
    async deliverDigest(channel, alerts, lang, note): Promise<DeliveryOutcome> {
      if (format === 'text') write(renderConsoleDigest(alerts, lang, note, channel.id));
      else if (format === 'json') {
        write(JSON.stringify({ type: 'digest', channel: channel.id, adapter: channel.adapter, note: note ?? null, alerts: alerts.map((a) => JSON.parse(alertToJson(a, channel.adapter, channel.id)) as unknown) }));
      }
      return { ok: true };
    },
    async close() {},
  };
}
