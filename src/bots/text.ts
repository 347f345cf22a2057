// Text helpers shared by the chat adapters: platform limits count UTF-16 code units, but a cut
// must never split a grapheme (an emoji with its modifiers, a letter with its accents).

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Appended to every shortened text; one UTF-16 code unit. */
export const ELLIPSIS = '…';

/**
 * Maps `text` grapheme by grapheme with `map` (e.g. an escaper) and keeps the result within `max`
 * UTF-16 code units: when it does not fit, whole mapped graphemes are kept and `…` is appended.
 * Mapping before measuring means an escape sequence such as `&amp;` is never cut in half.
 */
export function truncateMapped(text: string, max: number, map: (grapheme: string) => string): string {
  const limit = Math.max(0, Math.floor(max));
  const budget = limit - ELLIPSIS.length;
  let kept = '';
  let whole = '';
  let fits = true;
  for (const { segment } of segmenter.segment(text)) {
    const mapped = map(segment);
    if (whole.length + mapped.length > limit) {
      fits = false;
      break;
    }
    whole += mapped;
    if (whole.length <= budget) kept = whole;
  }
  if (fits) return whole;
  if (budget < 0) return '';
  return kept.trimEnd() + ELLIPSIS;
}

/**
 * Shortens `text` to at most `max` UTF-16 code units (the unit Slack and Discord limits count),
 * cutting on a grapheme boundary and appending `…` when anything was cut.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return truncateMapped(text, max, (grapheme) => grapheme);
}

/** The URL when it is an absolute http(s) URL, normalised; otherwise undefined (`javascript:`, relative, junk). */
export function safeHttpUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
  return parsed.href;
}
