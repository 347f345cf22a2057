// Walks the whole real-world corpus (test/fixtures/corpus, 397 files from the test folders of
// public feed parsers) through the production path: decode (BOM, then the XML declaration; no
// HTTP charset) and parseFeed. Well-formed feeds must yield clean items; malformed files must
// parse leniently or fail with a clear `parse_failed`; nothing else may be thrown.
import { readFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { WirewatchError } from '../../../src/errors.js';
import { decodeFeedBytesWithInfo } from '../../../src/sources/feed/decode.js';
import { parseFeed, type ParsedFeed } from '../../../src/sources/feed/parse-feed.js';

const CORPUS = new URL('../../fixtures/corpus/', import.meta.url);
const FEED_URL = 'https://corpus.test/feeds/feed.xml';

interface Row {
  file: string;
  format: string;
  bom: string;
  declaredEncoding: string;
  utf8Valid: boolean;
  expat: string;
  malformed: boolean;
}

const rows: Row[] = readFileSync(new URL('MANIFEST.tsv', CORPUS), 'utf8')
  .trimEnd()
  .split('\n')
  .slice(1)
  .map((line) => {
    const [file = '', , , format = '', , bom = '', declaredEncoding = '', utf8Valid = '', expat = '', malformed = ''] = line.split('\t');
    return { file, format, bom, declaredEncoding, utf8Valid: utf8Valid === 'True', expat, malformed: malformed === 'True' };
  });

/** Expat errors that say more about expat than about the file: a declaration after leading blank lines, encodings it lacks. */
function expatLimitation(row: Row): boolean {
  if (/^line \d+: XML or text declaration not at start of entity$/.test(row.expat)) return true;
  if (row.expat === 'ValueError: multi-byte encodings are not supported') return true;
  return row.bom.startsWith('utf-32') && row.expat.startsWith('line 1: not well-formed');
}

/** The manifest says: a feed, not deliberately malformed, and well-formed XML (or valid JSON). */
function isWellFormedFeed(row: Row): boolean {
  return !row.malformed && /^(rss-|rdf|atom-|json-feed$)/.test(row.format) && (row.expat === 'ok' || expatLimitation(row));
}

const counts = { files: 0, wellFormed: 0, wellFormedItems: 0, items: 0, itemsWithUrl: 0, lenient: 0, cleanErrors: 0 };

function checkItems(feed: ParsedFeed): void {
  const keys = new Set<string>();
  for (const item of feed.items) {
    expect(item.title.trim()).not.toBe('');
    expect(item.key.trim()).not.toBe('');
    expect(item.key.length).toBeLessThanOrEqual(200);
    expect(keys.has(item.key)).toBe(false);
    keys.add(item.key);
    if (item.url !== undefined) {
      expect(item.url).toMatch(/^https?:\/\/[^/]/);
      expect(() => new URL(item.url ?? '')).not.toThrow();
      expect(item.canonicalUrl).toMatch(/^https?:\/\//);
      counts.itemsWithUrl++;
    }
    if (item.published !== undefined) expect(new Date(item.published).toISOString()).toBe(item.published);
    expect(item.summary.length).toBeLessThanOrEqual(500);
  }
  if (feed.items.length > 0) expect(feed.idField).toBeDefined();
  counts.items += feed.items.length;
}

describe('the real-world corpus', () => {
  it('has the 397 files the manifest lists', () => {
    expect(rows).toHaveLength(397);
  });

  describe.each(rows.map((row) => [row.file, row] as const))('%s', (_file, row) => {
    it(isWellFormedFeed(row) ? 'parses into clean items' : 'parses leniently or fails with parse_failed', () => {
      counts.files++;
      const bytes = readFileSync(new URL(`feeds/${row.file}`, CORPUS));
      const decoded = decodeFeedBytesWithInfo(bytes, undefined);
      const label = row.declaredEncoding.toLowerCase();
      if (row.bom === '' && label !== '' && !/^(utf-?|u)(16|32)/.test(label) && iconv.encodingExists(label)) {
        expect(decoded.encodingSource).toBe('xml');
      }
      if (row.bom.endsWith('-bom')) expect(decoded.encodingSource).toBe('bom');

      let feed: ParsedFeed | undefined;
      let error: unknown;
      try {
        feed = parseFeed(decoded.text, { sourceId: 'corpus', url: FEED_URL });
      } catch (err) {
        error = err;
      }
      if (isWellFormedFeed(row)) {
        counts.wellFormed++;
        expect(error).toBeUndefined();
        expect(feed?.format).toBeDefined();
        counts.wellFormedItems += feed?.items.length ?? 0;
      } else if (feed === undefined) {
        expect(error).toBeInstanceOf(WirewatchError);
        expect((error as WirewatchError).code).toBe('parse_failed');
        expect((error as WirewatchError).message).toMatch(/^not a feed: \S/);
        expect((error as WirewatchError).message).not.toContain('\n');
        counts.cleanErrors++;
      } else {
        counts.lenient++;
      }
      if (feed !== undefined) checkItems(feed);
    });
  });

  it('finds thousands of items, nearly all with links', () => {
    expect(counts.files).toBe(397);
    expect(counts.wellFormedItems).toBeGreaterThan(3500);
    expect(counts.itemsWithUrl / counts.items).toBeGreaterThan(0.95);
  });

  afterAll(() => {
    console.log(`corpus: ${JSON.stringify(counts)}`);
  });
});
