// The benchmark's feed server, run in its own process (so its CPU is not counted as the bot's):
// N synthetic RSS feeds spread over several loopback addresses, honouring conditional GET
// (If-None-Match / If-Modified-Since → 304). Driven by the parent over IPC (bench/feed-farm.ts).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRandom, renderRss, syntheticItem, type SyntheticItem } from './synthetic.js';
import type { FarmReply, FarmRequest } from './feed-farm.js';

interface Feed {
  id: string;
  items: SyntheticItem[];
  version: number;
  body: Buffer;
  etag: string;
  modified: string;
}

const feeds: Feed[] = [];
const rnd = createRandom(20_260_129);
let serial = 0;
/** Last-Modified of the feeds: a second more at each change. */
let clock = Date.UTC(2026, 0, 29, 8, 0, 0);
/**
 * Publication times of the items: from six hours before the farm started, 100 ms apart, so they
 * stay within hours of the run (seeding 10,000 feeds of 20 items spans 5.6 h) and the pipeline's
 * story index keeps them for its 48 h window as it keeps a day's news. Items dated months before
 * the run would leave every story expired at its next report.
 */
let published = Date.now() - 6 * 3_600_000;
const counts = { full: 0, notModified: 0 };
let itemsPerFeed = 20;

function publish(feed: Feed): void {
  feed.version += 1;
  clock += 1000;
  feed.body = Buffer.from(renderRss(feed.id, feed.items), 'utf8');
  feed.etag = `"${feed.id}-${feed.version}"`;
  feed.modified = new Date(clock).toUTCString();
}

function newItems(feed: Feed, n: number): SyntheticItem[] {
  return Array.from({ length: n }, () => {
    published += 100;
    return syntheticItem(rnd, `${feed.id}-${++serial}`, new Date(published));
  });
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const m = /^\/f\/(\d+)\.xml$/.exec(req.url ?? '');
  const feed = m ? feeds[Number(m[1])] : undefined;
  if (!feed) {
    res.writeHead(404).end();
    return;
  }
  if (req.headers['if-none-match'] === feed.etag || req.headers['if-modified-since'] === feed.modified) {
    counts.notModified += 1;
    res.writeHead(304, { etag: feed.etag, 'last-modified': feed.modified }).end();
    return;
  }
  counts.full += 1;
  res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', etag: feed.etag, 'last-modified': feed.modified, 'content-length': feed.body.length }).end(feed.body);
}

async function listen(hosts: number): Promise<number> {
  let port = 0;
  for (let h = 1; h <= hosts; h++) {
    const server = createServer({ keepAliveTimeout: 60_000 }, handle);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, `127.0.0.${h}`, () => resolve());
    });
    if (port === 0) {
      const address = server.address();
      port = typeof address === 'object' && address ? address.port : 0;
    }
  }
  return port;
}

function reply(message: FarmReply): void {
  process.send?.(message);
}

process.on('message', (raw: unknown) => {
  const request = raw as FarmRequest;
  if (request.cmd === 'init') {
    itemsPerFeed = request.itemsPerFeed;
    for (let i = feeds.length; i < request.feeds; i++) {
      const feed: Feed = { id: `f${i}`, items: [], version: 0, body: Buffer.alloc(0), etag: '', modified: '' };
      feed.items = newItems(feed, itemsPerFeed).reverse();
      publish(feed);
      feeds.push(feed);
    }
    void listen(request.hosts).then((port) => reply({ cmd: 'init', port, bytes: feeds.reduce((n, f) => n + f.body.length, 0) }));
  } else if (request.cmd === 'advance') {
    // Feeds whose index falls in this cycle's tenth (or share) gain 1–3 items at the top.
    let changed = 0;
    let added = 0;
    const every = Math.max(1, Math.round(1 / request.fraction));
    feeds.forEach((feed, i) => {
      if (i % every !== request.cycle % every) return;
      const n = 1 + Math.floor(rnd() * 3);
      feed.items = [...newItems(feed, n).reverse(), ...feed.items].slice(0, itemsPerFeed);
      publish(feed);
      changed += 1;
      added += n;
    });
    reply({ cmd: 'advance', changed, added });
  } else if (request.cmd === 'renew') {
    // The first `count` feeds get a whole page of items never seen.
    let added = 0;
    for (const feed of feeds.slice(0, request.count)) {
      feed.items = newItems(feed, itemsPerFeed).reverse();
      publish(feed);
      added += itemsPerFeed;
    }
    reply({ cmd: 'renew', added });
  } else if (request.cmd === 'stats') {
    const cpu = process.cpuUsage();
    reply({ cmd: 'stats', ...counts, cpuS: (cpu.user + cpu.system) / 1e6 });
  }
});
