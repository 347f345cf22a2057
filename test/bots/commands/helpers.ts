// Builds a command handler on the memory store for the command tests, and a local HTTP server for
// feeds and the fake market API (127.0.0.1 only).
import { readFileSync } from 'node:fs';
import { afterEach } from 'vitest';
import { Writable } from 'node:stream';
import type { ChannelConfig, SourceConfig } from '../../../src/domain.js';
import { createLogger } from '../../../src/log.js';
import { createCommandHandler, type CommandCoreOptions } from '../../../src/bots/commands/command-core.js';
import type { CommandReply, CommandRequest } from '../../../src/bots/chat-adapter.js';
import { createSafeFetcher, DEFAULT_FETCH_POLICY, type SafeFetcher } from '../../../src/sources/http/safe-fetch.js';
import { createMemoryStore } from '../../../src/store/memory-store.js';
import type { Store } from '../../../src/store/store.js';

import { startServer, type Handler, type LocalServer } from '../../sources/local-server.js';

export { startServer, type Handler, type LocalServer };

/** 2024-06-03T10:07:30Z, the instant the market fixtures were shaped for. */
export const NOW = new Date('2024-06-03T10:07:30Z');

export const CHANNELS: ChannelConfig[] = [{ id: 'C1', adapter: 'slack', webhookUrl: undefined, topics: ['crypto'], watch: ['"spot etf"'] }];

/** A config source, with the defaults a test does not care about. */
export function configSource(id: string, patch: Partial<SourceConfig> = {}): SourceConfig {
  return { id, kind: 'feed', name: undefined, url: `https://${id}.example/feed.xml`, options: {}, every: '5m', cron: undefined, enabled: true, ...patch };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Registers something to close after the current test. */
export function onCleanup(cleanup: () => Promise<void>): void {
  cleanups.push(cleanup);
}

/** A fetcher that may reach 127.0.0.1 (no spacing between requests); `strict` keeps the default SSRF policy. */
export function testFetcher(strict = false): SafeFetcher {
  const fetcher = createSafeFetcher({ ...DEFAULT_FETCH_POLICY, allowCidrs: strict ? [] : ['127.0.0.1/32'], perHostSpacingMs: 0, timeoutMs: 5000 });
  onCleanup(() => fetcher.close());
  return fetcher;
}

export interface Harness {
  store: Store;
  /** JSON log lines written by the handler. */
  logs: Record<string, unknown>[];
  /** Runs a command as a channel manager in slack:C1 unless told otherwise. */
  run(name: CommandRequest['name'], args: string, request?: Partial<CommandRequest>): Promise<CommandReply>;
}

/** A handler on a fresh memory store (or `store`), with the given options over test defaults. */
export function setup(options: Partial<CommandCoreOptions> = {}): Harness {
  const store = options.store ?? createMemoryStore();
  const logs: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const handle = createCommandHandler({
    store,
    logger: createLogger({ level: 'info', destination, format: 'json' }),
    channels: CHANNELS,
    sources: [],
    fetcher: options.fetcher ?? testFetcher(),
    minIntervalMs: 60_000,
    market: { provider: 'binance', baseUrl: 'http://127.0.0.1:9/' },
    now: () => NOW,
    ...options,
  });
  return {
    store,
    logs,
    run: (name, args, request = {}) => handle({ name, args, channel: 'slack:C1', user: 'U1', canManage: true, ...request }),
  };
}

/** Everything a reply shows, as one string. */
export function shown(reply: CommandReply): string {
  return [reply.text, ...reply.lines.map((l) => [l.text, l.url, l.meta].filter(Boolean).join(' | '))].join('\n');
}

const RSS = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
  <title>Chip Wire Daily</title><link>https://chipwire.example/</link><description>news</description>
  <item><title>Local bakery wins award</title><link>https://chipwire.example/4</link><guid>4</guid><pubDate>Sun, 02 Jun 2024 06:00:00 GMT</pubDate></item>
  <item><title>Nvidia unveils Blackwell Ultra GPU for AI data centers</title><link>https://chipwire.example/1</link><guid>1</guid><pubDate>Mon, 03 Jun 2024 09:00:00 GMT</pubDate></item>
  <item><title>Bitcoin ETF inflows hit record as BTC tops $70,000</title><link>https://chipwire.example/2</link><guid>2</guid><pubDate>Mon, 03 Jun 2024 08:00:00 GMT</pubDate></item>
  <item><title>TSMC starts 2nm production for AI accelerators</title><link>https://chipwire.example/3</link><guid>3</guid><pubDate>Sun, 02 Jun 2024 07:00:00 GMT</pubDate></item>
</channel></rss>`;

const HTML = '<!doctype html><html><head><title>Not a feed</title></head><body><p>hello</p></body></html>';

/** Serves the feed at /feed.xml (and /other.xml), HTML at /page.html, 404 elsewhere. */
export async function feedServer(): Promise<LocalServer> {
  const handler: Handler = (req, res) => {
    if (req.url === '/feed.xml' || req.url === '/other.xml') {
      res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' });
      res.end(RSS);
    } else if (req.url === '/page.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(HTML);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('nope');
    }
  };
  const srv = await startServer(handler);
  onCleanup(() => srv.close());
  return srv;
}

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/market/${name}`, import.meta.url));
const BINANCE_XRP = fixture('binance-klines-xrpusdt-5m.json');
const COINBASE_XRP = fixture('coinbase-candles-xrp-usd-300.json');
const BINANCE_INVALID = fixture('binance-error-invalid-symbol.json');
const COINBASE_NOT_FOUND = fixture('coinbase-error-not-found.json');

/** A fake Binance (klines for XRPUSDT, 400 "Invalid symbol" otherwise) and Coinbase (XRP-USD, 404 otherwise), plus a broken route. */
export async function fakeMarket(): Promise<LocalServer> {
  const handler: Handler = (req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const send = (status: number, body: Buffer | string) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body);
    };
    if (url.pathname === '/api/v3/klines') {
      const symbol = url.searchParams.get('symbol');
      if (symbol === 'XRPUSDT' && url.searchParams.get('interval') === '5m') return send(200, BINANCE_XRP);
      if (symbol === 'BROKENUSDT') return send(200, '<html>oops</html>');
      if (symbol === 'DOWNUSDT') return send(503, '{}');
      return send(400, BINANCE_INVALID);
    }
    if (url.pathname === '/products/XRP-USD/candles') return send(200, COINBASE_XRP);
    return send(404, COINBASE_NOT_FOUND);
  };
  const srv = await startServer(handler);
  onCleanup(() => srv.close());
  return srv;
}
