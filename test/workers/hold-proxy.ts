// A pass-through HTTP proxy in front of a fake platform, one per worker process, that can hold one
// request: the test then knows which process is in the middle of a delivery and kills it there.
// A held request is never forwarded (the platform never accepted it); it is dropped when the
// client's socket closes.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxies of one test share: the switch that holds the next matching request. */
export interface HoldSwitch {
  /** Set to hold the next request whose path ends with this text (across all proxies). */
  holdNext: string | undefined;
  /** The proxy that held it, once one did. */
  heldBy: string | undefined;
  /** True once the held request's client went away. */
  heldClosed: boolean;
}

export interface HoldProxy {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Starts a proxy named `name` that forwards every request to `targetOrigin`, unless `hold` says to hold it. */
export async function startHoldProxy(name: string, targetOrigin: string, hold: HoldSwitch): Promise<HoldProxy> {
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const path = req.url ?? '/';
      if (hold.holdNext !== undefined && path.split('?')[0]?.endsWith(hold.holdNext)) {
        hold.holdNext = undefined;
        hold.heldBy = name;
        res.on('close', () => {
          hold.heldClosed = true;
        });
        return; // never answered, never forwarded
      }
      const headers: Record<string, string> = {};
      for (const h of ['content-type', 'authorization', 'user-agent']) {
        const v = req.headers[h];
        if (typeof v === 'string') headers[h] = v;
      }
      const upstream = await fetch(`${targetOrigin}${path}`, {
        method: req.method ?? 'GET',
        headers,
        ...(req.method === 'GET' || req.method === 'HEAD' ? {} : { body }),
      });
      const out: Record<string, string> = {};
      for (const h of ['content-type', 'retry-after']) {
        const v = upstream.headers.get(h);
        if (v !== null) out[h] = v;
      }
      res.writeHead(upstream.status, out).end(Buffer.from(await upstream.arrayBuffer()));
    })().catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(502).end(String(err));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close() {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}
