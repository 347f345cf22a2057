// The `/news` index both stores keep: every remembered alert gets a sequence number, and each of
// its terms (the folded words of its title, outlet and topics, plus one term per channel it went
// to) lists the sequence numbers of the alerts holding it, oldest first. A lookup intersects the
// lists of its terms from the newest end, so it reads a few postings and a few alerts whatever
// the number remembered. Hand-written: it is a few lines over the stores' own structures, and no
// search library runs inside Redis or fits the claim's single round trip.
import type { ChannelKey, RecentAlert } from '../domain.js';
import { tokens } from '../relevance/fold.js';

/** At most this many terms of one alert are indexed (a title of a hundred distinct words is noise). */
export const NEWS_TERMS_MAX = 64;

/**
 * How long a term's postings outlive its last new alert, in ms: past `/news`'s longest window
 * (7 days), so a term nobody used for that long is forgotten with everything it pointed to.
 */
export const NEWS_TERM_TTL_MS = 8 * 86_400_000;

/** The term standing for "went to this channel" (folded words never hold `#`, so it cannot clash). */
export function channelTerm(channel: ChannelKey): string {
  return `#${channel}`;
}

/**
 * The terms an alert is found by: the distinct folded words of its title, outlet and topics (what
 * `/news` matches query words against), then its channels.
 */
export function newsTerms(alert: RecentAlert): string[] {
  const words = new Set(tokens(`${alert.title} ${alert.source} ${alert.topics.join(' ')}`));
  const out: string[] = [];
  for (const word of words) {
    if (out.length >= NEWS_TERMS_MAX) break;
    out.push(word);
  }
  for (const channel of new Set(alert.channels)) out.push(channelTerm(channel));
  return out;
}

/** The first index of `list` (ascending) holding a value ≥ `value`. */
function lowerBound(list: ArrayLike<number>, value: number, hi: number): number {
  let lo = 0;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid] ?? 0) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The sequence numbers present in every list (each ascending), newest first, above `floor`, at
 * most `want` of them. Walks the shortest list from its end and finds each candidate in the others
 * by bisection, each search bounded by the previous hit: O(k · m · log n) for k hits.
 */
export function intersectNewest(lists: readonly ArrayLike<number>[], floor: number, want: number): number[] {
  const out: number[] = [];
  if (lists.length === 0 || want <= 0) return out;
  const ordered = [...lists].sort((a, b) => a.length - b.length);
  const shortest = ordered[0] ?? [];
  const others = ordered.slice(1);
  const bounds = others.map((l) => l.length);
  for (let i = shortest.length - 1; i >= 0 && out.length < want; i--) {
    const seq = shortest[i] ?? 0;
    if (seq <= floor) break;
    let inAll = true;
    for (let j = 0; j < others.length; j++) {
      const list = others[j] ?? [];
      const at = lowerBound(list, seq, bounds[j] ?? 0);
      // Later candidates are smaller: nothing at or past `at` can match them.
      bounds[j] = at;
      if (list[at] !== seq) {
        inAll = false;
        if (at === 0) return out;
      }
    }
    if (inAll) out.push(seq);
  }
  return out;
}
