import type { Alert } from '../domain.js';
import type { ChatAdapter, DeliveryOutcome } from './chat-adapter.js';

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
  const topics = alert.topics.length > 0 ? `[${alert.topics.join(', ')}] ` : '';
  const when = alert.published ? `${alert.published.slice(0, 16).replace('T', ' ')} UTC` : 'undated';
  const details = [clean(alert.source), when, alert.matched.length > 0 ? `matched: ${alert.matched.map(clean).join(', ')}` : ''].filter(Boolean);
  const to = channelId ? `#${clean(channelId)} ` : '';
  const lines = [`▶ ${to}${topics}${clean(alert.title)}`, `  ${details.join(' · ')}`];
  if (alert.url) lines.push(`  ${clean(alert.url)}`);
  if (alert.summary) lines.push(`  ${clean(alert.summary)}`);
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
      return { ok: true };
    },
    async close() {},
  };
}
