import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { FetchState, SourceConfig } from '../../../src/domain.js';
import { MapMemoSlot, pollFeed, type FeedMemo } from '../../../src/sources/feed/feed-source.js';
import { parseFeed } from '../../../src/sources/feed/parse-feed.js';
import { createSafeFetcher, DEFAULT_FETCH_POLICY } from '../../../src/sources/http/safe-fetch.js';
import { WirewatchError } from '../../../src/errors.js';
import { startServer, type LocalServer } from '../local-server.js';

const FEED = readFileSync(new URL('../../fixtures/feeds/node-feedparser__test_feeds_iconv.xml', import.meta.url));
const EMPTY_STATE: FetchState = {
  health: 'ok',
  nextAttemptAt: undefined,
  etag: undefined,
  lastModified: undefined,
  bodyHash: undefined,
  failures: 2,
  lastError: 'earlier failure',
  lastFetchAt: undefined,
  lastNewAt: '2024-01-01T00:00:00.000Z',
};

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function source(srv: LocalServer, path = '/feed.xml'): SourceConfig {
  return { id: 'oren', kind: 'feed', options: {}, name: undefined, url: `${srv.origin}${path}`, every: '5m', cron: undefined, enabled: true };
}

describe('pollFeed', () => {
  it('parses a 200, then honours a 304, then skips parsing an identical 200', async () => {
    let honour304 = true;
    const srv = await startServer((req, res) => {
      if (honour304 && req.headers['if-none-match'] === '"abc"') {
        res.writeHead(304);
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/rss+xml', etag: '"abc"', 'last-modified': 'Thu, 23 Jan 2014 03:33:08 GMT' });
      res.end(FEED);
    });
    const fetcher = createSafeFetcher({ ...DEFAULT_FETCH_POLICY, allowCidrs: ['127.0.0.1/32'] });
    cleanups.push(() => srv.close(), () => fetcher.close());
    const times = ['2024-06-01T10:00:00.000Z', '2024-06-01T10:05:00.000Z', '2024-06-01T10:10:00.000Z'];
    const clock = () => new Date(times.shift() ?? 'invalid');

    const first = await pollFeed(fetcher, source(srv), EMPTY_STATE, clock);
    expect(first.kind).toBe('parsed');
    if (first.kind !== 'parsed') return;
    expect(first.feed.items).toHaveLength(10);
    expect(first.feed.items[0]).toMatchObject({ sourceId: 'oren', title: 'В Бузулуке главные стройплощадки – детсад и Ледовый дворец' });
    expect(first.state).toEqual({
      ...EMPTY_STATE,
      etag: '"abc"',
      lastModified: 'Thu, 23 Jan 2014 03:33:08 GMT',
      bodyHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      lastFetchAt: '2024-06-01T10:00:00.000Z',
    });

    const second = await pollFeed(fetcher, source(srv), first.state, clock);
    expect(second).toEqual({ kind: 'not-modified', state: { ...first.state, lastFetchAt: '2024-06-01T10:05:00.000Z' } });
    expect(srv.requests[1]?.headers['if-modified-since']).toBe('Thu, 23 Jan 2014 03:33:08 GMT');

    honour304 = false;
    const third = await pollFeed(fetcher, source(srv), second.state, clock);
    expect(third).toEqual({ kind: 'unchanged', state: { ...first.state, lastFetchAt: '2024-06-01T10:10:00.000Z' } });
    expect(srv.requests).toHaveLength(3);
  });

  it('resolves relative links against the final URL after a redirect', async () => {
    const srv = await startServer((req, res) => {
      if (req.url === '/old') {
        res.writeHead(301, { location: '/new/feed.xml' });
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/atom+xml' });
      res.end('<feed xmlns="http://www.w3.org/2005/Atom"><title>R</title><entry><id>1</id><title>One</title><link href="item/1"/></entry></feed>');
    });
    const fetcher = createSafeFetcher({ ...DEFAULT_FETCH_POLICY, allowCidrs: ['127.0.0.1/32'] });
    cleanups.push(() => srv.close(), () => fetcher.close());
    const poll = await pollFeed(fetcher, source(srv, '/old'), EMPTY_STATE);
    expect(poll.kind === 'parsed' && poll.feed.items.map((i) => i.url)).toEqual([`${srv.origin}/new/item/1`]);
  });

  it('with a memo, parses only the new items of a changed feed, and can still parse it whole', async () => {
    const item = (id: string) => `<item><title>Story ${id}</title><link>/a/${id}</link><guid>${id}</guid><description>About ${id}</description></item>`;
    const feed = (items: string) => `<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>${items}</channel></rss>`;
    let body = '';
    const srv = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml; charset=iso-8859-1' });
      res.end(Buffer.from(body, 'latin1'));
    });
    const fetcher = createSafeFetcher({ ...DEFAULT_FETCH_POLICY, allowCidrs: ['127.0.0.1/32'], perHostSpacingMs: 0 });
    cleanups.push(() => srv.close(), () => fetcher.close());
    // The slot of source 'oren' in a map that also holds another source's memo, as the pipeline keeps them.
    const other: FeedMemo = { url: 'http://other.example/feed.xml', hashes: new Uint32Array(4), keys: 'x' };
    const memos = new Map<string, FeedMemo>([['other', other]]);
    const slot = new MapMemoSlot(memos, 'oren');

    body = feed(item('a') + item('b'));
    const first = await pollFeed(fetcher, source(srv), EMPTY_STATE, undefined, slot);
    expect(first.kind === 'parsed' && first.partial).toBe(undefined);
    expect(slot.get()?.keys).toBe('a\u0000b');
    expect(memos.get('oren')).toBe(slot.get());

    body = feed(item('c') + item('a') + item('b'));
    const second = await pollFeed(fetcher, source(srv), first.state, undefined, slot);
    if (second.kind !== 'parsed' || second.partial === undefined) throw new Error(`expected a partial parse, got ${second.kind}`);
    expect(second.partial.keys).toEqual(['c', 'a', 'b']);
    expect(second.feed.items.map((i) => i.key)).toEqual(['c']);
    expect(second.feed.items[0]).toMatchObject({ title: 'Story c', url: `${srv.origin}/a/c`, summary: 'About c' });
    expect(second.feed).toMatchObject({ title: 'Wire', idField: 'guid', encoding: 'windows-1252' });
    const whole = await second.partial.complete();
    expect(whole).toEqual({ ...parseFeed(body, { sourceId: 'oren', url: `${srv.origin}/feed.xml` }), encoding: 'windows-1252' });
    expect(whole.items.find((i) => i.key === 'c')).toEqual(second.feed.items[0]);
    expect(slot.get()?.keys).toBe('c\u0000a\u0000b');

    // A body that does not parse forgets the memo: the next good one is parsed whole.
    body = '<!DOCTYPE html><html><body>moved</body></html>';
    await expect(pollFeed(fetcher, source(srv), second.state, undefined, slot)).rejects.toMatchObject({ code: 'parse_failed' });
    expect(slot.get()).toBeUndefined();
    expect([...memos.keys()]).toEqual(['other']);
    expect(memos.get('other')).toBe(other);
    body = feed(item('d') + item('c') + item('a'));
    const fourth = await pollFeed(fetcher, source(srv), second.state, undefined, slot);
    expect(fourth.kind === 'parsed' && fourth.partial === undefined && fourth.feed.items.map((i) => i.key)).toEqual(['d', 'c', 'a']);
  });

  it('propagates typed errors', async () => {
    const srv = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!DOCTYPE html><html><body>hi</body></html>');
    });
    const fetcher = createSafeFetcher({ ...DEFAULT_FETCH_POLICY, allowCidrs: ['127.0.0.1/32'] });
    cleanups.push(() => srv.close(), () => fetcher.close());
    await expect(pollFeed(fetcher, source(srv), EMPTY_STATE)).rejects.toThrow(new WirewatchError('parse_failed', 'not a feed: looks like an HTML page'));
    const refusing = createSafeFetcher(DEFAULT_FETCH_POLICY);
    cleanups.push(() => refusing.close());
    await expect(pollFeed(refusing, source(srv), EMPTY_STATE)).rejects.toMatchObject({ code: 'fetch_refused' });
  });
});
