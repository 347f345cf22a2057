import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeFeedBytes } from '../../../src/sources/feed/decode.js';
import { parseFeed } from '../../../src/sources/feed/parse-feed.js';

const FEED_URL = 'https://feeds.test/dir/feed.xml';

function parse(text: string) {
  return parseFeed(text, { sourceId: 'src', url: FEED_URL });
}

function corpus(name: string) {
  return parse(decodeFeedBytes(readFileSync(new URL(`../../fixtures/corpus/feeds/${name}`, import.meta.url)), undefined));
}

describe('RSS 0.9x', () => {
  it('reads a hand-written RSS 0.91 feed (no guid, no dates: keyed by link)', () => {
    const feed = parse(`<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>Old &amp; Gold</title><link>http://old.test/</link><description>d</description><language>en</language>
  <item><title>First</title><link>http://old.test/1?utm_source=rss&amp;id=1#top</link><description>One &lt;b&gt;bold&lt;/b&gt;</description></item>
  <item><title>Second</title><link>/2</link></item>
</channel></rss>`);
    expect(feed.format).toBe('rss-0.9x');
    expect(feed.idField).toBe('link');
    expect(feed.title).toBe('Old & Gold');
    expect(feed.items).toEqual([
      { sourceId: 'src', key: 'http://old.test/1?utm_source=rss&id=1#top', title: 'First', url: 'http://old.test/1?utm_source=rss&id=1#top', canonicalUrl: 'http://old.test/1?id=1', summary: 'One bold', published: undefined },
      { sourceId: 'src', key: 'http://old.test/2', title: 'Second', url: 'http://old.test/2', canonicalUrl: 'http://old.test/2', summary: '', published: undefined },
    ]);
  });

  it('reads the corpus RSS 0.91 and 0.92 references', () => {
    const v091 = corpus('feedsmith__src_feeds_rss_references_rss-091.xml');
    expect(v091.format).toBe('rss-0.9x');
    expect(v091.items.length).toBeGreaterThan(0);
    expect(corpus('feed-rs__feed-rs_fixture_rss0_rss_0.92_spec_1.xml').format).toBe('rss-0.9x');
  });
});

describe('RSS 1.0 (RDF) with Dublin Core and content:encoded', () => {
  it('reads dc:date, dc:creator and falls back to content:encoded for the summary', () => {
    const feed = parse(`<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/">
  <channel rdf:about="http://rdf.test/"><title>RDF</title><link>http://rdf.test/</link><description>x</description></channel>
  <item rdf:about="http://rdf.test/a"><title>A</title><link>http://rdf.test/a</link>
    <dc:date>2024-01-05T10:00:00+01:00</dc:date><dc:creator>Ada Lovelace</dc:creator>
    <content:encoded><![CDATA[<p>Encoded <em>body</em> &amp; more</p>]]></content:encoded></item>
  <item rdf:about="http://rdf.test/b"><title>B</title><link>http://rdf.test/b</link><dc:date>not a date</dc:date></item>
</rdf:RDF>`);
    expect(feed.format).toBe('rdf');
    expect(feed.items.map((i) => [i.title, i.published, i.author, i.summary])).toEqual([
      ['A', '2024-01-05T09:00:00.000Z', 'Ada Lovelace', 'Encoded body & more'],
      ['B', undefined, undefined, ''],
    ]);
  });

  it('reads RSS 0.90 (Netscape RDF) as rdf', () => {
    expect(corpus('feedsmith__src_feeds_rdf_references_rdf-09.xml').format).toBe('rdf');
  });
});

