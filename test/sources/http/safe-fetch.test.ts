import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { createSafeFetcher, DEFAULT_FETCH_POLICY, parseCidrList, type FetchPolicy, type SafeFetcher } from '../../../src/sources/http/safe-fetch.js';
import { HttpStatusError } from '../../../src/sources/http/http-errors.js';
import { RateLimitedError } from '../../../src/errors.js';
import { startServer, type Handler } from '../local-server.js';
import { cleanupList, serverStarter, failure, fakeLookup, makeFetcher } from './helpers.js';

const cleanups = cleanupList();
afterEach(() => cleanups.run());

const server = serverStarter(cleanups);

function fetcher(policy: Partial<FetchPolicy> = {}): SafeFetcher {
  return makeFetcher(cleanups, policy);
}

const VERSION = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const feedHandler: Handler = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', etag: '"v1"', 'last-modified': 'Wed, 01 May 2024 00:00:00 GMT' });
  res.end('<rss/>');
};

describe('address checks', () => {
  it('refuses loopback without an allow-list, naming the address and its range', async () => {
    const srv = await server(feedHandler);
    const err = await failure(fetcher({ allowCidrs: [] }).fetch(`${srv.origin}/x?token=secret`));
    expect(err.code).toBe('fetch_refused');
    expect(err.message).toBe(`refused ${srv.origin}/x: 127.0.0.1 is a loopback address (add it to WIREWATCH_FETCH_ALLOW to allow it)`);
    expect(srv.requests).toHaveLength(0);
  });

  it('fetches an allowed address', async () => {
    const srv = await server(feedHandler);
    const res = await fetcher().fetch(`${srv.origin}/feed.xml`);
    expect(res).toEqual({
      status: 'ok',
      url: `${srv.origin}/feed.xml`,
      body: new Uint8Array(Buffer.from('<rss/>')),
      contentType: 'application/rss+xml; charset=utf-8',
      etag: '"v1"',
      lastModified: 'Wed, 01 May 2024 00:00:00 GMT',
    });
    expect(srv.requests[0]?.headers['user-agent']).toBe(`wirewatch/${VERSION} (+https://github.com/wirewatch/wirewatch)`);
  });

  it('refuses a name that resolves to loopback', async () => {
    const srv = await server(feedHandler);
    const err = await failure(fetcher({ allowCidrs: [] }).fetch(`http://localhost:${srv.port}/feed`));
    expect(err.code).toBe('fetch_refused');
    expect(err.message).toMatch(new RegExp(`^refused http://localhost:${srv.port}/feed: localhost resolves to (127\\.0\\.0\\.1|::1), a loopback address \\(add it to WIREWATCH_FETCH_ALLOW`));
    expect(srv.requests).toHaveLength(0);
  });

  it('fetches a name whose every address is allowed', async () => {
    // A fake resolver: on many machines localhost also resolves to ::1, which 127.0.0.1/32 does not allow.
    const srv = await server(feedHandler);
    const res = await fetcher({ lookup: fakeLookup({ 'feeds.test': ['127.0.0.1'] }) }).fetch(`http://feeds.test:${srv.port}/feed`);
    expect(res).toMatchObject({ status: 'ok', url: `http://feeds.test:${srv.port}/feed` });
    expect(srv.requests).toHaveLength(1);
  });

  it.each([
    ['http://10.0.0.1/feed', '10.0.0.1 is a private address'],
    ['http://169.254.169.254/latest/meta-data/?x=1', '169.254.169.254 is a link-local address'],
    ['http://100.64.0.1/', '100.64.0.1 is a carrier-grade NAT address'],
    ['http://[fd00::1]/', 'fd00::1 is a unique-local address'],
    ['http://0.0.0.0/', '0.0.0.0 is an unspecified address'],
  ])('refuses %s before connecting', async (url, reason) => {
    const err = await failure(fetcher().fetch(url));
    expect(err.code).toBe('fetch_refused');
    expect(err.message).toContain(reason);
    expect(err.message).not.toContain('?');
  });

  it.each(['2130706433', '0x7f.1'])('reads %s as 127.0.0.1: allowed by 127.0.0.1/32', async (host) => {
    const srv = await server(feedHandler);
    const res = await fetcher().fetch(`http://${host}:${srv.port}/feed`);
    expect(res).toMatchObject({ status: 'ok', url: `http://127.0.0.1:${srv.port}/feed` });
    expect(srv.requests).toHaveLength(1);
  });

  it('refuses a URL at every fetch, not only the first (a URL is checked again until it passes once)', async () => {
    const srv = await server(feedHandler);
    const f = fetcher({ allowCidrs: [] });
    for (let i = 0; i < 3; i++) expect((await failure(f.fetch(`${srv.origin}/feed`))).code).toBe('fetch_refused');
    const scheme = fetcher();
    for (let i = 0; i < 3; i++) expect((await failure(scheme.fetch('ftp://127.0.0.1/feed'))).code).toBe('fetch_refused');
    expect(srv.requests).toHaveLength(0);
  });

  it('refuses 127.0.0.2 when only 127.0.0.1/32 is allowed', async () => {
    const err = await failure(fetcher().fetch('http://127.0.0.2:8080/feed'));
    expect(err.message).toBe('refused http://127.0.0.2:8080/feed: 127.0.0.2 is a loopback address (add it to WIREWATCH_FETCH_ALLOW to allow it)');
  });

  it.each(['2130706433', '0x7f.1', '[::ffff:127.0.0.1]'])('reads %s as 127.0.0.1: refused without an allow-list, before connecting', async (host) => {
    const srv = await server(feedHandler);
    const err = await failure(fetcher({ allowCidrs: [] }).fetch(`http://${host}:${srv.port}/`));
    expect(err.code).toBe('fetch_refused');
    expect(err.message).toContain('127.0.0.1 is a loopback address');
    expect(srv.requests).toHaveLength(0);
  });

  it('refuses schemes other than http and https', async () => {
    for (const url of ['file:///etc/passwd', 'ftp://127.0.0.1/feed', 'gopher://127.0.0.1/']) {
      const err = await failure(fetcher().fetch(url));
      expect(err.code).toBe('fetch_refused');
      expect(err.message).toMatch(/only http and https URLs are fetched$/);
    }
    expect((await failure(fetcher().fetch('not a url'))).code).toBe('fetch_refused');
  });
});

