// RSS 0.9x/2.0, RSS 1.0 (RDF) and Atom 0.3/1.0. @rowanmanning/feed-parser does the XML and
// format work (it resolves xml:base); this module finds the root, names the format, and reads
// what the library leaves raw: dates (its `new Date(text)` guesses), Dublin Core, media
// descriptions and permalink GUIDs.
import { parseFeed as parseXmlFeed } from '@rowanmanning/feed-parser';
import { WirewatchError } from '../../errors.js';
import { feedDateIso } from './parse-date.js';
import type { FeedFormat, RawEntry, RawFeed } from './raw-feed.js';
import { absoluteHttpUrl, plainText } from './text.js';

type LibraryFeed = ReturnType<typeof parseXmlFeed>;
type LibraryItem = LibraryFeed['items'][number];
type LibraryElement = LibraryItem['element'];

const MEDIA_RSS_NAMESPACES = new Set(['http://search.yahoo.com/mrss/', 'https://search.yahoo.com/mrss/']);
const ATOM_03_NAMESPACE = 'http://purl.org/atom/ns#';

/** Item date elements by local name, most telling first (dc:date is `date`, Atom 0.3 has issued/modified/created). */
const RSS_DATE_ELEMENTS = ['pubdate', 'date', 'published', 'issued', 'created', 'updated', 'modified'] as const;
const ATOM_DATE_ELEMENTS = ['published', 'issued', 'created', 'date', 'pubdate', 'updated', 'modified'] as const;

/** Index of the first character after the XML declaration, comments, PIs, whitespace and the DOCTYPE. */
function skipProlog(text: string): number {
  let i = 0;
  for (;;) {
    while (i < text.length && /\s/.test(text[i] ?? '')) i++;
    if (text.startsWith('<?', i)) {
      const end = text.indexOf('?>', i + 2);
      if (end < 0) return i;
      i = end + 2;
    } else if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i + 4);
      if (end < 0) return i;
      i = end + 3;
    } else if (/^<!DOCTYPE\b/i.test(text.slice(i, i + 9))) {
      // No DTD, no entity of ours, is ever processed: the declaration is dropped whole.
      const close = text.indexOf('>', i);
      const subset = text.indexOf('[', i);
      const end = subset >= 0 && (close < 0 || subset < close) ? text.indexOf('>', Math.max(text.indexOf(']', subset), subset)) : close;
      if (end < 0) return i;
      i = end + 1;
    } else {
      return i;
    }
  }
}

interface Root {
  /** Where the root element starts in the text. */
  start: number;
  /** Where the text of the feed ends (after the root's closing tag when the feed is wrapped). */
  end: number;
  format: FeedFormat;
}

const START_TAG = /^<((?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*))([^<>]*)>/;
const EMBEDDED_ROOT = /<(?:[A-Za-z_][\w.-]*:)?(?:rss|rdf|feed)[\s>]/gi;

function attribute(attrs: string, name: string): string | undefined {
  return new RegExp(`(?:^|\\s)${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`, 'i').exec(attrs)?.slice(1).find((v) => v !== undefined);
}

function formatOf(localName: string, attrs: string): FeedFormat | undefined {
  const version = attribute(attrs, 'version')?.trim();
  switch (localName.toLowerCase()) {
    case 'rss':
      return version !== undefined && version.startsWith('0.9') ? 'rss-0.9x' : 'rss-2.0';
    case 'rdf':
      return 'rdf';
    case 'feed':
      return version === '0.3' || attribute(attrs, 'xmlns')?.trim() === ATOM_03_NAMESPACE ? 'atom-0.3' : 'atom-1.0';
    default:
      return undefined;
  }
}

/** Why a text that is not a feed is not one, for `parse_failed`. */
function notAFeedReason(text: string, head: string, rootName: string | undefined): string {
  if (text.trim() === '') return 'empty body';
  if (head.trim() === '') return 'no root element';
  if (/^<!DOCTYPE\s+html\b/i.test(head) || /<html[\s>]/i.test(head)) return 'looks like an HTML page';
  if (!head.trimStart().startsWith('<')) return 'does not look like XML';
  return rootName === undefined ? 'no root element' : `root element <${rootName}> is not rss, RDF or an Atom feed`;
}

