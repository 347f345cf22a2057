import { describe, expect, it } from 'vitest';
import { WirewatchError } from '../../../src/errors.js';
import { parseHackerNews } from '../../../src/sources/hackernews/parse-hackernews.js';
import { caught, fixtureText } from './support.js';

const SEARCH = fixtureText('hackernews', 'search-by-date.json');

describe('parseHackerNews', () => {
  it('turns hits into items keyed by objectID, with publisher, dates and canonical URL', () => {
    const feed = parseHackerNews(SEARCH, { sourceId: 'hn' });
    expect(feed.title).toBe('Hacker News: nvidia');
    expect(feed.items.map((i) => i.key)).toEqual(['46812345', '46811002', '46810777', '46809001']);
    expect(feed.items[0]).toEqual({
      sourceId: 'hn',
      key: '46812345',
      title: 'Nvidia H200 shipments to resume under new export licence',
      url: 'https://www.reuters.com/technology/nvidia-h200-shipments-2026-01-29/?utm_source=hackernews&utm_medium=social',
      canonicalUrl: 'https://www.reuters.com/technology/nvidia-h200-shipments-2026-01-29/',
      summary: '212 points · 87 comments on Hacker News',
      published: '2026-01-29T10:45:00.000Z',
      publisher: 'reuters.com',
    });
  });

  it('links a text post without url to its HN page and summarises its story_text as plain text', () => {
    const ask = parseHackerNews(SEARCH, { sourceId: 'hn' }).items[1];
    expect(ask?.url).toBe('https://news.ycombinator.com/item?id=46811002');
    expect(ask?.publisher).toBeUndefined();
    expect(ask?.summary).toBe(
      "We run a small inference cluster on H100s and are weighing B200s. Questions: - Is the power draw really > 1 kW per card in practice? - How did you deal with the NVLink topology? We'd love to hear what worked & what didn't.",
    );
    expect(ask?.published).toBe('2026-01-29T09:12:41.000Z');
  });

  it('falls back to the HN page for url: null and keeps markup-like text in titles', () => {
    const items = parseHackerNews(SEARCH, { sourceId: 'hn' }).items;
    expect(items[2]).toMatchObject({ url: 'https://news.ycombinator.com/item?id=46810777', summary: '4 points · 0 comments on Hacker News' });
    expect(items[3]).toMatchObject({
      title: 'Writing Nvidia kernels with Vec<T> in Rust',
      publisher: 'blog.example.dev',
      canonicalUrl: 'https://blog.example.dev/cuda-rust',
    });
  });

  it('leaves out hits under minPoints', () => {
    const feed = parseHackerNews(SEARCH, { sourceId: 'hn', minPoints: 10 });
    expect(feed.items.map((i) => i.key)).toEqual(['46812345', '46811002']);
  });

  it('gives the same keys for the same answer and skips repeated or unusable hits', () => {
    const doubled = JSON.stringify({
      hits: [
        { objectID: '1', title: 'One', created_at: '2026-01-01T00:00:00Z' },
        { objectID: '1', title: 'One again' },
        { objectID: '2', title: '   ' },
        { title: 'no id' },
        'not an object',
        { objectID: 3, title: 'Numeric id', created_at: 'garbage', created_at_i: 1769683500 },
      ],
    });
    const feed = parseHackerNews(doubled, { sourceId: 'hn' });
    expect(feed.items.map((i) => [i.key, i.title, i.published])).toEqual([
      ['1', 'One', '2026-01-01T00:00:00.000Z'],
      ['3', 'Numeric id', '2026-01-29T10:45:00.000Z'],
    ]);
    expect(parseHackerNews(SEARCH, { sourceId: 'hn' })).toEqual(parseHackerNews(SEARCH, { sourceId: 'hn' }));
  });

  it('reads an empty answer as no items', () => {
    expect(parseHackerNews(fixtureText('hackernews', 'empty.json'), { sourceId: 'hn' }).items).toEqual([]);
  });

  it.each([
    ['an HTML error page', '<html><body>502 Bad Gateway</body></html>', /did not answer JSON: <html><body>502 Bad Gateway/],
    ['an empty body', '', /did not answer JSON \(empty body\)/],
    ['JSON without hits', '{"message":"Invalid parameter"}', /no "hits" array/],
  ])('throws parse_failed on %s', (_, body, message) => {
    const err = caught(() => parseHackerNews(body, { sourceId: 'hn' }));
    expect(err).toBeInstanceOf(WirewatchError);
    expect(err).toMatchObject({ code: 'parse_failed', message: expect.stringMatching(message) });
  });
});
