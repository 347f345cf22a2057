// Connections: kept open and reused across answers of every kind (a poll is mostly 304s, and a
// moved feed is a redirect on every poll), and dropped when a server keeps sending what we do
// not want. Connections are told apart by the client's port as the server sees it.
import { afterEach, describe, expect, it } from 'vitest';
import { HttpStatusError } from '../../../src/sources/http/http-errors.js';
import { startServer, type Handler, type LocalServer } from '../local-server.js';
import { cleanupList, failure, makeFetcher } from './helpers.js';

const cleanups = cleanupList();
afterEach(() => cleanups.run());

/** A server that also records the client port of every request (one port = one connection). */
async function server(handler: Handler): Promise<LocalServer & { ports: number[] }> {
  const ports: number[] = [];
  const srv = await startServer((req, res) => {
    ports.push(req.socket.remotePort ?? 0);
    handler(req, res);
  });
  cleanups.add(() => srv.close());
  return { ...srv, ports };
}

describe('keep-alive', () => {
  it('reuses one connection (one request at a time per host) for a 200, a 304, a redirect with a body, and a 404 with a body', async () => {
    const srv = await server((req, res) => {
      if (req.url === '/moved') {
        res.writeHead(301, { location: '/feed', 'content-type': 'text/html' });
        res.end('<html><body>Moved to <a href="/feed">/feed</a></body></html>');
      } else if (req.url === '/missing') {
        res.writeHead(404, { 'content-type': 'text/html' });
        res.end('<html><body>Not found</body></html>');
      } else if (req.headers['if-none-match'] === '"v1"') {
        res.writeHead(304, { etag: '"v1"' });
        res.end();
      } else {
        res.writeHead(200, { 'content-type': 'application/rss+xml', etag: '"v1"' });
        res.end('<rss/>');
      }
    });
    const fetcher = makeFetcher(cleanups, { perHostConcurrency: 1 });
    expect((await fetcher.fetch(`${srv.origin}/feed`)).status).toBe('ok');
    expect(await fetcher.fetch(`${srv.origin}/feed`, { etag: '"v1"' })).toEqual({ status: 'not-modified', url: `${srv.origin}/feed` });
    expect(await fetcher.fetch(`${srv.origin}/moved`)).toMatchObject({ status: 'ok', url: `${srv.origin}/feed` });
    expect(((await failure(fetcher.fetch(`${srv.origin}/missing`))) as HttpStatusError).status).toBe(404);
    expect((await fetcher.fetch(`${srv.origin}/feed`)).status).toBe('ok');
    expect(srv.requests.map((r) => r.url)).toEqual(['/feed', '/feed', '/moved', '/feed', '/missing', '/feed']);
    expect(new Set(srv.ports).size).toBe(1);
  });

  it('opens no more connections to a host than requests it may have in flight', async () => {
    const srv = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end('<rss/>');
    });
    const fetcher = makeFetcher(cleanups, { perHostConcurrency: 2 });
    for (let i = 0; i < 10; i++) await fetcher.fetch(`${srv.origin}/one-by-one`);
    await Promise.all(Array.from({ length: 30 }, () => fetcher.fetch(`${srv.origin}/together`)));
    expect(srv.requests).toHaveLength(40);
    expect(new Set(srv.ports).size).toBeLessThanOrEqual(2);
  });
});

describe('answers whose body is not wanted', () => {
  /** A server answering `status` and then sending a body that never ends; resolves when the client hangs up. */
  async function endless(status: number, headers: Record<string, string>) {
    let closed!: () => void;
    const connectionClosed = new Promise<void>((resolve) => (closed = resolve));
    const srv = await server((req, res) => {
      if (req.url === '/feed') {
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end('<rss/>');
        return;
      }
      res.writeHead(status, headers);
      res.write('<html>');
      const timer = setInterval(() => res.write('<p>more</p>'), 20);
      res.on('close', () => {
        clearInterval(timer);
        closed();
      });
    });
    return { srv, connectionClosed };
  }

  it('reports a 404 at once though its body never ends, and hangs up', async () => {
    const { srv, connectionClosed } = await endless(404, { 'content-type': 'text/html' });
    const err = await failure(makeFetcher(cleanups, { bodyTimeoutMs: 60_000, timeoutMs: 60_000 }).fetch(`${srv.origin}/missing`));
    expect(err).toBeInstanceOf(HttpStatusError);
    expect((err as HttpStatusError).status).toBe(404);
    await connectionClosed;
  });

  it('follows a redirect whose body never ends, on a new connection', async () => {
    const { srv, connectionClosed } = await endless(302, { location: '/feed' });
    const res = await makeFetcher(cleanups, { bodyTimeoutMs: 60_000, timeoutMs: 60_000 }).fetch(`${srv.origin}/start`);
    expect(res).toMatchObject({ status: 'ok', url: `${srv.origin}/feed` });
    await connectionClosed;
    expect(new Set(srv.ports).size).toBe(2);
  });
});

describe('odd answers', () => {
  it('skips informational answers (103 Early Hints) and reads the real one', async () => {
    const srv = await server((_req, res) => {
      res.writeEarlyHints({ link: '</style.css>; rel=preload; as=style' });
      res.writeHead(200, { 'content-type': 'text/xml', etag: '"e"' });
      res.end('<rss/>');
    });
    const res = await makeFetcher(cleanups).fetch(`${srv.origin}/feed`);
    expect(res).toMatchObject({ status: 'ok', etag: '"e"' });
    expect(res.status === 'ok' && Buffer.from(res.body).toString('utf8')).toBe('<rss/>');
  });

  it('joins a repeated header as WHATWG Headers would', async () => {
    const srv = await server((_req, res) => {
      res.setHeader('content-type', 'text/xml');
      res.setHeader('etag', ['"a"', '"b"']);
      res.writeHead(200);
      res.end('<rss/>');
    });
    expect(await makeFetcher(cleanups).fetch(`${srv.origin}/feed`)).toMatchObject({ status: 'ok', etag: '"a", "b"' });
  });

  it('fails a body cut off before its Content-Length, naming the URL without its query', async () => {
    const srv = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml', 'content-length': '1000' });
      res.write('<rss>');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const err = await failure(makeFetcher(cleanups).fetch(`${srv.origin}/cut?token=secret`));
    expect(err.code).toBe('fetch_failed');
    expect(err.message).toMatch(new RegExp(`^could not fetch ${srv.origin}/cut: `));
  });

  it('reads an empty 200 as an empty body', async () => {
    const srv = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml', 'content-encoding': 'gzip', 'content-length': '0' });
      res.end();
    });
    const res = await makeFetcher(cleanups).fetch(`${srv.origin}/empty`);
    expect(res.status === 'ok' && res.body.byteLength).toBe(0);
  });
});

describe('URLs with credentials', () => {
  it('fails them without sending anything or repeating the credentials, in the first URL or a redirect', async () => {
    const srv = await server((req, res) => {
      res.writeHead(302, { location: `http://user:hunter2@${req.headers.host ?? ''}/feed` });
      res.end();
    });
    const fetcher = makeFetcher(cleanups);
    const direct = await failure(fetcher.fetch(`http://user:hunter2@127.0.0.1:${srv.port}/feed`));
    expect(direct.code).toBe('fetch_failed');
    expect(direct.message).toBe(`could not fetch ${srv.origin}/feed: URLs with credentials are not fetched`);
    expect(srv.requests).toHaveLength(0);
    const redirected = await failure(fetcher.fetch(`${srv.origin}/start`));
    expect(redirected.message).not.toContain('hunter2');
    expect(srv.requests.map((r) => r.url)).toEqual(['/start']);
  });
});
