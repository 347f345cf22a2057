// RSS 2.0, RSS 1.0 (RDF) and Atom text to NewsItems. Pure: no I/O, no clock.
// @rowanmanning/feed-parser does the XML and format work (it resolves xml:base); this module
// normalises its output into plain text, absolute links, honest dates and stable item keys.
import { createHash } from 'node:crypto';
import { parseFeed as parseXmlFeed } from '@rowanmanning/feed-parser';
import type { NewsItem } from '../../domain.js';
import { WirewatchError } from '../../errors.js';

/** A feed reduced to what the pipeline uses. */
export interface ParsedFeed {
  /** The feed's own title, plain text. */
  title: string | undefined;
  /** The site the feed belongs to, absolute http(s). */
  link: string | undefined;
  /** Items in feed order, each with a key unique inside this feed. */
  items: NewsItem[];
}

/** Longest summary kept, in characters (ellipsis included). */
const SUMMARY_MAX_CHARS = 500;
/** Longest title made from a summary when the item has none, in characters. */
const TITLE_FROM_SUMMARY_MAX_CHARS = 80;
/** Keys longer than this (characters) are replaced by their sha1. */
const KEY_MAX_CHARS = 200;

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ',
  hellip: '…', mdash: '—', ndash: '–', lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”', sbquo: '‚', bdquo: '„',
  laquo: '«', raquo: '»', bull: '•', middot: '·', copy: '©', reg: '®', trade: '™', euro: '€', pound: '£',
  yen: '¥', cent: '¢', deg: '°', times: '×', divide: '÷', shy: '', zwj: '', zwnj: '', thinsp: ' ', ensp: ' ', emsp: ' ',
};

/** Decodes numeric and common named character references; unknown ones stay as written. */
function decodeEntities(text: string): string {
  return text.replace(/&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});/g, (whole, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return '\uFFFD';
      return String.fromCodePoint(code);
    }
    return NAMED_ENTITIES[ref] ?? NAMED_ENTITIES[ref.toLowerCase()] ?? whole;
  });
}

// Every pattern below scans forward only (no `[^>]*` that can run past the next `<`), so hostile
// markup such as thousands of unclosed `<a` or `<!--` stays linear.
const BLOCK_TAG = /<\/?(?:p|br|div|li|ul|ol|h[1-6]|tr|td|th|table|blockquote|pre|hr|img|figure|figcaption|section|article|header|footer)\b[^<>]*>/gi;
const ANY_TAG = /<\/?[a-zA-Z][^<>]*>/g;

/** Removes each `open`…`close` block (and everything after an unclosed one) in one forward pass. */
function removeBlocks(text: string, open: RegExp, close: RegExp): string {
  let out = '';
  let pos = 0;
  for (;;) {
    open.lastIndex = pos;
    const start = open.exec(text);
    if (start === null) return out + text.slice(pos);
    out += `${text.slice(pos, start.index)} `;
    close.lastIndex = start.index + start[0].length;
    const end = close.exec(text);
    if (end === null) return out;
    pos = end.index + end[0].length;
  }
}

/** Markup to one line of plain text: tags stripped, entities decoded, whitespace collapsed. */
function plainText(markup: string): string {
  const withoutComments = removeBlocks(markup, /<!--/g, /-->/g);
  const withoutCode = removeBlocks(withoutComments, /<(?:script|style)\b/gi, /<\/(?:script|style)\s*>/gi);
  const stripped = withoutCode.replace(BLOCK_TAG, ' ').replace(ANY_TAG, '');
  return decodeEntities(stripped)
    // Control characters are exactly what this removes.
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u200B\uFEFF]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Cuts `text` to at most `max` characters on a word boundary, ending with '…' when cut. */
function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const chars = Array.from(text.slice(0, max * 2));
  if (chars.length <= max && text.length <= max * 2) return text;
  const head = chars.slice(0, max - 1).join('');
  const lastSpace = head.lastIndexOf(' ');
  const cut = lastSpace > max / 2 ? head.slice(0, lastSpace) : head;
  return `${cut.trimEnd()}…`;
}

/** `raw` resolved against the given bases in order, kept only when it ends up absolute http(s). */
function absoluteHttpUrl(raw: string | null | undefined, ...bases: (string | undefined)[]): string | undefined {
  if (raw === null || raw === undefined || raw.trim() === '') return undefined;
  for (const base of [undefined, ...bases]) {
    try {
      const url = base === undefined ? new URL(raw.trim()) : new URL(raw.trim(), base);
      return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
    } catch {
      // relative and no usable base yet: try the next one
    }
  }
  return undefined;
}

