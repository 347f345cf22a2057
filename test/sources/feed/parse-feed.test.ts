import { readFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeFeedBytes } from '../../../src/sources/feed/decode.js';
import { parseFeed } from '../../../src/sources/feed/parse-feed.js';
import { WirewatchError } from '../../../src/errors.js';

const FEED_URL = 'https://feeds.test/dir/feed.xml';

function fixture(name: string): Buffer {
  return readFileSync(new URL(`../../fixtures/feeds/${name}`, import.meta.url));
}

function parseFixture(name: string, contentType?: string) {
  return parseFeed(decodeFeedBytes(fixture(name), contentType), { sourceId: 'src', url: FEED_URL });
}

function parseError(text: string): WirewatchError {
  try {
    parseFeed(text, { sourceId: 'src', url: FEED_URL });
  } catch (err) {
    if (err instanceof WirewatchError) return err;
    throw err;
  }
  throw new Error('parseFeed did not throw');
}

describe('parseFeed on real feeds', () => {
  it('reads RSS 2.0', () => {
    const feed = parseFixture('feed-rs__feed-rs_fixture_rss2_rss_2.0_bbc.xml');
    expect(feed.title).toBe('In Our Time');
    expect(feed.link).toBe('http://www.bbc.co.uk/programmes/b006qykl');
    expect(feed.items).toHaveLength(1);
    expect(feed.items[0]).toEqual({
      sourceId: 'src',
      key: 'urn:bbc:podcast:m000sjxt',
      title: 'Marcus Aurelius',
      url: 'http://www.bbc.co.uk/programmes/m000sjxt',
      summary: 'Melvyn Bragg and guests discuss...',
      published: '2021-02-25T10:15:00.000Z',
      canonicalUrl: 'http://www.bbc.co.uk/programmes/m000sjxt',
      author: 'BBC Radio 4',
    });
    expect(feed.format).toBe('rss-2.0');
    expect(feed.idField).toBe('guid');
  });

  it('decodes entities in titles and uses the link as key when there is no guid', () => {
    const feed = parseFixture('RSS-Parser__rssparser_src_commonTest_resources_feed-char-escape.xml');
    expect(feed.title).toBe('NYT > Health');
    expect(feed.items.map((i) => i.title)).toEqual(['Where the Grass is Greener, Except When It’s ‘Nonfunctional Turf’']);
    expect(feed.items[0]?.key).toBe('https://www.nytimes.com/2021/06/11/science/drought-las-vegas-grass-mars.html');
  });

  it('reads RSS 1.0 (RDF)', () => {
    const feed = parseFixture('feed-rs__feed-rs_fixture_rss1_rss_1.0_debian.xml');
    expect(feed.title).toBe('Debian News');
    expect(feed.items.map((i) => [i.title, i.url, i.published])).toEqual([
      ['Updated Debian 11: 11.6 released', 'https://www.debian.org/News/2022/20221217', '2022-12-17T00:00:00.000Z'],
    ]);
  });

  it('reads Atom 1.0 and resolves relative links against xml:base, not the feed URL', () => {
    const feed = parseFixture('feedsmith__src_feeds_atom_references_atom-10.xml');
    expect(feed.title).toBe('Comprehensive Atom 1.0 Example Feed');
    expect(feed.link).toBe('http://example.org/');
    expect(feed.items).toHaveLength(6);
    expect(feed.items[0]).toMatchObject({ key: 'tag:example.org,2023:entry-1', title: 'Comprehensive Entry Example', url: 'http://example.org/entry/1' });
    expect(feed.items.map((i) => i.title)).toContain('Exemple de Contenu en Français');
  });

  it('resolves relative Atom links against the feed URL when there is no xml:base', () => {
    const feed = parseFixture('feed-rs__feed-rs_fixture_atom_atom_relative.xml');
    expect(feed.link).toBe('https://feeds.test/blog/');
    expect(feed.items.map((i) => i.url)).toEqual(['https://feeds.test/blog/2003/12/13/atom03']);
  });

  it('resolves relative RSS links and keeps the guid as key', () => {
    const feed = parseFixture('node-feedparser__test_feeds_rss-with-relative-urls.xml');
    expect(feed.items.map((i) => [i.key, i.url])).toEqual([
      ['http://www.arcgames.com/en/games/PAB_nw/news/detail/10743874', 'https://feeds.test/en/games/neverwinter/news/detail/10743874-neverwinter-%26-jingle-jam-humble-bundle%21'],
      ['http://www.arcgames.com/en/games/PAB_nw/news/detail/10738994', 'https://feeds.test/en/games/neverwinter/news/detail/10738994-2x-underdark-currency-%26-15%25-off-bags%21'],
    ]);
    expect(feed.items[0]?.title).toBe('Neverwinter & Jingle Jam Humble Bundle!');
    expect(feed.items[0]?.summary.startsWith('Greetings Adventurers! Neverwinter is proud')).toBe(true);
  });
});

