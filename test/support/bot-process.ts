// The real bot as a child process (`wirewatch start`), for the fault tests: a config file in a temp
// dir, env pointing at local fakes, JSON log lines parsed as they come, helpers to wait for a log
// line, send signals and collect the exit. Nothing of the bot is replaced.
//
// By default the child runs `node --import tsx src/cli.ts start`. Starting that way costs 3–5 s of
// transpiling on this machine, so tests that restart the bot many times pass `bundle()`'s file:
// src/cli.ts bundled once by esbuild (tsx's own compiler), dependencies left external — the same
// code, started in about a second.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitForRedis } from './redis-server.js';

export { freePort };

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** One parsed log line of the bot (pino JSON). */
export type LogLine = Record<string, unknown> & { msg?: string; level?: number };

export interface BotExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface BotProcess {
  readonly pid: number;
  /** Every JSON log line so far. */
  readonly logs: LogLine[];
  /** stderr lines that were not JSON (warnings, crashes). */
  readonly otherOutput: string[];
  /** Resolves with the first log line (already seen or to come) that matches, or rejects after `timeoutMs`. */
  waitForLog(match: string | RegExp | ((line: LogLine) => boolean), timeoutMs?: number): Promise<LogLine>;
  /** Sends a signal (SIGTERM, SIGKILL …). */
  signal(signal: NodeJS.Signals): void;
  /** Resolves when the process has exited. */
  readonly exited: Promise<BotExit>;
  /** Whether it is still running. */
  running(): boolean;
  /** SIGTERM, then SIGKILL if it is still there after `graceMs`; resolves with the exit. */
  stop(graceMs?: number): Promise<BotExit>;
}

export interface BotOptions {
  /** The YAML config (written to a temp file given as WIREWATCH_CONFIG). */
  config: string;
  /** Environment on top of the defaults (REDIS_URL, SLACK_* …); `undefined` removes a default. */
  env?: Record<string, string | undefined>;
  /** A bundled cli.js (see `bundle()`); default: `node --import tsx src/cli.ts`. */
  entry?: string;
}

/** The env every fault test starts from: loopback fetches, no host spacing, 1 s polls allowed, JSON logs. */
export const BASE_ENV = {
  WIREWATCH_FETCH_ALLOW: '127.0.0.1/32',
  WIREWATCH_HOST_SPACING: '0',
  WIREWATCH_MIN_INTERVAL: '1s',
  LOG_FORMAT: 'json',
  LOG_LEVEL: 'info',
  SLACK_PORT: '0',
} as const;

/** A free TCP port on 127.0.0.1 (listen on 0, close). */

let bundled: Promise<string> | undefined;

/** Whether a process with this pid exists. */
function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Bundles src/cli.ts once per test process into node_modules/.cache (inside the repo, so the
 * external packages resolve) and answers the file. esbuild is the compiler tsx itself runs on.
 */