describe('redirects', () => {
  it('follows a redirect inside the allow-list and reports the final URL', async () => {
    const srv = await server((req, res) => {
      if (req.url === '/old') {
        res.writeHead(301, { location: '/new' });
        res.end();
      } else feedHandler(req, res);
    });
    const res = await fetcher().fetch(`${srv.origin}/old`);
    expect(res).toMatchObject({ status: 'ok', url: `${srv.origin}/new` });
  });

  it.each([
    ['127.0.0.2', '127.0.0.2 is a loopback address'],
    ['[::1]', '::1 is a loopback address'],
    ['169.254.169.254', '169.254.169.254 is a link-local address'],
  ])('refuses a redirect to %s', async (host, reason) => {
    let port = 0;
    const srv = await server((_req, res) => {
      res.writeHead(302, { location: `http://${host}:${port}/next` });
      res.end();
    });
    port = srv.port;
    const err = await failure(fetcher().fetch(`${srv.origin}/start`));
    expect(err.code).toBe('fetch_refused');
    expect(err.message).toBe(`refused http://${host}:${port}/next: ${reason} (add it to WIREWATCH_FETCH_ALLOW to allow it)`);
    expect(srv.requests).toHaveLength(1);
  });

  it('stops a redirect loop after maxRedirects', async () => {
    const srv = await server((req, res) => {
      res.writeHead(302, { location: `/loop${req.url}` });
      res.end();
    });
    const err = await failure(fetcher().fetch(`${srv.origin}/a`));
    expect(err.code).toBe('fetch_failed');
    expect(err.message).toMatch(/^too many redirects \(more than 5\) fetching http:\/\/127\.0\.0\.1:\d+\/loop\/loop\/loop\/loop\/loop\/a$/);
    expect(srv.requests).toHaveLength(6);
  });
});

describe('caps and timeouts', () => {
  it('refuses a body over the cap, with and without Content-Length', async () => {
    const big = Buffer.alloc(64 * 1024, 'a');
    const srv = await server((req, res) => {
      if (req.url === '/chunked') {
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.write(big);
        res.end(big);
      } else {
        res.writeHead(200, { 'content-length': String(big.length) });
        res.end(big);
      }
    });
    const f = fetcher({ maxBytes: 32 * 1024 });
    for (const path of ['/sized', '/chunked']) {
      const err = await failure(f.fetch(`${srv.origin}${path}`));
      expect(err.code).toBe('fetch_too_large');
      expect(err.message).toBe(`body of ${srv.origin}${path} is larger than 32768 bytes`);
    }
    const ok = await fetcher({ maxBytes: 64 * 1024 }).fetch(`${srv.origin}/sized`);
    expect(ok.status === 'ok' && ok.body.byteLength).toBe(64 * 1024);
  });

  it('counts decoded bytes: a small gzip bomb is stopped, a small gzip body is decoded', async () => {
    const bomb = gzipSync(Buffer.alloc(4 * 1024 * 1024));
    const small = gzipSync(Buffer.from('<rss>hello</rss>'));
    expect(bomb.length).toBeLessThan(16 * 1024);
    const srv = await server((req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'text/xml' });
      res.end(req.url === '/bomb' ? bomb : small);
    });
    const f = fetcher({ maxBytes: 256 * 1024 });
    const err = await failure(f.fetch(`${srv.origin}/bomb`));
    expect(err.code).toBe('fetch_too_large');
    const res = await f.fetch(`${srv.origin}/small`);
    expect(res.status === 'ok' && Buffer.from(res.body).toString('utf8')).toBe('<rss>hello</rss>');
    expect(srv.requests[0]?.headers['accept-encoding']).toContain('gzip');
  });

  it('times out a server that never answers', async () => {
    const srv = await server(() => {
      // never respond
    });
    const err = await failure(fetcher({ timeoutMs: 300 }).fetch(`${srv.origin}/slow?k=v`));
    expect(err.code).toBe('fetch_timeout');
    expect(err.message).toBe(`timed out after 300 ms fetching ${srv.origin}/slow`);
  });

  it('times out a body that stalls', async () => {
    const srv = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.write('<rss>');
    });
    const err = await failure(fetcher({ timeoutMs: 300 }).fetch(`${srv.origin}/stall`));
    expect(err.code).toBe('fetch_timeout');
  });
});