describe('encodings', () => {
  it('decodes ISO-8859-1 declared in the XML declaration (RSS 2.0)', () => {
    const feed = parseFixture('feed-rs__feed-rs_fixture_rss2_rss_2.0_encoding_1.xml');
    expect(feed.title).toBe('RSS Feed do Site Inovação Tecnológica');
    expect(feed.items[0]?.title).toBe('Revolução nas telas com pontos quânticos impressos em 3D');
    // &amp; inside the link is an entity, decoded once.
    expect(feed.items[0]?.url).toBe('https://www.inovacaotecnologica.com.br/noticias/noticia.php?artigo=revolucao-telas-pontos-quanticos-impressos-3d&id=010150200813');
  });

  it('decodes ISO-8859-1 RDF', () => {
    const feed = parseFixture('feed-rs__feed-rs_fixture_rss1_rss_1.0_iso8859.xml');
    expect(feed.items[0]?.title).toBe('Digitalministerium: Neue Glasfaserförderung mit Schnellkasse');
  });

  it('decodes windows-1251', () => {
    const feed = parseFixture('node-feedparser__test_feeds_iconv.xml');
    expect(feed.title).toBe('Новости Оренбурга и области / Раздел Новости');
    expect(feed.items).toHaveLength(10);
    expect(feed.items[0]?.title).toBe('В Бузулуке главные стройплощадки – детсад и Ледовый дворец');
  });

  it('decodes ISO-8859-7', () => {
    const feed = parseFixture('RSS-Parser__rssparser_src_commonTest_resources_feed-test-greek.xml');
    expect(feed.title).toBe('Liberal - ΕΠΙΚΑΙΡΟΤΗΤΑ');
    expect(feed.items[0]?.title).toBe('«Πορτραίτα καραντίνας» για έμπνευση από τη συλλογή Φέλιου');
  });

  it('lets the HTTP charset win over the XML declaration', () => {
    // The greek bytes read as windows-1251 are Cyrillic-looking garbage: proof the header decided.
    const text = decodeFeedBytes(fixture('RSS-Parser__rssparser_src_commonTest_resources_feed-test-greek.xml'), 'text/xml; charset=windows-1251');
    expect(text).not.toContain('ΕΠΙΚΑΙΡΟΤΗΤΑ');
    expect(decodeFeedBytes(fixture('node-feedparser__test_feeds_iconv.xml'), 'application/rss+xml; charset="windows-1251"')).toContain('Новости Оренбурга');
  });

  it('decodes UTF-16 with a BOM and UTF-8 with a BOM, whatever the labels say', () => {
    const utf8 = decodeFeedBytes(fixture('node-feedparser__test_feeds_iconv.xml'), undefined);
    const le = iconv.encode(utf8.replace('encoding="windows-1251"', 'encoding="utf-16"'), 'utf-16le', { addBOM: true });
    const be = iconv.encode(utf8, 'utf-16be', { addBOM: true });
    const bom8 = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(utf8, 'utf8')]);
    for (const bytes of [le, be, bom8]) {
      const text = decodeFeedBytes(bytes, 'text/xml; charset=iso-8859-1');
      expect(text.startsWith('<?xml')).toBe(true);
      const feed = parseFeed(text, { sourceId: 'src', url: FEED_URL });
      expect(feed.items[0]?.title).toBe('В Бузулуке главные стройплощадки – детсад и Ледовый дворец');
    }
  });

  it('reads labelled Latin-1 as windows-1252 and unknown labels as UTF-8', () => {
    expect(decodeFeedBytes(Uint8Array.from([0x93, 0x41, 0x94]), 'text/xml; charset=ISO-8859-1')).toBe('“A”');
    expect(decodeFeedBytes(Buffer.from('<?xml version="1.0" encoding="bogus"?><a>é</a>', 'utf8'), undefined)).toBe('<?xml version="1.0" encoding="bogus"?><a>é</a>');
  });
});

