// Test helpers for the fetcher: a loopback "canary" that must never be reached by a refused
// fetch, a fake resolver for the `lookup` seam, and a fetcher factory that closes what it opens.
import { createServer, type Server } from 'node:http';
import type { LookupAddress } from 'node:dns';
import { isIP, type AddressInfo } from 'node:net';
import { createSafeFetcher, DEFAULT_FETCH_POLICY, type FetchPolicy, type LookupAll, type SafeFetcher } from '../../../src/sources/http/safe-fetch.js';
import { WirewatchError } from '../../../src/errors.js';
import { startServer, type Handler, type LocalServer } from '../local-server.js';

/** Servers on one port at several loopback addresses; every request to any of them is a hit. */
export interface Canary {
  port: number;
  /** Addresses it listens on (127.0.0.1, 127.0.0.2 and ::1 when the machine has IPv6 loopback). */
  hosts: string[];
  /** Requests seen, as `host header path`. */
  hits: string[];
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/** Starts a canary on 127.0.0.1, 127.0.0.2 and ::1, all on the same free port. */
export async function startCanary(): Promise<Canary> {
  const hits: string[] = [];
  const make = () =>
    createServer((req, res) => {
      hits.push(`${req.socket.localAddress ?? '?'} ${req.headers.host ?? ''} ${req.url ?? ''}`);
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      res.end('<rss version="2.0"><channel><title>canary</title></channel></rss>');
    });
  for (let attempt = 0; ; attempt++) {
    const first = make();
    await listen(first, 0, '127.0.0.1');
    const { port } = first.address() as AddressInfo;
    const servers = [first];
    const hosts = ['127.0.0.1'];
    try {
      for (const host of ['127.0.0.2', '::1']) {
        const server = make();
        try {
          await listen(server, port, host);
          servers.push(server);
          hosts.push(host);
        } catch (err) {
          // ::1 may be missing on a machine without IPv6; 127.0.0.2 always routes to loopback on Linux.
          if (host !== '::1' || (err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw err;
        }
      }
    } catch (err) {
      await Promise.all(servers.map(closeServer));
      if (attempt < 5) continue;
      throw err;
    }
    return { port, hosts, hits, close: async () => void (await Promise.all(servers.map(closeServer))) };
  }
}

/** A fake resolver: `answers` maps a name to its addresses, or to a function called on every lookup. */
export function fakeLookup(answers: Record<string, readonly string[] | (() => readonly string[])>): LookupAll & { calls: string[] } {
  const calls: string[] = [];
  const lookup = ((hostname, _options, callback) => {
    calls.push(hostname);
    const answer = answers[hostname];
    const addresses = typeof answer === 'function' ? answer() : answer;
    setImmediate(() => {
      if (addresses === undefined) {
        const err: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
        err.code = 'ENOTFOUND';
        callback(err, []);
        return;
      }
      callback(
        null,
        addresses.map((address): LookupAddress => ({ address, family: isIP(address) === 6 ? 6 : 4 })),
      );
    });
  }) as LookupAll & { calls: string[] };
  lookup.calls = calls;
  return lookup;
}

/** Collects cleanups for afterEach. */
export function cleanupList(): { add(cleanup: () => Promise<void>): void; run(): Promise<void> } {
  const cleanups: (() => Promise<void>)[] = [];
  return {
    add: (cleanup) => void cleanups.push(cleanup),
    run: async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    },
  };
}

/** A `server(handler)` for a test file: a local server closed with the file's other cleanups. */
export function serverStarter(cleanups: ReturnType<typeof cleanupList>): (handler: Handler) => Promise<LocalServer> {
  return async (handler) => {
    const srv = await startServer(handler);
    cleanups.add(() => srv.close());
    return srv;
  };
}

/** Test policy: loopback 127.0.0.1 allowed, no per-host spacing (tests that need spacing set it). */
export const TEST_POLICY: FetchPolicy = { ...DEFAULT_FETCH_POLICY, allowCidrs: ['127.0.0.1/32'], perHostSpacingMs: 0 };

/** A fetcher under `TEST_POLICY` + `policy`, closed by `cleanups`. */
export function makeFetcher(cleanups: ReturnType<typeof cleanupList>, policy: Partial<FetchPolicy> = {}): SafeFetcher {
  const fetcher = createSafeFetcher({ ...TEST_POLICY, ...policy });
  cleanups.add(() => fetcher.close());
  return fetcher;
}

/** The WirewatchError a promise rejects with; fails the test if it resolves or throws something else. */
export async function failure(promise: Promise<unknown>): Promise<WirewatchError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof WirewatchError) return err;
    throw err;
  }
  throw new Error('expected the fetch to fail');
}
