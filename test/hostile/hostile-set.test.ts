// The hostile set, end to end through pipeline.pollSource (memory store, the production fetcher
// with a fake resolver at its `lookup` seam): billion laughs, XXE, gzip and brotli bombs, a 50 MB
// body, slow servers, a redirect loop and 20 SSRF targets (IP literals in many notations, names
// resolving to loopback, a rebinding name, redirects into the private network), each a source.
// Every poll ends `failed` with a clear error, or — for the XML bombs — parses with nothing
// expanded and nothing read; no poll throws; a canary on 127.0.0.2 (and ::1) sees 0 hits.
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert, ChannelConfig, SourceConfig } from '../../src/domain.js';
import { createLogger } from '../../src/log.js';
import { createPipeline, type Pipeline, type PollReport } from '../../src/pipeline/poll-source.js';
import { createSafeFetcher, DEFAULT_FETCH_POLICY, type SafeFetcher } from '../../src/sources/http/safe-fetch.js';
import { createMemoryStore } from '../../src/store/memory-store.js';
import { startServer, type LocalServer } from '../sources/local-server.js';
import { fakeLookup, startCanary, type Canary } from '../sources/http/helpers.js';

const FIFTY_MB = 50 * 1024 * 1024;
const TIMEOUT_MS = 1500;

const channels: ChannelConfig[] = [{ id: 'desk', adapter: 'console', webhookUrl: undefined, topics: ['ai-chips', 'crypto'], watch: ['lol', 'root', 'canary', 'secret'] }];

const benign = (title: string) =>
  `<?xml version="1.0"?><rss version="2.0"><channel><title>${title}</title><item><guid>seed</guid><title>Seed item</title><link>http://127.0.0.1/seed</link></item></channel></rss>`;
const laughs = `<!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('')}]>`;
const withDoctype = (doctype: string, title: string, summary: string) =>
  `<?xml version="1.0"?>${doctype}<rss version="2.0"><channel><title>Bomb</title><item><guid>seed</guid><title>Seed item</title></item><item><guid>new</guid><title>lol ${title}</title><link>http://127.0.0.1/new</link><description>${summary}</description></item></channel></rss>`;

