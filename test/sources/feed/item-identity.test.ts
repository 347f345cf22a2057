import { describe, expect, it } from 'vitest';
import { assignKeys, type IdentityFields } from '../../../src/sources/feed/item-identity.js';
import { parseFeed } from '../../../src/sources/feed/parse-feed.js';

interface Spec {
  guid?: string;
  link?: string;
  title?: string;
  date?: string;
  description?: string;
}

function rss(items: Spec[]): string {
  const body = items
    .map(
      (i) =>
        `<item>${i.guid === undefined ? '' : `<guid isPermaLink="false">${i.guid}</guid>`}${i.link === undefined ? '' : `<link>${i.link}</link>`}` +
        `${i.title === undefined ? '' : `<title>${i.title}</title>`}${i.date === undefined ? '' : `<pubDate>${i.date}</pubDate>`}` +
        `${i.description === undefined ? '' : `<description>${i.description}</description>`}</item>`,
    )
    .join('\n');
  return `<rss version="2.0"><channel><title>Id</title>${body}</channel></rss>`;
}

function parse(items: Spec[]) {
  return parseFeed(rss(items), { sourceId: 'src', url: 'https://id.test/feed' });
}

const D1 = 'Fri, 05 Jan 2024 10:00:00 GMT';
const D2 = 'Sat, 06 Jan 2024 10:00:00 GMT';

describe('identity choice per feed', () => {
  it('uses guids when every item has a distinct one', () => {
    const feed = parse([{ guid: 'g1', link: 'https://id.test/1', title: 'A' }, { guid: 'g2', link: 'https://id.test/1', title: 'B' }]);
    expect(feed.idField).toBe('guid');
    expect(feed.items.map((i) => i.key)).toEqual(['g1', 'g2']);
  });

  it('an item without a guid is keyed by its link while the others keep their guids', () => {
    const feed = parse([{ guid: 'g1', link: 'https://id.test/1', title: 'A' }, { link: 'https://id.test/2', title: 'B' }]);
    expect(feed.idField).toBe('mixed');
    expect(feed.items.map((i) => i.key)).toEqual(['g1', 'https://id.test/2']);
  });

  it('a new guid-less item does not re-key the items already seen (no flood on the next poll)', () => {
    const before = parse([{ guid: 'g1', link: 'https://id.test/1', title: 'A' }, { guid: 'g2', link: 'https://id.test/2', title: 'B' }]);
    const after = parse([{ link: 'https://id.test/3', title: 'C' }, { guid: 'g1', link: 'https://id.test/1', title: 'A' }, { guid: 'g2', link: 'https://id.test/2', title: 'B' }]);
    expect(before.idField).toBe('guid');
    expect(after.items.slice(1).map((i) => i.key)).toEqual(before.items.map((i) => i.key));
  });

  it('does not use guids that repeat (one guid for the whole feed): links for all', () => {
    const feed = parse([{ guid: 'https://id.test/', link: 'https://id.test/1', title: 'A' }, { guid: 'https://id.test/', link: 'https://id.test/2', title: 'B' }]);
    expect(feed.idField).toBe('link');
    expect(feed.items).toHaveLength(2);
  });

  it('falls to title+date when links repeat', () => {
    const feed = parse([{ link: 'https://id.test/', title: 'A', date: D1 }, { link: 'https://id.test/', title: 'B', date: D1 }]);
    expect(feed.idField).toBe('title+date');
    expect(feed.items.map((i) => i.key)).toEqual(['A|2024-01-05T10:00:00.000Z', 'B|2024-01-05T10:00:00.000Z']);
  });

  it('items whose link repeats fall to title+link; a unique link keeps its link', () => {
    const feed = parse([
      { link: 'https://id.test/x', title: 'A' },
      { link: 'https://id.test/x', title: 'B' },
      { link: 'https://id.test/y', title: 'A' },
    ]);
    expect(feed.idField).toBe('mixed');
    expect(feed.items.map((i) => i.key)).toEqual(['A|https://id.test/x', 'B|https://id.test/x', 'https://id.test/y']);
  });

  it('falls to title+summary when there are no links and no dates', () => {
    const feed = parse([{ title: 'A', description: 'one' }, { title: 'A', description: 'two' }]);
    expect(feed.idField).toBe('title+summary');
    expect(feed.items.map((i) => i.key)).toEqual(['A|one', 'A|two']);
  });

  it('keys item by item when no field works for the whole feed, and keeps every distinct item', () => {
    const feed = parse([
      { guid: 'g1', title: 'A' },
      { guid: 'g1', title: 'B', link: 'https://id.test/b' },
      { title: 'C', date: D1 },
      { title: 'D' },
    ]);
    expect(feed.idField).toBe('mixed');
    expect(feed.items.map((i) => i.key)).toEqual(['A|||g1', 'https://id.test/b', 'C|2024-01-05T10:00:00.000Z', 'D']);
  });

  it('keeps an item listed twice once', () => {
    const twice = { title: 'Same', link: 'https://id.test/s', date: D1 };
    const feed = parse([twice, { title: 'Other', link: 'https://id.test/o', date: D2 }, twice]);
    expect(feed.items.map((i) => i.title)).toEqual(['Same', 'Other']);
    expect(new Set(feed.items.map((i) => i.key)).size).toBe(2);
  });

  it('hashes keys longer than 200 characters with sha1', () => {
    const long = `tag:id.test,2024:${'x'.repeat(250)}`;
    const feed = parse([{ guid: long, title: 'A' }, { guid: 'short', title: 'B' }]);
    expect(feed.items[0]?.key).toMatch(/^[0-9a-f]{40}$/);
    expect(feed.items[1]?.key).toBe('short');
    expect(feed.items.every((i) => i.key.length <= 200)).toBe(true);
  });
});

describe('stability', () => {
  const feeds: Spec[][] = [
    [{ guid: 'g1', title: 'A' }, { guid: 'g2', title: 'B' }, { guid: 'g3', title: 'C' }],
    [{ link: 'https://id.test/', title: 'A', date: D1 }, { link: 'https://id.test/', title: 'B', date: D2 }, { link: 'https://id.test/', title: 'C', date: D2 }],
    [{ guid: 'g1', title: 'A' }, { guid: 'g1', title: 'B', link: 'https://id.test/b' }, { title: 'C', date: D1 }, { title: 'D' }, { title: 'D' }],
  ];

  it.each(feeds.map((items, i) => [i, items] as const))('gives each item the same key when feed %i is re-ordered', (_i, items) => {
    const forward = parse(items);
    const backward = parse([...items].reverse());
    const rotated = parse([...items.slice(1), ...items.slice(0, 1)]);
    const byTitle = (feed: ReturnType<typeof parse>) => new Map(feed.items.map((i) => [i.title, i.key]));
    expect(byTitle(backward)).toEqual(byTitle(forward));
    expect(byTitle(rotated)).toEqual(byTitle(forward));
    expect(backward.idField).toBe(forward.idField);
  });

  it('assignKeys answers undefined for an empty feed', () => {
    expect(assignKeys([])).toEqual({ keys: [], idField: undefined });
    const one: IdentityFields = { id: undefined, url: undefined, title: '', published: undefined, summary: '' };
    expect(assignKeys([one]).keys).toEqual([undefined]);
  });
});
