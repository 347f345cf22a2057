// Which field identifies a feed's items. Feeds get this wrong in every way: missing GUIDs, one
// GUID for every item, links that repeat, no dates. Per feed we pick the most stable field that
// is present and unique for each item (so an item without a GUID uses its link while its
// neighbours keep their GUIDs). The choice depends on the set of items, never on their order.
import { createHash } from 'node:crypto';

/** The identity a feed's item keys were made from. */
export type IdField = 'guid' | 'link' | 'title+date' | 'title+link' | 'title+summary' | 'mixed';

/** What identity is chosen from, for one item. */
export interface IdentityFields {
  /** guid / atom:id / JSON Feed id, trimmed; undefined when absent or empty. */
  id: string | undefined;
  /** Absolute http(s) link. */
  url: string | undefined;
  /** The item's own title, plain text; empty when it has none (a title made from the summary does not count). */
  title: string;
  /** ISO 8601. */
  published: string | undefined;
  /** Plain-text summary, possibly empty. */
  summary: string;
}

/** Keys longer than this (characters) are replaced by their sha1. */
export const KEY_MAX_CHARS = 200;

type Strategy = readonly [Exclude<IdField, 'mixed'>, (f: IdentityFields) => string | undefined];

/** Most stable first. A strategy answers undefined when the item lacks one of its parts. */
const STRATEGIES: readonly Strategy[] = [
  ['guid', (f) => f.id],
  ['link', (f) => f.url],
  ['title+date', (f) => (f.title !== '' && f.published !== undefined ? `${f.title}|${f.published}` : undefined)],
  ['title+link', (f) => (f.title !== '' && f.url !== undefined ? `${f.title}|${f.url}` : undefined)],
  ['title+summary', (f) => (f.title !== '' && f.summary !== '' ? `${f.title}|${f.summary}` : undefined)],
];

/** Everything the item has, for items no single field identifies. */
function everything(f: IdentityFields): string {
  return [f.title, f.published ?? '', f.url ?? '', f.id ?? '', f.summary].join('|').replace(/\|+$/, '');
}

function finalKey(raw: string): string {
  const key = raw.trim();
  return key.length > KEY_MAX_CHARS ? createHash('sha1').update(key).digest('hex') : key;
}

/**
 * Keys the items of one feed. Returns, for each input item in order, its key or undefined when
 * it duplicates an earlier item in every field (the same item listed twice is kept once), and
 * the field the keys came from (undefined for a feed without items).
 */
export function assignKeys(items: readonly IdentityFields[]): { keys: (string | undefined)[]; idField: IdField | undefined } {
  // A strategy's column is built the first time an item reaches it: most feeds stop at the GUID,
  // and hashing every title|summary for nothing cost a few per cent of a parse.
  const values: (string | undefined)[][] = [];
  const counts: Map<string, number>[] = [];
  const column = (s: number): void => {
    const strategy = STRATEGIES[s];
    if (values[s] !== undefined || strategy === undefined) return;
    const vs = items.map(strategy[1]);
    const count = new Map<string, number>();
    for (const v of vs) if (v !== undefined) count.set(v, (count.get(v) ?? 0) + 1);
    values[s] = vs;
    counts[s] = count;
  };

  // Each item is keyed by its own most stable field: one new item without a GUID must not re-key
  // (and so re-alert) the whole feed, as a feed-wide switch to links would.
  const taken = new Set<string>();
  const used = new Set<IdField>();
  const keys = items.map((item, i) => {
    let raw: string | undefined;
    for (let s = 0; s < STRATEGIES.length && raw === undefined; s++) {
      column(s);
      const v = values[s]?.[i];
      if (v !== undefined && counts[s]?.get(v) === 1) {
        raw = v;
        used.add(STRATEGIES[s]?.[0] ?? 'mixed');
      }
    }
    if (raw === undefined) used.add('mixed');
    const key = finalKey(raw ?? everything(item));
    if (key === '' || taken.has(key)) return undefined;
    taken.add(key);
    return key;
  });
  const idField = items.length === 0 ? undefined : used.size === 1 ? [...used][0] : 'mixed';
  return { keys, idField };
}