describe('status handling', () => {
  it('sends validators and maps 304 to not-modified', async () => {
    const srv = await server((req, res) => {
      if (req.headers['if-none-match'] === '"v1"' && req.headers['if-modified-since'] === 'Wed, 01 May 2024 00:00:00 GMT') {
        res.writeHead(304);
        res.end();
      } else feedHandler(req, res);
    });
    const f = fetcher();
    const first = await f.fetch(`${srv.origin}/feed`);
    expect(first.status).toBe('ok');
    if (first.status !== 'ok') return;
    const second = await f.fetch(`${srv.origin}/feed`, { etag: first.etag, lastModified: first.lastModified });
    expect(second).toEqual({ status: 'not-modified', url: `${srv.origin}/feed` });
    expect(srv.requests[0]?.headers['if-none-match']).toBeUndefined();
  });

  it('maps 503 to http_status without the query string', async () => {
    const srv = await server((_req, res) => {
      res.writeHead(503);
      res.end('down');
    });
    const err = await failure(fetcher().fetch(`${srv.origin}/x?api_key=secret`));
    expect(err.code).toBe('http_status');
    expect(err.message).toBe(`HTTP 503 from ${srv.origin}/x`);
    expect(err).toBeInstanceOf(HttpStatusError);
    expect((err as HttpStatusError).status).toBe(503);
    expect((err as HttpStatusError).retryAfterMs).toBeUndefined();
  });

  it('keeps the status of other failures (404, 410) for the caller', async () => {
    const srv = await server((req, res) => {
      res.writeHead(req.url === '/gone' ? 410 : 404);
      res.end();
    });
    for (const [path, status] of [['/gone', 410], ['/missing', 404]] as const) {
      const err = await failure(fetcher().fetch(`${srv.origin}${path}`));
      expect(err).toBeInstanceOf(HttpStatusError);
      expect((err as HttpStatusError).status).toBe(status);
    }
  });

  it('maps 429 to RateLimitedError with Retry-After in ms', async () => {
    const srv = await server((req, res) => {
      res.writeHead(429, { 'retry-after': req.url === '/date' ? 'Wed, 21 Oct 2015 07:28:00 GMT' : '7' });
      res.end();
    });
    const err = await failure(fetcher().fetch(`${srv.origin}/seconds`));
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(err.code).toBe('rate_limited');
    expect((err as RateLimitedError).retryAfterMs).toBe(7000);
    const past = await failure(fetcher().fetch(`${srv.origin}/date`));
    expect((past as RateLimitedError).retryAfterMs).toBe(0);
  });

  it('maps a refused connection to fetch_failed', async () => {
    const srv = await startServer(feedHandler);
    await srv.close();
    const err = await failure(fetcher().fetch(`${srv.origin}/gone`));
    expect(err.code).toBe('fetch_failed');
    expect(err.message).toMatch(new RegExp(`^could not fetch ${srv.origin}/gone: `));
  });
});

describe('parseCidrList', () => {
  it('normalises ranges and bare addresses and lists every bad entry', () => {
    expect(parseCidrList('127.0.0.1/32, ::1/128 10.1.2.3')).toEqual({ cidrs: ['127.0.0.1/32', '::1/128', '10.1.2.3/32'], errors: [] });
    expect(parseCidrList('')).toEqual({ cidrs: [], errors: [] });
    const bad = parseCidrList('127.0.0.1/33,localhost, 192.168.0.0/16');
    expect(bad.cidrs).toEqual(['192.168.0.0/16']);
    expect(bad.errors).toEqual([
      '"127.0.0.1/33" is not an IP range (write it as 127.0.0.1/32 or ::1/128)',
      '"localhost" is not an IP range (write it as 127.0.0.1/32 or ::1/128)',
    ]);
  });

  it('makes createSafeFetcher refuse a bad allow-list', () => {
    expect(() => createSafeFetcher({ ...DEFAULT_FETCH_POLICY, allowCidrs: ['nope'] })).toThrow(/invalid fetch allow-list/);
  });

  it('makes createSafeFetcher refuse a contact that cannot go in a header, and bad per-host limits', () => {
    for (const contact of ['ops@example.com\r\nX-Evil: 1', 'ops (at) example', '', 'ops@exämple.com']) {
      expect(() => createSafeFetcher({ ...DEFAULT_FETCH_POLICY, contact })).toThrow(/invalid contact/);
    }
    expect(() => createSafeFetcher({ ...DEFAULT_FETCH_POLICY, perHostConcurrency: 0 })).toThrow(/perHostConcurrency/);
    expect(() => createSafeFetcher({ ...DEFAULT_FETCH_POLICY, perHostSpacingMs: -1 })).toThrow(/perHostSpacingMs/);
  });
});
