// SEC EDGAR company filing feeds (browse-edgar `action=getcompany&output=atom`) to NewsItems.
// Pure: no I/O, no clock. @rowanmanning/feed-parser reads the Atom; EDGAR's own elements
// (`<company-info>`, the `<content>` block of each entry) are read through its element API.
import { parseFeed as parseXmlFeed } from '@rowanmanning/feed-parser';
import type { NewsItem } from '../../domain.js';
import { WirewatchError } from '../../errors.js';
import { httpUrl, isoDate, oneLine, summaryText, withoutDoctype } from '../api-poll.js';
import { canonicalUrl } from '../canonical-url.js';
import type { ParsedFeed } from '../feed/parse-feed.js';

type XmlElement = ReturnType<typeof parseXmlFeed>['element'];

/** The text of the first direct child named `name`, as one line, or undefined when absent or empty. */
function childText(element: XmlElement | null | undefined, name: string): string | undefined {
  const child = element?.findElementWithName(name);
  const text = child === null || child === undefined ? '' : oneLine(child.textContentNormalized);
  return text === '' ? undefined : text;
}

/** `0001564590-16-012597` from `urn:tag:sec.gov,2008:accession-number=0001564590-16-012597`. */
export function accessionNumber(id: string | null | undefined): string | undefined {
  return /accession-number=(\d{10}-\d{2}-\d{6})/i.exec(id ?? '')?.[1];
}

/** Item numbers (`2.02`, `9.01`) named in an 8-K summary ("Item 2.02: Results …") or items-desc ("items 2.02 and 9.01"). */
function itemNumbers(summary: string, itemsDesc: string | undefined): string[] {
  const fromSummary = [...summary.matchAll(/\bItem\s+(\d{1,2}\.\d{2})\b/gi)].map((m) => m[1] ?? '');
  const numbers = fromSummary.length > 0 ? fromSummary : [...(itemsDesc ?? '').matchAll(/\b(\d{1,2}\.\d{2})\b/g)].map((m) => m[1] ?? '');
  return [...new Set(numbers.filter((n) => n !== ''))];
}

/** "Current report" from the entry's `<form-name>`, else from a title like "8-K  - Current report". */
function formNameOf(content: XmlElement | null, title: string): string | undefined {
  const fromContent = childText(content, 'form-name');
  if (fromContent !== undefined) return fromContent;
  const dash = title.indexOf(' - ');
  const rest = dash === -1 ? '' : oneLine(title.slice(dash + 3));
  return rest === '' ? undefined : rest;
}

/** Why text that did not parse as Atom is not an EDGAR feed, for `parse_failed`. */
function notAtomReason(text: string, libraryMessage: string): string {
  const head = text.slice(0, 2048).trimStart();
  if (head === '') return 'empty body';
  if (/<html[\s>]/i.test(head) || /^<!DOCTYPE\s+html\b/i.test(head)) return 'an HTML page (unknown CIK, or a request refused for want of a declared User-Agent?)';
  if (!head.startsWith('<')) return `not XML: ${oneLine(head.slice(0, 120))}`;
  return libraryMessage;
}

/**
 * Parses an EDGAR company feed, keeping only entries whose form is in `forms` (exact match,
 * case-insensitive: list `8-K/A` to get amendments). Keys are accession numbers. Titles read
 * "NVIDIA CORP — 8-K: Current report (Items 2.02, 9.01)", with `company` (the configured
 * display name) preferred over the feed's conformed name. Throws `WirewatchError('parse_failed')`
 * when the text is not an Atom feed.
 */
export function parseSecEdgar(
  text: string,
  options: { sourceId: string; forms: readonly string[]; company?: string | undefined; cik?: string | undefined },
): ParsedFeed {
  let feed: ReturnType<typeof parseXmlFeed>;
  try {
    feed = parseXmlFeed(withoutDoctype(text));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new WirewatchError('parse_failed', `SEC EDGAR did not answer an Atom feed: ${notAtomReason(text, message)}`, { cause: err });
  }

  const companyInfo = feed.element.findElementWithName('company-info');
  const cik = childText(companyInfo, 'cik') ?? options.cik;
  const company =
    options.company ?? childText(companyInfo, 'conformed-name') ?? (cik === undefined ? 'SEC filer' : `CIK ${cik.replace(/^0+(?=\d)/, '')}`);
  const wanted = new Set(options.forms.map((f) => f.trim().toUpperCase()));

  const items: NewsItem[] = [];
  const seen = new Set<string>();
  for (const entry of feed.items) {
    const content = entry.element.findElementWithName('content');
    const form = entry.categories[0]?.term?.trim() ?? childText(content, 'filing-type');
    if (form === undefined || !wanted.has(form.toUpperCase())) continue;
    const key =
      accessionNumber(entry.id) ?? childText(content, 'accession-number') ?? childText(content, 'accession-nunber') ?? httpUrl(entry.url);
    if (key === undefined || seen.has(key)) continue;
    seen.add(key);
    const rawTitle = oneLine(entry.title ?? '');
    const summary = summaryText(entry.description);
    const formName = formNameOf(content, rawTitle);
    const numbers = itemNumbers(summary, childText(content, 'items-desc'));
    const itemsPart = numbers.length === 0 ? '' : ` (${numbers.length === 1 ? 'Item' : 'Items'} ${numbers.join(', ')})`;
    const url = httpUrl(entry.url) ?? httpUrl(childText(content, 'filing-href'));
    const item: NewsItem = {
      sourceId: options.sourceId,
      key,
      title: `${company} — ${form}${formName === undefined ? '' : `: ${formName}`}${itemsPart}`,
      url,
      summary,
      published: isoDate(entry.published) ?? isoDate(entry.updated) ?? isoDate(childText(content, 'filing-date')),
    };
    const canonical = url === undefined ? undefined : canonicalUrl(url);
    if (canonical !== undefined) item.canonicalUrl = canonical;
    items.push(item);
  }
  return { title: `${company}: SEC filings`, link: httpUrl(childText(companyInfo, 'cik-href')), items };
}
