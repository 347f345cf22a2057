// A small local feed server that honours conditional GET: the demo publishes through it, and the
// tests use it as the feed side of the network edge.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';

export interface FeedServer {
  /** `http://127.0.0.1:PORT`. */
  origin: string;
  /** Publishes (or replaces) a document at a path; `validators: false` serves it without ETag/Last-Modified. */
  set(path: string, body: string, options?: { contentType?: string; validators?: boolean }): void;
  /** Requests seen, per path: how many got a full body and how many a 304. */
  hits(path: string): { full: number; notModified: number; missing: number };
  close(): Promise<void>;
}

export async function startFeedServer(): Promise<FeedServer> {
  const docs = new Map<string, { body: Buffer; type: string; etag: string; modified: string; validators: boolean }>();
  const counts = new Map<string, { full: number; notModified: number; missing: number }>();
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const doc = docs.get(path);
    const count = counts.get(path) ?? { full: 0, notModified: 0, missing: 0 };
    counts.set(path, count);
    if (!doc) {
      count.missing += 1;
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    if (doc.validators && (req.headers['if-none-match'] === doc.etag || req.headers['if-modified-since'] === doc.modified)) {
      count.notModified += 1;
      res.writeHead(304, { etag: doc.etag, 'last-modified': doc.modified }).end();
      return;
    }
    count.full += 1;
    const validators = doc.validators ? { etag: doc.etag, 'last-modified': doc.modified } : {};
    res.writeHead(200, { 'content-type': doc.type, ...validators, 'content-length': doc.body.length }).end(doc.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  let clock = Date.now();
  return {
    origin: `http://127.0.0.1:${port}`,
    set(path, body, options = {}) {
      const buf = Buffer.from(body, 'utf8');
      clock = Math.max(clock + 1000, Date.now());
      docs.set(path, {
        body: buf,
        type: options.contentType ?? 'application/xml; charset=utf-8',
        validators: options.validators ?? true,
        etag: `"${createHash('sha1').update(buf).digest('hex').slice(0, 16)}"`,
        modified: new Date(clock).toUTCString(),
      });
    },
    hits(path) {
      return { ...(counts.get(path) ?? { full: 0, notModified: 0, missing: 0 }) };
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
