// The operator's HTTP port: `GET /healthz` (200 when every check passes, 503 otherwise, JSON) and
// `GET /metrics` (Prometheus text). Nothing else is served: every other request is a 404. Checks
// run with a deadline so a hung Redis makes /healthz answer 503, not hang the prober.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeError } from '../errors.js';
import type { Metrics } from './metrics.js';

/** One check's result. `detail` is short and safe to show (no secrets, no stack). */
export interface HealthCheck {
  ok: boolean;
  detail?: string;
}

/** What `/healthz` answers (and the status: 200 when `ok`, else 503). */
export interface HealthReport {
  ok: boolean;
  checks: Record<string, HealthCheck>;
}

export interface OpsServerOptions {
  /** TCP port; 0 picks a free one (tests). */
  port: number;
  /** Interface to listen on; default 127.0.0.1 (use 0.0.0.0 in a container so the scraper reaches it). */
  host?: string;
  metrics: Metrics;
  health: () => Promise<HealthReport>;
  /** Longest `/healthz` waits for `health()`, in ms (default 3000); past it, 503. */
  healthTimeoutMs?: number;
}

export interface OpsServer {
  /** The port actually listened on. */
  port: number;
  /** Stops listening and ends open connections. */
  close(): Promise<void>;
}

/**
 * Runs each named probe (resolve: ok; a string: ok with that detail; throw: not ok) with a deadline
 * of `timeoutMs` each, in parallel, and gathers the report `/healthz` answers.
 */
export function healthFromProbes(probes: Record<string, () => Promise<string | void>>, timeoutMs = 2000): () => Promise<HealthReport> {
  return async () => {
    const entries = await Promise.all(
      Object.entries(probes).map(async ([name, probe]): Promise<[string, HealthCheck]> => {
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        });
        try {
          const detail = await Promise.race([probe(), deadline]);
          return [name, typeof detail === 'string' ? { ok: true, detail } : { ok: true }];
        } catch (err) {
          return [name, { ok: false, detail: describeError(err).slice(0, 200) }];
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    const checks = Object.fromEntries(entries);
    return { ok: entries.every(([, c]) => c.ok), checks };
  };
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`health checks gave no answer within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** Starts the ops server; resolves once it listens. */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const healthTimeoutMs = options.healthTimeoutMs ?? 3000;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') {
      let report: HealthReport;
      try {
        report = await withDeadline(options.health(), healthTimeoutMs);
      } catch (err) {
        report = { ok: false, checks: { health: { ok: false, detail: describeError(err).slice(0, 200) } } };
      }
      send(res, report.ok ? 200 : 503, 'application/json; charset=utf-8', JSON.stringify(report));
      return;
    }
    if (req.method === 'GET' && path === '/metrics') {
      const { contentType, body } = await options.metrics.render();
      send(res, 200, contentType, body);
      return;
    }
    send(res, 404, 'text/plain; charset=utf-8', 'not found: GET /healthz or GET /metrics\n');
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', `error: ${describeError(err).slice(0, 200)}\n`);
      else res.destroy();
    });
  });
  // A prober that keeps connections open must not hold the process at shutdown.
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