describe('RSS 2.0 extras', () => {
  it('uses media:description as a summary fallback, a permalink guid as link, and CDATA titles', () => {
    const feed = parse(`<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>M</title>
  <item><title><![CDATA[Chips & <i>dips</i>]]></title><guid>https://media.test/v/1</guid>
    <media:group><media:content url="https://media.test/v/1.mp4" type="video/mp4"/><media:description>A video about chips</media:description></media:group>
    <media:thumbnail url="https://media.test/v/1.jpg"/><pubDate>Fri, 05 Jan 2024 10:00 EST</pubDate></item>
  <item><title>Not a permalink</title><guid isPermaLink="false">https://media.test/v/2</guid>
    <media:content url="https://media.test/v/2.mp4"><media:description>Inside content</media:description></media:content></item>
</channel></rss>`);
    expect(feed.items.map((i) => [i.title, i.url, i.summary, i.published])).toEqual([
      ['Chips & dips', 'https://media.test/v/1', 'A video about chips', '2024-01-05T15:00:00.000Z'],
      ['Not a permalink', undefined, 'Inside content', undefined],
    ]);
    expect(feed.idField).toBe('guid');
  });

  it('reads a feed wrapped in an HTML page and an RSS root without a channel', () => {
    const wrapped = corpus('feedjira__spec_sample_feeds_DuplicateContentAtomFeed.xml');
    expect(wrapped.format).toBe('atom-1.0');
    expect(wrapped.items.length).toBeGreaterThan(0);
    expect(parse('<!-- c --><rss version="0.93">\n</rss>')).toEqual({ title: undefined, link: undefined, items: [], format: 'rss-0.9x' });
  });

  it('resolves relative links against xml:base on the channel and the item', () => {
    const feed = parse(`<rss version="2.0" xml:base="https://base.test/news/"><channel><title>B</title><link>index.html</link>
  <item xml:base="https://other.test/x/"><title>One</title><link>one.html</link></item>
  <item><title>Two</title><link>two.html</link></item></channel></rss>`);
    expect(feed.link).toBe('https://base.test/news/index.html');
    expect(feed.items.map((i) => i.url)).toEqual(['https://other.test/x/one.html', 'https://base.test/news/two.html']);
  });
});

describe('Atom', () => {
  it('reads a hand-written Atom 0.3 feed (issued/modified, xml:base)', () => {
    const feed = parse(`<?xml version="1.0" encoding="utf-8"?>
<feed version="0.3" xmlns="http://purl.org/atom/ns#" xml:base="http://atom03.test/">
  <title>Old Atom</title><link rel="alternate" type="text/html" href="/"/><modified>2004-04-20T08:45:00Z</modified>
  <entry><title>E1</title><link rel="alternate" type="text/html" href="entries/1"/><id>tag:atom03.test,2004:1</id>
    <issued>2004-04-20T08:45:00-04:00</issued><modified>2004-04-21T00:00:00Z</modified><author><name>Mark</name></author>
    <summary type="text/plain">Short</summary></entry>
  <entry><title>E2</title><link rel="alternate" type="text/html" href="entries/2"/><id>tag:atom03.test,2004:2</id>
    <modified>2004-04-22T00:00:00Z</modified><content type="text/html" mode="escaped">&lt;p&gt;Escaped body&lt;/p&gt;</content></entry>
</feed>`);
    expect(feed.format).toBe('atom-0.3');
    expect(feed.link).toBe('http://atom03.test/');
    expect(feed.items.map((i) => [i.key, i.url, i.published, i.author, i.summary])).toEqual([
      ['tag:atom03.test,2004:1', 'http://atom03.test/entries/1', '2004-04-20T12:45:00.000Z', 'Mark', 'Short'],
      ['tag:atom03.test,2004:2', 'http://atom03.test/entries/2', '2004-04-22T00:00:00.000Z', undefined, 'Escaped body'],
    ]);
  });

  it('picks the alternate link (else one without rel) under nested xml:base, and reads XHTML and escaped content', () => {
    const feed = parse(`<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://atom.test/blog/"><title>A</title><link href="/"/>
  <entry xml:base="posts/"><title>One</title><id>1</id><link rel="self" href="self.xml"/><link href="one.html" xml:base="/other/"/>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>XHTML <b>body</b></p></div></content></entry>
  <entry><title>Two</title><id>2</id><link rel="ALTERNATE " href=" two.html "/><link href="ignored.html"/><content type="html">&lt;p&gt;Tom &amp;amp; Jerry&lt;/p&gt;</content></entry>
  <entry><title>Three</title><id>3</id><link rel="alternate"/><link href="http://[bad"/><content></content><summary></summary></entry>
</feed>`);
    expect(feed.items.map((i) => [i.key, i.url, i.summary])).toEqual([
      ['1', 'https://atom.test/other/one.html', 'XHTML body'],
      ['2', 'https://atom.test/blog/two.html', 'Tom & Jerry'],
      ['3', undefined, ''],
    ]);
  });

  it('reads Atom 1.0 from the corpus and names the version', () => {
    expect(corpus('feedsmith__src_feeds_atom_references_atom-10.xml').format).toBe('atom-1.0');
    expect(corpus('feedsmith__src_feeds_atom_references_atom-03.xml').format).toBe('atom-0.3');
  });
});

