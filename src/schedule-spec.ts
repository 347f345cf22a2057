// Turns a source's `every:` duration or `cron:` expression into one node-cron pattern.
import { createTask, validateDetailed } from 'node-cron';

/** Parses `30s`, `5m`, `1h`, `1d` into milliseconds; undefined when it is not such a duration. */
export function parseDuration(text: string): number | undefined {
  const m = /^\s*(\d{1,6})\s*(ms|s|m|h|d)\s*$/i.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = (m[2] ?? '').toLowerCase();
  const factor = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[unit] ?? 0;
  return n > 0 ? n * factor : undefined;
}

/**
 * The node-cron pattern (with a seconds field) for an `every:` duration. Only periods that divide
 * their unit's cycle evenly can be written as cron steps; anything else is refused with a reason.
 */
export function everyToCron(every: string): { ok: true; cron: string } | { ok: false; reason: string } {
  const m = /^\s*(\d{1,4})\s*(s|m|h|d)\s*$/i.exec(every);
  if (!m) return { ok: false, reason: `"${every}" is not a duration such as 30s, 5m, 1h or 1d` };
  const n = Number(m[1]);
  const unit = (m[2] ?? '').toLowerCase();
  const limits: Record<string, number> = { s: 59, m: 59, h: 23, d: 1 };
  const max = limits[unit] ?? 0;
  if (n < 1 || n > max) {
    return { ok: false, reason: `"${every}" is out of range: use 1-59s, 1-59m, 1-23h or 1d (or a cron: expression)` };
  }
  if (unit === 's') return { ok: true, cron: `*/${n} * * * * *` };
  if (unit === 'm') return { ok: true, cron: `0 */${n} * * * *` };
  if (unit === 'h') return { ok: true, cron: `0 0 */${n} * * *` };
  return { ok: true, cron: '0 0 0 * * *' };
}

/** Checks a cron expression (5 or 6 fields); answers the reason when node-cron refuses it. */
export function checkCron(expression: string): string | undefined {
  const result = validateDetailed(expression);
  if (result.valid) return undefined;
  return result.errors.map((e) => `${e.field}: ${e.message}`).join('; ') || 'invalid cron expression';
}

/** The shortest gap between two fires of a cron expression over its next runs, in ms. */
export function cronMinGapMs(expression: string): number {
  const task = createTask(expression, () => undefined);
  try {
    const runs = task.getNextRuns(12).map((d) => d.getTime());
    let gap = Number.POSITIVE_INFINITY;
    for (let i = 1; i < runs.length; i++) gap = Math.min(gap, (runs[i] ?? 0) - (runs[i - 1] ?? 0));
    return gap;
  } finally {
    void task.destroy();
  }
}

/** `90000` → `1m30s`, for messages. */
export function formatDuration(ms: number): string {
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['m', 60], ['s', 1]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join('') || `${ms}ms`;
}
