// A private redis-server for the benchmark on a free loopback port (never 6379, never a shared
// server: the bench reads INFO, MONITOR and MEMORY USAGE of its own instance), as
// test/support/global-setup.ts does for the tests.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, waitForRedis } from '../test/support/redis-server.js';

export interface BenchRedis {
  url: string;
  /** A new client on the private server; the caller quits it. */
  client(): Redis;
  /** The server's process id (for its CPU time). */
  pid: number;
  stop(): Promise<void>;
}


export async function startBenchRedis(): Promise<BenchRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'wirewatch-bench-redis-'));
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  await new Promise<void>((resolve, reject) => {
    proc.once('error', (err) => reject(new Error(`redis-server could not be started (${err.message}); install redis-server`)));
    proc.once('spawn', () => resolve());
  });
  const url = `redis://127.0.0.1:${port}`;
  await waitForRedis(url, 5000);
  return {
    url,
    pid: proc.pid ?? 0,
    client: () => new Redis(url, { maxRetriesPerRequest: 2 }),
    async stop() {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** CPU seconds the server used so far (INFO cpu: user + sys of the main thread and children). */
export async function serverCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const get = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
  return get('used_cpu_sys') + get('used_cpu_user');
}

/** Bytes the server uses (INFO memory used_memory). */
export async function usedMemory(redis: Redis): Promise<number> {
  return Number(/^used_memory:(\d+)/m.exec(await redis.info('memory'))?.[1] ?? 0);
}

/** Keys under a pattern (SCAN). */
export async function scanKeys(redis: Redis, pattern: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    out.push(...keys);
  } while (cursor !== '0');
  return out;
}

/** Sum of MEMORY USAGE (bytes, SAMPLES 0 = exact) over keys, pipelined. */
export async function memoryUsage(redis: Redis, keys: readonly string[]): Promise<number> {
  let total = 0;
  for (let i = 0; i < keys.length; i += 1000) {
    const p = redis.pipeline();
    for (const key of keys.slice(i, i + 1000)) p.memory('USAGE', key, 'SAMPLES', 0);
    for (const [err, bytes] of (await p.exec()) ?? []) if (!err) total += Number(bytes ?? 0);
  }
  return total;
}

/** The address a client's connection has on its server (`CLIENT INFO` addr): how MONITOR names it. */
export async function clientAddr(client: Redis): Promise<string | undefined> {
  return /\baddr=(\S+)/.exec(String(await client.client('INFO')))?.[1];
}

/** One connection of a bot, possibly in another process: its address, and ECHO sent on it. */
export interface MonitoredConnection {
  addr: string | undefined;
  echo(text: string): Promise<unknown>;
}

/**
 * Counts what one client sent while `action` ran, with MONITOR on the same server: commands, and
 * round trips (a MULTI … EXEC block is sent as one write and answered together: one round trip).
 * Commands run by scripts (source `lua`) are not round trips and are not counted.
 */
export async function countRoundTrips(server: BenchRedis, client: MonitoredConnection, action: () => Promise<void>): Promise<{ roundTrips: number; commands: Map<string, number> }> {
  const { addr } = client;
  const marker = `bench-${process.hrtime.bigint()}`;
  const base = server.client();
  const monitor = await base.monitor();
  const commands = new Map<string, number>();
  let roundTrips = 0;
  let inMulti = false;
  let recording = false;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  let started!: () => void;
  const begun = new Promise<void>((r) => (started = r));
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (source !== addr) return;
    const name = (args[0] ?? '').toLowerCase();
    if (name === 'echo' && args[1] === `${marker}-start`) {
      recording = true;
      started();
      return;
    }
    if (name === 'echo' && args[1] === `${marker}-end`) {
      recording = false;
      done();
      return;
    }
    if (!recording) return;
    commands.set(name, (commands.get(name) ?? 0) + 1);
    if (name === 'multi') {
      inMulti = true;
      roundTrips += 1;
    } else if (name === 'exec') inMulti = false;
    else if (!inMulti) roundTrips += 1;
  });
  await client.echo(`${marker}-start`);
  await begun;
  await action();
  await client.echo(`${marker}-end`);
  await finished;
  monitor.disconnect();
  base.disconnect();
  return { roundTrips, commands };
}