describe('JSON Feed', () => {
  it('reads JSON Feed 1.0 (author, numeric id, external_url, content_text title fallback)', () => {
    const feed = parse(JSON.stringify({
      version: 'https://jsonfeed.org/version/1',
      title: 'JF 1.0',
      home_page_url: 'https://json.test/',
      author: { name: 'Feed Author' },
      items: [
        { id: 1, url: 'https://json.test/1', title: 'One', content_html: '<p>Hello <b>there</b></p>', date_published: '2024-01-05T10:00:00Z', author: { name: 'Item Author' } },
        { id: '2', external_url: 'https://elsewhere.test/2', content_text: 'A micro post without a title that goes on and on for quite a few words, more than eighty characters in all', date_modified: '2024-01-06T10:00:00+02:00' },
        { id: 3, url: 42, title: 'Bad url type: skipped' },
        'not an object',
        { id: '4', url: '/relative/4', title: 'Relative', summary: 'Sum', content_text: 'Body text' },
      ],
    }));
    expect(feed.format).toBe('json-feed-1.0');
    expect(feed.title).toBe('JF 1.0');
    expect(feed.link).toBe('https://json.test/');
    expect(feed.idField).toBe('guid');
    expect(feed.items).toEqual([
      { sourceId: 'src', key: '1', title: 'One', url: 'https://json.test/1', canonicalUrl: 'https://json.test/1', summary: 'Hello there', published: '2024-01-05T10:00:00.000Z', author: 'Item Author' },
      {
        sourceId: 'src',
        key: '2',
        title: 'A micro post without a title that goes on and on for quite a few words, more…',
        url: 'https://elsewhere.test/2',
        canonicalUrl: 'https://elsewhere.test/2',
        summary: 'A micro post without a title that goes on and on for quite a few words, more than eighty characters in all',
        published: '2024-01-06T08:00:00.000Z',
      },
      { sourceId: 'src', key: '4', title: 'Relative', url: 'https://json.test/relative/4', canonicalUrl: 'https://json.test/relative/4', summary: 'Sum', published: undefined },
    ]);
  });

  it('reads JSON Feed 1.1 (authors array) and the 1.1 files of the corpus', () => {
    const feed = parse(JSON.stringify({
      version: 'https://jsonfeed.org/version/1.1',
      title: 'JF 1.1',
      items: [{ id: 'a', url: 'https://json.test/a', title: 'A', authors: [{ url: 'https://x.test' }, { name: 'Second Author' }], date_published: 'Fri, 05 Jan 2024 10:00:00 GMT' }],
    }));
    expect(feed.format).toBe('json-feed-1.1');
    expect(feed.items[0]).toMatchObject({ author: 'Second Author', published: '2024-01-05T10:00:00.000Z' });
    const corpusFeed = corpus('RSParser__Tests_RSParserTests_Resources_3960.json');
    expect(corpusFeed.format).toBe('json-feed-1.1');
    expect(corpusFeed.items.length).toBeGreaterThan(0);
    expect(corpus('feedjira__spec_sample_feeds_json_feed_with_escaped_uris.json').items.every((i) => i.url?.startsWith('https://'))).toBe(true);
  });

  it('reads the gofeed JSON fixtures whose version is a bare number', () => {
    expect(corpus('gofeed__testdata_parser_universal_json10_feed.json').format).toBe('json-feed-1.0');
    expect(corpus('gofeed__testdata_parser_universal_json11_feed.json').format).toBe('json-feed-1.1');
  });
});