describe('the hostile set through pipeline.pollSource', () => {
  let canary: Canary;
  let feeds: LocalServer;
  let fetcher: SafeFetcher;
  let pipeline: Pipeline;
  let phase: 'seed' | 'attack' = 'seed';
  const alerts: Alert[] = [];
  const served = new Map<string, number>();
  let gzipBomb: Buffer;
  let brotliBomb: Buffer;

  beforeAll(async () => {
    const zeros = Buffer.alloc(FIFTY_MB, 0x20);
    gzipBomb = gzipSync(zeros);
    brotliBomb = brotliCompressSync(zeros, { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } });
    canary = await startCanary();
    feeds = await startServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      served.set(path, (served.get(path) ?? 0) + 1);
      const xml = (body: string | Buffer, headers: Record<string, string> = {}) => {
        res.writeHead(200, { 'content-type': 'application/rss+xml', ...headers });
        res.end(body);
      };
      switch (path) {
        case '/laughs.xml':
          return xml(phase === 'seed' ? benign('Laughs') : withDoctype(laughs, '&lol9;', 'x &lol5; y'));
        case '/xxe.xml':
          return xml(
            phase === 'seed'
              ? benign('XXE')
              : withDoctype(`<!DOCTYPE r [<!ENTITY file SYSTEM "file:///etc/passwd"><!ENTITY net SYSTEM "http://127.0.0.2:${canary.port}/xxe"><!ENTITY % p SYSTEM "http://127.0.0.2:${canary.port}/dtd"> %p;]>`, '&file;', '&net; secret'),
          );
        case '/gzip-bomb.xml':
          return xml(gzipBomb, { 'content-encoding': 'gzip' });
        case '/brotli-bomb.xml':
          return xml(brotliBomb, { 'content-encoding': 'br' });
        case '/fifty-mb.xml': {
          res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-length': String(FIFTY_MB) });
          const chunk = Buffer.alloc(1024 * 1024, 0x20);
          let sent = 0;
          const pump = () => {
            while (sent < 50 && res.write(chunk)) sent += 1;
            if (sent >= 50) res.end();
            else res.once('drain', pump);
          };
          res.on('error', () => undefined);
          return pump();
        }
        case '/fifty-mb-chunked.xml': {
          res.writeHead(200, { 'content-type': 'application/rss+xml' });
          const chunk = Buffer.alloc(1024 * 1024, 0x20);
          let sent = 0;
          const pump = () => {
            while (sent < 50 && !res.destroyed && res.write(chunk)) sent += 1;
            if (sent >= 50) res.end();
            else if (!res.destroyed) res.once('drain', pump);
          };
          res.on('error', () => undefined);
          return pump();
        }
        case '/slow-drip.xml': {
          res.writeHead(200, { 'content-type': 'application/rss+xml' });
          res.write('<rss version="2.0"><channel>');
          const t = setInterval(() => (res.destroyed ? clearInterval(t) : res.write(' ')), 100);
          res.on('close', () => clearInterval(t));
          return;
        }
        case '/slow-headers.xml':
          return; // never answers
        case '/loop':
          res.writeHead(302, { location: '/loop' });
          return res.end();
        case '/ping-pong-a':
          res.writeHead(301, { location: `${feeds.origin}/ping-pong-b` });
          return res.end();
        case '/ping-pong-b':
          res.writeHead(307, { location: '/ping-pong-a' });
          return res.end();
        default: {
          const to = /^\/redirect-to\/(.+)$/.exec(path)?.[1];
          if (to) {
            res.writeHead(302, { location: decodeURIComponent(to) });
            return res.end();
          }
          res.writeHead(404).end();
        }
      }
    });
    let rebinds = 0;
    const lookup = fakeLookup({
      'localhost.wire.test': ['127.0.0.2'],
      'loopback6.wire.test': ['::1'],
      'mixed.wire.test': ['127.0.0.1', '127.0.0.2'],
      'metadata.wire.test': ['169.254.169.254'],
      'private.wire.test': ['10.0.0.5'],
      'mapped.wire.test': ['::ffff:127.0.0.2'],
      // Answers the allowed address first, loopback after: every answer is checked, every time.
      'rebind.wire.test': () => (rebinds++ === 0 ? ['127.0.0.1'] : ['127.0.0.2']),
    });
    fetcher = createSafeFetcher({
      ...DEFAULT_FETCH_POLICY,
      allowCidrs: ['127.0.0.1/32'],
      perHostSpacingMs: 0,
      timeoutMs: TIMEOUT_MS,
      headersTimeoutMs: 1000,
      bodyTimeoutMs: 1000,
      lookup,
    });
    pipeline = createPipeline({ store: createMemoryStore(), fetcher, logger: createLogger({ level: 'silent' }), channels, seenTtlMs: 86_400_000, onAlert: (a) => alerts.push(a) });
  }, 30_000);

  afterAll(async () => {
    await fetcher?.close();
    await feeds?.close();
    await canary?.close();
  });

  const source = (id: string, url: string): SourceConfig => ({ id, kind: 'feed', name: undefined, url, options: {}, every: '5m', cron: undefined, enabled: true });

  it('XML bombs (billion laughs, XXE with file, network and parameter entities) parse with nothing expanded and nothing read', async () => {
    const bombs = [source('laughs', `${feeds.origin}/laughs.xml`), source('xxe', `${feeds.origin}/xxe.xml`)];
    phase = 'seed';
    expect((await Promise.all(bombs.map((s) => pipeline.pollSource(s)))).map((r) => r.outcome)).toEqual(['seeded', 'seeded']);
    phase = 'attack';
    const reports = await Promise.all(bombs.map((s) => pipeline.pollSource(s)));
    for (const r of reports) {
      // Either the parser refuses the document or it reads it with the entities left alone.
      expect(['polled', 'failed']).toContain(r.outcome);
      if (r.outcome === 'failed') expect(r.error).toMatch(/^not a feed/);
    }
    const text = JSON.stringify(alerts);
    expect(text).not.toContain('lollol');
    expect(text).not.toContain('root:');
    expect(text.length).toBeLessThan(10_000);
    expect(canary.hits).toEqual([]);
  });

  const failures: Array<[name: string, path: string, error: RegExp]> = [
    ['gzip bomb (50 MB of zeros, ~50 KB on the wire)', '/gzip-bomb.xml', /is larger than 5242880 bytes/],
    ['brotli bomb', '/brotli-bomb.xml', /is larger than 5242880 bytes/],
    ['50 MB body with Content-Length', '/fifty-mb.xml', /is larger than 5242880 bytes/],
    ['50 MB body, chunked', '/fifty-mb-chunked.xml', /is larger than 5242880 bytes/],
    ['slow drip (a byte every 100 ms)', '/slow-drip.xml', new RegExp(`timed out after ${TIMEOUT_MS} ms`)],
    ['no headers ever', '/slow-headers.xml', /no response headers .* within 1000 ms|timed out after/],
    ['redirect loop to itself', '/loop', /too many redirects \(more than 5\)/],
    ['redirect ping-pong', '/ping-pong-a', /too many redirects \(more than 5\)/],
  ];

  it.each(failures)('%s: failed, clearly', async (_name, path, error) => {
    const report = await pipeline.pollSource(source(`hostile${path.replace(/\W/g, '-')}`, `${feeds.origin}${path}`));
    expect(report.outcome).toBe('failed');
    expect(report.error).toMatch(error);
    expect(report.error).not.toMatch(/\n|at .*\(/);
  });

  it('20 SSRF targets: every poll fails before a socket opens; the canary sees nothing', async () => {
    const p = canary.port;
    const direct = (to: string) => `${feeds.origin}/redirect-to/${encodeURIComponent(to)}`;
    const targets: Array<[url: string, error: RegExp]> = [
      [`http://127.0.0.2:${p}/feed`, /127\.0\.0\.2(,| is) a loopback address/],
      [`http://127.2:${p}/feed`, /127\.0\.0\.2(,| is) a loopback address/],
      [`http://2130706434:${p}/feed`, /127\.0\.0\.2(,| is) a loopback address/],
      [`http://0x7f.0.0.2:${p}/feed`, /127\.0\.0\.2(,| is) a loopback address/],
      [`http://0177.0.0.2:${p}/feed`, /127\.0\.0\.2(,| is) a loopback address/],
      [`http://[::ffff:127.0.0.2]:${p}/feed`, /127\.0\.0\.2(,| is) a loopback address/],
      [`http://[::1]:${p}/feed`, /::1(,| is) a loopback address/],
      [`http://0.0.0.0:${p}/feed`, /0\.0\.0\.0 is/],
      [`http://169.254.169.254/latest/meta-data/`, /169\.254\.169\.254(,| is) a link-local address/],
      [`http://10.0.0.1:${p}/feed`, /10\.0\.0\.1 is a private address/],
      [`http://192.168.1.1:${p}/feed`, /192\.168\.1\.1 is a private address/],
      [`http://[fd00::1]:${p}/feed`, /fd00::1 is/],
      [`http://localhost.wire.test:${p}/feed`, /127\.0\.0\.2(,| is) a loopback address/],
      [`http://loopback6.wire.test:${p}/feed`, /::1(,| is) a loopback address/],
      [`http://mixed.wire.test:${p}/feed`, /127\.0\.0\.2(,| is) a loopback address/],
      [`http://metadata.wire.test/latest/meta-data/`, /169\.254\.169\.254(,| is) a link-local address/],
      [`http://mapped.wire.test:${p}/feed`, /127\.0\.0\.2(,| is) a loopback address|::ffff:127\.0\.0\.2(,| is)/],
      [direct(`http://127.0.0.2:${p}/after-redirect`), /127\.0\.0\.2(,| is) a loopback address/],
      [direct(`http://localhost.wire.test:${p}/after-redirect`), /127\.0\.0\.2(,| is) a loopback address/],
      [`file:///etc/passwd`, /only http and https URLs are fetched/],
    ];
    expect(targets).toHaveLength(20);
    const reports: PollReport[] = await Promise.all(targets.map(([url], i) => pipeline.pollSource(source(`ssrf-${i}`, url))));
    reports.forEach((r, i) => {
      const [url, error] = targets[i] as [string, RegExp];
      expect(r.outcome, url).toBe('failed');
      expect(r.error, url).toMatch(/^refused /);
      expect(r.error, url).toMatch(error);
    });
    // A name that first resolves to the allowed address and then to loopback: each lookup is checked.
    const rebind = source('ssrf-rebind', `http://rebind.wire.test:${feeds.port}/redirect-to/${encodeURIComponent(`http://rebind.wire.test:${p}/rebound`)}`);
    const rebound = await pipeline.pollSource(rebind);
    expect(rebound.outcome).toBe('failed');
    expect(rebound.error).toMatch(/127\.0\.0\.2(,| is) a loopback address/);
    // Controls: the first hops of the redirecting targets did reach the allowed feed server.
    expect(feeds.requests.filter((r) => r.url.startsWith('/redirect-to/')).length).toBe(3);
    expect(canary.hits).toEqual([]);
  });
});
