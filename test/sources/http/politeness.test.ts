// Politeness toward the hosts we poll: per-host concurrency and spacing (redirect hops included),
// Retry-After on 429 and 503 (seconds and HTTP-date), and a User-Agent that says who we are.
// Assertions are on what the server saw (how many at once, start times as lower bounds), never on
// how fast anything went.
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { RateLimitedError } from '../../../src/errors.js';
import { fetchErrorCode } from '../../../src/sources/http/error-code.js';
import { HttpStatusError, retryAfterOf } from '../../../src/sources/http/http-errors.js';
import { cleanupList, serverStarter, failure, fakeLookup, makeFetcher } from './helpers.js';

const cleanups = cleanupList();
afterEach(() => cleanups.run());

/** Timers may fire a millisecond or two early relative to Date.now(); lower bounds allow this much. */
const SLACK_MS = 15;

const server = serverStarter(cleanups);

/** A server that holds each request `holdMs` and records how many were in flight at once, overall and per Host header. */
async function countingServer(holdMs: number) {
  let inFlight = 0;
  const perHost = new Map<string, number>();
  const stats = { max: 0, maxPerHost: new Map<string, number>(), starts: [] as { host: string; url: string; at: number }[] };
  const srv = await server((req: IncomingMessage, res: ServerResponse) => {
    const host = req.headers.host?.split(':')[0] ?? '';
    stats.starts.push({ host, url: req.url ?? '', at: Date.now() });
    if (req.url?.startsWith('/hop')) {
      // Redirects at once, so the hop arrives while the other host is still busy.
      res.writeHead(302, { location: `http://b.test:${srv.port}/landed` });
      res.end();
      return;
    }
    inFlight++;
    perHost.set(host, (perHost.get(host) ?? 0) + 1);
    stats.max = Math.max(stats.max, inFlight);
    stats.maxPerHost.set(host, Math.max(stats.maxPerHost.get(host) ?? 0, perHost.get(host) ?? 0));
    setTimeout(() => {
      inFlight--;
      perHost.set(host, (perHost.get(host) ?? 1) - 1);
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end('<rss/>');
    }, holdMs);
  });
  return { srv, stats };
}

function gaps(times: number[]): number[] {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted.slice(1).map((t, i) => t - (sorted[i] ?? t));
}

describe('per-host concurrency', () => {
  it.each([1, 2, 3])('never has more than %i requests in flight to one host', async (limit) => {
    const { srv, stats } = await countingServer(80);
    const fetcher = makeFetcher(cleanups, { perHostConcurrency: limit });
    const results = await Promise.all(Array.from({ length: 7 }, (_, i) => fetcher.fetch(`${srv.origin}/f${i}`)));
    expect(results.every((r) => r.status === 'ok')).toBe(true);
    expect(stats.starts).toHaveLength(7);
    // Seven requests held 80 ms each: the limit is reached, and never passed.
    expect(stats.max).toBe(limit);
  });

  it('limits each host separately: two hosts at concurrency 1 have one request each in flight', async () => {
    const { srv, stats } = await countingServer(100);
    const lookup = fakeLookup({ 'a.test': ['127.0.0.1'], 'b.test': ['127.0.0.1'] });
    const fetcher = makeFetcher(cleanups, { perHostConcurrency: 1, lookup });
    await Promise.all(['a.test', 'b.test', 'a.test', 'b.test'].map((h, i) => fetcher.fetch(`http://${h}:${srv.port}/f${i}`)));
    expect(stats.maxPerHost.get('a.test')).toBe(1);
    expect(stats.maxPerHost.get('b.test')).toBe(1);
    expect(stats.max).toBe(2);
  });

  it("sends a redirect hop to another host through that host's queue", async () => {
    const { srv, stats } = await countingServer(300);
    const lookup = fakeLookup({ 'a.test': ['127.0.0.1'], 'b.test': ['127.0.0.1'] });
    const fetcher = makeFetcher(cleanups, { perHostConcurrency: 1, lookup });
    // b.test is busy with /direct while a.test redirects to b.test: the hop must wait its turn.
    const [direct, redirected] = await Promise.all([fetcher.fetch(`http://b.test:${srv.port}/direct`), fetcher.fetch(`http://a.test:${srv.port}/hop`)]);
    expect(direct.status).toBe('ok');
    expect(redirected).toMatchObject({ status: 'ok', url: `http://b.test:${srv.port}/landed` });
    expect(stats.starts.map((s) => `${s.host}${s.url}`).sort()).toEqual(['a.test/hop', 'b.test/direct', 'b.test/landed']);
    expect(stats.maxPerHost.get('b.test')).toBe(1);
  });
});

