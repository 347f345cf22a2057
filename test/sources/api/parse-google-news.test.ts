import { describe, expect, it } from 'vitest';
import { WirewatchError } from '../../../src/errors.js';
import { parseGoogleNews, stripPublisherSuffix } from '../../../src/sources/google-news/parse-google-news.js';
import { caught, fixtureText } from './support.js';

describe('parseGoogleNews', () => {
  const english = parseGoogleNews(fixtureText('google-news', 'search-en.xml'), { sourceId: 'gn' });

  it('keys items by guid, names the publisher from <source> and drops the " - Publisher" suffix', () => {
    expect(english.title).toBe('"Nvidia OR TSMC" - Google News');
    expect(english.items.map((i) => [i.key, i.title, i.publisher])).toEqual([
      ['CBMiswFBVV95cUxNbnZpZGlhLWgyMDAtc2hpcG1lbnRzLXJlc3VtZQ', 'Nvidia H200 shipments to China resume after licence approval', 'Reuters'],
      ['CBMiqAFBVV95cUxQdHNtYy1jYXBleC1ndWlkYW5jZS0yMDI2', 'TSMC lifts 2026 capex guidance on AI accelerator demand', "Tom's Hardware"],
      ['CBMimwFBVV95cUxPY29yZXdlYXZlLWRlYWw', 'CoreWeave signs multi-year GPU capacity deal', 'The Information'],
      ['CBMiiAFBVV95cUxNYWktY2hpcC1yYWxseS1vcGluaW9u', 'Is the AI chip rally over? - Opinion', 'Bloomberg.com'],
    ]);
    expect(english.items[0]).toMatchObject({
      sourceId: 'gn',
      url: 'https://news.google.com/rss/articles/CBMiswFBVV95cUxNbnZpZGlhLWgyMDAtc2hpcG1lbnRzLXJlc3VtZQ?oc=5',
      canonicalUrl: 'https://news.google.com/rss/articles/CBMiswFBVV95cUxNbnZpZGlhLWgyMDAtc2hpcG1lbnRzLXJlc3VtZQ?oc=5',
      published: '2026-01-29T10:45:00.000Z',
    });
  });

  it('reduces the description to plain text: empty when it only repeats the headline, the related headlines of a cluster otherwise', () => {
    expect(english.items[0]?.summary).toBe('');
    expect(english.items[2]?.summary).toBe('');
    expect(english.items[1]?.summary).toBe(
      "TSMC lifts 2026 capex guidance on AI accelerator demand Tom's Hardware TSMC posts record quarterly profit as AI chips boom Financial Times",
    );
  });

  it('reads the French edition, en-dash suffixes included', () => {
    const feed = parseGoogleNews(fixtureText('google-news', 'search-fr.xml'), { sourceId: 'gn-fr' });
    expect(feed.items.map((i) => [i.title, i.publisher, i.published])).toEqual([
      ['Puces IA : Nvidia reprend ses livraisons de H200 en Chine', 'Le Monde.fr', '2026-01-29T10:12:00.000Z'],
      ['« Centre de données » : l’Europe accélère sur les puces d’IA', 'Les Échos', '2026-01-29T07:40:00.000Z'],
    ]);
  });

  it('reads a real Google Actualités capture: numeric guid, RTBF suffix, cluster list without the full-coverage link', () => {
    const feed = parseGoogleNews(fixtureText('google-news', 'top-stories-fr-be.xml'), { sourceId: 'gn-be' });
    expect(feed.items).toHaveLength(1);
    const item = feed.items[0];
    expect(item).toMatchObject({
      key: '52782335008021',
      title: 'Coronavirus en Belgique: 200 cas détectés au total, un nombre limité de tests effectués par manque de réactifs',
      publisher: 'RTBF',
      published: '2020-03-08T10:32:07.000Z',
    });
    expect(item?.summary).toContain('Sudinfo.be');
    expect(item?.summary).not.toContain('Voir la couverture complète');
    expect(item?.summary.length).toBeLessThanOrEqual(500);
  });

  it('reads an empty search as no items', () => {
    expect(parseGoogleNews(fixtureText('google-news', 'empty.xml'), { sourceId: 'gn' }).items).toEqual([]);
  });

  it('falls back to the link as key when an item has no guid, and skips repeated ones', () => {
    const rss = `<rss version="2.0"><channel><title>t</title>
      <item><title>A - X</title><link>https://news.google.com/rss/articles/A</link><source url="https://x.example">X</source></item>
      <item><title>A again - X</title><link>https://news.google.com/rss/articles/A</link><source url="https://x.example">X</source></item>
      <item><title>No source - Y</title><guid isPermaLink="false">B</guid></item>
    </channel></rss>`;
    const feed = parseGoogleNews(rss, { sourceId: 'gn' });
    expect(feed.items.map((i) => [i.key, i.title, i.publisher])).toEqual([
      ['https://news.google.com/rss/articles/A', 'A', 'X'],
      ['B', 'No source - Y', undefined],
    ]);
  });

  it.each([
    ['an HTML consent page', '<!DOCTYPE html><html><head><title>Before you continue</title></head></html>', /HTML page/],
    ['JSON', '{"error":"rate limited"}', /not XML/],
    ['an empty body', '', /empty body/],
  ])('throws parse_failed on %s', (_, body, message) => {
    const err = caught(() => parseGoogleNews(body, { sourceId: 'gn' }));
    expect(err).toBeInstanceOf(WirewatchError);
    expect(err).toMatchObject({ code: 'parse_failed', message: expect.stringMatching(message) });
  });
});

describe('stripPublisherSuffix', () => {
  it('removes only a trailing suffix naming the publisher', () => {
    expect(stripPublisherSuffix('Chips - Reuters', 'Reuters')).toBe('Chips');
    expect(stripPublisherSuffix('Chips – Les Échos', 'Les Échos')).toBe('Chips');
    expect(stripPublisherSuffix('Reuters - Chips', 'Reuters')).toBe('Reuters - Chips');
    expect(stripPublisherSuffix('Chips - Reuters', undefined)).toBe('Chips - Reuters');
    expect(stripPublisherSuffix(' - Reuters', 'Reuters')).toBe(' - Reuters');
  });
});
