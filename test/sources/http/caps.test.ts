// Caps against hostile servers: decoded-byte cap (gzip and brotli bombs, a 50 MB body), header
// timeout, body timeout, the overall deadline (a slow drip), and redirect loops.
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FETCH_POLICY } from '../../../src/sources/http/safe-fetch.js';
import { fetchErrorCode } from '../../../src/sources/http/error-code.js';
import { cleanupList, serverStarter, failure, makeFetcher } from './helpers.js';

const cleanups = cleanupList();
afterEach(() => cleanups.run());

const server = serverStarter(cleanups);

const FIFTY_MB = 50 * 1024 * 1024;

describe('decoded-byte cap', () => {
  let gzipBomb: Buffer;
  let brotliBomb: Buffer;
  beforeAll(() => {
    const zeros = Buffer.alloc(FIFTY_MB);
    gzipBomb = gzipSync(zeros);
    brotliBomb = brotliCompressSync(zeros, { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } });
  });

  it.each([
    ['gzip', () => gzipBomb],
    ['br', () => brotliBomb],
  ])('stops a 50 MB %s bomb at the default 5 MiB cap', async (encoding, bomb) => {
    expect(bomb().length).toBeLessThan(100 * 1024);
    const srv = await server((_req, res) => {
      res.writeHead(200, { 'content-encoding': encoding, 'content-type': 'application/rss+xml' });
      res.end(bomb());
    });
    const err = await failure(makeFetcher(cleanups).fetch(`${srv.origin}/bomb.xml`));
    expect(err.code).toBe('fetch_too_large');
    expect(fetchErrorCode(err)).toBe('too_large');
    expect(err.message).toBe(`body of ${srv.origin}/bomb.xml is larger than ${DEFAULT_FETCH_POLICY.maxBytes} bytes`);
  });

  it.each([
    ['gzip', gzipSync],
    ['br', brotliCompressSync],
  ] as const)('decodes a small %s body', async (encoding, compress) => {
    const srv = await server((_req, res) => {
      res.writeHead(200, { 'content-encoding': encoding, 'content-type': 'text/xml' });
      res.end(compress(Buffer.from('<rss>hello</rss>')));
    });
    const res = await makeFetcher(cleanups).fetch(`${srv.origin}/small`);
    expect(res.status === 'ok' && Buffer.from(res.body).toString('utf8')).toBe('<rss>hello</rss>');
  });

  it('stops reading a 50 MB body without Content-Length at the cap: the server cannot push it all', async () => {
    let written = 0;
    let closed!: () => void;
    const connectionClosed = new Promise<void>((resolve) => (closed = resolve));
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const srv = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.on('close', closed);
      const pump = () => {
        while (written < FIFTY_MB && !res.destroyed) {
          written += chunk.length;
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
        if (!res.destroyed) res.end();
      };
      pump();
    });
    const err = await failure(makeFetcher(cleanups).fetch(`${srv.origin}/huge`));
    expect(err.code).toBe('fetch_too_large');
    await connectionClosed;
    expect(written).toBeLessThan(FIFTY_MB);
  });

  it('refuses a declared 50 MB body from its Content-Length, before reading it', async () => {
    let closed!: () => void;
    const connectionClosed = new Promise<void>((resolve) => (closed = resolve));
    const srv = await server((_req, res) => {
      res.writeHead(200, { 'content-length': String(FIFTY_MB), 'content-type': 'text/xml' });
      res.on('close', closed);
      res.write(Buffer.alloc(1024));
    });
    const err = await failure(makeFetcher(cleanups).fetch(`${srv.origin}/declared`));
    expect(err.code).toBe('fetch_too_large');
    await connectionClosed;
  });
});

describe('timeouts', () => {
  it('drops a server that never sends headers after headersTimeoutMs', async () => {
    const srv = await server(() => {
      // accept the request, never answer
    });
    const err = await failure(makeFetcher(cleanups, { headersTimeoutMs: 200, timeoutMs: 10_000 }).fetch(`${srv.origin}/silent?k=v`));
    expect(err.code).toBe('fetch_timeout');
    expect(fetchErrorCode(err)).toBe('timeout');
    expect(err.message).toBe(`no response headers from ${srv.origin}/silent within 200 ms`);
  });

  it('drops a body that goes silent after bodyTimeoutMs', async () => {
    const srv = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.write('<rss>');
    });
    const err = await failure(makeFetcher(cleanups, { bodyTimeoutMs: 200, timeoutMs: 10_000 }).fetch(`${srv.origin}/stall`));
    expect(err.code).toBe('fetch_timeout');
    expect(err.message).toBe(`body of ${srv.origin}/stall stalled for more than 200 ms`);
  });

  it('drops a slow drip by the overall deadline, though each byte comes before the body timeout', async () => {
    let closed!: () => void;
    const connectionClosed = new Promise<void>((resolve) => (closed = resolve));
    let sent = 0;
    const srv = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      const timer = setInterval(() => {
        sent++;
        res.write('x');
      }, 50);
      res.on('close', () => {
        clearInterval(timer);
        closed();
      });
    });
    const err = await failure(makeFetcher(cleanups, { headersTimeoutMs: 1000, bodyTimeoutMs: 1000, timeoutMs: 600 }).fetch(`${srv.origin}/drip`));
    expect(err.code).toBe('fetch_timeout');
    expect(err.message).toBe(`timed out after 600 ms fetching ${srv.origin}/drip`);
    await connectionClosed;
    expect(sent).toBeGreaterThan(2);
  });
});

describe('redirect limits', () => {
  it('ends a two-URL loop cleanly after 5 redirects', async () => {
    const srv = await server((req, res) => {
      res.writeHead(302, { location: req.url === '/a' ? '/b' : '/a' });
      res.end();
    });
    const err = await failure(makeFetcher(cleanups).fetch(`${srv.origin}/a`));
    expect(err.code).toBe('fetch_failed');
    expect(err.message).toBe(`too many redirects (more than 5) fetching ${srv.origin}/b`);
    expect(srv.requests.map((r) => r.url)).toEqual(['/a', '/b', '/a', '/b', '/a', '/b']);
  });

  it('follows exactly 5 redirects, and honours a lower maxRedirects', async () => {
    const srv = await server((req, res) => {
      const n = Number(req.url?.slice(1));
      if (n < 5) {
        res.writeHead(301, { location: `/${n + 1}` });
        res.end();
      } else {
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end('<rss/>');
      }
    });
    expect(await makeFetcher(cleanups).fetch(`${srv.origin}/0`)).toMatchObject({ status: 'ok', url: `${srv.origin}/5` });
    const err = await failure(makeFetcher(cleanups, { maxRedirects: 2 }).fetch(`${srv.origin}/0`));
    expect(err.message).toBe(`too many redirects (more than 2) fetching ${srv.origin}/2`);
  });

  it('reports a redirect without Location as http_status with the status', async () => {
    const srv = await server((_req, res) => {
      res.writeHead(302);
      res.end();
    });
    const err = await failure(makeFetcher(cleanups).fetch(`${srv.origin}/r`));
    expect(err.code).toBe('http_status');
    expect(err.message).toBe(`HTTP 302 without Location from ${srv.origin}/r`);
  });
});