describe('per-host spacing', () => {
  it('starts requests to one host at least perHostSpacingMs apart, even with free slots', async () => {
    const { srv, stats } = await countingServer(0);
    const fetcher = makeFetcher(cleanups, { perHostConcurrency: 2, perHostSpacingMs: 150 });
    await Promise.all(Array.from({ length: 4 }, (_, i) => fetcher.fetch(`${srv.origin}/s${i}`)));
    const between = gaps(stats.starts.map((s) => s.at));
    expect(between).toHaveLength(3);
    for (const gap of between) expect(gap).toBeGreaterThanOrEqual(150 - SLACK_MS);
  });

  it('spaces fetches made one after another, and a redirect hop back to the same host', async () => {
    const starts: { url: string; at: number }[] = [];
    const srv = await server((req, res) => {
      starts.push({ url: req.url ?? '', at: Date.now() });
      if (req.url === '/moved') {
        res.writeHead(301, { location: '/feed' });
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end('<rss/>');
    });
    const fetcher = makeFetcher(cleanups, { perHostSpacingMs: 150 });
    await fetcher.fetch(`${srv.origin}/feed`);
    await fetcher.fetch(`${srv.origin}/moved`);
    expect(starts.map((s) => s.url)).toEqual(['/feed', '/moved', '/feed']);
    for (const gap of gaps(starts.map((s) => s.at))) expect(gap).toBeGreaterThanOrEqual(150 - SLACK_MS);
  });
});

/** A server answering `first` (status and headers) to the first request and 200 afterwards, recording start times. */
async function retryServer(status: number, headers: Record<string, string>) {
  const starts: number[] = [];
  const srv = await server((_req, res) => {
    starts.push(Date.now());
    if (starts.length === 1) {
      res.writeHead(status, headers);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/xml' });
    res.end('<rss/>');
  });
  return { srv, starts };
}

describe('Retry-After', () => {
  it('429 with seconds: RateLimitedError, and the next fetch to that host waits until then', async () => {
    const { srv, starts } = await retryServer(429, { 'retry-after': '1' });
    const fetcher = makeFetcher(cleanups, { timeoutMs: 5000 });
    const err = await failure(fetcher.fetch(`${srv.origin}/feed`));
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(fetchErrorCode(err)).toBe('rate_limited');
    expect(retryAfterOf(err)).toBe(1000);
    expect((await fetcher.fetch(`${srv.origin}/feed`)).status).toBe('ok');
    expect(starts).toHaveLength(2);
    expect((starts[1] ?? 0) - (starts[0] ?? 0)).toBeGreaterThanOrEqual(1000 - SLACK_MS);
  });

  it('429 with an HTTP-date: the wait runs to that date', async () => {
    const until = new Date(Date.now() + 2000);
    const header = until.toUTCString();
    const { srv, starts } = await retryServer(429, { 'retry-after': header });
    const fetcher = makeFetcher(cleanups, { timeoutMs: 5000 });
    const err = await failure(fetcher.fetch(`${srv.origin}/feed`));
    const waitMs = retryAfterOf(err) ?? -1;
    // The date has whole seconds: it lies between 1 and 2 s ahead.
    expect(waitMs).toBeGreaterThan(0);
    expect(waitMs).toBeLessThanOrEqual(2000);
    await fetcher.fetch(`${srv.origin}/feed`);
    expect(starts[1]).toBeGreaterThanOrEqual(Date.parse(header) - SLACK_MS);
  });

  it.each([
    ['seconds', () => '1'],
    ['an HTTP-date', () => new Date(Date.now() + 1500).toUTCString()],
  ])('503 with %s: HttpStatusError carrying retryAfterMs, and the host is held', async (_label, header) => {
    const value = header();
    const { srv, starts } = await retryServer(503, { 'retry-after': value });
    const fetcher = makeFetcher(cleanups, { timeoutMs: 5000 });
    const err = await failure(fetcher.fetch(`${srv.origin}/feed`));
    expect(err).toBeInstanceOf(HttpStatusError);
    expect(err.code).toBe('http_status');
    expect(fetchErrorCode(err)).toBe('http_status');
    expect((err as HttpStatusError).status).toBe(503);
    const waitMs = retryAfterOf(err) ?? -1;
    expect(waitMs).toBeGreaterThan(0);
    expect(waitMs).toBeLessThanOrEqual(1500);
    await fetcher.fetch(`${srv.origin}/feed`);
    expect((starts[1] ?? 0) - (starts[0] ?? 0)).toBeGreaterThanOrEqual(waitMs - SLACK_MS);
  });

  it('fails fast, without contacting the host, when the wait is longer than the overall timeout; other hosts go on', async () => {
    const { srv, starts } = await retryServer(429, { 'retry-after': '120' });
    const lookup = fakeLookup({ 'other.test': ['127.0.0.1'] });
    const fetcher = makeFetcher(cleanups, { timeoutMs: 1000, lookup });
    expect(retryAfterOf(await failure(fetcher.fetch(`${srv.origin}/feed`)))).toBe(120_000);
    const again = await failure(fetcher.fetch(`${srv.origin}/other-feed`));
    expect(again).toBeInstanceOf(RateLimitedError);
    expect(again.message).toMatch(/^127\.0\.0\.1 answered HTTP 429: not fetching from it for 1[12]\d s more$/);
    const remaining = retryAfterOf(again) ?? 0;
    expect(remaining).toBeGreaterThan(110_000);
    expect(remaining).toBeLessThanOrEqual(120_000);
    expect(starts).toHaveLength(1);
    expect((await fetcher.fetch(`http://other.test:${srv.port}/feed`)).status).toBe('ok');
    expect(starts).toHaveLength(2);
  });

  it('a held 503 host fails fast with HttpStatusError(503)', async () => {
    const { srv, starts } = await retryServer(503, { 'retry-after': '300' });
    const fetcher = makeFetcher(cleanups, { timeoutMs: 1000 });
    await failure(fetcher.fetch(`${srv.origin}/feed`));
    const again = await failure(fetcher.fetch(`${srv.origin}/feed`));
    expect(again).toBeInstanceOf(HttpStatusError);
    expect((again as HttpStatusError).status).toBe(503);
    expect(retryAfterOf(again)).toBeGreaterThan(290_000);
    expect(starts).toHaveLength(1);
  });

  it('caps a huge Retry-After at maxRetryAfterMs, and reads a 429 without one as 60 s', async () => {
    const huge = await retryServer(429, { 'retry-after': '999999999' });
    expect(retryAfterOf(await failure(makeFetcher(cleanups).fetch(`${huge.srv.origin}/`)))).toBe(10 * 60_000);
    const huge2 = await retryServer(429, { 'retry-after': '999999999' });
    expect(retryAfterOf(await failure(makeFetcher(cleanups, { maxRetryAfterMs: 5000 }).fetch(`${huge2.srv.origin}/`)))).toBe(5000);
    const bare = await retryServer(429, {});
    expect(retryAfterOf(await failure(makeFetcher(cleanups).fetch(`${bare.srv.origin}/`)))).toBe(60_000);
  });

  it('a 503 without Retry-After does not hold the host', async () => {
    const { srv, starts } = await retryServer(503, {});
    const fetcher = makeFetcher(cleanups, { timeoutMs: 1000 });
    const err = await failure(fetcher.fetch(`${srv.origin}/feed`));
    expect(retryAfterOf(err)).toBeUndefined();
    expect((await fetcher.fetch(`${srv.origin}/feed`)).status).toBe('ok');
    expect(starts).toHaveLength(2);
  });
});

describe('User-Agent', () => {
  const version = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

  it('names the operator when a contact is configured, on every hop', async () => {
    const srv = await server((req, res) => {
      if (req.url === '/old') {
        res.writeHead(301, { location: '/new' });
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end('<rss/>');
    });
    const fetcher = makeFetcher(cleanups, { contact: 'mailto:ops@example.com' });
    expect(fetcher.contact).toBe('mailto:ops@example.com');
    await fetcher.fetch(`${srv.origin}/old`);
    expect(srv.requests.map((r) => r.headers['user-agent'])).toEqual([
      `wirewatch/${version} (+mailto:ops@example.com)`,
      `wirewatch/${version} (+mailto:ops@example.com)`,
    ]);
    expect(fetcher.userAgent).toBe(`wirewatch/${version} (+mailto:ops@example.com)`);
  });

  it('points at the project without a contact', async () => {
    const srv = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end('<rss/>');
    });
    const fetcher = makeFetcher(cleanups, { contact: undefined });
    expect(fetcher.contact).toBeUndefined();
    await fetcher.fetch(`${srv.origin}/feed`);
    expect(srv.requests[0]?.headers['user-agent']).toBe(`wirewatch/${version} (+https://github.com/wirewatch/wirewatch)`);
  });
});