function isoDate(date: Date | null): string | undefined {
  if (date === null || !Number.isFinite(date.getTime())) return undefined;
  return date.toISOString();
}

/** Why a text that did not parse as a feed is not one, for `parse_failed`. */
function notAFeedReason(text: string, libraryMessage: string): string {
  const head = text.slice(0, 2048).trimStart();
  if (head === '') return 'empty body';
  if (head.startsWith('{') || head.startsWith('[')) return 'looks like JSON (JSON Feed is not supported)';
  if (/^(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<!DOCTYPE\s+html\b/i.test(head) || /<html[\s>]/i.test(head)) return 'looks like an HTML page';
  if (!head.startsWith('<')) return 'does not look like XML';
  return libraryMessage;
}

/** Removes the document type declaration: no DTD, no entity of ours, is ever processed. */
function withoutDoctype(text: string): string {
  return text.replace(/<!DOCTYPE\s[^[>]*(?:\[[\s\S]*?\]\s*)?>/i, '');
}

interface Candidate {
  title: string;
  url: string | undefined;
  summary: string;
  published: string | undefined;
  id: string | undefined;
}

function finalKey(raw: string): string {
  const key = raw.trim();
  return key.length > KEY_MAX_CHARS ? createHash('sha1').update(key).digest('hex') : key;
}

/**
 * Picks each item's key: guid/id, else link, else `title|published`. A field that repeats for
 * different items of this feed is not an identity here, so the feed falls back to the next field
 * (repeated GUIDs neither flood nor lose items). Items that still share a key are the same item
 * by every measure: the first one is kept.
 */
function assignKeys(candidates: Candidate[]): { candidate: Candidate; key: string }[] {
  const fields: ((c: Candidate) => string | undefined)[] = [
    (c) => c.id,
    (c) => c.url,
    (c) => `${c.title}|${c.published ?? ''}`,
  ];
  const usable = fields.map(() => true);
  const levelOf = (c: Candidate): number => fields.findIndex((field, i) => usable[i] === true && field(c) !== undefined);
  for (let i = 0; i < fields.length - 1; i++) {
    const field = fields[i];
    if (field === undefined) continue;
    const seen = new Set<string>();
    for (const c of candidates) {
      if (levelOf(c) !== i) continue;
      const value = field(c) ?? '';
      if (seen.has(value)) {
        usable[i] = false;
        break;
      }
      seen.add(value);
    }
  }
  const keyed: { candidate: Candidate; key: string }[] = [];
  const taken = new Set<string>();
  for (const candidate of candidates) {
    const level = levelOf(candidate);
    const key = finalKey(fields[level]?.(candidate) ?? '');
    if (key === '' || taken.has(key)) continue;
    taken.add(key);
    keyed.push({ candidate, key });
  }
  return keyed;
}

/**
 * Parses feed text (already decoded, see decode.ts) into items. `url` is the feed's URL: the last
 * base for relative links. Throws `WirewatchError('parse_failed')` when the text is not a feed.
 */
export function parseFeed(text: string, options: { sourceId: string; url: string }): ParsedFeed {
  let feed: ReturnType<typeof parseXmlFeed>;
  try {
    feed = parseXmlFeed(withoutDoctype(text));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new WirewatchError('parse_failed', `not a feed: ${notAFeedReason(text, message)}`, { cause: err });
  }

  const feedLink = absoluteHttpUrl(feed.url, options.url);
  const candidates: Candidate[] = [];
  for (const item of feed.items) {
    const summary = truncate(plainText(item.description ?? '') || plainText(item.content ?? ''), SUMMARY_MAX_CHARS);
    const url = absoluteHttpUrl(item.url, feedLink, options.url);
    const title = plainText(item.title ?? '');
    if (title === '' && url === undefined && summary === '') continue;
    const id = item.id?.trim();
    candidates.push({
      title: title !== '' ? title : summary !== '' ? truncate(summary, TITLE_FROM_SUMMARY_MAX_CHARS) : '(untitled)',
      url,
      summary,
      published: isoDate(item.published) ?? isoDate(item.updated),
      id: id === undefined || id === '' ? undefined : id,
    });
  }

  const feedTitle = plainText(feed.title ?? '');
  return {
    title: feedTitle === '' ? undefined : feedTitle,
    link: feedLink,
    items: assignKeys(candidates).map(({ candidate, key }) => ({
      sourceId: options.sourceId,
      key,
      title: candidate.title,
      url: candidate.url,
      summary: candidate.summary,
      published: candidate.published,
    })),
  };
}
