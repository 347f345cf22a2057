import { describe, expect, it } from 'vitest';
import { WirewatchError } from '../../../src/errors.js';
import { gdeltDate, parseGdelt } from '../../../src/sources/gdelt/parse-gdelt.js';
import { caught, fixtureText } from './support.js';

describe('parseGdelt', () => {
  const feed = parseGdelt(fixtureText('gdelt', 'artlist.json'), { sourceId: 'gd' });

  it('turns articles into items keyed by canonical URL, with the domain as publisher and seendate as published', () => {
    expect(feed.items[0]).toEqual({
      sourceId: 'gd',
      key: 'https://www.reuters.com/technology/nvidia-h200-exports-resume-2026-01-29/',
      title: 'Nvidia H200 exports to China resume after licence approval',
      url: 'https://www.reuters.com/technology/nvidia-h200-exports-resume-2026-01-29/',
      canonicalUrl: 'https://www.reuters.com/technology/nvidia-h200-exports-resume-2026-01-29/',
      summary: '',
      published: '2026-01-29T10:45:00.000Z',
      publisher: 'reuters.com',
    });
  });

  it('counts the same article reached with and without tracking parameters once', () => {
    expect(feed.items.map((i) => i.key)).toEqual([
      'https://www.reuters.com/technology/nvidia-h200-exports-resume-2026-01-29/',
      'https://www.lesechos.fr/tech-medias/hightech/tsmc-releve-ses-investissements-2026',
      'https://www.digitimes.com/news/a20260129PD201/tsmc-cowos-capacity.html',
      'https://www.heise.de/news/Nvidia-Blackwell-Ultra-1234567.html',
    ]);
    expect(feed.items[1]).toMatchObject({
      url: 'https://www.lesechos.fr/tech-medias/hightech/tsmc-releve-ses-investissements-2026?utm_source=rss&utm_medium=feed',
      publisher: 'lesechos.fr',
      title: "TSMC relève ses investissements pour 2026 , porté par l ' IA",
    });
  });

  it('leaves published undefined for an unreadable seendate, never "now"', () => {
    expect(feed.items[3]?.published).toBeUndefined();
  });

  it('reads {} (nothing matched) as zero items', () => {
    expect(parseGdelt(fixtureText('gdelt', 'empty.json'), { sourceId: 'gd' }).items).toEqual([]);
    expect(parseGdelt('{"articles":[]}', { sourceId: 'gd' }).items).toEqual([]);
  });

  it.each([
    ['error-or-terms.txt', "GDELT refused the query: Queries containing OR'd terms must be surrounded by ()."],
    [
      'error-too-many-keywords.html',
      'GDELT refused the query: Your search contained too many keywords or phrases. Please reduce the number of keywords or phrases in your search and try again.',
    ],
  ])('throws parse_failed with GDELT\'s own message for %s', (name, message) => {
    const err = caught(() => parseGdelt(fixtureText('gdelt', name), { sourceId: 'gd' }));
    expect(err).toBeInstanceOf(WirewatchError);
    expect(err).toMatchObject({ code: 'parse_failed', message });
  });

  it('quotes at most 200 characters of a long refusal', () => {
    const err = caught(() => parseGdelt(`Invalid query: ${'x'.repeat(1000)}\nsecond line`, { sourceId: 'gd' }));
    const quoted = (err as Error).message.replace('GDELT refused the query: ', '');
    expect(quoted).toHaveLength(200);
    expect(quoted.startsWith('Invalid query: xxx')).toBe(true);
    expect(quoted.endsWith('…')).toBe(true);
  });

  it.each([
    ['invalid JSON', '{"articles": [ {"url": "https://a.example/1", "title": "Broken "quote" title"} ]}', /invalid JSON/],
    ['articles that is not a list', '{"articles": "none"}', /no "articles" list/],
    ['an empty body', '   ', /empty answer/],
  ])('throws parse_failed on %s', (_, body, message) => {
    expect(caught(() => parseGdelt(body, { sourceId: 'gd' }))).toMatchObject({ code: 'parse_failed', message: expect.stringMatching(message) });
  });
});

describe('gdeltDate', () => {
  it('reads GDELT seendate as UTC and refuses impossible dates', () => {
    expect(gdeltDate('20260129T104500Z')).toBe('2026-01-29T10:45:00.000Z');
    expect(gdeltDate('20260231T104500Z')).toBeUndefined();
    expect(gdeltDate('20260129T254500Z')).toBeUndefined();
    expect(gdeltDate('')).toBeUndefined();
    expect(gdeltDate(undefined)).toBeUndefined();
  });
});
