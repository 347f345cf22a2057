// Text helpers shared by the chat adapters: platform limits count UTF-16 code units, but a cut
// must never split a grapheme (an emoji with its modifiers, a letter with its accents).
import type { Alert, Lang } from '../domain.js';

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

/** Every label the chat renderers put around a story, per language. Story text itself is never translated. */
export interface Labels {
  /** Marker in front of a breaking story's title. */
  breaking: string;
  /** Between a label and its value (French puts a space before the colon). */
  colon: string;
  /** The link button of a Slack alert. */
  open: string;
  untitled: string;
  source: string;
  topics: string;
  matched: string;
  highlights: string;
  /** Field name / lead-in of the outlets that also reported a story. */
  alsoReportedBy: string;
  /** `also reported by 3 outlets: A, B, C` (the names are escaped by the caller and passed in). */
  reportedByLine: (count: number, names: string) => string;
  /** Thread reply under a story: `Also reported by <outlet>: <title>`. */
  alsoReportedByOne: (outlet: string, title: string) => string;
  /** Title of a digest message. */
  digestTitle: (count: number) => string;
  /** The count of stories that did not fit. */
  andMore: (count: number) => string;
}

/** The label table; `satisfies` keeps both languages complete. */
export const LABELS = {
  en: {
    breaking: '🔴 BREAKING',
    colon: ': ',
    open: 'Open',
    untitled: '(untitled)',
    source: 'Source',
    topics: 'Topics',
    matched: 'Matched',
    highlights: 'Highlights',
    alsoReportedBy: 'Also reported by',
    reportedByLine: (count, names) => `also reported by ${count} ${count === 1 ? 'outlet' : 'outlets'}: ${names}`,
    alsoReportedByOne: (outlet, title) => `Also reported by ${outlet}: ${title}`,
    digestTitle: (count) => `wirewatch digest — ${count} ${count === 1 ? 'story' : 'stories'}`,
    andMore: (count) => `…and ${count} more`,
  },
  fr: {
    breaking: '🔴 À LA UNE',
    colon: '\u00a0: ',
    open: 'Ouvrir',
    untitled: '(sans titre)',
    source: 'Source',
    topics: 'Sujets',
    matched: 'Termes',
    highlights: 'Chiffres clés',
    alsoReportedBy: 'Aussi rapporté par',
    reportedByLine: (count, names) => `aussi rapporté par ${count} ${count === 1 ? 'média' : 'médias'}\u00a0: ${names}`,
    alsoReportedByOne: (outlet, title) => `Aussi rapporté par ${outlet}\u00a0: ${title}`,
    digestTitle: (count) => `wirewatch — résumé, ${count} ${count === 1 ? 'article' : 'articles'}`,
    andMore: (count) => `…et ${count} de plus`,
  },
} as const satisfies Record<Lang, Labels>;

/** The labels for `lang`, English when it is missing. */
export function labelsFor(lang: Lang | undefined): Labels {
  return LABELS[lang ?? 'en'];
}

/**
 * The outlets to name in a story update: `reportedBy` without its first entry (the outlet of the
 * message being updated), without duplicates or blanks, in order.
 */
export function otherOutlets(alert: Pick<Alert, 'reportedBy'>): string[] {
  const [first, ...rest] = alert.reportedBy ?? [];
  const seen = new Set<string>(first ? [first.trim()] : []);
  const out: string[] = [];
  for (const raw of rest) {
    const name = raw.trim();
    if (!name || seen.has(name)) continue;
    seen.add(name);
    out.push(name);
  }
  return out;
}

/**
 * How many other outlets reported the story: the `others` that `otherOutlets` names, or more when
 * the alert names only the first ones (`reportedByCount`).
 */
export function otherOutletCount(alert: Pick<Alert, 'reportedByCount'>, others: readonly string[]): number {
  return Math.max(others.length, (alert.reportedByCount ?? 0) - 1);
}

/** `2024-05-01 14:03 UTC` from an ISO time; the raw value when it does not parse. */
export function formatUtc(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
