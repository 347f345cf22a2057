// Starts a private redis-server on a free loopback port for the whole test run, unless REDIS_URL
// is given. Never touches the shared Redis on 6379. With CI=true and no Redis, the run fails.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort, waitForRedis } from './redis-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** redis:// URL of the server tests may use (with their own key prefix), or '' when none could be had. */
    redisUrl: string;
  }
}



let child: ChildProcess | undefined;
let dir: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  if (process.env.REDIS_URL) {
    project.provide('redisUrl', process.env.REDIS_URL);
    return;
  }
  const port = await freePort();
  dir = mkdtempSync(join(tmpdir(), 'wirewatch-redis-'));
  const proc = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: 'ignore' },
  );
  child = proc;
  const spawned = await new Promise<boolean>((resolve) => {
    proc.once('error', () => resolve(false));
    proc.once('spawn', () => resolve(true));
  });
  const url = `redis://127.0.0.1:${port}`;
  if (spawned) {
    try {
      await waitForRedis(url, 5000);
      project.provide('redisUrl', url);
      return;
    } catch {
      proc.kill('SIGKILL');
    }
  }
  if (process.env.CI === 'true') {
    throw new Error('redis-server could not be started and REDIS_URL is not set: the Redis tests cannot run (install redis-server)');
  }
  console.warn('[wirewatch tests] redis-server not available: Redis tests will be skipped (they fail under CI=true)');
  project.provide('redisUrl', '');
}

export async function teardown(): Promise<void> {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child?.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
}