describe('item identity', () => {
  it('items whose guid and link repeat inside the feed fall back to title|published; the others keep their id', () => {
    const feed = parseFixture('feedsmith__src_feeds_atom_references_atom-03.xml');
    expect(feed.idField).toBe('mixed');
    expect(feed.items.map((i) => i.key)).toEqual([
      'tag:feedparser.org,2004-04-20:/docs/examples/atom03.xml:3',
      'Second entry title|2004-04-20T08:45:00.000Z',
      'Third entry title|2004-04-20T08:45:00.000Z',
    ]);
    expect(feed.items.map((i) => i.url)).toEqual(['http://example.org/entry/3', 'http://example.org/entry/4', 'http://example.org/entry/4']);
  });

  it('falls back past repeated links when there are no guids (windows-1252 feed)', () => {
    const feed = parseFixture('sample-feeds__examples_232baf9b.xml');
    expect(feed.title).toBe('Sample Feed - Favorite RSS Related Software & Resources');
    expect(feed.items).toHaveLength(3);
    expect(new Set(feed.items.map((i) => i.key)).size).toBe(3);
    expect(feed.items[1]?.key).toBe('Recommended Desktop Feed Reader Software|2004-10-26T19:03:25.000Z');
    expect(feed.items[1]?.summary.startsWith('FeedDemon enables you')).toBe(true);
  });

  it('gives the same keys on every parse', () => {
    for (const name of ['node-feedparser__test_feeds_iconv.xml', 'feedsmith__src_feeds_atom_references_atom-10.xml', 'sample-feeds__examples_232baf9b.xml']) {
      const a = parseFixture(name).items.map((i) => i.key);
      const b = parseFixture(name).items.map((i) => i.key);
      expect(a).toEqual(b);
      expect(new Set(a).size).toBe(a.length);
    }
  });

  it('keeps keys unique, hashes long keys, drops empty items', () => {
    const longGuid = `tag:x,${'a'.repeat(300)}`;
    const text = `<rss version="2.0"><channel><title>T</title>
      <item><guid>  ${longGuid}  </guid><title>Long</title></item>
      <item><guid>same</guid><title>A</title><link>http://x.test/a</link></item>
      <item><title>B</title><link>http://x.test/b</link></item>
      <item><guid></guid><title></title><description>  </description></item>
      <item><title>No date, no link</title></item>
    </channel></rss>`;
    const feed = parseFeed(text, { sourceId: 'src', url: FEED_URL });
    expect(feed.items.map((i) => i.key)).toEqual([
      expect.stringMatching(/^[0-9a-f]{40}$/),
      'same',
      'http://x.test/b',
      'No date, no link',
    ]);
    expect(feed.idField).toBe('mixed');
  });
});

