// A throwaway 3-master Redis Cluster on loopback: three `redis-server --cluster-enabled yes`
// processes on free ports, joined by `redis-cli --cluster create`, removed with their files afterwards.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../support/redis-server.js';

export interface LocalCluster {
  nodes: Array<{ host: string; port: number }>;
  /** `127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3` (the REDIS_CLUSTER_NODES form). */
  nodesText: string;
  stop(): Promise<void>;
}

/** Why a local cluster cannot be started here, or undefined when redis-server and redis-cli are installed. */
export function clusterUnavailable(): string | undefined {
  for (const bin of ['redis-server', 'redis-cli']) {
    if (spawnSync(bin, ['--version'], { stdio: 'ignore' }).status !== 0) return `${bin} is not installed`;
  }
  return undefined;
}


async function untilReady(port: number, check: (client: Redis) => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined); // refused while the node starts: expected
    try {
      await client.connect();
      if (await check(client)) return;
    } catch {
      // not yet
    } finally {
      client.disconnect();
    }
    if (Date.now() > deadline) throw new Error(`redis node on ${port} not ready within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts three masters and creates the cluster; resolves once every node reports `cluster_state:ok`. */
export async function startLocalCluster(): Promise<LocalCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'wirewatch-cluster-'));
  const children: ChildProcess[] = [];
  const nodes: Array<{ host: string; port: number }> = [];
  const stop = async (): Promise<void> => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const busPort = await freePort();
      const child = spawn(
        'redis-server',
        [
          '--port', String(port),
          '--cluster-port', String(busPort),
          '--bind', '127.0.0.1',
          '--cluster-enabled', 'yes',
          '--cluster-config-file', join(dir, `nodes-${i}.conf`),
          '--cluster-node-timeout', '5000',
          '--save', '',
          '--appendonly', 'no',
          '--dir', dir,
        ],
        { stdio: 'ignore' },
      );
      children.push(child);
      nodes.push({ host: '127.0.0.1', port });
    }
    await Promise.all(nodes.map((n) => untilReady(n.port, async (c) => (await c.ping()) === 'PONG', 5000)));
    const create = spawnSync(
      'redis-cli',
      ['--cluster', 'create', ...nodes.map((n) => `${n.host}:${n.port}`), '--cluster-replicas', '0', '--cluster-yes'],
      { encoding: 'utf8', timeout: 30_000 },
    );
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stdout}\n${create.stderr}`);
    await Promise.all(nodes.map((n) => untilReady(n.port, async (c) => String(await c.cluster('INFO')).includes('cluster_state:ok'), 15_000)));
  } catch (err) {
    await stop();
    throw err;
  }
  return { nodes, nodesText: nodes.map((n) => `${n.host}:${n.port}`).join(','), stop };
}