/** The feed's root: the document element, or a feed element wrapped in another document (an HTML page). */
function findRoot(text: string): Root {
  const start = skipProlog(text);
  const tag = START_TAG.exec(text.slice(start, start + 8192));
  const format = tag === null ? undefined : formatOf(tag[2] ?? '', tag[3] ?? '');
  if (format !== undefined) return { start, end: text.length, format };
  EMBEDDED_ROOT.lastIndex = start;
  const embedded = EMBEDDED_ROOT.exec(text);
  const inner = embedded === null ? null : START_TAG.exec(text.slice(embedded.index, embedded.index + 8192));
  const innerFormat = inner === null ? undefined : formatOf(inner[2] ?? '', inner[3] ?? '');
  if (embedded === null || inner === null || innerFormat === undefined) {
    throw new WirewatchError('parse_failed', `not a feed: ${notAFeedReason(text, text.slice(start, start + 2048), tag?.[1])}`);
  }
  const closing = `</${inner[1] ?? ''}>`;
  const close = text.lastIndexOf(closing);
  return { start: embedded.index, end: close > embedded.index ? close + closing.length : text.length, format: innerFormat };
}

function isMedia(element: LibraryElement): boolean {
  // The prefix first: `namespaceUri` merges the namespace declarations of every ancestor.
  return element.namespace === 'media' || MEDIA_RSS_NAMESPACES.has(element.namespaceUri ?? '');
}

/** media:description of the item, its media:group or its media:content, then a media title. */
function mediaDescription(item: LibraryItem, children: Children): string {
  const named = (holder: LibraryElement, name: string): readonly LibraryElement[] => (holder === item.element ? (children.get(name) ?? []) : holder.findElementsWithName(name));
  const holders = [item.element, ...named(item.element, 'group').filter(isMedia)];
  for (const holder of [...holders]) holders.push(...named(holder, 'content').filter(isMedia));
  for (const holder of holders) {
    for (const description of named(holder, 'description')) {
      if (!isMedia(description)) continue;
      const text = plainText(normalizedText(description));
      if (text !== '') return text;
    }
  }
  return plainText(item.media.find((m) => m.title !== null)?.title);
}

/**
 * An item's child elements by local name, built in one pass. The library's element lookups
 * rebuild every child on each call; an item is looked up a dozen times.
 */
type Children = ReadonlyMap<string, readonly LibraryElement[]>;

function childrenOf(element: LibraryElement): Children {
  const index = new Map<string, LibraryElement[]>();
  for (const child of element.children) {
    if (typeof child === 'string') continue;
    const name = child.name;
    const list = index.get(name);
    if (list === undefined) index.set(name, [child]);
    else list.push(child);
  }
  return index;
}

/** `Element#textContent`, reading each element's children once (the library's getter reads them twice, at every level). */
function textContent(element: LibraryElement): string {
  let text = '';
  for (const child of element.children) text += typeof child === 'string' ? child : textContent(child);
  return text;
}

/**
 * `Element#textContentNormalized` (trimmed, entities decoded). Text without '&' has no entity to
 * decode: it skips the library's decoder, a regex over every HTML entity name.
 */
function normalizedText(element: LibraryElement): string {
  const text = textContent(element).trim();
  return text.includes('&') ? element.textContentNormalized : text;
}

function firstText(children: Children, name: string): string {
  const element = children.get(name)?.[0];
  return element === undefined ? '' : normalizedText(element);
}

function itemDate(children: Children, names: readonly string[]): string | undefined {
  for (const name of names) {
    for (const element of children.get(name) ?? []) {
      const iso = feedDateIso(normalizedText(element));
      if (iso !== undefined) return iso;
    }
  }
  return undefined;
}

/** `Element#baseUrl` (xml:base resolved up the ancestors), for the elements of one feed. */
type BaseUrls = (element: LibraryElement) => string | null;

/**
 * `Element#baseUrl` with every element's answer kept: the library's getter rebuilds the
 * attributes of every ancestor on each call, and all items share their ancestors.
 */
function createBaseUrls(): BaseUrls {
  const known = new Map<LibraryElement, string | null>();
  const baseUrl = (element: LibraryElement): string | null => {
    const cached = known.get(element);
    if (cached !== undefined) return cached;
    const parent = element.parent;
    const parentBaseUrl = (parent === null ? null : baseUrl(parent)) || null;
    const xmlBase = element.getAttribute('xml:base');
    let result = parentBaseUrl;
    if (xmlBase) {
      try {
        result = parentBaseUrl ? new URL(xmlBase, parentBaseUrl).href : xmlBase;
      } catch {
        result = xmlBase;
      }
    }
    known.set(element, result);
    return result;
  };
  return baseUrl;
}

/** `Element#resolveUrl`: `url` against the element's base URL, as written when that fails. */
function resolveUrl(url: string, base: string | null): string {
  if (base) {
    try {
      return new URL(url, base).href;
    } catch {
      // as the library: the URL as written
    }
  }
  return url;
}

/**
 * The item's link, read from its own element. The library's `item.url` re-reads the feed's link
 * for every item, scanning every child of the channel each time: quadratic on large feeds.
 */