describe('normalisation', () => {
  it('strips markup, decodes entities, cuts long summaries, never invents dates', () => {
    const long = Array.from({ length: 200 }, (_, i) => `word${i}`).join(' ');
    const text = `<rss version="2.0"><channel><title>Feed &amp; co</title><link>/home</link>
      <item><title>&lt;b&gt;Bold&lt;/b&gt;   title &amp;amp; more
      </title><link>javascript:alert(1)</link><description>&lt;p&gt;Hello&lt;/p&gt;&lt;p&gt;world &amp;eacute;&amp;#233;&lt;script&gt;evil()&lt;/script&gt;&lt;/p&gt;</description><pubDate>not a date</pubDate></item>
      <item><link>/relative/path?q=1</link><description>${long}</description></item>
    </channel></rss>`;
    const feed = parseFeed(text, { sourceId: 'src', url: FEED_URL });
    expect(feed.title).toBe('Feed & co');
    expect(feed.link).toBe('https://feeds.test/home');
    const [first, second] = feed.items;
    expect(first).toMatchObject({ title: 'Bold title & more', url: undefined, published: undefined, summary: 'Hello world éé' });
    expect(second?.url).toBe('https://feeds.test/relative/path?q=1');
    expect(second?.summary.length).toBeLessThanOrEqual(500);
    expect(second?.summary.endsWith('…')).toBe(true);
    expect(second?.summary).toMatch(/ word\d+…$/);
    expect(second?.title.length).toBeLessThanOrEqual(80);
    expect(second?.title.startsWith('word0 word1 ')).toBe(true);
  });

  it('prefers published over updated in Atom', () => {
    const text = `<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>
      <entry><id>1</id><title>x</title><updated>2024-05-02T00:00:00Z</updated><published>2024-05-01T00:00:00Z</published></entry>
      <entry><id>2</id><title>y</title><updated>2024-05-03T00:00:00Z</updated></entry></feed>`;
    const feed = parseFeed(text, { sourceId: 'src', url: FEED_URL });
    expect(feed.items.map((i) => i.published)).toEqual(['2024-05-01T00:00:00.000Z', '2024-05-03T00:00:00.000Z']);
  });
});

describe('not feeds', () => {
  it('refuses an HTML page, JSON, an empty body and other XML with a reason', () => {
    expect(parseError(fixture('node-feedparser__test_feeds_notafeed.html').toString('utf8'))).toMatchObject({
      code: 'parse_failed',
      message: 'not a feed: looks like an HTML page',
    });
    expect(parseError('{"name": "not a feed", "items": 3}').message).toBe('not a feed: JSON but not a JSON Feed (no jsonfeed.org version and items)');
    expect(parseError('{"version": "https://jsonfeed.org/version/1", "items": [').message).toMatch(/^not a feed: invalid JSON/);
    expect(parseError('  \n').message).toBe('not a feed: empty body');
    expect(parseError('<note><to>Tove</to></note>').message).toBe('not a feed: root element <note> is not rss, RDF or an Atom feed');
    expect(parseError('<?xml version="1.0"?><!-- only a comment -->').message).toBe('not a feed: no root element');
  });
});

describe('hostile XML', () => {
  it('does not expand a billion laughs', () => {
    const levels = Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join('\n');
    const text = `<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY lol0 "lol">
  ${levels}
]>
<rss version="2.0"><channel><title>Laughs &lol9;</title>
<item><title>Item &lol9;</title><link>https://x.test/1</link><description>&lol9;&lol9;</description></item>
</channel></rss>`;
    const feed = parseFeed(text, { sourceId: 'src', url: FEED_URL });
    const out = JSON.stringify(feed);
    expect(out.length).toBeLessThan(2000);
    expect(out).not.toContain('lollol');
    expect(feed.items).toHaveLength(1);
  });

  it('strips pathological markup in one pass (unclosed tags, comments and scripts)', () => {
    const hostile = `${'&lt;a'.repeat(200_000)} ${'&lt;!--'.repeat(100_000)} ${'&lt;script'.repeat(100_000)}`;
    const text = `<rss version="2.0"><channel><title>H</title><item><title>ok</title><description>start ${hostile}</description></item></channel></rss>`;
    const feed = parseFeed(text, { sourceId: 'src', url: FEED_URL });
    expect(feed.items[0]?.summary.startsWith('start <a<a')).toBe(true);
    expect(feed.items[0]?.summary.length).toBeLessThanOrEqual(500);
  });

  it('does not read external entities', () => {
    const text = `<?xml version="1.0"?>
<!DOCTYPE rss [ <!ENTITY x SYSTEM "file:///etc/passwd"> ]>
<rss version="2.0"><channel><title>XXE</title>
<item><title>Secret: &x;</title><link>https://x.test/1</link><description>&x;</description></item>
</channel></rss>`;
    let out: string;
    try {
      out = JSON.stringify(parseFeed(text, { sourceId: 'src', url: FEED_URL }));
    } catch (err) {
      out = String(err);
    }
    expect(out).not.toContain('root:');
    expect(out.length).toBeLessThan(2000);
    expect(out).toContain('XXE');
  });
});
