// A price history as one line of block characters. Plain Unicode (U+2581–U+2588), no markup, so
// it reads the same in Slack, Discord and a terminal. Pure.

/** The eight levels, lowest first. */
const BLOCKS = '▁▂▃▄▅▆▇█';
/** Drawn for every point of a series that never moves (max = min). */
const FLAT = '▄';
/** Drawn for a stretch of the resampled series that holds no finite value. */
const GAP = ' ';

/**
 * Means of `values` over `width` equal, consecutive buckets (fewer when there are fewer values:
 * a short series is never stretched). Non-finite values are ignored; a bucket without any finite
 * value is NaN, so gaps stay where they happened in time.
 */
export function resample(values: readonly number[], width: number): number[] {
  const points = Math.min(Math.floor(width), values.length);
  if (!(points > 0)) return [];
  const out: number[] = [];
  for (let i = 0; i < points; i++) {
    const start = Math.floor((i * values.length) / points);
    const end = Math.floor(((i + 1) * values.length) / points);
    let sum = 0;
    let count = 0;
    for (let j = start; j < end; j++) {
      const v = values[j];
      if (v !== undefined && Number.isFinite(v)) {
        sum += v;
        count++;
      }
    }
    out.push(count === 0 ? NaN : sum / count);
  }
  return out;
}

/**
 * `values` (oldest first) as at most `width` characters from `▁` (the minimum) to `█` (the
 * maximum), each the mean of its share of the series. A flat series is all `▄`; stretches with no
 * finite value are spaces; an empty or all-NaN series is the empty string.
 */
export function sparkline(values: readonly number[], width = 24): string {
  const points = resample(values, width);
  const finite = points.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return '';
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  const top = BLOCKS.length - 1;
  return points
    .map((v) => {
      if (!Number.isFinite(v)) return GAP;
      if (max === min) return FLAT;
      return BLOCKS[Math.round(((v - min) / (max - min)) * top)] ?? FLAT;
    })
    .join('');
}