export function bundle(): Promise<string> {
  bundled ??= (async () => {
    const { build } = await import('esbuild');
    const cache = join(ROOT, 'node_modules', '.cache', 'wirewatch-faults');
    mkdirSync(cache, { recursive: true });
    // One bundle per test process (files run in parallel); those of processes gone are removed.
    for (const name of readdirSync(cache)) {
      if (name !== String(process.pid) && !alive(Number(name))) rmSync(join(cache, name), { recursive: true, force: true });
    }
    const dir = join(cache, String(process.pid));
    mkdirSync(dir, { recursive: true });
    // The parse worker beside cli.js, where the bot looks for it (src/sources/feed/parse-pool.ts).
    await build({
      entryPoints: [join(ROOT, 'src/cli.ts'), join(ROOT, 'src/sources/feed/parse-worker.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      outdir: dir,
      entryNames: '[name]',
      sourcemap: 'inline',
      logLevel: 'error',
    });
    return join(dir, 'cli.js');
  })();
  return bundled;
}

/** Starts `wirewatch start` with the config and env; resolves once the process is spawned. */
export async function startBot(options: BotOptions): Promise<BotProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'wirewatch-bot-'));
  const configPath = join(dir, 'wirewatch.yaml');
  writeFileSync(configPath, options.config);
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', ...BASE_ENV, WIREWATCH_CONFIG: configPath };
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const args = options.entry ? ['--enable-source-maps', options.entry, 'start'] : ['--import', 'tsx', 'src/cli.ts', 'start'];
  const child: ChildProcess = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });

  const logs: LogLine[] = [];
  const otherOutput: string[] = [];
  const waiters: Array<{ test: (l: LogLine) => boolean; resolve: (l: LogLine) => void }> = [];
  const exited = new Promise<BotExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let done = false;
  void exited.then(() => {
    done = true;
  });

  const onLine = (line: string) => {
    if (!line.trim()) return;
    let parsed: LogLine | undefined;
    try {
      const value: unknown = JSON.parse(line);
      if (typeof value === 'object' && value !== null) parsed = value as LogLine;
    } catch {
      parsed = undefined;
    }
    if (!parsed) {
      otherOutput.push(line);
      return;
    }
    logs.push(parsed);
    for (const w of [...waiters]) {
      if (w.test(parsed)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(parsed);
      }
    }
  };
  const lines = (stream: NodeJS.ReadableStream | null) => {
    let rest = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      rest += chunk;
      const parts = rest.split('\n');
      rest = parts.pop() ?? '';
      for (const p of parts) onLine(p);
    });
    stream?.on('end', () => onLine(rest));
  };
  lines(child.stderr);
  lines(child.stdout);

  const toTest = (match: string | RegExp | ((line: LogLine) => boolean)) =>
    typeof match === 'function' ? match : typeof match === 'string' ? (l: LogLine) => l.msg === match : (l: LogLine) => match.test(String(l.msg ?? ''));

  const bot: BotProcess = {
    pid: child.pid ?? -1,
    logs,
    otherOutput,
    exited,
    running: () => !done,
    signal(signal) {
      if (!done) child.kill(signal);
    },
    waitForLog(match, timeoutMs = 20_000) {
      const test = toTest(match);
      const seen = logs.find(test);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = {
          test,
          resolve: (l: LogLine) => {
            clearTimeout(timer);
            resolve(l);
          },
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`bot ${bot.pid}: no log line ${String(match)} within ${timeoutMs} ms; last lines: ${logs.slice(-5).map((l) => l.msg).join(' | ')} ${otherOutput.slice(-5).join(' | ')}`));
        }, timeoutMs);
        waiters.push(waiter);
        void exited.then(() => {
          if (!waiters.includes(waiter)) return;
          // Let the last lines of the pipes arrive before giving up.
          setTimeout(() => {
            if (!waiters.includes(waiter)) return;
            waiters.splice(waiters.indexOf(waiter), 1);
            clearTimeout(timer);
            reject(new Error(`bot ${bot.pid} exited before logging ${String(match)}; last output: ${[...logs.slice(-5).map((l) => l.msg), ...otherOutput.slice(-10)].join(' | ')}`));
          }, 200);
        });
      });
    },
    async stop(graceMs = 10_000) {
      if (done) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const exit = await exited;
      clearTimeout(timer);
      return exit;
    },
  };
  return bot;
}

/** A redis-server this test owns (its own port and dir), with AOF persistence so data survives a restart. */
export interface PrivateRedis {
  port: number;
  url: string;
  /** Starts (or restarts) the server on the same port and dir; resolves when it answers PING. */
  start(): Promise<void>;
  /** Stops it with SIGTERM (Redis writes its AOF and exits); resolves on exit. */
  stop(): Promise<void>;
  running(): boolean;
}

export async function privateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'wirewatch-faults-redis-'));
  let proc: ChildProcess | undefined;
  const ping = (deadlineMs: number) => waitForRedis(`redis://127.0.0.1:${port}`, deadlineMs);

  const server: PrivateRedis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir], { stdio: 'ignore' });
      proc = child;
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', reject);
      });
      await ping(5000);
    },
    async stop() {
      const child = proc;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
    running: () => proc !== undefined && proc.exitCode === null && proc.signalCode === null,
  };
  return server;
}

/** Polls `check` every `everyMs` until it returns true or `timeoutMs` passes; answers whether it did. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
