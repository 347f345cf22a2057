// The item splitter on hostile and odd markup: it must find exactly the items the feed parser
// finds, or give up (undefined) so the whole feed is parsed. Every case that splits is also
// checked end to end: a change parsed incrementally reads as the full parse.
import { describe, expect, it } from 'vitest';
import { parseFeedIncremental, type FeedMemo } from '../../../src/sources/feed/incremental-parse.js';
import { splitItemChunks } from '../../../src/sources/feed/item-chunks.js';
import { parseFeed } from '../../../src/sources/feed/parse-feed.js';

const OPTIONS = { sourceId: 's1', url: 'https://feeds.test/a/feed.xml' };

const rss = (items: string, channel = '<title>Wire</title><link>https://wire.test/</link>', root = '<rss version="2.0">') =>
  `<?xml version="1.0" encoding="UTF-8"?>\n${root}<channel>${channel}\n${items}\n</channel></rss>\n`;
const item = (id: string, extra = '') => `<item><title>Story ${id}</title><link>https://wire.test/${id}</link><guid>${id}</guid>${extra}</item>`;

/** The item spans the splitter found, as text. */
function chunksOf(text: string): string[] | undefined {
  const chunks = splitItemChunks(text);
  return chunks?.starts.map((start, i) => text.slice(start, chunks.ends[i]));
}

/** Polls `before` then `after` and checks the second, incremental, parse against a full one; answers whether it was partial. */
function changeReadsAsFull(before: string, after: string): boolean {
  const memo: FeedMemo | undefined = parseFeedIncremental(before, OPTIONS, undefined).memo;
  const result = parseFeedIncremental(after, OPTIONS, memo);
  const full = parseFeed(after, OPTIONS);
  expect(result.keys ?? result.feed.items.map((i) => i.key)).toEqual(full.items.map((i) => i.key));
  const byKey = new Map(full.items.map((i) => [i.key, i]));
  for (const parsed of result.feed.items) expect(parsed).toEqual(byKey.get(parsed.key));
  expect({ ...result.feed, items: [] }).toEqual({ ...full, items: [] });
  return result.keys !== undefined;
}