function itemLink(children: Children, isAtom: boolean, baseUrl: BaseUrls): string | null {
  const links = children.get('link') ?? [];
  if (!isAtom) {
    for (const link of links) {
      // `textContentNormalized !== ''`, then `textContentAsUrl` (the trimmed text, entities left).
      const text = textContent(link).trim();
      if ((text.includes('&') ? link.textContentNormalized : text) !== '') return resolveUrl(text, baseUrl(link));
    }
  }
  // `getAttribute(name)` is `attributes[name] || null`; `attributes` is rebuilt on every call.
  const withAttributes = links.map((link) => ({ link, attributes: link.attributes }));
  const rel = (attributes: Readonly<Record<string, string>>): string | null => (attributes['rel'] || null)?.trim().toLowerCase() ?? null;
  const hasHref = (attributes: Readonly<Record<string, string>>): boolean => (attributes['href'] || null) !== null;
  const alternate = withAttributes.find((l) => rel(l.attributes) === 'alternate' && hasHref(l.attributes)) ?? withAttributes.find((l) => rel(l.attributes) === null && hasHref(l.attributes));
  const href = alternate?.attributes['href'];
  return alternate !== undefined && href ? resolveUrl(href.trim(), baseUrl(alternate.link)) : null;
}

/**
 * The library's `item.content`, reading the content element's text once. The rare cases (Atom
 * XHTML content, no or empty content) are left to the library.
 */
function itemContent(item: LibraryItem, children: Children, isAtom: boolean): string | null {
  const content = isAtom ? children.get('content')?.[0] : children.get('encoded')?.[0];
  if (content === undefined) return item.content;
  if (isAtom ? content.getAttribute('type') === 'xhtml' : content.namespace !== 'content') return item.content;
  return normalizedText(content) || item.content;
}

/** `Name`, `email (Name)` or `Name <email>` to a name, else the text itself. */
function contactName(text: string): string {
  const parenthesised = /\(([^()]+)\)\s*$/.exec(text)?.[1];
  if (parenthesised !== undefined) return parenthesised.trim();
  const beforeAngle = /^([^<>]+)<[^<>]*>\s*$/.exec(text)?.[1];
  return (beforeAngle ?? text).trim();
}

/** The item's first author (Atom author/name, RSS author, dc:creator), from its own element only. */
function itemAuthor(children: Children): string | undefined {
  for (const element of [...(children.get('author') ?? []), ...(children.get('creator') ?? [])]) {
    const holder = element.findElementWithName('name') ?? element.findElementWithName('email') ?? element;
    const name = normalizedText(holder);
    const plain = contactName(plainText(name));
    if (plain !== '') return plain;
  }
  return undefined;
}

/** An RSS guid that is a permalink (the default) and an absolute http(s) URL. */
function permalinkGuid(children: Children): string | undefined {
  const guid = children.get('guid')?.[0];
  if (guid === undefined || guid.getAttribute('ispermalink')?.trim().toLowerCase() === 'false') return undefined;
  return absoluteHttpUrl(normalizedText(guid));
}

/**
 * Reads RSS, RDF or Atom text. Throws `WirewatchError('parse_failed')` when the text is not one
 * of them or is too broken for the XML parser. An RSS root without a channel is an empty feed.
 */
export function parseXmlText(text: string, feedUrl: string): RawFeed {
  const root = findRoot(text);
  let feed: LibraryFeed;
  try {
    feed = parseXmlFeed(text.slice(root.start, root.end));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (/does not have a channel element/i.test(message)) return { format: root.format, title: '', link: undefined, entries: [] };
    throw new WirewatchError('parse_failed', `not a feed: ${message}`, { cause: err });
  }
  const isAtom = root.format.startsWith('atom');
  const link = absoluteHttpUrl(feed.url, feedUrl);
  const baseUrl = createBaseUrls();
  const entries: RawEntry[] = feed.items.map((item) => {
    const children = childrenOf(item.element);
    // Content and media are read only when there is no summary (the library's getters are costly).
    const summary = plainText(firstText(children, isAtom ? 'summary' : 'description')) || plainText(itemContent(item, children, isAtom)) || mediaDescription(item, children);
    const id = firstText(children, isAtom ? 'id' : 'guid').trim();
    return {
      id: id === '' ? undefined : id,
      title: plainText(firstText(children, 'title')),
      url: absoluteHttpUrl(itemLink(children, isAtom, baseUrl), link, feedUrl) ?? (isAtom ? undefined : permalinkGuid(children)),
      summary,
      titleFallback: summary,
      published: itemDate(children, isAtom ? ATOM_DATE_ELEMENTS : RSS_DATE_ELEMENTS),
      author: itemAuthor(children),
    };
  });
  return { format: root.format, title: plainText(feed.title), link, entries };
}
