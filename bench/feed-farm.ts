// Parent side of the benchmark's feed server: spawns bench/feed-farm-child.ts (its own process,
// so serving feeds does not count as the bot's CPU) and talks to it over IPC.
import { spawn, type ChildProcess } from 'node:child_process';
import { scriptArgs } from './paths.js';

export type FarmRequest =
  | { cmd: 'init'; feeds: number; itemsPerFeed: number; hosts: number }
  | { cmd: 'advance'; cycle: number; fraction: number }
  | { cmd: 'renew'; count: number }
  | { cmd: 'stats' };

export type FarmReply =
  | { cmd: 'init'; port: number; bytes: number }
  | { cmd: 'advance'; changed: number; added: number }
  | { cmd: 'renew'; added: number }
  | { cmd: 'stats'; full: number; notModified: number; cpuS: number };

/** URL of feed `i` of a farm on `port` (spread over `hosts` loopback addresses: 127.0.0.1 …). */
export const farmFeedUrl = (port: number, hosts: number, i: number): string => `http://127.0.0.${1 + (i % hosts)}:${port}/f/${i}.xml`;

export interface FeedFarm {
  /** URL of feed `i` (`farmFeedUrl`). */
  url(i: number): string;
  /** The port it serves on (every host). */
  port: number;
  /** Bytes of all feeds as first published. */
  bytes: number;
  /** A tenth (`fraction`) of the feeds gains 1–3 items; which tenth depends on `cycle`. */
  advance(cycle: number, fraction: number): Promise<{ changed: number; added: number }>;
  /** The first `count` feeds get a full page of new items. */
  renew(count: number): Promise<{ added: number }>;
  /** Answers served so far, and the farm process's CPU seconds (user + system) since it started. */
  stats(): Promise<{ full: number; notModified: number; cpuS: number }>;
  close(): Promise<void>;
}

export async function startFeedFarm(options: { feeds: number; itemsPerFeed: number; hosts: number }): Promise<FeedFarm> {
  const child: ChildProcess = spawn(process.execPath, scriptArgs('feed-farm-child'), {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting: Array<(reply: FarmReply) => void> = [];
  child.on('message', (reply: unknown) => waiting.shift()?.(reply as FarmReply));
  const ask = <C extends FarmRequest['cmd']>(request: FarmRequest & { cmd: C }) =>
    new Promise<Extract<FarmReply, { cmd: C }>>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`feed farm exited (${code})`));
      child.once('exit', onExit);
      waiting.push((reply) => {
        child.off('exit', onExit);
        resolve(reply as Extract<FarmReply, { cmd: C }>);
      });
      child.send(request);
    });
  const init = await ask({ cmd: 'init', ...options });
  return {
    url: (i) => farmFeedUrl(init.port, options.hosts, i),
    port: init.port,
    bytes: init.bytes,
    advance: async (cycle, fraction) => {
      const { changed, added } = await ask({ cmd: 'advance', cycle, fraction });
      return { changed, added };
    },
    renew: async (count) => ({ added: (await ask({ cmd: 'renew', count })).added }),
    stats: async () => {
      const { full, notModified, cpuS } = await ask({ cmd: 'stats' });
      return { full, notModified, cpuS };
    },
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