describe('splitItemChunks', () => {
  it('finds RSS items, with the root and channel start tags as their context', () => {
    const text = rss(`${item('a')}\n${item('b')}`);
    expect(chunksOf(text)).toEqual([item('a'), item('b')]);
    expect(splitItemChunks(text)?.context).toBe('<rss version="2.0"><channel>');
  });

  it('finds the same items in the bytes of a body read one per character (latin1) as in its text, as byte spans', () => {
    const text = rss(`${item('a', '<description>Café « crème » — 5 €</description>')}\n${item('b', '<category>Œuvres</category>')}`, '<title>Été</title>');
    const bytes = Buffer.from(text, 'utf8');
    const onBytes = splitItemChunks(bytes.toString('latin1'));
    expect(onBytes?.starts.map((start, i) => bytes.subarray(start, onBytes.ends[i]).toString('utf8'))).toEqual(chunksOf(text));
    expect(onBytes?.context).toBe(splitItemChunks(text)?.context);
  });

  it('skips CDATA, comments and processing instructions, whatever they contain', () => {
    const tricky = item('a', '<description><![CDATA[ends with </item> and <item> then ]] > ]]></description><!-- </item> <item> --><?pi </item> ?>');
    const text = rss(`<!-- <item><guid>fake</guid></item> -->\n${tricky}\n<?note <item> ?>\n${item('b')}`);
    expect(chunksOf(text)).toEqual([tricky, item('b')]);
    expect(changeReadsAsFull(rss(`${tricky}\n${item('b')}`), text)).toBe(true);
    expect(changeReadsAsFull(text, rss(`${item('c')}\n${tricky}\n${item('b')}`))).toBe(true);
  });

  it('reads quoted attribute values containing `>`, and gives up on a `<` inside one', () => {
    const quoted = item('a', `<enclosure url="https://wire.test/a.mp3?x=1>2" type='audio/mpeg' length="1"/>`);
    expect(chunksOf(rss(quoted))).toEqual([quoted]);
    expect(changeReadsAsFull(rss(quoted), rss(`${item('b')}${quoted}`))).toBe(true);
    expect(splitItemChunks(rss(item('a', '<category domain="<item>">x</category>')))).toBeUndefined();
    expect(splitItemChunks(rss(item('a', '<category domain="unterminated>x</category>')))).toBeUndefined();
  });

  it('gives up on a DOCTYPE, whose entities can change what any text means', () => {
    const doctype = `<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY who "Nvidia">]>\n<rss version="2.0"><channel><title>t</title>${item('a', '<description>&who;</description>')}</channel></rss>`;
    expect(splitItemChunks(doctype)).toBeUndefined();
    expect(changeReadsAsFull(doctype, doctype.replace('<item>', `${item('b')}<item>`))).toBe(false);
  });

  it('gives up on prefixed, differently cased or misplaced items (the parser matches lower-cased local names)', () => {
    const ns = '<rss version="2.0" xmlns:rss="http://backend.userland.com/rss2">';
    expect(splitItemChunks(rss(`${item('a')}<rss:item><guid>b</guid></rss:item>`, undefined, ns))).toBeUndefined();
    expect(splitItemChunks(rss(`${item('a')}<Item><guid>b</guid></Item>`))).toBeUndefined();
    expect(splitItemChunks(rss(item('a'), '<title>t</title><image><item>x</item></image>'))).toBeUndefined();
    const atom = `<feed xmlns="http://www.w3.org/2005/Atom" xmlns:atom="http://www.w3.org/2005/Atom"><title>t</title><atom:entry><id>x</id></atom:entry></feed>`;
    expect(splitItemChunks(atom)).toBeUndefined();
  });

  it('gives up on nested items, self-closing items and a second channel', () => {
    expect(splitItemChunks(rss(`<item><guid>a</guid>${item('b')}</item>`))).toBeUndefined();
    expect(splitItemChunks(rss(`${item('a')}<item/>`))).toBeUndefined();
    expect(splitItemChunks(`<rss version="2.0"><channel><title>a</title>${item('a')}</channel><channel><title>b</title>${item('b')}</channel></rss>`)).toBeUndefined();
    // Items in the channel and beside it: the parser lists the channel's first, out of document order.
    expect(splitItemChunks(`<rss version="2.0">${item('x')}<channel><title>a</title>${item('a')}</channel></rss>`)).toBeUndefined();
  });

  it('gives up on every truncation of a feed, and on mismatched or stray markup', () => {
    const text = rss(`${item('a', '<description><![CDATA[x]]></description><!-- c -->')}\n${item('b')}`);
    const rootEnd = text.lastIndexOf('</rss>') + '</rss>'.length;
    for (let cut = 0; cut < rootEnd; cut++) expect(splitItemChunks(text.slice(0, cut))).toBeUndefined();
    expect(chunksOf(text.slice(0, rootEnd))).toHaveLength(2);
    expect(splitItemChunks(rss('<item><guid>a</guid></itemx>'))).toBeUndefined();
    expect(splitItemChunks(rss('<item><title>a</item></title>'))).toBeUndefined();
    expect(splitItemChunks(rss(item('a', '<description>1 < 2</description>')))).toBeUndefined();
    expect(splitItemChunks(`${rss(item('a'))}<rss version="2.0"></rss>`)).toBeUndefined();
    expect(splitItemChunks(`${rss(item('a'))}trailing text`)).toBeUndefined();
    expect(splitItemChunks(rss(item('a')).replace('<channel>', '<channel><![CDATA[x]]>'))).toBeDefined();
    expect(splitItemChunks(`<![CDATA[x]]>${rss(item('a'))}`)).toBeUndefined();
  });

  it('stays linear on hostile markup (many attributes before a long text, many unclosed comments)', () => {
    const attributes = Array.from({ length: 20_000 }, (_, i) => ` a${i}="v"`).join('');
    const long = rss(item('a', `<description${attributes}>${'x'.repeat(2_000_000)}</description>`));
    expect(chunksOf(long)).toHaveLength(1);
    expect(splitItemChunks(rss(item('a', `<description${attributes.replace(/"v"$/, '"v')}>${'x'.repeat(2_000_000)}</description>`)))).toBeUndefined();
    expect(splitItemChunks(rss(item('a', '<!--'.repeat(200_000))))).toBeUndefined();
  });

  it('gives up on JSON, HTML pages and documents that are not feeds', () => {
    expect(splitItemChunks('{"version":"https://jsonfeed.org/version/1.1","items":[]}')).toBeUndefined();
    expect(splitItemChunks(`<html><body>${rss(item('a')).replace(/<\?xml[^>]*>/, '')}</body></html>`)).toBeUndefined();
    expect(splitItemChunks('<opml version="2.0"><body/></opml>')).toBeUndefined();
    expect(splitItemChunks('')).toBeUndefined();
    expect(splitItemChunks('<rss/>')).toEqual({ starts: [], ends: [], context: '<rss/>' });
  });

  it('splits Atom entries, and an entry with its own xml:base reads as in a full parse', () => {
    const entry = (id: string, base = '') =>
      `<entry${base}><id>urn:x:${id}</id><title>Entry ${id}</title><link href="${id}.html"/><updated>2026-01-0${id.length}T00:00:00Z</updated></entry>`;
    const atom = (entries: string) => `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://base.test/dir/"><title>t</title>${entries}</feed>`;
    expect(chunksOf(atom(entry('a') + entry('b')))).toEqual([entry('a'), entry('b')]);
    const before = atom(entry('a') + entry('b'));
    const after = atom(entry('c', ' xml:base="https://other.test/x/"') + entry('a') + entry('b'));
    expect(changeReadsAsFull(before, after)).toBe(true);
    expect(parseFeedIncremental(after, OPTIONS, parseFeedIncremental(before, OPTIONS, undefined).memo).feed.items.map((i) => i.url)).toEqual(['https://other.test/x/c.html']);
    // A new base on the feed itself changes what every entry means: parsed whole.
    expect(changeReadsAsFull(before, after.replace('https://base.test/dir/', 'https://base.test/moved/'))).toBe(false);
  });

  it('splits RDF (RSS 1.0) items, which sit beside the channel', () => {
    const rdfItem = (id: string) => `<item rdf:about="https://wire.test/${id}"><title>Story ${id}</title><link>https://wire.test/${id}</link><dc:identifier>${id}</dc:identifier></item>`;
    const rdf = (items: string) =>
      `<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel rdf:about="https://wire.test/"><title>t</title><items><rdf:Seq><rdf:li resource="https://wire.test/a"/></rdf:Seq></items></channel>${items}</rdf:RDF>`;
    expect(chunksOf(rdf(rdfItem('a') + rdfItem('b')))).toEqual([rdfItem('a'), rdfItem('b')]);
    // RDF items have no GUID: keyed by link, so never memoised, and always parsed whole.
    expect(parseFeedIncremental(rdf(rdfItem('a')), OPTIONS, undefined).memo).toBeUndefined();
    expect(changeReadsAsFull(rdf(rdfItem('a')), rdf(rdfItem('b') + rdfItem('a')))).toBe(false);
  });
});
