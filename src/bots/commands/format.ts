// Small formatters shared by the commands: times and durations as people read them, in the
// channel's language. Story text is never touched here.
import type { CommandContext } from './command.js';

/** `2026-11-29 08:12 UTC` from an ISO time; the input as given when it does not parse. */
export function formatUtc(iso: string): string {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return iso;
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** How long ago an ISO time was, relative to the context's clock (`5 min ago`, `il y a 3 h`); `never` when undefined. */
export function formatAgo(ctx: CommandContext, iso: string | undefined): string {
  if (iso === undefined) return ctx.t('time.never');
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return ctx.t('time.never');
  const seconds = Math.round((ctx.now().getTime() - ms) / 1000);
  if (seconds < 60) return ctx.t('time.justNow');
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return ctx.t('time.minutesAgo', { n: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return ctx.t('time.hoursAgo', { n: hours });
  return ctx.t('time.daysAgo', { n: Math.floor(hours / 24) });
}

/**
 * Parses a look-back window such as `30m`, `6h`, `24h`, `7d` into ms; undefined when it is not
 * one, is zero, or goes past `maxMs`.
 */
export function parseWindow(text: string, maxMs: number): number | undefined {
  const match = /^(\d{1,4})(m|h|d)$/i.exec(text.trim());
  if (!match) return undefined;
  const n = Number(match[1]);
  const letter = (match[2] ?? '').toLowerCase();
  const ms = n * (letter === 'd' ? 86_400_000 : letter === 'h' ? 3_600_000 : 60_000);
  return ms > 0 && ms <= maxMs ? ms : undefined;
}
